// Sampling primitives for the synthetic event stream.
//
// The stream must be byte-identical for the same seed on every platform, and
// the std:: distributions are not specified bit-exactly across standard
// libraries, so every distribution here is our own code on top of an engine
// whose output is fixed by the standard (std::mt19937_64) or by its
// definition (SplitMix64).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <random>
#include <span>
#include <vector>

namespace vigil::synthetic {

// Distributions shared by both engines; `Engine` provides next_u64().
template <typename Engine>
class Sampler {
 public:
  // Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(self().next_u64() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, n) for n > 0 (multiply-shift; the bias of at most
  // n / 2^64 is irrelevant for synthetic data).
  uint64_t below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(self().next_u64()) * n) >> 64);
  }

  bool chance(double p) { return uniform() < p; }

  // Standard normal by Box-Muller (one draw per call, so the number of engine
  // steps per call is fixed).
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]: log is finite
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

  double lognormal(double median, double sigma) { return median * std::exp(sigma * normal()); }

  // Poisson by inverse CDF for small means (exact), normal approximation with
  // continuity rounding for means of 40 and more (daily national totals).
  uint64_t poisson(double mean) {
    if (!(mean > 0.0)) return 0;
    if (mean >= 40.0) {
      const double x = std::floor(mean + std::sqrt(mean) * normal() + 0.5);
      return x <= 0.0 ? 0 : static_cast<uint64_t>(x);
    }
    double p = std::exp(-mean);
    double cumulative = p;
    const double u = uniform();
    uint64_t k = 0;
    // The cap guards against u landing above the rounded total mass.
    while (u > cumulative && k < 1000) {
      ++k;
      p *= mean / static_cast<double>(k);
      cumulative += p;
    }
    return k;
  }

 private:
  Engine& self() { return static_cast<Engine&>(*this); }
};

// The stream's main random source.
class Rng : public Sampler<Rng> {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  uint64_t next_u64() { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

// A cheap generator seeded per report, so a report's free text can be
// rendered again (a re-send, a revision) from its stored seed alone.
class SplitMix : public Sampler<SplitMix> {
 public:
  explicit SplitMix(uint64_t seed) : state_(seed) {}
  uint64_t next_u64() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// A categorical distribution over 0..n-1 by Walker's alias method (one
// uniform draw, one comparison, whatever n), built by Vose's algorithm in a
// fixed order so two tables from the same weights sample identically. Zero
// weights are never drawn.
class Categorical {
 public:
  Categorical() = default;
  explicit Categorical(std::span<const double> weights) {
    const size_t n = weights.size();
    cumulative_.reserve(n);
    double total = 0.0;
    for (const double w : weights) {
      total += w > 0.0 ? w : 0.0;
      cumulative_.push_back(total);
    }
    total_ = total;
    keep_.assign(n, 0.0);
    alias_.assign(n, 0);
    if (n == 0 || total <= 0.0) return;
    std::vector<double> scaled(n);
    std::vector<uint32_t> small, large;
    size_t some_positive = 0;
    for (size_t i = 0; i < n; ++i) {
      scaled[i] = (weights[i] > 0.0 ? weights[i] : 0.0) * static_cast<double>(n) / total;
      if (weights[i] > 0.0) some_positive = i;
      (scaled[i] < 1.0 ? small : large).push_back(static_cast<uint32_t>(i));
    }
    while (!small.empty() && !large.empty()) {
      const uint32_t s = small.back();
      small.pop_back();
      const uint32_t l = large.back();
      keep_[s] = scaled[s];
      alias_[s] = l;
      scaled[l] = (scaled[l] + scaled[s]) - 1.0;
      if (scaled[l] < 1.0) {
        large.pop_back();
        small.push_back(l);
      }
    }
    for (const uint32_t l : large) keep_[l] = 1.0;
    // Left over only by rounding: keep positive entries, never draw empty ones.
    for (const uint32_t s : small) {
      keep_[s] = weights[s] > 0.0 ? 1.0 : 0.0;
      alias_[s] = static_cast<uint32_t>(some_positive);
    }
  }

  template <typename Engine>
  size_t sample(Sampler<Engine>& rng) const {
    const double u = rng.uniform() * static_cast<double>(keep_.size());
    size_t i = static_cast<size_t>(u);
    if (i >= keep_.size()) i = keep_.size() - 1;
    return u - static_cast<double>(i) < keep_[i] ? i : alias_[i];
  }

  // P(i); 0 for an empty table.
  double probability(size_t i) const {
    if (total_ <= 0.0 || i >= cumulative_.size()) return 0.0;
    return (cumulative_[i] - (i == 0 ? 0.0 : cumulative_[i - 1])) / total_;
  }

  size_t size() const { return cumulative_.size(); }
  double total() const { return total_; }

 private:
  std::vector<double> cumulative_;  // for probability()
  double total_ = 0.0;
  std::vector<double> keep_;  // P(keep column i) in the alias table
  std::vector<uint32_t> alias_;
};

}  // namespace vigil::synthetic

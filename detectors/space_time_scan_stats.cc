#include "detectors/space_time_scan_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vigil {
namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
constexpr uint32_t kUnknown = kNone - 1;  // not a count: counts are at most C, uint32
// A replicate's llr "reaches" the observed one within this relative
// rounding, so a replicate that ties the observed cylinder counts as a hit.
constexpr double kTieTolerance = 1e-12;

uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// SplitMix64 (Steele, Lea and Flood 2014): small, fast and, unlike the
// standard library's distributions, the same numbers on every platform.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next() { return mix64(state_ += 0x9e3779b97f4a7c15ull); }
  // Uniform in [0, n), n > 0: Lemire's multiply-and-reject, unbiased.
  uint64_t below(uint64_t n) {
    __extension__ using U128 = unsigned __int128;
    U128 m = static_cast<U128>(next()) * n;
    auto low = static_cast<uint64_t>(m);
    if (low < n) {
      const uint64_t floor = (0 - n) % n;
      while (low < floor) {
        m = static_cast<U128>(next()) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

 private:
  uint64_t state_;
};

// One cylinder a replicate might make reach the observed maximum: the
// chain's first `size` zones over the last `window` + 1 days. Its critical
// count (the smallest count whose llr reaches the observed maximum) costs a
// bisection over llrs, so it is worked out only when a replicate first
// gives the cylinder more than `floor(expected)` cases: below that no count
// can reach it (critical > expected), and most replicates of most
// analyses stop at their first hit long before every cylinder is reached.
struct LiveCylinder {
  uint32_t size;
  uint32_t window;  // day offset: 0 = the analysis day alone
  uint32_t least;   // floor(expected) + 1: no smaller count can hit
  uint32_t most;    // the largest count the cylinder can hold
  double expected;
  uint32_t critical;  // kUnknown until a replicate needs it; kNone: never

  // Whether `count` cases reach the observed maximum (`target`).
  bool hit(uint32_t count, double total, double target);
};

struct LiveChain {
  uint32_t chain;
  uint32_t longest;  // largest size with a cylinder
  std::vector<LiveCylinder> cylinders;  // by size
};

// The smallest count c ≤ most with llr(c) ≥ target (c > expected), or kNone.
uint32_t critical_count(double expected, double total, uint32_t most, double target) {
  auto lo = static_cast<uint32_t>(std::floor(expected)) + 1;
  if (lo > most || scan_llr(most, expected, total) < target) return kNone;
  uint32_t hi = most;
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    if (scan_llr(mid, expected, total) >= target) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

bool LiveCylinder::hit(uint32_t count, double total, double target) {
  if (count < least) return false;  // below every critical count
  if (critical == kUnknown) critical = critical_count(expected, total, most, target);
  return critical != kNone && count >= critical;
}

}  // namespace

double scan_llr(double observed, double expected, double total) {
  if (!(observed > expected) || expected <= 0) return 0;
  const double rest = total - observed;
  double llr = observed * std::log(observed / expected);
  if (rest > 0) llr += rest * std::log(rest / (total - expected));
  return llr;
}

ScanResult space_time_scan(const ScanTable& table, const std::vector<ZoneChain>& chains,
                           const ScanSettings& settings, uint64_t stream,
                           std::optional<uint32_t> only_chain) {
  ScanResult result;
  const uint32_t zones = table.zones;
  const uint32_t days = table.days;
  const uint32_t windows =
      std::min<uint32_t>(days, static_cast<uint32_t>(std::max(settings.max_window_days, 1)));
  if (zones == 0 || days == 0) return result;

  // Margins, and each zone's cases in the last 1..windows days (cumulative
  // by day offset, offset 0 the analysis day).
  std::vector<uint64_t> zone_total(zones, 0);
  std::vector<uint64_t> day_total(days, 0);
  std::vector<uint32_t> recent(static_cast<size_t>(zones) * windows, 0);
  for (uint32_t z = 0; z < zones; ++z) {
    for (uint32_t d = 0; d < days; ++d) {
      const uint32_t c = table.at(z, d);
      zone_total[z] += c;
      day_total[d] += c;
    }
    uint32_t run = 0;
    for (uint32_t w = 0; w < windows; ++w) {
      run += table.at(z, days - 1 - w);
      recent[static_cast<size_t>(z) * windows + w] = run;
    }
  }
  uint64_t total = 0;
  for (uint64_t c : zone_total) total += c;
  std::vector<uint64_t> window_total(windows, 0);  // cases of the last w + 1 days
  for (uint32_t w = 0; w < windows; ++w) {
    window_total[w] = (w ? window_total[w - 1] : 0) + day_total[days - 1 - w];
  }
  const auto C = static_cast<double>(total);
  if (total == 0 || window_total[windows - 1] == 0) return result;

  // The observed most likely cluster. Ties keep the first found (chain
  // order, then size, then the shorter window), so the answer is unique.
  std::vector<uint64_t> acc(windows);
  for (uint32_t ci = 0; ci < chains.size(); ++ci) {
    if (only_chain && ci != *only_chain) continue;
    const ZoneChain& chain = chains[ci];
    std::fill(acc.begin(), acc.end(), 0);
    uint64_t set_total = 0;
    size_t next = 0;
    for (uint32_t i = 0; i < chain.zones.size() && next < chain.sizes.size(); ++i) {
      const uint32_t z = chain.zones[i];
      set_total += zone_total[z];
      for (uint32_t w = 0; w < windows; ++w) acc[w] += recent[static_cast<size_t>(z) * windows + w];
      if (i + 1 != chain.sizes[next]) continue;
      ++next;
      for (uint32_t w = 0; w < windows; ++w) {
        const double mu = static_cast<double>(set_total) * static_cast<double>(window_total[w]) / C;
        const double llr = scan_llr(static_cast<double>(acc[w]), mu, C);
        if (llr > result.best.llr) {
          result.found = true;
          result.best = ScanCluster{ci, i + 1, static_cast<int32_t>(w + 1),
                                    static_cast<int64_t>(acc[w]), mu, llr};
        }
      }
    }
  }
  if (!result.found) return result;

  // The verdict's bound: whatever the replicates still to run, the final
  // p-value is at least (hits + 1)/(R + 1) if they all run, and at least
  // early_stop_hits / R if they stop early. Once that bound fails the
  // caller's alarm test, so would the full run's p-value (1/p falls as p
  // grows, in floating point too), and the rest of the run is skipped.
  const int32_t replicates = std::max(settings.replicates, 0);
  const bool verdict_only = settings.alarm_recurrence_days > 0;
  const auto cannot_alarm = [&](int32_t hits) {
    double least = static_cast<double>(hits + 1) / (replicates + 1);
    if (settings.early_stop_hits > 0 && replicates > 0) {
      least = std::min(least, static_cast<double>(settings.early_stop_hits) / replicates);
    }
    if (recurrence_interval_days(least) >= settings.alarm_recurrence_days) return false;
    result.p_value = least;
    result.p_bound = true;
    return true;
  };
  if (verdict_only && result.best.observed < settings.alarm_min_cases) {
    result.p_bound = true;  // p = 1: too few cases to alarm whatever the replicates
    return result;
  }
  if (verdict_only && cannot_alarm(0)) return result;

  // The cylinders a replicate could make reach the observed maximum, their
  // critical counts left for the replicates to work out when they need them.
  const double target = result.best.llr * (1 - kTieTolerance);
  std::vector<LiveChain> live;
  for (uint32_t ci = 0; ci < chains.size(); ++ci) {
    const ZoneChain& chain = chains[ci];
    LiveChain lc{ci, 0, {}};
    uint64_t set_total = 0;
    size_t next = 0;
    for (uint32_t i = 0; i < chain.zones.size() && next < chain.sizes.size(); ++i) {
      set_total += zone_total[chain.zones[i]];
      if (i + 1 != chain.sizes[next]) continue;
      ++next;
      for (uint32_t w = 0; w < windows; ++w) {
        const double mu = static_cast<double>(set_total) * static_cast<double>(window_total[w]) / C;
        const auto most = static_cast<uint32_t>(std::min(set_total, window_total[w]));
        const auto least = static_cast<uint32_t>(std::floor(mu)) + 1;  // as critical_count starts
        if (least > most) continue;  // critical_count would say kNone
        lc.cylinders.push_back(LiveCylinder{i + 1, w, least, most, mu, kUnknown});
        lc.longest = i + 1;
      }
    }
    if (!lc.cylinders.empty()) live.push_back(std::move(lc));
  }

  // Every case's zone; a replicate deals the days of the longest window
  // (analysis day first) to the first cases of a partial shuffle.
  std::vector<uint32_t> case_zone;
  case_zone.reserve(total);
  for (uint32_t z = 0; z < zones; ++z) case_zone.insert(case_zone.end(), zone_total[z], z);
  const uint64_t dealt = window_total[windows - 1];
  std::vector<uint32_t> rep(static_cast<size_t>(zones) * windows, 0);
  std::vector<uint8_t> dealt_to(zones, 0);  // zones in `touched`
  std::vector<uint32_t> touched;
  touched.reserve(std::min<uint64_t>(dealt, zones));
  Random random(mix64(settings.seed ^ mix64(stream + 0x632be59bd9b4e019ull)));

  for (int32_t r = 1; r <= replicates; ++r) {
    uint32_t offset = 0;
    uint64_t day_end = window_total[0];
    for (uint64_t i = 0; i < dealt; ++i) {
      const uint64_t j = i + random.below(total - i);
      std::swap(case_zone[i], case_zone[j]);
      while (i >= day_end) day_end = window_total[++offset];
      const uint32_t z = case_zone[i];
      // A flag per zone rather than a look along its row of counts: that
      // look was a third of the replicates' time with 14-day windows.
      if (!dealt_to[z]) {
        dealt_to[z] = 1;
        touched.push_back(z);
      }
      ++rep[static_cast<size_t>(z) * windows + offset];
    }
    for (uint32_t z : touched) {  // by day offset → cumulative over the window
      uint32_t* row = &rep[static_cast<size_t>(z) * windows];
      for (uint32_t w = 1; w < windows; ++w) row[w] += row[w - 1];
    }
    bool hit = false;
    for (LiveChain& lc : live) {
      const ZoneChain& chain = chains[lc.chain];
      std::fill(acc.begin(), acc.end(), 0);
      size_t next = 0;
      for (uint32_t i = 0; i < lc.longest && !hit; ++i) {
        const uint32_t* row = &rep[static_cast<size_t>(chain.zones[i]) * windows];
        for (uint32_t w = 0; w < windows; ++w) acc[w] += row[w];
        while (next < lc.cylinders.size() && lc.cylinders[next].size == i + 1) {
          LiveCylinder& cyl = lc.cylinders[next++];
          if (!hit && cyl.hit(static_cast<uint32_t>(acc[cyl.window]), C, target)) hit = true;
        }
      }
      if (hit) break;
    }
    for (uint32_t z : touched) {
      std::fill_n(&rep[static_cast<size_t>(z) * windows], windows, 0u);
      dealt_to[z] = 0;
    }
    touched.clear();
    result.replicates_run = r;
    if (!hit) continue;
    ++result.hits;
    if (settings.early_stop_hits > 0 && result.hits >= settings.early_stop_hits) {
      result.p_value = static_cast<double>(result.hits) / r;
      return result;
    }
    if (verdict_only && cannot_alarm(result.hits)) return result;
  }
  result.p_value = static_cast<double>(result.hits + 1) / (replicates + 1);
  return result;
}

}  // namespace vigil

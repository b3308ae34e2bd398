#include "detectors/funnel_limits.h"

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <vector>

namespace vigil {
namespace {

// R's default sample quantile (type 7) of sorted values.
double quantile_type7(const std::vector<double>& sorted, double p) {
  const double h = static_cast<double>(sorted.size() - 1) * p;
  const auto lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

double two_sided_z(double coverage) {
  // FunnelPlotR writes these two quantiles to six decimals.
  if (coverage == 0.95) return 1.959964;
  if (coverage == 0.998) return 3.090232;
  return boost::math::quantile(boost::math::normal(), 0.5 + coverage / 2);
}

}  // namespace

RatioLimits exact_poisson_ratio_limits(double expected, FunnelTails tails) {
  const boost::math::chi_squared lower_dist(2 * expected);
  const boost::math::chi_squared upper_dist(2 * (expected + 1));
  return RatioLimits{
      boost::math::quantile(lower_dist, tails.lower) / 2 / expected,
      boost::math::quantile(boost::math::complement(upper_dist, tails.upper)) / 2 / expected};
}

double log_ratio_z(double observed, double expected) {
  return std::sqrt(expected) * std::log(observed / expected);
}

Overdispersion shmi_overdispersion(std::span<const FunnelUnit> units, double trim) {
  std::vector<double> z;
  double sum_w = 0;
  double sum_w2 = 0;
  for (const FunnelUnit& u : units) {
    if (!(u.expected > 0) || !(u.observed > 0)) continue;
    z.push_back(log_ratio_z(u.observed, u.expected));
    // Inverse variance of ln(O/E) under Poisson: w = E.
    sum_w += u.expected;
    sum_w2 += u.expected * u.expected;
  }
  Overdispersion od;
  od.units = z.size();
  if (z.size() < 2) return od;
  std::vector<double> sorted = z;
  std::sort(sorted.begin(), sorted.end());
  const double lo = quantile_type7(sorted, trim);
  const double hi = quantile_type7(sorted, 1 - trim);
  double sum_sq = 0;
  for (double v : z) {
    const double w = std::clamp(v, lo, hi);
    sum_sq += w * w;
  }
  const auto n = static_cast<double>(z.size());
  od.phi = sum_sq / n;
  // DerSimonian-Laird style moment estimate, floored at zero.
  if (n * od.phi > n - 1) {
    od.tau2 = std::max(0.0, (n * od.phi - (n - 1)) / (sum_w - sum_w2 / sum_w));
  }
  return od;
}

RatioLimits overdispersed_ratio_limits(double expected, double tau2, double coverage) {
  const double half_width = two_sided_z(coverage) * std::sqrt(1 / expected + tau2);
  return RatioLimits{std::exp(-half_width), std::exp(half_width)};
}

RatioLimits FunnelJudge::limits(double expected) const {
  if (!judged(expected)) return {0, INFINITY};
  const RatioLimits exact = exact_poisson_ratio_limits(expected, tails_);
  if (!overdispersion_) return exact;
  const RatioLimits od = overdispersed_ratio_limits(expected, tau2_, coverage_);
  // The overdispersed limits replace the exact ones only where they are
  // wider: tau^2 must never make a small unit's limits narrower than Poisson.
  return {std::min(exact.lower, od.lower), std::max(exact.upper, od.upper)};
}

}  // namespace vigil

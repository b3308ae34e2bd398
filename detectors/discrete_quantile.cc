#include "detectors/discrete_quantile.h"

#include <algorithm>
#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <cfloat>
#include <cmath>
#include <limits>

namespace vigil {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// R's discrete quantile search (nmath qDiscrete_search.h, R 4.2): the smallest
// y >= 0 with cdf(y) >= p (1 - 8 DBL_EPSILON), from a Cornish-Fisher start.
template <typename Cdf>
double search_quantile(double p, double mean, double sigma, double gamma, Cdf cdf) {
  const double z = standard_normal_quantile(p);
  double y = std::max(0.0, std::nearbyint(mean + sigma * (z + gamma * (z * z - 1) / 6)));
  p *= 1 - 8 * DBL_EPSILON;
  constexpr int kMaxSteps = 10'000'000;
  if (cdf(y) >= p) {
    for (int i = 0; y > 0 && cdf(y - 1) >= p; ++i) {
      if (i > kMaxSteps) return kNaN;
      --y;
    }
  } else {
    for (int i = 0; cdf(++y) < p; ++i) {
      if (i > kMaxSteps) return kNaN;
    }
  }
  return y;
}

// The first y whose summed pmf reaches p (1 - 8 DBL_EPSILON), or NaN when
// that sum or the one before lies within the margin of p. pmf(0) = pmf0
// (relative error at most 1 ulp), pmf(k + 1) = pmf(k) * ratio(k);
// log_pmf0 = log(pmf(0)) <= 0.
//
// The error bound: pmf(k) carries at most 2 + 5k roundings of DBL_EPSILON / 2
// (pmf(0), and per step the four of ratio(k) and q = 1 - prob, and the
// product), and summing positive terms adds at most y more, so the sum at y
// is within (1 + 3 y) DBL_EPSILON of the exact cdf, relative to it (<= 1). The margin is
// 16 times a larger count (with |log pmf0| for an error in pmf(0) amplified
// by an exponential), plus 1e-14 for the error of Boost's own long-double
// cdf rounded to double.
template <typename Ratio>
double summed_quantile(double p, double pmf0, double log_pmf0, Ratio ratio) {
  p *= 1 - 8 * DBL_EPSILON;
  double term = pmf0;
  double sum = pmf0;
  double before = 0;  // the sum at y - 1
  double y = 0;
  while (sum < p) {
    if (y >= kMaxSummedQuantile) return kNaN;
    term *= ratio(y);
    before = sum;
    sum += term;
    ++y;
  }
  const double margin =
      16 * (std::fabs(log_pmf0) + 5 * (y + 1) + 2) * DBL_EPSILON + 1e-14;
  if (!(sum - p > margin)) return kNaN;
  if (y > 0 && !(p - before > margin)) return kNaN;
  return y;
}

// pmf(0) below this (e^-700) starts losing precision to underflow along the
// recurrence soon after; such cases take the reference path.
constexpr double kMinLogPmf0 = -700;

}  // namespace

double standard_normal_quantile(double p) {
  thread_local double last_p = kNaN;
  thread_local double last_z = kNaN;
  if (!(p == last_p)) {
    last_z = boost::math::quantile(boost::math::normal_distribution<double>(0, 1), p);
    last_p = p;
  }
  return last_z;
}

double qnbinom_reference(double p, double size, double prob) {
  if (size == 0) return 0;
  try {
    const boost::math::negative_binomial_distribution<double> nb(size, prob);
    const double q = 1 / prob, pp = (1 - prob) * q, sigma = std::sqrt(size * pp * q);
    return search_quantile(p, size * pp, sigma, (q + pp) / sigma,
                           [&](double y) { return boost::math::cdf(nb, y); });
  } catch (const std::exception&) {
    return kNaN;
  }
}

double qpois_reference(double p, double lambda) {
  if (lambda == 0) return 0;
  try {
    const boost::math::poisson_distribution<double> pois(lambda);
    const double sigma = std::sqrt(lambda);
    return search_quantile(p, lambda, sigma, 1 / sigma,
                           [&](double y) { return boost::math::cdf(pois, y); });
  } catch (const std::exception&) {
    return kNaN;
  }
}

double qnbinom(double p, double size, double prob) {
  if (p > 0 && p < 1 && size > 0 && std::isfinite(size) && prob > 0 && prob < 1) {
    const double log_pmf0 = size * std::log(prob);
    if (log_pmf0 >= kMinLogPmf0) {
      const double q = 1 - prob;
      const double y = summed_quantile(p, std::pow(prob, size), log_pmf0,
                                       [&](double k) { return (k + size) * q / (k + 1); });
      if (!std::isnan(y)) return y;
    }
  }
  return qnbinom_reference(p, size, prob);
}

double qpois(double p, double lambda) {
  if (p > 0 && p < 1 && lambda > 0 && -lambda >= kMinLogPmf0) {
    const double y = summed_quantile(p, std::exp(-lambda), -lambda,
                                     [&](double k) { return lambda / (k + 1); });
    if (!std::isnan(y)) return y;
  }
  return qpois_reference(p, lambda);
}

}  // namespace vigil

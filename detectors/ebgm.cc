#include "detectors/ebgm.h"

#include <algorithm>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>

namespace vigil {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool positive_finite(double x) { return std::isfinite(x) && x > 0; }

bool valid_cell(int64_t n, double expected) { return n >= 0 && positive_finite(expected); }

// 1 / (1 + exp(-x)) without overflow for either sign of x.
double logistic(double x) {
  if (x >= 0) return 1 / (1 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1 + e);
}

// Eq. 6 on the log scale: with n and E large both negative binomial
// probabilities underflow to 0 and the ratio P f1 / (P f1 + (1-P) f2) would be
// 0/0, while their log difference is still an ordinary number.
double posterior_weight(int64_t n, double expected, const GammaMixturePrior& prior) {
  if (prior.p == 0) return 0;
  if (prior.p == 1) return 1;
  const double log_odds = std::log(prior.p) - std::log1p(-prior.p) +
                          log_gamma_poisson_pmf(n, expected, prior.alpha1, prior.beta1) -
                          log_gamma_poisson_pmf(n, expected, prior.alpha2, prior.beta2);
  return logistic(log_odds);
}

// Both posterior components, Gamma(shape, rate).
struct Posterior {
  double qn, shape1, rate1, shape2, rate2;
};

Posterior posterior(int64_t n, double expected, const GammaMixturePrior& prior) {
  const double count = static_cast<double>(n);
  return {posterior_weight(n, expected, prior), prior.alpha1 + count, prior.beta1 + expected,
          prior.alpha2 + count, prior.beta2 + expected};
}

// The upper tail is inverted from Q = 1 - P, where it is accurate.
double gamma_quantile(double shape, double rate, double prob) {
  const double unit_rate = prob <= 0.5 ? boost::math::gamma_p_inv(shape, prob)
                                       : boost::math::gamma_q_inv(shape, 1 - prob);
  return unit_rate / rate;
}

// The mixture CDF is Qn G1 + (1-Qn) G2, so at the smaller of the two component
// quantiles it is <= prob and at the larger >= prob: those quantiles bracket
// the answer, and a bracketing solver needs no search for a starting interval
// (openEBGM bisects from +-1e5 to 0.005 absolute instead).
double mixture_quantile(const Posterior& post, double prob) {
  const double q1 = gamma_quantile(post.shape1, post.rate1, prob);
  const double q2 = gamma_quantile(post.shape2, post.rate2, prob);
  if (post.qn >= 1) return q1;
  if (post.qn <= 0) return q2;
  const double lo = std::min(q1, q2), hi = std::max(q1, q2);
  if (lo == hi) return lo;
  const auto cdf_gap = [&](double x) {
    return post.qn * boost::math::gamma_p(post.shape1, post.rate1 * x) +
           (1 - post.qn) * boost::math::gamma_p(post.shape2, post.rate2 * x) - prob;
  };
  // Rounding in the component quantiles can put the root a hair outside.
  const double gap_lo = cdf_gap(lo);
  if (gap_lo >= 0) return lo;
  const double gap_hi = cdf_gap(hi);
  if (gap_hi <= 0) return hi;
  // 45 bits: the bracket shrinks to ~6e-14 relative, well inside the 1e-10
  // this module promises, and the CDF is still resolvable there.
  boost::math::tools::eps_tolerance<double> tolerance(45);
  std::uintmax_t max_iterations = 200;
  const auto [left, right] =
      boost::math::tools::toms748_solve(cdf_gap, lo, hi, gap_lo, gap_hi, tolerance, max_iterations);
  if (!tolerance(left, right)) return kNaN;
  return left + (right - left) / 2;
}

// Boost 1.74's incomplete gamma gives up (throws) for shapes beyond ~2e10,
// i.e. counts no real database reaches; the contract there is NaN.
double quantile_or_nan(const Posterior& post, double prob) {
  try {
    return mixture_quantile(post, prob);
  } catch (const std::exception&) {
    return kNaN;
  }
}

}  // namespace

bool is_valid_prior(const GammaMixturePrior& prior) {
  return positive_finite(prior.alpha1) && positive_finite(prior.beta1) &&
         positive_finite(prior.alpha2) && positive_finite(prior.beta2) && prior.p >= 0 &&
         prior.p <= 1;
}

double log_gamma_poisson_pmf(int64_t n, double expected, double alpha, double beta) {
  const double count = static_cast<double>(n);
  // ln prob = -ln(1 + E/beta) and ln(1 - prob) = -ln(1 + beta/E): each stays
  // accurate whichever of E and beta is the larger. The n = 0 term is exactly 0.
  const double log_count_term = n == 0 ? 0 : count * std::log1p(beta / expected);
  return boost::math::lgamma(alpha + count) - boost::math::lgamma(alpha) -
         boost::math::lgamma(count + 1) - alpha * std::log1p(expected / beta) - log_count_term;
}

EbgmResult ebgm(int64_t n, double expected, const GammaMixturePrior& prior) {
  if (!valid_cell(n, expected) || !is_valid_prior(prior)) return {kNaN, kNaN, kNaN, kNaN};
  const Posterior post = posterior(n, expected, prior);
  const double log_mean1 = boost::math::digamma(post.shape1) - std::log(post.rate1);
  const double log_mean2 = boost::math::digamma(post.shape2) - std::log(post.rate2);
  return {post.qn, std::exp(post.qn * log_mean1 + (1 - post.qn) * log_mean2),
          quantile_or_nan(post, 0.05), quantile_or_nan(post, 0.95)};
}

double ebgm_posterior_quantile(int64_t n, double expected, const GammaMixturePrior& prior,
                               double prob) {
  if (!valid_cell(n, expected) || !is_valid_prior(prior) || !(prob > 0 && prob < 1)) return kNaN;
  return quantile_or_nan(posterior(n, expected, prior), prob);
}

bool mhra_signal(int64_t n, const EbgmResult& result) {
  return result.eb05 >= 1.8 && n >= 3 && result.ebgm >= 2.5;
}

}  // namespace vigil

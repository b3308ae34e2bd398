#include "detectors/ebgm_prior_fit.h"

#include <algorithm>
#include <array>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <cstddef>
#include <exception>
#include <limits>
#include <nlopt.hpp>
#include <numbers>
#include <string>
#include <vector>

namespace vigil {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The search box (see the header), on the optimiser's log / logit scale.
constexpr double kMinShapeRate = 1e-6, kMaxShapeRate = 1e6;
constexpr double kMinMixture = 1e-6;
constexpr int kParams = 5;
using Point = std::array<double, kParams>;

bool positive_finite(double x) { return std::isfinite(x) && x > 0; }

bool valid_cell(const EbgmCell& cell) {
  return cell.n >= 1 && positive_finite(cell.expected) && positive_finite(cell.weight);
}

// ln(1 - exp(-x)) for x > 0, by whichever of expm1 and log1p is accurate for
// that x (Maechler 2012, "Accurately computing log(1 - exp(-|a|))").
double log1m_exp(double x) {
  return x <= std::numbers::ln2 ? std::log(-std::expm1(-x)) : std::log1p(-std::exp(-x));
}

// ln(e^x + e^y); either may be -Inf (P = 0 or 1), not both.
double log_add_exp(double x, double y) {
  const double hi = std::max(x, y), lo = std::min(x, y);
  if (lo == -std::numeric_limits<double>::infinity()) return hi;
  return hi + std::log1p(std::exp(lo - hi));
}

// Boost promotes double arguments to long double by default; double
// precision is ample for a likelihood and several times faster in the loop.
using FastPolicy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

double fast_lgamma(double x) { return boost::math::lgamma(x, FastPolicy()); }

// What the likelihood loop needs of a cell, with its constant ln n! computed once.
struct PreparedCell {
  double n, expected, weight, log_n_factorial;
};

std::vector<PreparedCell> prepare(std::span<const EbgmCell> cells) {
  std::vector<PreparedCell> out;
  out.reserve(cells.size());
  for (const EbgmCell& cell : cells) {
    const double n = static_cast<double>(cell.n);
    out.push_back({n, cell.expected, cell.weight, fast_lgamma(n + 1)});
  }
  return out;
}

// One gamma component with its per-evaluation constant ln Gamma(alpha).
struct Component {
  double alpha, beta, log_gamma_alpha;
};

// ln [f(n) / (1 - f(0))]: the count distribution truncated to n >= 1. f is
// log_gamma_poisson_pmf's negative binomial (ebgm.h), spelled out here so the
// constants above stay out of the loop. ln f(0) = -alpha ln(1 + E/beta), so
// 1 - f(0) is evaluated from its exponent and never cancels to 0 for small E.
double log_truncated_pmf(const PreparedCell& cell, const Component& c) {
  const double zero_exponent = c.alpha * std::log1p(cell.expected / c.beta);
  const double log_pmf = fast_lgamma(c.alpha + cell.n) - c.log_gamma_alpha - cell.log_n_factorial -
                         zero_exponent - cell.n * std::log1p(c.beta / cell.expected);
  return log_pmf - log1m_exp(zero_exponent);
}

// The sum in the header, for cells already validated.
double log_likelihood(std::span<const PreparedCell> cells, const GammaMixturePrior& prior) {
  const Component first{prior.alpha1, prior.beta1, fast_lgamma(prior.alpha1)};
  const Component second{prior.alpha2, prior.beta2, fast_lgamma(prior.alpha2)};
  const double log_p = std::log(prior.p), log_q = std::log1p(-prior.p);
  double total = 0;
  for (const PreparedCell& cell : cells) {
    total += cell.weight * log_add_exp(log_p + log_truncated_pmf(cell, first),
                                       log_q + log_truncated_pmf(cell, second));
  }
  return total;
}

double logistic(double x) {
  if (x >= 0) return 1 / (1 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1 + e);
}

double logit(double p) { return std::log(p) - std::log1p(-p); }

GammaMixturePrior to_prior(const double* x) {
  return {std::exp(x[0]), std::exp(x[1]), std::exp(x[2]), std::exp(x[3]), logistic(x[4])};
}

Point to_point(const GammaMixturePrior& prior) {
  return {std::log(prior.alpha1), std::log(prior.beta1), std::log(prior.alpha2),
          std::log(prior.beta2), logit(prior.p)};
}

// NLopt minimises; it gets the negative log-likelihood. A non-finite value
// (possible only at extreme trial points) is reported as the largest double so
// BOBYQA treats the point as very bad instead of stopping on a NaN.
double objective(unsigned /*n*/, const double* x, double* /*grad*/, void* data) {
  const auto& cells = *static_cast<const std::vector<PreparedCell>*>(data);
  const double value = -log_likelihood(cells, to_prior(x));
  return std::isfinite(value) ? value : std::numeric_limits<double>::max();
}

Error invalid(std::string message) {
  return make_error(ErrorKind::kInvalidArgument, "gamma mixture prior fit: " + std::move(message));
}

}  // namespace

double gamma_mixture_log_likelihood(std::span<const EbgmCell> cells,
                                    const GammaMixturePrior& prior) {
  if (!is_valid_prior(prior) || !std::all_of(cells.begin(), cells.end(), valid_cell)) return kNaN;
  try {
    return log_likelihood(prepare(cells), prior);
  } catch (const std::exception&) {  // Boost's lgamma reports overflow by exception
    return kNaN;
  }
}

Result<GammaMixturePrior> fit_gamma_mixture_prior(std::span<const EbgmCell> cells,
                                                  const GammaMixturePrior& start) {
  if (cells.empty()) return invalid("no cells");
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (!valid_cell(cells[i])) {
      return invalid("cell " + std::to_string(i) +
                     " needs n >= 1 and a finite, positive expected count and weight");
    }
  }
  if (!is_valid_prior(start) || start.p == 0 || start.p == 1) {
    return invalid("the start needs finite alphas and betas > 0 and 0 < p < 1");
  }

  const double lo = std::log(kMinShapeRate), hi = std::log(kMaxShapeRate);
  const std::vector<double> lower = {lo, lo, lo, lo, logit(kMinMixture)};
  const std::vector<double> upper = {hi, hi, hi, hi, logit(1 - kMinMixture)};
  const Point start_point = to_point(start);
  std::vector<double> x(start_point.begin(), start_point.end());
  for (int i = 0; i < kParams; ++i) x[i] = std::clamp(x[i], lower[i], upper[i]);

  std::vector<PreparedCell> prepared = prepare(cells);  // non-const: NLopt passes void*
  nlopt::opt optimiser(nlopt::LN_BOBYQA, kParams);
  optimiser.set_lower_bounds(lower);
  optimiser.set_upper_bounds(upper);
  optimiser.set_min_objective(objective, &prepared);
  optimiser.set_xtol_rel(1e-10);
  optimiser.set_ftol_rel(1e-14);
  optimiser.set_maxeval(20'000);
  optimiser.set_initial_step(0.5);

  // BOBYQA's quadratic model can stall on the flat ridges a mixture
  // likelihood has; a fresh trust region from the answer so far moves it on.
  // Stop once a restart no longer improves by more than rounding.
  constexpr int kMaxRounds = 8;
  double best = std::numeric_limits<double>::infinity();
  try {
    for (int round = 0; round < kMaxRounds; ++round) {
      double value = 0;
      try {
        optimiser.optimize(x, value);
      } catch (const nlopt::roundoff_limited&) {
        // NLopt's own advice: the point reached is still a useful answer.
        value = optimiser.last_optimum_value();
      }
      const bool improved = value < best - 1e-12 * std::max(1.0, std::abs(value));
      best = std::min(best, value);
      if (!improved) break;
    }
  } catch (const std::exception& e) {
    return make_error(ErrorKind::kFatal,
                      std::string("gamma mixture prior fit: NLopt: ") + e.what());
  }
  if (!std::isfinite(best) || best == std::numeric_limits<double>::max()) {
    return make_error(ErrorKind::kFatal,
                      "gamma mixture prior fit: the likelihood is not finite at the optimum");
  }
  return to_prior(x.data());
}

}  // namespace vigil

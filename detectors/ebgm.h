// Empirical Bayes geometric mean (DuMouchel 1999, MGPS) as openEBGM 0.9
// computes it (R/f_posteriorCalcs.R: Qn, ebgm, quantBisect), without its
// rounding to two decimals.
//
// Model: N | lambda ~ Poisson(lambda E); lambda ~ P Gamma(alpha1, rate beta1)
// + (1-P) Gamma(alpha2, rate beta2). Given N = n the posterior is again a
// two-gamma mixture, Gamma(alpha_i + n, rate beta_i + E), with weight Qn on
// the first component:
//   f_i = NegBin(n; size alpha_i, prob beta_i/(beta_i+E))       (Eq. 5)
//   Qn  = P f1 / (P f1 + (1-P) f2)                              (Eq. 6)
//   EBGM = exp(Qn (psi(alpha1+n) - ln(beta1+E))
//              + (1-Qn) (psi(alpha2+n) - ln(beta2+E)))          (Eq. 9-11)
//   EB05, EB95 = 5% and 95% quantiles of the posterior mixture.
// Checked against shared/reference/ebgm_reference_openEBGM_test_theta.csv.
// The prior itself is estimated in detectors/ebgm_prior_fit.h.
#pragma once

#include <cstdint>

namespace vigil {

// openEBGM's theta, in its order.
struct GammaMixturePrior {
  double alpha1, beta1, alpha2, beta2, p;
};

// True when every alpha and beta is finite and > 0 and p is in [0, 1].
bool is_valid_prior(const GammaMixturePrior& prior);

struct EbgmResult {
  double qn;    // posterior weight of the first gamma component
  double ebgm;  // exp(E[ln lambda | n])
  double eb05;  // 5% posterior quantile of lambda
  double eb95;  // 95% posterior quantile of lambda
};

// The posterior summary of one cell: n >= 0 observed, `expected` > 0 (finite)
// expected under independence. Invalid arguments (including an invalid prior)
// give all fields NaN; nothing throws. Mixture weights are computed in logs,
// so n and E in the millions neither overflow nor underflow. Quantiles are
// exact to ~1e-13 relative (a bracketed TOMS 748 root of the mixture CDF).
// Limits at huge counts: Qn's log odds carry an absolute error of about
// 1e-16 n ln n from the log-gamma differences (3e-9 at n = 1e6, 4e-6 at 1e9),
// and a quantile is NaN beyond n ~ 2e10, where Boost 1.74's incomplete gamma
// gives up; EBGM stays accurate (both components agree there).
EbgmResult ebgm(int64_t n, double expected, const GammaMixturePrior& prior);

// The `prob` quantile (0 < prob < 1) of the posterior of lambda given n, E;
// ebgm()'s EB05/EB95 are prob = 0.05/0.95. NaN on invalid arguments.
double ebgm_posterior_quantile(int64_t n, double expected, const GammaMixturePrior& prior,
                               double prob);

// The MHRA screening threshold (Candore et al. 2015, METHODS.md §1.6):
// EB05 >= 1.8, n >= 3 and EBGM >= 2.5. False when a field is NaN.
bool mhra_signal(int64_t n, const EbgmResult& result);

// ln P(N = n) for N | lambda ~ Poisson(lambda E), lambda ~ Gamma(alpha, rate
// beta): the negative binomial of size alpha and prob beta/(beta+E) (R's
// dnbinom(n, alpha, beta/(beta+E), log = TRUE)), written with log1p so large
// n and E, and E far from beta, lose no precision. Arguments are not checked:
// n >= 0 and alpha, beta, expected > 0 are the caller's to ensure.
double log_gamma_poisson_pmf(int64_t n, double expected, double alpha, double beta);

}  // namespace vigil

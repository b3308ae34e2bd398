// Log-link generalised linear models fitted exactly as R's glm.fit does
// (stats 4.2): iteratively reweighted least squares from the family's
// starting values, the relative-deviance stopping rule
// |dev - dev_old| / (|dev| + 0.1) < epsilon, at most `max_iterations`
// iterations, step halving on a non-finite deviance. Reproducing the
// iteration itself, not only its fixed point, is what makes results agree
// with R to ~1e-10 even where the fit stops early (counts near zero).
//
// Families: Poisson (also quasi-Poisson, which fits identically and differs
// only in the dispersion summary_dispersion reports) and negative binomial
// with known theta (MASS::negative.binomial). The link is always log, with
// R's floor mu = max(exp(eta), DBL_EPSILON).
#pragma once

#include <Eigen/Dense>
#include <optional>

#include "core/result.h"

namespace vigil {

enum class GlmFamily {
  kPoisson,           // variance mu
  kNegativeBinomial,  // variance mu + mu^2 / theta
};

struct GlmSpec {
  GlmFamily family = GlmFamily::kPoisson;
  double theta = 0;             // negative binomial size; unused for Poisson
  double epsilon = 1e-8;        // glm.control()$epsilon
  int max_iterations = 25;      // glm.control()$maxit
};

struct GlmFit {
  Eigen::VectorXd coefficients;
  Eigen::VectorXd eta;                // final linear predictor
  Eigen::VectorXd mu;                 // final fitted means
  Eigen::VectorXd working_weights;    // R's fit$weights: w^2 of the last iteration
  Eigen::VectorXd working_residuals;  // R's fit$residuals: (y - mu) / mu
  // R^-1 of the QR of the last iteration's weighted design, so that the
  // unscaled covariance (R's covmat.unscaled) is r_inverse * r_inverse^T.
  Eigen::MatrixXd r_inverse;
  Eigen::MatrixXd weighted_design;  // sqrt(w) * X of the last iteration
  int df_residual = 0;              // observations with prior weight > 0, minus rank
  double deviance = 0;
  int iterations = 0;
  bool converged = false;
};

// Scratch storage of fit_glm_into: a caller fitting many small models keeps
// one and passes it to every fit, so that a refit of a shape already seen
// allocates nothing (the IRLS iterations never do).
struct GlmWorkspace {
  Eigen::VectorXd w;          // sqrt of the working weights
  Eigen::VectorXd b;          // weighted working response
  Eigen::VectorXd c;          // Q^T b, then the solution in its top rows
  Eigen::VectorXd coef_old;   // the previous iteration's coefficients
  Eigen::MatrixXd a;          // weighted design
  Eigen::MatrixXd r;          // R of the last QR
  Eigen::MatrixXd identity;   // p x p, for R^-1
  Eigen::HouseholderQR<Eigen::MatrixXd> qr;
};

// fit_glm into `fit`, reusing the storage `fit` and `workspace` already have.
// The arithmetic is exactly fit_glm's (the same Eigen kernels on the same
// layouts), so results are identical to the last bit. `eta_start`: nullptr or
// R's etastart. On error `fit` is unspecified.
Status fit_glm_into(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                    const Eigen::VectorXd& prior_weights, const GlmSpec& spec,
                    GlmWorkspace& workspace, GlmFit& fit,
                    const Eigen::VectorXd* eta_start = nullptr);

// Fits y ~ x (x includes the intercept column) with prior weights. Returns an
// InvalidArgument error for mismatched sizes or negative y; a Fatal error when
// no valid coefficients can be found (R: "no valid set of coefficients", an
// inner step-halving loop that cannot recover) or the weighted design is
// rank-deficient (R would drop aliased columns; no caller here builds one).
// Non-convergence, including R's "non-finite coefficients" break, is not an
// error: the fit comes back with converged = false.
// `eta_start` plays R's etastart; without it the family's mustart is used
// (Poisson y + 0.1, negative binomial y + (y == 0) / 6).
Result<GlmFit> fit_glm(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                       const Eigen::VectorXd& prior_weights, const GlmSpec& spec,
                       const std::optional<Eigen::VectorXd>& eta_start = std::nullopt);

// summary.glm's dispersion for a quasi family:
// sum(weights * working_residuals^2 over weights > 0) / df_residual, NaN when
// df_residual is 0. R uses the model's `weights` component, which is the
// working weights unless the caller replaced it (farringtonFlexible does).
double quasi_dispersion(const GlmFit& fit, const Eigen::VectorXd& weights);

// The diagonal of the hat matrix of the last IRLS iteration (R's hatvalues).
Eigen::VectorXd hat_values(const GlmFit& fit);
// The same into `h`, with `q` as scratch (both reused).
void hat_values_into(const GlmFit& fit, Eigen::MatrixXd& q, Eigen::VectorXd& h);

// x0^T covmat.unscaled x0: multiply by the dispersion for the variance of the
// linear predictor at x0 (R's predict.glm se.fit on the link scale).
double unscaled_prediction_variance(const GlmFit& fit, const Eigen::VectorXd& x0);

// The standard error of coefficient j: sqrt(dispersion * covmat.unscaled[j, j]).
double coefficient_se(const GlmFit& fit, int j, double dispersion);

// The log link's inverse with R's floor: max(exp(eta), DBL_EPSILON).
double log_link_inverse(double eta);

}  // namespace vigil

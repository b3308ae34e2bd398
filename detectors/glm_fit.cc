#include "detectors/glm_fit.h"

#include <cfloat>
#include <cmath>
#include <limits>

namespace vigil {
namespace {

double variance(const GlmSpec& spec, double mu) {
  switch (spec.family) {
    case GlmFamily::kPoisson:
      return mu;
    case GlmFamily::kNegativeBinomial:
      return mu + mu * mu / spec.theta;
  }
  return mu;  // unreachable: the switch is exhaustive
}

// The family's dev.resids summed: poisson() and MASS::negative.binomial().
double deviance(const GlmSpec& spec, const Eigen::VectorXd& y, const Eigen::VectorXd& mu,
                const Eigen::VectorXd& w) {
  double sum = 0;
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    switch (spec.family) {
      case GlmFamily::kPoisson:
        sum += 2 * (y[i] > 0 ? w[i] * (y[i] * std::log(y[i] / mu[i]) - (y[i] - mu[i]))
                             : mu[i] * w[i]);
        break;
      case GlmFamily::kNegativeBinomial: {
        const double th = spec.theta;
        sum += 2 * w[i] *
               (y[i] * std::log(std::max(1.0, y[i]) / mu[i]) -
                (y[i] + th) * std::log((y[i] + th) / (mu[i] + th)));
        break;
      }
    }
  }
  return sum;
}

double start_mu(const GlmSpec& spec, double y) {
  switch (spec.family) {
    case GlmFamily::kPoisson:
      return y + 0.1;
    case GlmFamily::kNegativeBinomial:
      return y + (y == 0 ? 1.0 / 6.0 : 0.0);
  }
  return y + 0.1;  // unreachable: the switch is exhaustive
}

bool valid_mu(const Eigen::VectorXd& mu) {
  for (const double m : mu) {
    if (!std::isfinite(m) || !(m > 0)) return false;
  }
  return true;
}

// A row with the same eta as the row before reuses its mu: designs of
// indicator columns (farringtonFlexible's seasonal blocks, rows in time
// order) give runs of equal etas, and exp is a function, so the values are
// those computed one by one.
void set_mu(const Eigen::VectorXd& eta, Eigen::VectorXd& mu) {
  mu.resize(eta.size());
  for (Eigen::Index i = 0; i < eta.size(); ++i) {
    mu[i] = i > 0 && eta[i] == eta[i - 1] ? mu[i - 1] : log_link_inverse(eta[i]);
  }
}

}  // namespace

double log_link_inverse(double eta) { return std::max(std::exp(eta), DBL_EPSILON); }

Status fit_glm_into(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                    const Eigen::VectorXd& prior_weights, const GlmSpec& spec,
                    GlmWorkspace& ws, GlmFit& fit, const Eigen::VectorXd* eta_start) {
  const Eigen::Index n = y.size();
  const Eigen::Index p = x.cols();
  if (x.rows() != n || prior_weights.size() != n || p == 0 ||
      (eta_start && eta_start->size() != n)) {
    return make_error(ErrorKind::kInvalidArgument,
                      "glm: design, response and weights differ in size");
  }
  if ((y.array() < 0).any()) {
    return make_error(ErrorKind::kInvalidArgument, "glm: negative values not allowed for counts");
  }
  if (spec.max_iterations < 1) {
    return make_error(ErrorKind::kInvalidArgument, "glm: max_iterations must be >= 1");
  }
  if (spec.family == GlmFamily::kNegativeBinomial && !(spec.theta > 0)) {
    return make_error(ErrorKind::kInvalidArgument, "glm: negative binomial theta must be > 0");
  }
  fit.iterations = 0;
  fit.converged = false;
  fit.deviance = 0;
  Eigen::VectorXd& eta = fit.eta;
  Eigen::VectorXd& mu = fit.mu;
  if (eta_start) {
    eta = *eta_start;
  } else {
    eta.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) eta[i] = std::log(start_mu(spec, y[i]));
  }
  set_mu(eta, mu);
  if (!valid_mu(mu)) {
    return make_error(ErrorKind::kFatal, "glm: cannot find valid starting values");
  }
  double dev_old = deviance(spec, y, mu, prior_weights);
  bool have_coef_old = false;
  Eigen::VectorXd& start = fit.coefficients;
  start.setZero(p);
  Eigen::VectorXd& w = ws.w;
  Eigen::VectorXd& b = ws.b;
  Eigen::MatrixXd& a = ws.a;
  w.resize(n);
  b.resize(n);
  a.resize(n, p);

  for (int iter = 1; iter <= spec.max_iterations; ++iter) {
    fit.iterations = iter;
    // Working response and weights at the current mu; mu.eta = mu for log.
    for (Eigen::Index i = 0; i < n; ++i) {
      const bool good = prior_weights[i] > 0;
      // The same prior weight and mu as the row before: the same weight.
      const bool repeat = i > 0 && mu[i] == mu[i - 1] && prior_weights[i] == prior_weights[i - 1];
      w[i] = repeat ? w[i - 1]
             : good ? std::sqrt(prior_weights[i] * mu[i] * mu[i] / variance(spec, mu[i]))
                    : 0.0;
      const double z = eta[i] + (y[i] - mu[i]) / mu[i];
      b[i] = z * w[i];
    }
    // Row i of x times w[i], by columns (contiguous in column-major storage).
    a = x.array().colwise() * w.array();
    ws.qr.compute(a);
    for (Eigen::Index j = 0; j < p; ++j) {
      // Cdqrls' tolerance is 1e-11 relative to the column norm.
      if (std::fabs(ws.qr.matrixQR()(j, j)) <= 1e-11 * a.col(j).norm()) {
        return make_error(ErrorKind::kFatal, "glm: the design is rank-deficient");
      }
    }
    // HouseholderQR::solve's own steps, into storage kept across iterations.
    ws.c = b;
    ws.c.applyOnTheLeft(ws.qr.householderQ().setLength(p).adjoint());
    ws.qr.matrixQR().topLeftCorner(p, p).triangularView<Eigen::Upper>().solveInPlace(
        ws.c.topRows(p));
    if (!ws.c.topRows(p).allFinite()) break;  // R: "non-finite coefficients", not converged
    start = ws.c.topRows(p);
    eta.noalias() = x * start;
    set_mu(eta, mu);
    double dev = deviance(spec, y, mu, prior_weights);
    if (!std::isfinite(dev) || !valid_mu(mu)) {
      // R halves the step towards the previous coefficients.
      if (!have_coef_old) return make_error(ErrorKind::kFatal, "glm: no valid set of coefficients");
      for (int halving = 1; !std::isfinite(dev) || !valid_mu(mu); ++halving) {
        if (halving > spec.max_iterations) {
          return make_error(ErrorKind::kFatal, "glm: cannot correct step size");
        }
        start = (start + ws.coef_old) / 2;
        eta.noalias() = x * start;
        set_mu(eta, mu);
        dev = deviance(spec, y, mu, prior_weights);
      }
    }
    fit.deviance = dev;
    if (std::fabs(dev - dev_old) / (0.1 + std::fabs(dev)) < spec.epsilon) {
      fit.converged = true;
      break;
    }
    dev_old = dev;
    ws.coef_old = start;
    have_coef_old = true;
  }
  fit.working_weights = w.array().square();
  fit.working_residuals = (y - mu).array() / mu.array();
  // R of the last QR, copied once per fit rather than every iteration.
  ws.r = ws.qr.matrixQR().topRows(p).triangularView<Eigen::Upper>();
  // The last weighted design moves into the fit; the workspace takes the
  // fit's old storage, of the same shape when the next fit's is.
  fit.weighted_design.swap(a);
  if (ws.identity.rows() != p) ws.identity.setIdentity(p, p);
  fit.r_inverse = ws.identity;
  ws.r.triangularView<Eigen::Upper>().solveInPlace(fit.r_inverse);
  fit.df_residual = static_cast<int>((prior_weights.array() > 0).count() - p);
  return Status::ok();
}

Result<GlmFit> fit_glm(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                       const Eigen::VectorXd& prior_weights, const GlmSpec& spec,
                       const std::optional<Eigen::VectorXd>& eta_start) {
  GlmWorkspace workspace;
  GlmFit fit;
  const Status status = fit_glm_into(x, y, prior_weights, spec, workspace, fit,
                                     eta_start ? &*eta_start : nullptr);
  if (!status.is_ok()) return status.error();
  return fit;
}

double quasi_dispersion(const GlmFit& fit, const Eigen::VectorXd& weights) {
  if (fit.df_residual <= 0) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (Eigen::Index i = 0; i < weights.size(); ++i) {
    if (weights[i] > 0) sum += weights[i] * fit.working_residuals[i] * fit.working_residuals[i];
  }
  return sum / fit.df_residual;
}

void hat_values_into(const GlmFit& fit, Eigen::MatrixXd& q, Eigen::VectorXd& h) {
  q.noalias() = fit.weighted_design * fit.r_inverse;
  h = q.rowwise().squaredNorm();
  // lm.influence rounds hat values within 10 eps of 1 to exactly 1.
  for (double& v : h) {
    if (v > 1 - 10 * DBL_EPSILON) v = 1;
  }
}

Eigen::VectorXd hat_values(const GlmFit& fit) {
  Eigen::MatrixXd q;
  Eigen::VectorXd h;
  hat_values_into(fit, q, h);
  return h;
}

double unscaled_prediction_variance(const GlmFit& fit, const Eigen::VectorXd& x0) {
  return (x0.transpose() * fit.r_inverse).squaredNorm();
}

double coefficient_se(const GlmFit& fit, int j, double dispersion) {
  return std::sqrt(dispersion * fit.r_inverse.row(j).squaredNorm());
}

}  // namespace vigil

#include "series/glrnb.h"

#include <algorithm>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>
#include <cfloat>
#include <cmath>
#include <numbers>
#include <string>

#include "detectors/glm_fit.h"

namespace vigil {
namespace {

constexpr double kNoAlarmCases = 1e99;  // R's value when no count can raise an alarm
constexpr long kMaxCaseSearch = 100'000'000;

// One run of a chart over a segment, as the C functions return it.
struct Segment {
  std::size_t alarm_at = 0;  // 1-based position of the first alarm, size + 1 if none
  std::vector<double> value;
  std::vector<double> cases;
};

double dir_sign(const GlrnbParams& p) { return p.dir == GlrDirection::kIncrease ? 1.0 : -1.0; }

// surveillance.c glr(): max over 0 <= k <= n of the Poisson intercept GLR.
double glr_poisson(long n, const std::vector<double>& x, std::span<const double> mu0,
                   double dir) {
  double sum_x = 0, sum_mu0 = 0, best = -1e99;
  for (long k = n; k >= 0; --k) {
    sum_x += x[static_cast<std::size_t>(k)];
    sum_mu0 += mu0[static_cast<std::size_t>(k)];
    const double kappa = dir * std::fmax(0, dir * std::log(sum_x / sum_mu0));
    best = std::max(best, kappa * sum_x + (1 - std::exp(kappa)) * sum_mu0);
  }
  return best;
}

// surveillance.c glr_window(): change points max(0, n-M) <= k <= n-Mtilde.
double glr_poisson_window(long n, const std::vector<double>& x, std::span<const double> mu0,
                          double dir, long m, long mtilde) {
  double sum_x = 0, sum_mu0 = 0, best = -1e99;
  for (long l = n - mtilde + 1; l <= n; ++l) {
    sum_x += x[static_cast<std::size_t>(l)];
    sum_mu0 += mu0[static_cast<std::size_t>(l)];
  }
  for (long k = n - mtilde; k >= std::max(0L, n - m); --k) {
    sum_x += x[static_cast<std::size_t>(k)];
    sum_mu0 += mu0[static_cast<std::size_t>(k)];
    const double kappa = dir * std::fmax(0, dir * std::log(sum_x / sum_mu0));
    best = std::max(best, kappa * sum_x + (1 - std::exp(kappa)) * sum_mu0);
  }
  return best;
}

// surveillance.c glr_nb_window() for one n: Newton-Raphson for kappa at each
// change point, started from the previous change point's estimate.
double glr_nb(long n, const std::vector<double>& x, std::span<const double> mu0, double alpha,
              double dir, long m, long mtilde) {
  const long low = m == -1 ? 0 : std::max(0L, n - m);
  const long up = n - (mtilde - 1);
  double best = -1e99, kappa_ml = 0.5;
  for (long k = low; k <= up; ++k) {
    double kappa_old = 0.4, kappa_new = kappa_ml;
    for (int iter = 0; kappa_new > -18 && std::fabs(kappa_new - kappa_old) > 1e-6 && iter < 1000;
         ++iter) {
      kappa_old = kappa_new;
      const double e = std::exp(kappa_old);
      double score = 0, fisher = 0;
      for (long i = k; i <= n; ++i) {
        const double xi = x[static_cast<std::size_t>(i)], mi = mu0[static_cast<std::size_t>(i)];
        score += (xi - e * mi) / (1 + alpha * e * mi);
        const double d = 1 + alpha * e * mi;
        fisher += mi * (alpha * xi + 1) / (d * d);
      }
      kappa_new = kappa_old + score / (e * fisher);
    }
    kappa_ml = dir * std::fmax(0, dir * kappa_new);
    double lnk = 0;
    for (long i = k; i <= n; ++i) {
      const double xi = x[static_cast<std::size_t>(i)], mi = mu0[static_cast<std::size_t>(i)];
      lnk += kappa_ml * xi +
             (xi + 1 / alpha) * std::log((1 + alpha * mi) / (1 + alpha * mi * std::exp(kappa_ml)));
    }
    best = std::max(best, lnk);
  }
  return best;
}

// glr_cusum / glr_cusum_window, with R's upward search for cases.
Segment run_glr_poisson(std::vector<double> x, std::span<const double> mu0,
                        const GlrnbParams& p) {
  const long lx = static_cast<long>(x.size());
  const double dir = dir_sign(p);
  const bool window = p.m > 0;
  auto stat = [&](long n) {
    return window ? glr_poisson_window(n, x, mu0, dir, p.m, p.mtilde) : glr_poisson(n, x, mu0, dir);
  };
  Segment out{static_cast<std::size_t>(lx) + 1, std::vector<double>(x.size(), 0.0),
              std::vector<double>(x.size(), 0.0)};
  for (long n = window ? p.mtilde : std::max(0, p.mtilde - 1); n < lx; ++n) {
    const auto i = static_cast<std::size_t>(n);
    out.value[i] = stat(n);
    if (p.ret == GlrReturn::kCases) {
      const double observed = x[i];
      double candidate = -1, glr = p.c_arl - dir;
      while (dir * glr < p.c_arl * dir) {
        if (++candidate > kMaxCaseSearch) {
          candidate = kNa;
          break;
        }
        x[i] = candidate;
        glr = stat(n);
      }
      out.cases[i] = candidate;
      x[i] = observed;
    }
    if (out.value[i] >= p.c_arl) {
      out.alarm_at = i + 1;
      break;
    }
  }
  return out;
}

// glr_nb_window, and algo.glrnb's brute-force search for cases.
Segment run_glr_nb(std::vector<double> x, std::span<const double> mu0, double alpha,
                   const GlrnbParams& p) {
  const long lx = static_cast<long>(x.size());
  const double dir = dir_sign(p);
  const long n0 = std::max(p.mtilde - 1, 0);
  Segment out{static_cast<std::size_t>(lx) + 1, std::vector<double>(x.size(), 0.0),
              std::vector<double>(x.size(), 0.0)};
  for (long n = n0; n < lx; ++n) {
    const auto i = static_cast<std::size_t>(n);
    out.value[i] = glr_nb(n, x, mu0, alpha, dir, p.m, p.mtilde);
    if (out.value[i] >= p.c_arl) {
      out.alarm_at = i + 1;
      break;
    }
  }
  if (p.ret == GlrReturn::kValue) return out;
  // R reruns the whole chart per candidate; only the statistic at `pos`
  // can change whether the first alarm is at or before `pos`.
  const std::size_t last = std::min(x.size(), out.alarm_at);
  for (std::size_t pos = 1; pos <= last; ++pos) {
    const std::size_t i = pos - 1;
    const bool got_alarm = out.alarm_at <= pos;
    const double step = got_alarm ? -1 : 1;
    const double observed = x[i];
    bool changed = false;
    while (!changed && x[i] <= p.x_max && x[i] >= 1) {
      x[i] += step;
      const auto n = static_cast<long>(i);
      const bool alarms = n >= n0 && glr_nb(n, x, mu0, alpha, dir, p.m, p.mtilde) >= p.c_arl;
      if (!got_alarm && alarms) {
        changed = true;
        out.cases[i] = x[i];
      }
      if (got_alarm && !alarms) {
        changed = true;
        out.cases[i] = x[i] + 1;
      }
    }
    if (!changed) out.cases[i] = got_alarm ? kNa : kNoAlarmCases;
    x[i] = observed;
  }
  return out;
}

// lr_cusum / lr_cusum_nb: the known-shift LR CUSUM, alarm when > c.ARL.
Segment run_lr(const std::vector<double>& x, std::span<const double> mu0, double alpha,
               const GlrnbParams& p) {
  const double kappa = *p.theta;
  Segment out{x.size() + 1, std::vector<double>(x.size(), 0.0), std::vector<double>(x.size(), 0.0)};
  for (std::size_t n = 0; n < x.size(); ++n) {
    const double previous = n == 0 ? 0.0 : out.value[n - 1];
    if (alpha == 0) {
      const double z = kappa * x[n] + (1 - std::exp(kappa)) * mu0[n];
      out.value[n] = std::fmax(0, previous + z);
      out.cases[n] = (p.c_arl - previous + mu0[n] * (std::exp(kappa) - 1)) / kappa;
    } else {
      const double log_ratio =
          std::log((1 + alpha * mu0[n]) / (1 + alpha * mu0[n] * std::exp(kappa)));
      const double z = kappa * x[n] + (x[n] + 1 / alpha) * log_ratio;
      out.value[n] = std::fmax(0, previous + z);
      out.cases[n] =
          -(previous * alpha + log_ratio - p.c_arl * alpha) / alpha / (kappa + log_ratio);
    }
    if (out.value[n] > p.c_arl) {
      out.alarm_at = n + 1;
      break;
    }
  }
  return out;
}

Segment run_segment(std::vector<double> x, std::span<const double> mu0, double alpha,
                    const GlrnbParams& p) {
  if (p.theta) return run_lr(x, mu0, alpha, p);
  if (alpha == 0) return run_glr_poisson(std::move(x), mu0, p);
  return run_glr_nb(std::move(x), mu0, alpha, p);
}

// MASS::theta.ml: Newton-Raphson for the NB size given the means.
double theta_ml(const Eigen::VectorXd& y, const Eigen::VectorXd& mu, int limit) {
  using boost::math::digamma;
  using boost::math::trigamma;
  const auto n = static_cast<double>(y.size());
  double t0 = n / ((y.array() / mu.array() - 1).square()).sum();
  const double eps = std::pow(DBL_EPSILON, 0.25);
  double del = 1;
  for (int it = 1; it < limit && std::fabs(del) > eps; ++it) {
    t0 = std::fabs(t0);
    double score = 0, info = 0;
    for (Eigen::Index i = 0; i < y.size(); ++i) {
      const double th = t0, yi = y[i], mi = mu[i];
      score += digamma(th + yi) - digamma(th) + std::log(th) + 1 - std::log(th + mi) -
               (yi + th) / (mi + th);
      info += -trigamma(th + yi) + trigamma(th) - 1 / th + 2 / (mi + th) -
              (yi + th) / ((mi + th) * (mi + th));
    }
    del = score / info;
    t0 += del;
  }
  return std::max(t0, 0.0);
}

// glm.nb's profile log-likelihood.
double nb_loglik(double th, const Eigen::VectorXd& mu, const Eigen::VectorXd& y) {
  double sum = 0;
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    sum += std::lgamma(th + y[i]) - std::lgamma(th) - std::lgamma(y[i] + 1) + th * std::log(th) +
           y[i] * std::log(mu[i] + (y[i] == 0 ? 1 : 0)) - (th + y[i]) * std::log(th + mu[i]);
  }
  return sum;
}

// MASS::glm.nb with glm.control() defaults: alternate a NB GLM fit and
// theta.ml until the log-likelihood and theta settle. Returns {fit, theta}.
Result<std::pair<GlmFit, double>> fit_glm_nb(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  const GlmSpec poisson;
  const Eigen::VectorXd w = Eigen::VectorXd::Ones(y.size());
  auto fit = fit_glm(x, y, w, poisson);
  if (!fit) return fit.error();
  Eigen::VectorXd mu = fit.value().mu;
  double th = theta_ml(y, mu, poisson.max_iterations);
  const double d1 = std::sqrt(2.0 * std::max(1, fit.value().df_residual));
  const double d2 = 1;
  double del = 1;
  double lm = nb_loglik(th, mu, y);
  double lm0 = lm + 2 * d1;
  for (int iter = 1; iter <= poisson.max_iterations &&
                     (std::fabs(lm0 - lm) / d1 + std::fabs(del) / d2) > poisson.epsilon;
       ++iter) {
    const Eigen::VectorXd eta = mu.array().log();
    GlmSpec nb;
    nb.family = GlmFamily::kNegativeBinomial;
    nb.theta = th;
    fit = fit_glm(x, y, w, nb, eta);
    if (!fit) return fit.error();
    const double t0 = th;
    th = theta_ml(y, mu, poisson.max_iterations);  // with the previous means, as MASS does
    mu = fit.value().mu;
    del = t0 - th;
    lm0 = lm;
    lm = nb_loglik(th, mu, y);
  }
  return std::pair<GlmFit, double>(std::move(fit).value(), th);
}

Eigen::MatrixXd mu0_design(std::size_t from, std::size_t to, int freq, const GlrnbParams& p) {
  const auto rows = static_cast<Eigen::Index>(to - from + 1);
  Eigen::MatrixXd x(rows, 1 + (p.trend ? 1 : 0) + 2 * p.s);
  for (Eigen::Index r = 0; r < rows; ++r) {
    const double t = static_cast<double>(from) + static_cast<double>(r);
    Eigen::Index c = 0;
    x(r, c++) = 1;
    if (p.trend) x(r, c++) = t;
    for (int s = 1; s <= p.s; ++s) {
      // R evaluates 2*s*pi/p*t left to right.
      const double angle = 2.0 * s * std::numbers::pi / freq * t;
      x(r, c++) = std::cos(angle);
      x(r, c++) = std::sin(angle);
    }
  }
  return x;
}

}  // namespace

Result<GlrnbParams> parse_glrnb_params(const MethodParams& params) {
  const std::string unknown = unknown_param_names(
      params, {"c.ARL", "Mtilde", "M", "dir", "ret", "alpha", "theta", "xMax", "change", "S",
               "trend"});
  if (!unknown.empty()) {
    return make_error(ErrorKind::kInvalidArgument,
                      "unknown parameter(s) for glrnb: " + unknown +
                          " (known: c.ARL, Mtilde, M, dir, ret, alpha, theta, xMax, change, S, "
                          "trend)");
  }
  GlrnbParams out;
  for (const auto& [name, value] : params) {
    if (name == "change") {
      if (value == "epi") return bad_param(name, value, "the epidemic chart is not implemented");
      if (value != "intercept") return bad_param(name, value, "must be intercept");
    } else if (name == "dir") {
      if (value != "inc" && value != "dec") return bad_param(name, value, "must be inc or dec");
      out.dir = value == "inc" ? GlrDirection::kIncrease : GlrDirection::kDecrease;
    } else if (name == "ret") {
      if (value != "value" && value != "cases") {
        return bad_param(name, value, "must be value or cases");
      }
      out.ret = value == "value" ? GlrReturn::kValue : GlrReturn::kCases;
    } else if (name == "trend") {
      auto v = parse_param_bool(name, value);
      if (!v) return v.error();
      out.trend = v.value();
    } else if (name == "Mtilde" || name == "M" || name == "S") {
      auto v = parse_param_int(name, value);
      if (!v) return v.error();
      if (name == "Mtilde" && v.value() < 1) return bad_param(name, value, "must be >= 1");
      if (name == "M" && v.value() != -1 && v.value() < 1) {
        return bad_param(name, value, "must be -1 (all) or >= 1");
      }
      if (name == "S" && v.value() < 0) return bad_param(name, value, "must be >= 0");
      (name == "Mtilde" ? out.mtilde : name == "M" ? out.m : out.s) = v.value();
    } else {  // c.ARL, alpha, theta, xMax
      auto v = parse_param_double(name, value);
      if (!v) return v.error();
      if (name == "c.ARL") out.c_arl = v.value();
      if (name == "xMax") out.x_max = v.value();
      if (name == "alpha") {
        if (v.value() < 0) return bad_param(name, value, "must be >= 0");
        out.alpha = v.value();
      }
      if (name == "theta") {
        // R: "theta has to be larger than 1!" is checked as theta == 1.
        if (v.value() == 1 || v.value() == 0) return bad_param(name, value, "must not be 0 or 1");
        out.theta = v.value();
      }
    }
  }
  if (out.m != -1 && out.m < out.mtilde) {
    return bad_param("M", std::to_string(out.m), "must be >= Mtilde");
  }
  return out;
}

Result<InControlMean> estimate_glrnb_mu0(std::span<const double> observed, SeriesRange range,
                                         int freq, const GlrnbParams& params) {
  if (range.first < 2 || range.last > observed.size() || range.first > range.last) {
    return make_error(ErrorKind::kInvalidArgument,
                      "glrnb estimates mu0 from the points before the range: the range must "
                      "start at t >= 2 and lie within the series");
  }
  const std::size_t train = range.first - 1;
  const Eigen::MatrixXd x = mu0_design(1, train, freq, params);
  const Eigen::VectorXd y =
      Eigen::Map<const Eigen::VectorXd>(observed.data(), static_cast<Eigen::Index>(train));
  InControlMean out;
  Result<GlmFit> fit = make_error(ErrorKind::kFatal, "glrnb: no fit");
  if (!params.alpha) {
    auto nb = fit_glm_nb(x, y);
    if (!nb) return nb.error();
    out.alpha = 1 / nb.value().second;
    fit = std::move(nb.value().first);
  } else {
    GlmSpec spec;
    if (*params.alpha > 0) {
      spec.family = GlmFamily::kNegativeBinomial;
      spec.theta = 1 / *params.alpha;
    }
    fit = fit_glm(x, y, Eigen::VectorXd::Ones(y.size()), spec);
    if (!fit) return fit.error();
    out.alpha = *params.alpha;
  }
  const Eigen::VectorXd eta = mu0_design(range.first, range.last, freq, params) *
                              fit.value().coefficients;
  for (const double e : eta) out.mu0.push_back(log_link_inverse(e));
  return out;
}

Result<std::vector<SeriesPoint>> glrnb_chart(std::span<const double> x,
                                             std::span<const double> mu0, double alpha,
                                             const GlrnbParams& params) {
  if (x.size() != mu0.size()) {
    return make_error(ErrorKind::kInvalidArgument, "glrnb: counts and mu0 differ in length");
  }
  const bool cases = params.ret == GlrReturn::kCases;
  std::vector<SeriesPoint> points(x.size());
  std::size_t done = 0;
  while (done < x.size()) {
    std::vector<double> segment(x.begin() + static_cast<std::ptrdiff_t>(done), x.end());
    for (double& v : segment) v = std::trunc(v);  // R passes as.integer(x)
    const Segment run = run_segment(std::move(segment), mu0.subspan(done), alpha, params);
    const std::vector<double>& bound = cases ? run.cases : run.value;
    const std::size_t length = x.size() - done;
    // Bounds up to the alarm, or of the whole rest when there is none.
    const std::size_t filled = std::min(run.alarm_at, length);
    for (std::size_t i = 0; i < filled; ++i) points[done + i].upperbound = bound[i];
    if (run.alarm_at <= length) points[done + run.alarm_at - 1].alarm = true;
    done += filled;
  }
  for (std::size_t i = 0; i < points.size(); ++i) {
    double& u = points[i].upperbound;
    if (std::isnan(u) || u < 0) u = 0;  // R: upperbound[is.na | < 0] <- 0
    points[i].expected = mu0[i];
  }
  return points;
}

Result<std::vector<SeriesPoint>> glrnb_range(const CountSeries& series, SeriesRange range,
                                             const GlrnbParams& params) {
  const auto observed = observed_in_range(series, range);
  if (!observed) return observed.error();
  const std::span<const double> x = observed.value();
  if (series.has_mu0()) {
    return glrnb_chart(x, range_of(series.mu0, range), params.alpha.value_or(0.0), params);
  }
  auto estimated = estimate_glrnb_mu0(series.observed, range, series.freq, params);
  if (!estimated) return estimated.error();
  return glrnb_chart(x, estimated.value().mu0, estimated.value().alpha, params);
}

}  // namespace vigil

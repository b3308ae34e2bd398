#include "detectors/farrington_flexible.h"

#include <algorithm>
#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cfloat>
#include <cmath>
#include <optional>
#include <string>

#include "core/named_values.h"
#include "detectors/discrete_quantile.h"
#include "detectors/glm_fit.h"

namespace vigil {
namespace {

// R's max(a, b) for one pair: NaN propagates.
double r_max(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return kNa;
  return std::max(a, b);
}

// R: qnorm(p, mean, sd).
double qnorm(double p, double mean, double sd) {
  if (sd == 0) return mean;
  return boost::math::quantile(boost::math::normal_distribution<double>(mean, sd), p);
}

// P(Y >= y) for Y negative binomial with mean mu and variance phi * mu
// (Poisson when phi <= 1); NaN when Boost cannot evaluate it.
double upper_tail_probability(double y, double mu, double phi) {
  if (y <= 0) return 1;
  if (mu <= 0) return 0;
  try {
    if (phi > 1) {
      const boost::math::negative_binomial_distribution<double> nb(mu / (phi - 1), 1 / phi);
      return boost::math::cdf(boost::math::complement(nb, y - 1));
    }
    const boost::math::poisson_distribution<double> pois(mu);
    return boost::math::cdf(boost::math::complement(pois, y - 1));
  } catch (const std::exception&) {
    return kNa;
  }
}

// A fitted model as algo.farrington.fitGLM.flexible returns it.
struct FlexibleModel {
  GlmFit fit;
  bool has_trend = false;
  double phi = 1;
  // What summary.glm(model) sees as `weights`: the prior weights after
  // reweighting (R overwrites model$weights), else the working weights.
  Eigen::VectorXd summary_weights;
  std::vector<int> levels;  // seasonal block of each dummy column after the baseline level
};

// Everything one time point needs, kept from one point (and series) to the
// next so that a point evaluates without allocating once its sizes have been
// seen: a series' design has the same shape at most points.
struct PointScratch {
  FarringtonDesignScratch design_scratch;
  FarringtonDesign design;
  FlexibleModel model;
  GlmWorkspace glm;
  Eigen::MatrixXd x;  // design matrix
  Eigen::MatrixXd q;  // hat matrix scratch
  Eigen::VectorXd y, ones, h, s, omega, x0;
  std::vector<int> levels;
};

// Columns: intercept, wtime (with trend), one dummy per seasonal block except
// the lowest present (R's treatment contrasts on factor(blocks)).
void design_matrix(const FarringtonDesign& d, bool trend, const std::vector<int>& levels,
                   Eigen::MatrixXd& x) {
  const auto n = static_cast<Eigen::Index>(d.rows.size());
  const Eigen::Index columns = 1 + (trend ? 1 : 0) + static_cast<Eigen::Index>(levels.size());
  x.setZero(n, columns);
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto row = static_cast<std::size_t>(i);
    x(i, 0) = 1;
    if (trend) x(i, 1) = d.wtime[row];
    for (std::size_t l = 0; l < levels.size(); ++l) {
      if (d.block[row] == levels[l]) x(i, 1 + (trend ? 1 : 0) + static_cast<Eigen::Index>(l)) = 1;
    }
  }
}

const Eigen::VectorXd& prediction_row(const FarringtonDesign& d, const FlexibleModel& m,
                                      int period, Eigen::VectorXd& x0) {
  x0.setZero(m.fit.coefficients.size());
  x0[0] = 1;
  if (m.has_trend) x0[1] = d.wtime_now;
  for (std::size_t l = 0; l < m.levels.size(); ++l) {
    if (m.levels[l] == period) x0[1 + (m.has_trend ? 1 : 0) + static_cast<Eigen::Index>(l)] = 1;
  }
  return x0;
}

// algo.farrington.assign.weights, into `omega`.
void assign_weights(const Eigen::VectorXd& s, double threshold, Eigen::VectorXd& omega) {
  double denominator = 0;
  for (const double v : s) denominator += v > threshold ? std::pow(v, -2.0) : 1.0;
  const double gamma = static_cast<double>(s.size()) / denominator;
  omega.resize(s.size());
  for (Eigen::Index i = 0; i < s.size(); ++i) {
    omega[i] = s[i] > threshold ? gamma * std::pow(s[i], -2.0) : gamma;
  }
}

// algo.farrington.fitGLM.flexible into scratch.model: false when neither the
// model nor, with trend, the model without trend converges.
Result<bool> fit_flexible(const FarringtonDesign& d, bool trend, const FarringtonParams& params,
                          PointScratch& scratch) {
  FlexibleModel& m = scratch.model;
  const auto n = static_cast<Eigen::Index>(d.rows.size());
  Eigen::VectorXd& y = scratch.y;
  y = Eigen::Map<const Eigen::VectorXd>(d.response.data(), n);
  m.levels.clear();
  if (params.window.no_periods != 1) {
    std::vector<int>& levels = scratch.levels;
    levels.assign(d.block.begin(), d.block.end());
    std::sort(levels.begin(), levels.end());
    levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
    m.levels.assign(levels.begin() + 1, levels.end());
  }
  m.has_trend = trend;
  Eigen::MatrixXd& x = scratch.x;
  design_matrix(d, m.has_trend, m.levels, x);
  scratch.ones.setOnes(n);
  const GlmSpec poisson;
  if (Status fit = fit_glm_into(x, y, scratch.ones, poisson, scratch.glm, m.fit); !fit) {
    return fit.error();
  }
  if (!m.fit.converged && m.has_trend) {
    m.has_trend = false;
    design_matrix(d, false, m.levels, x);
    if (Status fit = fit_glm_into(x, y, scratch.ones, poisson, scratch.glm, m.fit); !fit) {
      return fit.error();
    }
  }
  if (!m.fit.converged) return false;
  m.phi = r_max(quasi_dispersion(m.fit, m.fit.working_weights), 1.0);
  m.summary_weights = m.fit.working_weights;
  if (params.reweight) {
    hat_values_into(m.fit, scratch.q, scratch.h);
    const Eigen::VectorXd& h = scratch.h;
    Eigen::VectorXd& s = scratch.s;
    s.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      const double mu = m.fit.mu[i];
      s[i] = 3.0 / 2.0 * (std::pow(y[i], 2.0 / 3.0) * std::pow(mu, -1.0 / 6.0) - std::sqrt(mu)) /
             std::sqrt(m.phi * (1 - h[i]));
    }
    assign_weights(s, params.weights_threshold, scratch.omega);
    if (Status fit = fit_glm_into(x, y, scratch.omega, poisson, scratch.glm, m.fit); !fit) {
      return fit.error();
    }
    m.phi = r_max(quasi_dispersion(m.fit, m.fit.working_weights), 1.0);
    m.summary_weights = scratch.omega;
  }
  return true;
}

struct Prediction {
  double eta = 0;     // link scale
  double se_eta = 0;  // its standard error with summary.glm's dispersion
};

Prediction predict(const FarringtonDesign& d, const FlexibleModel& m, int period,
                   Eigen::VectorXd& scratch) {
  const Eigen::VectorXd& x0 = prediction_row(d, m, period, scratch);
  const double dispersion = quasi_dispersion(m.fit, m.summary_weights);
  return {x0.dot(m.fit.coefficients),
          std::sqrt(unscaled_prediction_variance(m.fit, x0) * dispersion)};
}

// summary.glm(model)$coefficients["wtime", 4] for a quasi family.
double trend_p_value(const FlexibleModel& m) {
  const double dispersion = quasi_dispersion(m.fit, m.summary_weights);
  const double t = m.fit.coefficients[1] / coefficient_se(m.fit, 1, dispersion);
  if (m.fit.df_residual <= 0 || std::isnan(t)) return kNa;
  const boost::math::students_t_distribution<double> dist(m.fit.df_residual);
  return 2 * boost::math::cdf(dist, -std::fabs(t));
}

struct Threshold {
  double upper = kNa;
  double score = kNa;
  double expected = kNa;
  double p_value = kNa;
};

// algo.farrington.threshold.farrington.
Threshold delta_threshold(const Prediction& pred, double phi, double y,
                          const FarringtonParams& params, FarringtonPValues p_values) {
  const double mu0 = log_link_inverse(pred.eta);
  const double se_mu0 = pred.se_eta * mu0;  // predict.glm: se.fit * mu.eta(eta)
  const double tau = phi + se_mu0 * se_mu0 / mu0;
  double se = 0, exponent = 1;
  switch (params.powertrans) {
    case PowerTransform::kNone:
      se = std::sqrt(mu0 * tau);
      exponent = 1;
      break;
    case PowerTransform::kHalf:
      se = std::sqrt(1.0 / 4.0 * tau);
      exponent = 1.0 / 2.0;
      break;
    case PowerTransform::kTwoThirds:
      se = std::sqrt(4.0 / 9.0 * std::pow(mu0, 1.0 / 3.0) * tau);
      exponent = 2.0 / 3.0;
      break;
  }
  Threshold out;
  out.upper = std::pow(std::pow(mu0, exponent) + standard_normal_quantile(1 - params.alpha) * se, 1 / exponent);
  out.score = (y - mu0) / (out.upper - mu0);
  out.expected = mu0;
  // The same normal approximation on the transformed scale the bound uses.
  if (se > 0 && p_values == FarringtonPValues::kComputed) {
    const double z = (std::pow(y, exponent) - std::pow(mu0, exponent)) / se;
    out.p_value = boost::math::cdf(boost::math::complement(boost::math::normal_distribution<double>(), z));
  }
  return out;
}

// algo.farrington.threshold.noufaily (nbPlugin, muan).
Threshold noufaily_threshold(const Prediction& pred, double phi, double y,
                             const FarringtonParams& params, FarringtonPValues p_values) {
  const double mu0 = params.threshold == FarringtonThreshold::kNbPlugin
                         ? std::exp(pred.eta)
                         : std::exp(qnorm(1 - params.alpha, pred.eta, pred.se_eta));
  Threshold out;
  if (std::isnan(mu0) || mu0 == HUGE_VAL) return out;
  out.upper = phi > 1 ? qnbinom(1 - params.alpha, mu0 / (phi - 1), 1 / phi)
                      : qpois(1 - params.alpha, mu0);
  out.score = (y - pred.eta) / (out.upper - pred.eta);
  out.expected = std::exp(pred.eta);
  // P(Y >= y) under the plug-in model the bound is a quantile of; muan's
  // bound inflates the mean by its own alpha, so it has no such p-value.
  if (params.threshold == FarringtonThreshold::kNbPlugin &&
      p_values == FarringtonPValues::kComputed) {
    out.p_value = upper_tail_probability(y, mu0, phi);
  }
  return out;
}

Error bad_value(const std::string& name, const std::string& value, const std::string& why) {
  return bad_param(name, value, why);
}

}  // namespace

Result<FarringtonParams> parse_farrington_params(const MethodParams& params) {
  const std::string unknown = unknown_param_names(
      params, {"b", "w", "reweight", "weightsThreshold", "alpha", "trend", "pThresholdTrend",
               "limit54", "powertrans", "noPeriods", "pastWeeksNotIncluded", "thresholdMethod"});
  if (!unknown.empty()) {
    return make_error(ErrorKind::kInvalidArgument,
                      "unknown parameter(s) for farringtonFlexible: " + unknown +
                          " (known: b, w, reweight, weightsThreshold, alpha, trend, "
                          "pThresholdTrend, limit54, powertrans, noPeriods, "
                          "pastWeeksNotIncluded, thresholdMethod)");
  }
  FarringtonParams out;
  std::optional<int> past_weeks;
  for (const auto& [name, value] : params) {
    if (name == "b" || name == "w" || name == "noPeriods" || name == "pastWeeksNotIncluded") {
      if (name == "pastWeeksNotIncluded" && value == "NULL") continue;
      auto v = parse_param_int(name, value);
      if (!v) return v.error();
      const int minimum = (name == "b" || name == "noPeriods") ? 1 : 0;
      if (v.value() < minimum) {
        return bad_value(name, value, "must be >= " + std::to_string(minimum));
      }
      if (name == "b") out.window.b = v.value();
      if (name == "w") out.window.w = v.value();
      if (name == "noPeriods") out.window.no_periods = v.value();
      if (name == "pastWeeksNotIncluded") past_weeks = v.value();
    } else if (name == "reweight" || name == "trend") {
      auto v = parse_param_bool(name, value);
      if (!v) return v.error();
      (name == "reweight" ? out.reweight : out.trend) = v.value();
    } else if (name == "weightsThreshold" || name == "alpha" || name == "pThresholdTrend") {
      auto v = parse_param_double(name, value);
      if (!v) return v.error();
      if (name == "alpha" && !(v.value() > 0 && v.value() < 1)) {
        return bad_value(name, value, "must be strictly between 0 and 1");
      }
      if (name == "weightsThreshold") out.weights_threshold = v.value();
      if (name == "alpha") out.alpha = v.value();
      if (name == "pThresholdTrend") out.p_threshold_trend = v.value();
    } else if (name == "limit54") {
      const std::size_t comma = value.find(',');
      auto cases = parse_param_int(name, value.substr(0, comma));
      auto weeks = comma == std::string::npos ? Result<int>(bad_value(name, value, "not C,W"))
                                              : parse_param_int(name, value.substr(comma + 1));
      // R: "The limit54 arguments are out of bounds: cases >= 0 and period > 0."
      if (!cases || !weeks || cases.value() < 0 || weeks.value() < 1) {
        return bad_value(name, value, "must be CASES,WEEKS with cases >= 0 and weeks > 0");
      }
      out.limit54_cases = cases.value();
      out.limit54_weeks = weeks.value();
    } else if (name == "powertrans") {
      static constexpr Named<PowerTransform> kPowers[] = {{"2/3", PowerTransform::kTwoThirds},
                                                          {"1/2", PowerTransform::kHalf},
                                                          {"none", PowerTransform::kNone}};
      const auto power = lookup(value, kPowers);
      if (!power) return bad_value(name, value, "must be 2/3, 1/2 or none");
      out.powertrans = *power;
    } else if (name == "thresholdMethod") {
      static constexpr Named<FarringtonThreshold> kThresholds[] = {
          {"delta", FarringtonThreshold::kDelta},
          {"nbPlugin", FarringtonThreshold::kNbPlugin},
          {"muan", FarringtonThreshold::kMuan}};
      const auto threshold = lookup(value, kThresholds);
      if (!threshold) return bad_value(name, value, "must be delta, nbPlugin or muan");
      out.threshold = *threshold;
    }
  }
  out.window.past_weeks_not_included = past_weeks.value_or(out.window.w);
  return out;
}

namespace {

// The bound, score and alarm at k from the final model.
SeriesPoint bound_point(const CountSeries& series, std::size_t k, const FarringtonDesign& d,
                        const FarringtonParams& params, FarringtonPValues p_values,
                        const FlexibleModel& m, Eigen::VectorXd& x0) {
  const int period = params.window.no_periods;
  const Prediction pred = predict(d, m, period, x0);
  const double y = series.observed[k - 1];
  Threshold threshold;
  switch (params.threshold) {
    case FarringtonThreshold::kDelta:
      threshold = delta_threshold(pred, m.phi, y, params, p_values);
      break;
    case FarringtonThreshold::kNbPlugin:
    case FarringtonThreshold::kMuan:
      threshold = noufaily_threshold(pred, m.phi, y, params, p_values);
      break;
  }
  // limit54 counts the current point too (since surveillance 0.9-7).
  double recent = 0;
  const std::size_t weeks = static_cast<std::size_t>(params.limit54_weeks);
  for (std::size_t i = k >= weeks ? k - weeks + 1 : 1; i <= k; ++i) {
    recent += series.observed[i - 1];
  }
  const bool enough_cases = recent >= params.limit54_cases;
  SeriesPoint point;
  point.score = threshold.score;
  point.p_value = threshold.p_value;
  if (enough_cases && !std::isnan(threshold.upper)) {
    point.upperbound = threshold.upper;
    point.expected = threshold.expected;
  }
  point.alarm = enough_cases && !std::isnan(threshold.score) && threshold.score > 1 && y != 0;
  return point;
}

Result<SeriesPoint> evaluate_point(const CountSeries& series, std::size_t k,
                                   const FarringtonParams& params, FarringtonPValues p_values,
                                   PointScratch& scratch) {
  if (k < 1 || k > series.size()) {
    return make_error(ErrorKind::kInvalidArgument, "time point " + std::to_string(k) +
                                                       " is outside the series");
  }
  FarringtonDesign& d = scratch.design;
  if (Status design = farrington_design_into(series, k, params.window, scratch.design_scratch, d);
      !design) {
    return design.error();
  }
  const int period = params.window.no_periods;
  if (period != 1 && std::find(d.block.begin(), d.block.end(), period) == d.block.end()) {
    return make_error(ErrorKind::kInvalidArgument,
                      "no baseline counts in the current season block at t=" + std::to_string(k));
  }
  // R keeps a trend only with b >= 3, so with fewer years the model with
  // trend is fitted only to be replaced by the one without. Fit the latter
  // first: when it converges it is the model R ends with, whatever the trend
  // fit did. (The one difference: where R stops with an error fitting the
  // discarded trend model, this goes on.) When it does not, the full path
  // below decides between R's NA point and its error.
  if (params.trend && params.window.b < 3) {
    auto converged = fit_flexible(d, false, params, scratch);
    if (!converged) return converged.error();
    if (converged.value()) return bound_point(series, k, d, params, p_values, scratch.model, scratch.x0);
  }
  auto converged = fit_flexible(d, params.trend, params, scratch);
  if (!converged) return converged.error();
  if (!converged.value()) return SeriesPoint{};  // R: no convergence, NA bound and alarm
  const FlexibleModel& m = scratch.model;
  if (m.has_trend) {
    // algo.farrington.glm: keep the trend only if significant, b >= 3 and
    // not extrapolating beyond the largest baseline count.
    // With b < 3 the trend is never kept: its t-test (a Student t cdf) and
    // fitted value need not be computed.
    const auto keep_trend = [&] {
      if (params.window.b < 3) return false;
      const double p_value = trend_p_value(m);
      if (std::isnan(p_value) || !(p_value < params.p_threshold_trend)) return false;
      const double fitted = log_link_inverse(predict(d, m, period, scratch.x0).eta);
      return fitted <= *std::max_element(d.response.begin(), d.response.end());
    };
    if (!keep_trend()) {
      converged = fit_flexible(d, false, params, scratch);
      if (!converged) return converged.error();
      if (!converged.value()) {
        return make_error(ErrorKind::kFatal, "the model without trend did not converge at t=" +
                                                 std::to_string(k));
      }
    }
  }
  return bound_point(series, k, d, params, p_values, m, scratch.x0);
}

// One scratch per thread: the streaming detectors evaluate one point at a
// time on many keys, and `vigil series` many points of many series, all of
// the same few shapes.
PointScratch& thread_scratch() {
  thread_local PointScratch scratch;
  return scratch;
}

}  // namespace

Result<SeriesPoint> farrington_point(const CountSeries& series, std::size_t k,
                                     const FarringtonParams& params) {
  return evaluate_point(series, k, params, FarringtonPValues::kComputed, thread_scratch());
}

Result<std::vector<SeriesPoint>> farrington_range(const CountSeries& series, SeriesRange range,
                                                  const FarringtonParams& params,
                                                  FarringtonPValues p_values) {
  if (Status in_range = check_series_range(range, series.size()); !in_range.is_ok()) {
    return in_range.error();
  }
  PointScratch& scratch = thread_scratch();
  std::vector<SeriesPoint> points;
  points.reserve(range.last - range.first + 1);
  for (std::size_t k = range.first; k <= range.last; ++k) {
    auto point = evaluate_point(series, k, params, p_values, scratch);
    if (!point) return point.error();
    points.push_back(point.value());
  }
  return points;
}

}  // namespace vigil

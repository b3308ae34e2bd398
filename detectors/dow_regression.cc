#include "detectors/dow_regression.h"

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <cmath>
#include <optional>
#include <string>

#include "detectors/glm_fit.h"

namespace vigil {
namespace {

constexpr int kDaysPerWeek = 7;

struct Model {
  double mu0 = 0;  // predicted mean of the judged day
  double phi = 1;  // dispersion, at least 1
};

// Fits the baseline with the chosen terms; std::nullopt when the fit fails or
// does not converge. `levels[j]` is day j's weekday relative to the judged
// day (0 = the same weekday, the reference level).
std::optional<Model> fit_baseline(std::span<const double> y, std::span<const int> levels,
                                  double judged_index, bool trend, bool weekdays) {
  const auto n = static_cast<Eigen::Index>(y.size());
  const Eigen::Index p = 1 + (trend ? 1 : 0) + (weekdays ? kDaysPerWeek - 1 : 0);
  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(n, p);
  Eigen::VectorXd counts(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    counts(j) = y[static_cast<size_t>(j)];
    x(j, 0) = 1;
    Eigen::Index col = 1;
    if (trend) x(j, col++) = static_cast<double>(j);
    const int level = levels[static_cast<size_t>(j)];
    if (weekdays && level > 0) x(j, col + level - 1) = 1;
  }
  const auto fit = fit_glm(x, counts, Eigen::VectorXd::Ones(n), GlmSpec{});
  if (!fit || !fit.value().converged) return std::nullopt;
  Eigen::VectorXd x0 = Eigen::VectorXd::Zero(p);
  x0(0) = 1;
  if (trend) x0(1) = judged_index;
  Model m;
  m.mu0 = log_link_inverse(x0.dot(fit.value().coefficients));
  // Pearson X^2 / (n - p): working weights mu times working residuals
  // ((y - mu) / mu) squared is (y - mu)^2 / mu.
  const double dispersion = quasi_dispersion(fit.value(), fit.value().working_weights);
  m.phi = std::isfinite(dispersion) ? std::max(1.0, dispersion) : 1.0;
  return m;
}

// The smallest whole u with cdf(u) >= p, searched from a normal guess.
template <typename Cdf>
double upper_quantile(double p, double mean, double variance, Cdf cdf) {
  const double z = boost::math::quantile(boost::math::normal_distribution<double>(), p);
  double u = std::max(0.0, std::floor(mean + z * std::sqrt(variance)));
  while (cdf(u) < p) ++u;
  while (u > 0 && cdf(u - 1) >= p) --u;
  return u;
}

}  // namespace

Result<DowRegressionParams> parse_dow_regression_params(const MethodParams& params) {
  const std::string unknown = unknown_param_names(params, {"baseline", "guard", "alpha", "trend"});
  if (!unknown.empty()) {
    return make_error(ErrorKind::kInvalidArgument,
                      "unknown parameter(s) for dowRegression: " + unknown +
                          " (known: baseline, guard, alpha, trend)");
  }
  DowRegressionParams out;
  if (const auto it = params.find("baseline"); it != params.end()) {
    auto v = parse_param_int("baseline", it->second);
    if (!v) return v.error();
    // Each weekday at least twice, or its factor has no residual to speak of;
    // a year at most (a detector keeps history_length() + 1 counts per key).
    if (v.value() < 2 * kDaysPerWeek || v.value() > 366) {
      return bad_param("baseline", it->second, "must be between 14 and 366 days");
    }
    out.baseline = v.value();
  }
  if (const auto it = params.find("guard"); it != params.end()) {
    auto v = parse_param_int("guard", it->second);
    if (!v) return v.error();
    if (v.value() < 0 || v.value() > 28) return bad_param("guard", it->second, "must be between 0 and 28");
    out.guard = v.value();
  }
  if (const auto it = params.find("alpha"); it != params.end()) {
    auto v = parse_param_double("alpha", it->second);
    if (!v) return v.error();
    if (!(v.value() > 0 && v.value() < 0.5)) {
      return bad_param("alpha", it->second, "must be strictly between 0 and 0.5");
    }
    out.alpha = v.value();
  }
  if (const auto it = params.find("trend"); it != params.end()) {
    auto v = parse_param_bool("trend", it->second);
    if (!v) return v.error();
    out.trend = v.value();
  }
  return out;
}

std::size_t dow_regression_history(const DowRegressionParams& params) {
  return static_cast<std::size_t>(params.baseline + params.guard);
}

Result<SeriesPoint> dow_regression_point(std::span<const double> history_then_current,
                                         const DowRegressionParams& params) {
  const std::size_t needed = dow_regression_history(params);
  if (history_then_current.size() < needed + 1) {
    return make_error(ErrorKind::kInvalidArgument,
                      "dowRegression with baseline " + std::to_string(params.baseline) + " and guard " +
                          std::to_string(params.guard) + " needs " + std::to_string(needed) +
                          " earlier counts");
  }
  const std::span<const double> window = history_then_current.last(needed + 1);
  const double y = window.back();
  const auto n = static_cast<std::size_t>(params.baseline);
  const std::span<const double> base = window.first(n);
  const auto judged = static_cast<int>(needed);  // the judged day's index; the baseline is 0..n-1

  std::array<double, kDaysPerWeek> weekday_total{};
  std::vector<int> levels(n);
  double total = 0, largest = 0;
  for (std::size_t j = 0; j < n; ++j) {
    levels[j] = (judged - static_cast<int>(j)) % kDaysPerWeek;
    weekday_total[static_cast<size_t>(levels[j])] += base[j];
    total += base[j];
    largest = std::max(largest, base[j]);
  }
  SeriesPoint point;
  if (!(total > 0)) return point;  // nothing to learn a baseline from: no verdict
  const bool weekdays =
      std::all_of(weekday_total.begin(), weekday_total.end(), [](double t) { return t > 0; });

  std::optional<Model> model;
  if (params.trend) {
    model = fit_baseline(base, levels, judged, true, weekdays);
    if (model && model->mu0 > largest) model.reset();  // the trend extrapolates: drop it
  }
  if (!model) model = fit_baseline(base, levels, judged, false, weekdays);
  if (!model) return point;

  const double p = 1.0 - params.alpha;
  const double mu = model->mu0;
  const double phi = model->phi;
  const double tail_from = std::ceil(y) - 1;  // P(Y >= y) = 1 - cdf(ceil(y) - 1)
  if (phi > 1) {
    const double size = mu / (phi - 1);
    const boost::math::negative_binomial_distribution<double> nb(size, size / (size + mu));
    point.upperbound = upper_quantile(p, mu, phi * mu, [&](double u) { return boost::math::cdf(nb, u); });
    point.p_value = tail_from < 0 ? 1.0 : boost::math::cdf(boost::math::complement(nb, tail_from));
  } else {
    const boost::math::poisson_distribution<double> pois(mu);
    point.upperbound = upper_quantile(p, mu, mu, [&](double u) { return boost::math::cdf(pois, u); });
    point.p_value = tail_from < 0 ? 1.0 : boost::math::cdf(boost::math::complement(pois, tail_from));
  }
  point.expected = mu;
  point.alarm = y > point.upperbound;
  point.score = (y - mu) / std::sqrt(phi * mu);
  return point;
}

}  // namespace vigil

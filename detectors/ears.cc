#include "detectors/ears.h"

#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <string>

#include "core/named_values.h"

namespace vigil {
namespace {

// R's pmax(a, b) for one pair: NA (NaN) propagates instead of being dropped.
double r_pmax(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return kNa;
  return a > b ? a : b;
}

struct BaselineStats {
  double mean = 0;
  double sd = 0;
};

// mean() and sd() as R computes them (summary.c, cov.c): long-double sums and
// a corrected mean, so results agree with R to the last bits.
BaselineStats baseline_stats(std::span<const double> values) {
  const long double mean = r_mean(values);
  long double squares = 0;
  for (const double v : values) squares += (v - mean) * (v - mean);
  const auto n = static_cast<long double>(values.size());
  return {static_cast<double>(mean), std::sqrt(static_cast<double>(squares / (n - 1)))};
}

// The baseline of point `s` (an index into `y`) for C2: y[s-baseline-2 .. s-3].
BaselineStats c2_baseline(std::span<const double> y, std::size_t s, int baseline) {
  const auto b = static_cast<std::size_t>(baseline);
  return baseline_stats(y.subspan(s - b - 2, b));
}

double z_alpha(double alpha) {
  // R: qnorm(1 - alpha), with 1 - alpha rounded to double first.
  return boost::math::quantile(boost::math::normal_distribution<double>(), 1.0 - alpha);
}

SeriesPoint c1_c2_point(double y, const BaselineStats& stats, const EarsParams& params) {
  const double sigma = r_pmax(stats.sd, params.min_sigma);
  SeriesPoint point;
  point.expected = stats.mean;
  point.upperbound = stats.mean + z_alpha(params.alpha) * sigma;
  point.alarm = y > point.upperbound;  // false when the bound is NaN
  point.score = (y - stats.mean) / sigma;
  // The normal model behind the bound: P(Y >= y) = 1 - Phi((y - m) / sigma),
  // undefined when sigma is 0 (a constant baseline without minSigma).
  if (sigma > 0) {
    point.p_value = boost::math::cdf(
        boost::math::complement(boost::math::normal_distribution<double>(), point.score));
  }
  return point;
}

SeriesPoint c3_point(std::span<const double> y, const EarsParams& params) {
  const std::size_t t = y.size() - 1;
  double lag_part = 0;
  for (const std::size_t lag : {std::size_t{1}, std::size_t{2}}) {
    const BaselineStats stats = c2_baseline(y, t - lag, params.baseline);
    const double c2 = (y[t - lag] - stats.mean) / r_pmax(stats.sd, params.min_sigma);
    lag_part += r_pmax(0.0, c2 - 1.0);
  }
  const BaselineStats current = c2_baseline(y, t, params.baseline);
  const double sigma = r_pmax(current.sd, params.min_sigma);
  SeriesPoint point;
  point.expected = current.mean;
  point.upperbound = r_pmax(0.0, y[t] + sigma * (z_alpha(params.alpha) - lag_part));
  point.alarm = y[t] > point.upperbound;
  point.score = lag_part;
  return point;
}

Error too_short(std::size_t have, const EarsParams& params) {
  return make_error(ErrorKind::kInvalidArgument,
                    "EARS " + std::string(ears_variant_name(params.variant)) +
                        " with baseline " + std::to_string(params.baseline) + " needs " +
                        std::to_string(ears_required_history(params)) +
                        " earlier counts, only " + std::to_string(have) + " available");
}

}  // namespace

std::string_view ears_variant_name(EarsVariant variant) {
  switch (variant) {
    case EarsVariant::kC1:
      return "C1";
    case EarsVariant::kC2:
      return "C2";
    case EarsVariant::kC3:
      return "C3";
  }
  return "C?";  // unreachable: the switch is exhaustive
}

Result<EarsParams> parse_ears_params(std::string_view method_name, const MethodParams& params) {
  static constexpr Named<EarsVariant> kMethods[] = {
      {"earsC1", EarsVariant::kC1}, {"earsC2", EarsVariant::kC2}, {"earsC3", EarsVariant::kC3}};
  const auto variant = lookup(method_name, kMethods);
  if (!variant) {
    return make_error(ErrorKind::kInvalidArgument,
                      "unknown EARS method '" + std::string(method_name) +
                          "' (known: earsC1, earsC2, earsC3)");
  }
  EarsParams out;
  out.variant = *variant;
  const std::string unknown =
      unknown_param_names(params, {"method", "baseline", "minSigma", "alpha"});
  if (!unknown.empty()) {
    return make_error(ErrorKind::kInvalidArgument,
                      "unknown parameter(s) for " + std::string(method_name) + ": " + unknown +
                          " (known: method, baseline, minSigma, alpha)");
  }
  if (const auto it = params.find("method"); it != params.end()) {
    if (it->second != ears_variant_name(out.variant)) {
      return bad_param("method", it->second,
                       "must be " + std::string(ears_variant_name(out.variant)) + " for " +
                           std::string(method_name));
    }
  }
  if (const auto it = params.find("baseline"); it != params.end()) {
    auto baseline = parse_param_int("baseline", it->second);
    if (!baseline) return baseline.error();
    // R earsC: "Minimum baseline to use is 3."
    if (baseline.value() < 3) return bad_param("baseline", it->second, "must be at least 3");
    out.baseline = baseline.value();
  }
  if (const auto it = params.find("minSigma"); it != params.end()) {
    auto min_sigma = parse_param_double("minSigma", it->second);
    if (!min_sigma) return min_sigma.error();
    if (min_sigma.value() < 0) return bad_param("minSigma", it->second, "must be >= 0");
    out.min_sigma = min_sigma.value();
  }
  // R earsC's default alpha depends on the method.
  out.alpha = out.variant == EarsVariant::kC3 ? 0.025 : 0.001;
  if (const auto it = params.find("alpha"); it != params.end()) {
    auto alpha = parse_param_double("alpha", it->second);
    if (!alpha) return alpha.error();
    const double one_minus = 1.0 - alpha.value();
    if (!(alpha.value() > 0 && one_minus > 0 && one_minus < 1)) {
      return bad_param("alpha", it->second, "must be strictly between 0 and 1");
    }
    out.alpha = alpha.value();
  }
  return out;
}

std::size_t ears_required_history(const EarsParams& params) {
  const auto b = static_cast<std::size_t>(params.baseline);
  switch (params.variant) {
    case EarsVariant::kC1:
      return b;
    case EarsVariant::kC2:
      return b + 2;
    case EarsVariant::kC3:
      return b + 4;
  }
  return b + 4;  // unreachable: the switch is exhaustive
}

Result<SeriesPoint> ears_point(std::span<const double> history_then_current,
                               const EarsParams& params) {
  const std::size_t needed = ears_required_history(params);
  if (history_then_current.size() < needed + 1) {
    return too_short(history_then_current.empty() ? 0 : history_then_current.size() - 1, params);
  }
  const std::span<const double> y = history_then_current.last(needed + 1);
  const std::size_t t = needed;
  const auto b = static_cast<std::size_t>(params.baseline);
  switch (params.variant) {
    case EarsVariant::kC1:
      return c1_c2_point(y[t], baseline_stats(y.subspan(t - b, b)), params);
    case EarsVariant::kC2:
      return c1_c2_point(y[t], c2_baseline(y, t, params.baseline), params);
    case EarsVariant::kC3:
      return c3_point(y, params);
  }
  return make_error(ErrorKind::kFatal, "unknown EARS variant");  // unreachable
}

Result<std::vector<SeriesPoint>> ears_range(std::span<const double> observed, SeriesRange range,
                                            const EarsParams& params) {
  if (Status in_range = check_series_range(range, observed.size()); !in_range.is_ok()) {
    return in_range.error();
  }
  if (range.first - 1 < ears_required_history(params)) {
    return too_short(range.first - 1, params);
  }
  std::vector<SeriesPoint> points;
  points.reserve(range.last - range.first + 1);
  for (std::size_t t = range.first; t <= range.last; ++t) {
    auto point = ears_point(observed.first(t), params);
    if (!point) return point.error();
    points.push_back(point.value());
  }
  return points;
}

}  // namespace vigil

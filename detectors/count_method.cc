#include "detectors/count_method.h"

#include <algorithm>
#include <cstdint>

#include "detectors/dow_regression.h"
#include "detectors/ears.h"
#include "detectors/farrington_design.h"
#include "detectors/farrington_flexible.h"

namespace vigil {
namespace {

// The longest farringtonFlexible look-back a streaming detector keeps per key,
// in years (b <= 20): every key holds history_length() + 1 counts.
constexpr int64_t kMaxFarringtonYears = 21;

class EarsMethod final : public CountMethod {
 public:
  EarsMethod(std::string name, EarsParams params) : name_(std::move(name)), params_(params) {}
  std::string_view name() const override { return name_; }
  size_t history_length() const override { return ears_required_history(params_); }
  SeriesPoint evaluate(std::span<const double> window) const override {
    auto point = ears_point(window, params_);
    // The detector always passes a full window, so an error here means no
    // verdict for this point rather than a failure of the pipeline.
    return point ? point.value() : SeriesPoint{};
  }
  bool bound_uses_current_count() const override { return params_.variant == EarsVariant::kC3; }
  size_t bound_ignores_recent() const override {
    return params_.variant == EarsVariant::kC1 ? 0 : 2;
  }

 private:
  std::string name_;
  EarsParams params_;
};

// How many periods before k farrington_point reads for an undated series:
// the oldest reference window starts at k - b*freq - w (farrington_design
// requires it to be >= 1, so k >= b*freq + w + 1), and limit54 sums the
// points k - limit54_weeks + 1 .. k. Nothing else before k is read (season
// blocks and pastWeeksNotIncluded lie between the two ends), so a window of
// this many periods plus k gives the design farrington_point builds on the
// whole series, shifted in index.
int64_t farrington_history(const FarringtonParams& params, int freq) {
  const int64_t reference = static_cast<int64_t>(params.window.b) * freq + params.window.w;
  return std::max<int64_t>(reference, params.limit54_weeks - 1);
}

// farringtonFlexible on the detector's window, which farrington_point sees as
// an undated series with reference periods by index (k - j*freq), as R does
// for an sts without epochAsDate. The streaming detector numbers periods
// consecutively (ISO week or day indices), so index arithmetic is the right
// reading; like R on an undated weekly sts, "a year ago" is then 52 weeks
// ago, which drifts a week against the calendar after a 53-week ISO year.
// The time covariate of the trend is the index within the window rather than
// since the start of the stream: the fitted means are the same, only the
// intercept moves (in floating point the last bits may differ).
class FarringtonMethod final : public CountMethod {
 public:
  FarringtonMethod(FarringtonParams params, int freq, size_t history)
      : params_(params), history_(history) {
    series_.freq = freq;
    series_.observed.reserve(history + 1);
  }
  std::string_view name() const override { return "farringtonFlexible"; }
  size_t history_length() const override { return history_; }
  size_t bound_ignores_recent() const override {
    return static_cast<size_t>(std::max(params_.window.past_weeks_not_included, 0));
  }
  SeriesPoint evaluate(std::span<const double> window) const override {
    series_.observed.assign(window.begin(), window.end());
    auto point = farrington_point(series_, series_.size(), params_);
    // make_count_method has checked that the window's design is valid, so an
    // error here is a GLM that cannot be fitted on these counts: no verdict
    // for the point, as R gives none, rather than a failure of the pipeline.
    return point ? point.value() : SeriesPoint{};
  }

 private:
  FarringtonParams params_;
  size_t history_;
  mutable CountSeries series_;  // the window as a series; its buffer is reused
};

// The day-of-week-adjusted regression (detectors/dow_regression.h).
class DowRegressionMethod final : public CountMethod {
 public:
  explicit DowRegressionMethod(DowRegressionParams params) : params_(params) {}
  std::string_view name() const override { return "dowRegression"; }
  size_t history_length() const override { return dow_regression_history(params_); }
  SeriesPoint evaluate(std::span<const double> window) const override {
    auto point = dow_regression_point(window, params_);
    return point ? point.value() : SeriesPoint{};
  }

 private:
  DowRegressionParams params_;
};

Result<std::unique_ptr<CountMethod>> make_farrington(const MethodParams& params, int freq) {
  auto parsed = parse_farrington_params(params);
  if (!parsed) return parsed.error();
  const FarringtonParams& p = parsed.value();
  if (p.window.b >= kMaxFarringtonYears) {
    return bad_param("b", std::to_string(p.window.b),
                     "a streaming detector looks back at most " +
                         std::to_string(kMaxFarringtonYears - 1) + " years");
  }
  if (p.limit54_weeks > kMaxFarringtonYears * freq) {
    return bad_param("limit54",
                     std::to_string(p.limit54_cases) + "," + std::to_string(p.limit54_weeks),
                     "a streaming detector keeps at most " +
                         std::to_string(kMaxFarringtonYears * freq) + " periods per key");
  }
  const auto history = static_cast<size_t>(farrington_history(p, freq));

  // Which points the fit uses depends only on the parameters and the window
  // length, not on the counts: check it once here so that evaluate() can
  // fail only on the counts themselves.
  CountSeries probe;
  probe.freq = freq;
  probe.observed.assign(history + 1, 0.0);
  auto design = farrington_design(probe, probe.size(), p.window);
  if (!design) {
    return make_error(ErrorKind::kInvalidArgument,
                      "farringtonFlexible with b=" + std::to_string(p.window.b) +
                          ", w=" + std::to_string(p.window.w) + ", noPeriods=" +
                          std::to_string(p.window.no_periods) + ", pastWeeksNotIncluded=" +
                          std::to_string(p.window.past_weeks_not_included) + " and " +
                          std::to_string(freq) + " periods a year: " + design.error().message);
  }
  const auto& block = design.value().block;
  if (p.window.no_periods != 1 &&
      std::find(block.begin(), block.end(), p.window.no_periods) == block.end()) {
    return make_error(ErrorKind::kInvalidArgument,
                      "farringtonFlexible: pastWeeksNotIncluded=" +
                          std::to_string(p.window.past_weeks_not_included) +
                          " leaves no baseline counts in the current season block");
  }
  return std::unique_ptr<CountMethod>(new FarringtonMethod(p, freq, history));
}

}  // namespace

Result<std::unique_ptr<CountMethod>> make_count_method(std::string_view method,
                                                       const MethodParams& params, int freq) {
  if (freq < 1 || freq > 366) {
    return make_error(ErrorKind::kInvalidArgument,
                      "count method " + std::string(method) + ": " + std::to_string(freq) +
                          " periods per year is not between 1 and 366");
  }
  if (method == "earsC1" || method == "earsC2" || method == "earsC3") {
    auto parsed = parse_ears_params(method, params);
    if (!parsed) return parsed.error();
    return std::unique_ptr<CountMethod>(new EarsMethod(std::string(method), parsed.value()));
  }
  if (method == "farringtonFlexible") return make_farrington(params, freq);
  if (method == "dowRegression") {
    // Weekdays need days: a weekly series has no day-of-week effect to adjust.
    if (freq != 365) {
      return make_error(ErrorKind::kInvalidArgument,
                        "count method dowRegression judges daily counts (period: day)");
    }
    auto parsed = parse_dow_regression_params(params);
    if (!parsed) return parsed.error();
    return std::unique_ptr<CountMethod>(new DowRegressionMethod(parsed.value()));
  }
  // glrnb and cusum are charts over a range (state carried from point to
  // point, mu0 fitted once before the range), not functions of one window.
  return make_error(ErrorKind::kInvalidArgument,
                    "unknown count method '" + std::string(method) +
                        "' (streaming detectors know earsC1, earsC2, earsC3, farringtonFlexible, dowRegression)");
}

}  // namespace vigil

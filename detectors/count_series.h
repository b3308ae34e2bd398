// The input and output types shared by the count-series detectors (EARS,
// farringtonFlexible, glrnb, cusum), and the parsing of their R-style
// parameters.
//
// Every method is a pure function of a CountSeries and its parameters, so the
// `vigil series` command (whole range at once) and the streaming detectors
// (one point on a rolling window) run the same arithmetic. Parameter names and
// value spellings are those of the `control` lists of R `surveillance` 1.20.3.
#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/civil_date.h"
#include "core/result.h"

namespace vigil {

// One count series, time points 1..n (R's 1-based index is `i + 1`).
struct CountSeries {
  std::vector<double> observed;  // counts, finite and >= 0
  // The calendar date of every epoch when every epoch is an ISO date (then
  // farringtonFlexible finds reference weeks by calendar, as R does for an sts
  // with `epochAsDate = TRUE`); empty otherwise (reference weeks by index with
  // `freq`).
  std::vector<Date> epoch_dates;
  std::vector<std::string> epoch_labels;  // the epoch column as written
  int freq = 52;                          // periods per year, used when undated
  std::vector<double> mu0;                // known in-control mean per epoch, or empty

  std::size_t size() const { return observed.size(); }
  bool dated() const { return !epoch_dates.empty(); }
  bool has_mu0() const { return !mu0.empty(); }
};

// A 1-based inclusive range of time points, as R's `control$range`.
struct SeriesRange {
  std::size_t first = 1;
  std::size_t last = 1;
};

// Checks that `range` is a non-empty 1-based range within a series of
// `size` points; the error names the range and the series length.
inline Status check_series_range(SeriesRange range, std::size_t size) {
  if (range.first < 1 || range.first > range.last || range.last > size) {
    return make_error(ErrorKind::kInvalidArgument,
                      "range " + std::to_string(range.first) + ":" + std::to_string(range.last) +
                          " is not within 1:" + std::to_string(size));
  }
  return Status::ok();
}

// The points of `values` (one per time point) within `range`, which must lie
// inside them.
inline std::span<const double> range_of(std::span<const double> values, SeriesRange range) {
  return values.subspan(range.first - 1, range.last - range.first + 1);
}

// The observed counts within `range`, once check_series_range accepts it.
inline Result<std::span<const double>> observed_in_range(const CountSeries& series,
                                                         SeriesRange range) {
  if (Status in_range = check_series_range(range, series.size()); !in_range.is_ok()) {
    return in_range.error();
  }
  return range_of(series.observed, range);
}

inline constexpr double kNa = std::numeric_limits<double>::quiet_NaN();

// The verdict of a method at one time point.
struct SeriesPoint {
  double upperbound = kNa;  // R's `upperbound`; NaN where R gives NA
  bool alarm = false;       // R's `alarm`; false where R gives NA
  double expected = kNa;    // the in-control expectation, NaN when the method has none
  double score = kNa;       // the method's test statistic, NaN when none
  // The one-sided probability, under the method's in-control model, of a
  // count at least as large as the observed; NaN when the method has none.
  double p_value = kNa;
};

// Method parameters by R control-list name (`baseline`, `minSigma`, `alpha`,
// `method`, ...), values as text (`TRUE`, `5,4`, `2/3`, `0.001`).
using MethodParams = std::map<std::string, std::string>;

// R's mean(): a long-double sum, then a second pass correcting the mean
// (summary.c), so results agree with R to the last bits. NaN when empty.
inline double r_mean(std::span<const double> values) {
  const auto n = static_cast<long double>(values.size());
  long double sum = 0;
  for (const double v : values) sum += v;
  long double mean = sum / n;
  if (std::isfinite(static_cast<double>(mean))) {
    long double correction = 0;
    for (const double v : values) correction += v - mean;
    mean += correction / n;
  }
  return static_cast<double>(mean);
}

// --- Parsing of parameter values, shared by the methods' parse_*_params. ---
// Each returns an InvalidArgument error naming the parameter and the value.

inline Error bad_param(std::string_view name, std::string_view value, std::string_view why) {
  return make_error(ErrorKind::kInvalidArgument, "parameter " + std::string(name) + "=" +
                                                     std::string(value) + ": " +
                                                     std::string(why));
}

// A finite decimal number, whole text (no spaces, no trailing characters).
inline Result<double> parse_param_double(std::string_view name, std::string_view value) {
  double out = 0;
  const char* const end = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(value.data(), end, out);
  if (value.empty() || ec != std::errc() || ptr != end || !std::isfinite(out)) {
    return bad_param(name, value, "not a finite number");
  }
  return out;
}

// A whole number; integral decimals such as `7.0` are accepted as R would.
inline Result<int> parse_param_int(std::string_view name, std::string_view value) {
  auto number = parse_param_double(name, value);
  if (!number) return number.error();
  const double v = number.value();
  if (v != std::floor(v) || std::fabs(v) > 1e9) {
    return bad_param(name, value, "not a whole number");
  }
  return static_cast<int>(v);
}

// R's logical spellings: TRUE/FALSE, T/F, true/false.
inline Result<bool> parse_param_bool(std::string_view name, std::string_view value) {
  if (value == "TRUE" || value == "T" || value == "true" || value == "True") return true;
  if (value == "FALSE" || value == "F" || value == "false" || value == "False") return false;
  return bad_param(name, value, "not TRUE or FALSE");
}

// Returns the names in `params` that are not in `known`, comma-separated, or
// an empty string when every name is known.
inline std::string unknown_param_names(const MethodParams& params,
                                       std::initializer_list<std::string_view> known) {
  std::string unknown;
  for (const auto& [name, value] : params) {
    bool found = false;
    for (const std::string_view k : known) found = found || (k == name);
    if (!found) unknown += (unknown.empty() ? "" : ", ") + name;
  }
  return unknown;
}

}  // namespace vigil

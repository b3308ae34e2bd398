#include "app/series_command.h"

#include <charconv>
#include <functional>
#include <sstream>
#include <utility>

#include "core/result.h"
#include "detectors/count_series.h"
#include "detectors/ears.h"
#include "detectors/farrington_flexible.h"
#include "series/cusum.h"
#include "series/glrnb.h"
#include "series/series_csv.h"
#include "series/series_table.h"

namespace vigil {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

// A method with its parameters already checked, ready to run on a series.
using Evaluator =
    std::function<Result<std::vector<SeriesPoint>>(const CountSeries&, SeriesRange)>;

// Checks the parameters of `method` (one of series_method_names()) and
// returns the evaluator, or an InvalidArgument error.
Result<Evaluator> prepare_method(std::string_view method, const MethodParams& params) {
  if (method == "earsC1" || method == "earsC2" || method == "earsC3") {
    auto parsed = parse_ears_params(method, params);
    if (!parsed) return parsed.error();
    return Evaluator([ears = parsed.value()](const CountSeries& series, SeriesRange range) {
      return ears_range(series.observed, range, ears);
    });
  }
  if (method == "farringtonFlexible") {
    auto parsed = parse_farrington_params(params);
    if (!parsed) return parsed.error();
    return Evaluator([ff = parsed.value()](const CountSeries& series, SeriesRange range) {
      // The output has no p-value column.
      return farrington_range(series, range, ff, FarringtonPValues::kSkipped);
    });
  }
  if (method == "glrnb") {
    auto parsed = parse_glrnb_params(params);
    if (!parsed) return parsed.error();
    return Evaluator([glr = parsed.value()](const CountSeries& series, SeriesRange range) {
      return glrnb_range(series, range, glr);
    });
  }
  if (method == "cusum") {
    auto parsed = parse_cusum_params(params);
    if (!parsed) return parsed.error();
    return Evaluator([cusum = parsed.value()](const CountSeries& series, SeriesRange range) {
      return cusum_range(series, range, cusum);
    });
  }
  std::string known;
  for (const std::string_view name : series_method_names()) {
    known += (known.empty() ? "" : ", ") + std::string(name);
  }
  return make_error(ErrorKind::kInvalidArgument,
                    "unknown method '" + std::string(method) + "' (known: " + known + ")");
}

Error usage(std::string message) {
  return make_error(ErrorKind::kInvalidArgument, std::move(message));
}

Result<std::size_t> parse_index(std::string_view text) {
  std::size_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return usage("");
  }
  return value;
}

Result<SeriesRange> parse_range(std::string_view text) {
  const std::size_t colon = text.find(':');
  const Error bad = usage("--range '" + std::string(text) +
                          "' is not A:B with whole numbers 1 <= A <= B");
  if (colon == std::string_view::npos) return bad;
  auto first = parse_index(text.substr(0, colon));
  auto last = parse_index(text.substr(colon + 1));
  if (!first || !last || first.value() < 1 || first.value() > last.value()) return bad;
  return SeriesRange{first.value(), last.value()};
}

Result<MethodParams> parse_params(const std::vector<std::string>& assignments) {
  MethodParams params;
  for (const std::string& assignment : assignments) {
    const std::size_t equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0) {
      return usage("--param '" + assignment + "' is not NAME=VALUE");
    }
    const std::string name = assignment.substr(0, equals);
    if (!params.emplace(name, assignment.substr(equals + 1)).second) {
      return usage("--param " + name + " given more than once");
    }
  }
  return params;
}

int fail(std::ostream& err, int status, const std::string& message) {
  err << "vigil series: " << message << '\n';
  return status;
}

}  // namespace

const std::vector<std::string_view>& series_method_names() {
  static const std::vector<std::string_view> kNames = {"earsC1", "earsC2", "earsC3",
                                                       "farringtonFlexible", "glrnb", "cusum"};
  return kNames;
}

namespace {

int method_failure(std::ostream& err, const std::string& context, const Error& error) {
  const int status = error.kind == ErrorKind::kInvalidArgument ? kExitUsage : kExitRuntime;
  return fail(err, status, context + ": " + error.message);
}

int write_output(std::ostream& out, std::ostream& err, const std::string& text) {
  out << text;
  out.flush();
  if (!out) return fail(err, kExitRuntime, "cannot write the output");
  return kExitOk;
}

int run_single(const SeriesOptions& options, SeriesRange range, const Evaluator& evaluate,
               std::ostream& out, std::ostream& err) {
  auto series = read_series_csv(options.input_csv, options.freq);
  if (!series) return fail(err, kExitRuntime, series.error().message);
  if (range.last > series.value().size()) {
    return fail(err, kExitUsage,
                "--range " + options.range + " ends after the last time point " +
                    std::to_string(series.value().size()) + " of " + options.input_csv);
  }
  auto points = evaluate(series.value(), range);
  if (!points) return method_failure(err, options.method, points.error());
  // Buffer the output so a failure part-way never leaves a truncated table.
  std::ostringstream table;
  write_series_result(table, series.value(), range, points.value());
  return write_output(out, err, table.str());
}

int run_bulk(const SeriesOptions& options, SeriesRange range, const Evaluator& evaluate,
             std::ostream& out, std::ostream& err) {
  auto table = read_series_table(options.input_csv, options.freq);
  if (!table) return fail(err, kExitRuntime, table.error().message);
  const SeriesTable& columns = table.value();
  if (range.last > columns.size()) {
    return fail(err, kExitUsage,
                "--range " + options.range + " ends after the last time point " +
                    std::to_string(columns.size()) + " of " + options.input_csv);
  }
  std::ostringstream results;
  write_bulk_series_header(results);
  CountSeries series = columns.epochs;  // the epochs once; each column's counts in turn
  for (std::size_t s = 0; s < columns.series_count(); ++s) {
    series.observed.assign(columns.counts[s].begin(), columns.counts[s].end());
    auto points = evaluate(series, range);
    if (!points) {
      return method_failure(err, options.method + " on series '" + columns.names[s] + "'",
                            points.error());
    }
    write_bulk_series_rows(results, columns.names[s], series, range, points.value());
  }
  return write_output(out, err, results.str());
}

}  // namespace

int run_series(const SeriesOptions& options, std::ostream& out, std::ostream& err) {
  auto range = parse_range(options.range);
  if (!range) return fail(err, kExitUsage, range.error().message);
  if (options.freq < 1) {
    return fail(err, kExitUsage, "--freq " + std::to_string(options.freq) + " must be >= 1");
  }
  auto params = parse_params(options.params);
  if (!params) return fail(err, kExitUsage, params.error().message);
  auto evaluator = prepare_method(options.method, params.value());
  if (!evaluator) return fail(err, kExitUsage, evaluator.error().message);
  if (options.input_csv.empty()) return fail(err, kExitUsage, "--input is required");
  return options.bulk ? run_bulk(options, range.value(), evaluator.value(), out, err)
                      : run_single(options, range.value(), evaluator.value(), out, err);
}

}  // namespace vigil

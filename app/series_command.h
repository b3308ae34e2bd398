// The engine of `vigil series` (contract §3): one count-series detector over a
// CSV series, written as CSV. The CLI11 front end fills SeriesOptions.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

struct SeriesOptions {
  std::string method;               // --method: see series_method_names()
  std::string input_csv;            // --input: path of the series CSV
  std::string range;                // --range: "A:B", 1-based inclusive
  std::vector<std::string> params;  // --param, each NAME=VALUE (R control-list names)
  int freq = 52;                    // --freq: periods per year for undated series
};

// The methods run_series knows, in the order they are listed to the user.
const std::vector<std::string_view>& series_method_names();

// Runs the method over the range and writes `t,epoch,observed,upperbound,alarm`
// to `out` (see write_series_result). Nothing is written to `out` unless the
// whole range was evaluated. On failure writes one line
// "vigil series: <what is wrong>" to `err` and returns
//   2 for a usage error: unknown method (the message lists the known ones),
//     malformed --range, --param or --freq, an unknown or invalid parameter,
//     a range outside the series, or a range starting too early for the
//     method's history (R: "The vector of observed is too short!");
//   1 for a runtime failure: the input cannot be read or is not a valid series
//     CSV (the message names the line), or the method fails numerically.
// Returns 0 on success.
int run_series(const SeriesOptions& options, std::ostream& out, std::ostream& err);

}  // namespace vigil

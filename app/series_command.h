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
  bool bulk = false;                // --bulk: input is series/series_table.h's one column per series
};

// The methods run_series knows, in the order they are listed to the user.
const std::vector<std::string_view>& series_method_names();

// Runs the method over the range and writes `t,epoch,observed,upperbound,alarm`
// to `out` (see write_series_result). With `bulk` the input holds many series
// (series_table.h), each is evaluated over the same range exactly as the
// single form would evaluate it alone, and `out` gets
// `series,t,epoch,observed,upperbound,alarm` (write_bulk_series_rows), the
// series in column order. Nothing is written to `out` unless the
// whole range was evaluated. On failure writes one line
// "vigil series: <what is wrong>" to `err` and returns
//   2 for a usage error: unknown method (the message lists the known ones),
//     malformed --range, --param or --freq, an unknown or invalid parameter,
//     a range outside the series, or a range starting too early for the
//     method's history (R: "The vector of observed is too short!");
//   1 for a runtime failure: the input cannot be read or is not a valid series
//     CSV (the message names the line, and in bulk the column and series), or
//     the method fails numerically.
// In bulk, a method's failure on one series names it ("on series 'x'") and
// fails the whole call.
// Returns 0 on success.
int run_series(const SeriesOptions& options, std::ostream& out, std::ostream& err);

}  // namespace vigil

// The CSV forms of `vigil series` (contract §3): the input series
// `t,epoch,observed[,mu0]` and the output `t,epoch,observed,upperbound,alarm`.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "detectors/count_series.h"

namespace vigil {

// Parses an input series. The header names the columns `t`, `epoch`,
// `observed` and optionally `mu0`, in any order (fields may be double-quoted,
// as R's write.csv writes them). Every row must have: `t` = its 1-based row
// number; `observed` a finite count >= 0 (NA is rejected: no method here
// handles missing counts); `mu0` a finite number >= 0; `epoch` non-empty.
// When every epoch is an ISO date (strictly increasing) the series is dated
// (epoch_dates filled); when none is, it is indexed; a mix is an error.
// A UTF-8 byte-order mark and CRLF line ends are accepted. `freq` is stored
// unchecked. Errors are InvalidArgument with the 1-based line number, e.g.
// "line 7: observed 'x' is not a number".
Result<CountSeries> parse_series_csv(std::string_view text, int freq);

// Fills series.epoch_dates from series.epoch_labels when every label is an
// ISO date (strictly increasing); leaves it empty when none is. A mix, or
// dates out of order, is an InvalidArgument error naming the line, label i
// standing on line first_line + i.
Status date_series_epochs(CountSeries& series, std::size_t first_line);

// Reads `path` and parses it as parse_series_csv does; an Io error when the
// file cannot be read. Error messages start with the path.
Result<CountSeries> read_series_csv(const std::string& path, int freq);

// Writes the header `t,epoch,observed,upperbound,alarm` and one row per time
// point of the 1-based inclusive `range`, `points[i]` belonging to
// range.first + i. Numbers are printed as R prints them with 10 significant
// digits (`%.10g`: 4.653682951, 7, 1e+99), NaN upperbounds as `NA`, alarms as
// 0/1. Requires points.size() == range.last - range.first + 1.
void write_series_result(std::ostream& out, const CountSeries& series, SeriesRange range,
                         const std::vector<SeriesPoint>& points);

// The bulk form (see series_table.h): the header
// `series,t,epoch,observed,upperbound,alarm`, then for each series its rows as
// write_series_result writes them, each led by the series' name (quoted when
// it holds a comma or a quote).
void write_bulk_series_header(std::ostream& out);
void write_bulk_series_rows(std::ostream& out, const std::string& name, const CountSeries& series,
                            SeriesRange range, const std::vector<SeriesPoint>& points);

// `%.10g` of `value`, `NA` for NaN.
std::string format_series_number(double value);

}  // namespace vigil

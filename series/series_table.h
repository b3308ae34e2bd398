// The bulk input of `vigil series --bulk`: many count series over the same
// epochs in one CSV, one column per series, as R's `sts` holds them
// (observed(x) is a matrix with one column per unit).
//
//   epoch,north,south,"east, coast"
//   2024-01-01,12,3,0
//   2024-01-08,9,5,1
//
// The header names the columns. `epoch` (required) gives every row's period
// exactly as the single-series form does: all ISO dates (strictly increasing;
// farringtonFlexible then finds reference weeks by calendar) or all labels
// (an undated series, reference weeks by index with --freq). An optional `t`
// column must be the 1-based row number. Every other column is one series,
// its header its name (non-empty, unique), each row one period's count, a
// finite number >= 0 (NA is not supported, as in the single form). Columns
// may stand in any order. There is no per-series mu0: cusum's known means
// need the single-series form.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "detectors/count_series.h"

namespace vigil {

struct SeriesTable {
  std::vector<std::string> names;          // series names, in column order
  std::vector<std::vector<double>> counts;  // counts[s][t - 1]
  // The shared epochs: epoch_labels, epoch_dates and freq filled, observed
  // and mu0 empty: copy it once and assign each series' counts to observed.
  CountSeries epochs;

  std::size_t series_count() const { return names.size(); }
  std::size_t size() const { return epochs.epoch_labels.size(); }
};

// Parses a bulk CSV (fields may be double-quoted as R's write.csv writes
// them; a UTF-8 byte-order mark and CRLF line ends are accepted). Errors are
// InvalidArgument naming the line and, where one is at fault, the column
// (1-based) and series, e.g.
// "line 7, column 3: (series 'south') count 'x' is not a finite count >= 0".
Result<SeriesTable> parse_series_table(std::string_view text, int freq);

// Reads `path` and parses it as parse_series_table does; an Io error when the
// file cannot be read. Error messages start with the path.
Result<SeriesTable> read_series_table(const std::string& path, int freq);

}  // namespace vigil

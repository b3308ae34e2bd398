// The CSV lexing shared by the series readers (series_csv.h, series_table.h):
// lines and fields as R's write.csv writes them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil {

// The lines of `text` without their line ends: a UTF-8 byte-order mark is
// skipped, CRLF and LF accepted, trailing empty lines dropped.
std::vector<std::string_view> split_csv_lines(std::string_view text);

// Splits one CSV record. Fields may be double-quoted with "" for a quote
// inside; a record spanning lines is not supported (no field here needs one).
// InvalidArgument errors start "line N, column C: " (1-based).
Result<std::vector<std::string>> split_csv_record(std::string_view line, std::size_t line_number);

// "line N: what", InvalidArgument.
Error csv_line_error(std::size_t line, const std::string& what);

// "line N, column C: what" (C 1-based), InvalidArgument.
Error csv_cell_error(std::size_t line, std::size_t column, const std::string& what);

// The whole file at `path`, for the parsers; kIo errors start with the path.
Result<std::string> read_csv_file(const std::string& path);

// A finite decimal number, the whole text; nullopt otherwise.
std::optional<double> parse_csv_number(std::string_view text);

}  // namespace vigil

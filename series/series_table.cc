#include "series/series_table.h"

#include <optional>
#include <unordered_set>

#include "series/csv_record.h"
#include "series/series_csv.h"

namespace vigil {
namespace {

constexpr std::size_t kAbsent = static_cast<std::size_t>(-1);

// "line L, column C: [(series 'NAME') ]what", `column` 0-based.
Error cell_error(std::size_t line, std::size_t column, const std::string& series,
                 const std::string& what) {
  if (series.empty()) return csv_cell_error(line, column + 1, what);
  return csv_cell_error(line, column + 1, "(series '" + series + "') " + what);
}

struct Header {
  std::size_t t = kAbsent;
  std::size_t epoch = kAbsent;
  std::vector<std::size_t> series_columns;  // positions of the series, in order
};

Result<Header> read_header(const std::vector<std::string>& names, SeriesTable& table) {
  Header header;
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    if (name.empty()) return cell_error(1, i, "", "empty column name (every series needs one)");
    if (!seen.insert(name).second) {
      return cell_error(1, i, "", "column name '" + name + "' repeated");
    }
    if (name == "t") {
      header.t = i;
    } else if (name == "epoch") {
      header.epoch = i;
    } else {
      header.series_columns.push_back(i);
      table.names.push_back(name);
    }
  }
  if (header.epoch == kAbsent) {
    return csv_line_error(1, "missing column 'epoch' (header must be epoch,SERIES[,SERIES...])");
  }
  if (header.series_columns.empty()) {
    return csv_line_error(1, "no series columns (header must be epoch,SERIES[,SERIES...])");
  }
  return header;
}

}  // namespace

Result<SeriesTable> parse_series_table(std::string_view text, int freq) {
  const std::vector<std::string_view> lines = split_csv_lines(text);
  if (lines.empty()) return csv_line_error(1, "empty file, expected the header epoch,SERIES...");
  auto names = split_csv_record(lines[0], 1);
  if (!names) return names.error();
  SeriesTable table;
  auto header = read_header(names.value(), table);
  if (!header) return header.error();
  const Header& h = header.value();
  if (lines.size() < 2) return csv_line_error(1, "header only, the series have no rows");

  const std::size_t field_count = names.value().size();
  const std::size_t rows = lines.size() - 1;
  table.epochs.freq = freq;
  table.epochs.epoch_labels.reserve(rows);
  table.counts.assign(table.names.size(), std::vector<double>());
  for (auto& column : table.counts) column.reserve(rows);
  for (std::size_t row = 1; row <= rows; ++row) {
    const std::size_t line_number = row + 1;
    auto record = split_csv_record(lines[row], line_number);
    if (!record) return record.error();
    const auto& fields = record.value();
    if (fields.size() != field_count) {
      return csv_line_error(line_number, std::to_string(fields.size()) +
                                             " fields, the header has " +
                                             std::to_string(field_count));
    }
    if (h.t != kAbsent) {
      const auto t = parse_csv_number(fields[h.t]);
      if (!t || *t != static_cast<double>(row)) {
        return cell_error(line_number, h.t, "",
                          "t is '" + fields[h.t] + "', expected " + std::to_string(row) +
                              " (t must be the 1-based row index)");
      }
    }
    if (fields[h.epoch].empty()) return cell_error(line_number, h.epoch, "", "epoch is empty");
    table.epochs.epoch_labels.push_back(fields[h.epoch]);
    for (std::size_t s = 0; s < h.series_columns.size(); ++s) {
      const std::size_t column = h.series_columns[s];
      const auto count = parse_csv_number(fields[column]);
      if (!count || *count < 0) {
        return cell_error(line_number, column, table.names[s],
                          "count '" + fields[column] +
                              "' is not a finite count >= 0 (NA is not supported)");
      }
      table.counts[s].push_back(*count);
    }
  }
  if (Status epochs = date_series_epochs(table.epochs, 2); !epochs.is_ok()) {
    return epochs.error();
  }
  return table;
}

Result<SeriesTable> read_series_table(const std::string& path, int freq) {
  auto content = read_csv_file(path);
  if (!content) return content.error();
  auto table = parse_series_table(content.value(), freq);
  if (!table) return make_error(table.error().kind, path + ": " + table.error().message);
  return table;
}

}  // namespace vigil

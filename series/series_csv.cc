#include "series/series_csv.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <optional>

#include "core/check.h"
#include "series/csv_record.h"

namespace vigil {
namespace {

Error line_error(std::size_t line, const std::string& what) { return csv_line_error(line, what); }

Result<std::vector<std::string>> split_record(std::string_view line, std::size_t line_number) {
  return split_csv_record(line, line_number);
}

std::optional<double> parse_number(std::string_view text) { return parse_csv_number(text); }

enum Column : std::size_t { kT = 0, kEpoch, kObserved, kMu0, kColumnCount };
constexpr std::array<std::string_view, kColumnCount> kColumnNames = {"t", "epoch", "observed",
                                                                     "mu0"};
constexpr std::size_t kAbsent = static_cast<std::size_t>(-1);

// Maps each known column to its position in the header.
Result<std::array<std::size_t, kColumnCount>> read_header(const std::vector<std::string>& names) {
  std::array<std::size_t, kColumnCount> position;
  position.fill(kAbsent);
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::size_t column = kColumnCount;
    for (std::size_t c = 0; c < kColumnCount; ++c) {
      if (names[i] == kColumnNames[c]) column = c;
    }
    if (column == kColumnCount) {
      return line_error(1, "unknown column '" + names[i] +
                               "' (expected t, epoch, observed and optionally mu0)");
    }
    if (position[column] != kAbsent) return line_error(1, "column '" + names[i] + "' repeated");
    position[column] = i;
  }
  for (const Column required : {kT, kEpoch, kObserved}) {
    if (position[required] == kAbsent) {
      return line_error(1, "missing column '" + std::string(kColumnNames[required]) +
                               "' (header must be t,epoch,observed[,mu0])");
    }
  }
  return position;
}

}  // namespace

Status date_series_epochs(CountSeries& series, std::size_t first_line) {
  series.epoch_dates.clear();
  if (series.epoch_labels.empty()) return Status::ok();
  const bool dated = parse_date(series.epoch_labels.front()).has_value();
  const std::string first = "line " + std::to_string(first_line);
  std::optional<Date> previous;
  for (std::size_t i = 0; i < series.epoch_labels.size(); ++i) {
    const std::size_t line_number = first_line + i;
    const std::string& label = series.epoch_labels[i];
    const std::optional<Date> date = parse_date(label);
    if (date.has_value() != dated) {
      const std::string what = dated ? "is not an ISO date (YYYY-MM-DD) but " + first + "'s is"
                                     : "is an ISO date but " + first + "'s is not";
      series.epoch_dates.clear();
      return line_error(line_number, "epoch '" + label + "' " + what +
                                         "; epochs must be all dates or all labels");
    }
    if (!dated) continue;
    if (previous && !(*previous < *date)) {
      series.epoch_dates.clear();
      return line_error(line_number, "epoch " + label + " is not after the previous epoch");
    }
    previous = date;
    series.epoch_dates.push_back(*date);
  }
  return Status::ok();
}

Result<CountSeries> parse_series_csv(std::string_view text, int freq) {
  const std::vector<std::string_view> lines = split_csv_lines(text);
  if (lines.empty()) return line_error(1, "empty file, expected the header t,epoch,observed");

  auto header = split_record(lines[0], 1);
  if (!header) return header.error();
  auto columns = read_header(header.value());
  if (!columns) return columns.error();
  const auto& position = columns.value();
  const std::size_t field_count = header.value().size();
  if (lines.size() < 2) return line_error(1, "header only, the series has no rows");

  CountSeries series;
  series.freq = freq;
  for (std::size_t row = 1; row < lines.size(); ++row) {
    const std::size_t line_number = row + 1;
    auto record = split_record(lines[row], line_number);
    if (!record) return record.error();
    const auto& fields = record.value();
    if (fields.size() != field_count) {
      return line_error(line_number, std::to_string(fields.size()) + " fields, the header has " +
                                         std::to_string(field_count));
    }
    const std::string& t_text = fields[position[kT]];
    const auto t = parse_number(t_text);
    if (!t || *t != static_cast<double>(row)) {
      return line_error(line_number, "t is '" + t_text + "', expected " + std::to_string(row) +
                                         " (t must be the 1-based row index)");
    }
    const std::string& epoch = fields[position[kEpoch]];
    if (epoch.empty()) return line_error(line_number, "epoch is empty");
    const std::string& observed_text = fields[position[kObserved]];
    const auto observed = parse_number(observed_text);
    if (!observed || *observed < 0) {
      return line_error(line_number, "observed '" + observed_text +
                                         "' is not a finite count >= 0 (NA is not supported)");
    }
    if (position[kMu0] != kAbsent) {
      const std::string& mu0_text = fields[position[kMu0]];
      const auto mu0 = parse_number(mu0_text);
      if (!mu0 || *mu0 < 0) {
        return line_error(line_number, "mu0 '" + mu0_text + "' is not a finite number >= 0");
      }
      series.mu0.push_back(*mu0);
    }
    series.observed.push_back(*observed);
    series.epoch_labels.push_back(epoch);
  }
  if (Status epochs = date_series_epochs(series, 2); !epochs.is_ok()) return epochs.error();
  return series;
}

Result<CountSeries> read_series_csv(const std::string& path, int freq) {
  auto content = read_csv_file(path);
  if (!content) return content.error();
  auto series = parse_series_csv(content.value(), freq);
  if (!series) return make_error(series.error().kind, path + ": " + series.error().message);
  return series;
}

std::string format_series_number(double value) {
  if (std::isnan(value)) return "NA";
  std::array<char, 32> buffer;
  const int n = std::snprintf(buffer.data(), buffer.size(), "%.10g", value);
  return std::string(buffer.data(), static_cast<std::size_t>(n));
}

namespace {

// `field` as a CSV field: quoted when it holds a comma or a quote.
std::string csv_field(const std::string& field) {
  if (field.find_first_of(",\"") == std::string::npos) return field;
  std::string quoted = "\"";
  for (const char c : field) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + '"';
}

// The rows of write_series_result, each prefixed with `prefix` (empty or a
// field and its comma).
void write_rows(std::ostream& out, const std::string& prefix, const CountSeries& series,
                SeriesRange range, const std::vector<SeriesPoint>& points) {
  VIGIL_CHECK(range.first >= 1 && range.last <= series.size() &&
                  points.size() == range.last - range.first + 1,
              "write_series_result: points do not match the range");
  for (std::size_t t = range.first; t <= range.last; ++t) {
    const SeriesPoint& point = points[t - range.first];
    out << prefix << t << ',' << csv_field(series.epoch_labels[t - 1]) << ','
        << format_series_number(series.observed[t - 1]) << ','
        << format_series_number(point.upperbound) << ',' << (point.alarm ? 1 : 0) << '\n';
  }
}

}  // namespace

void write_series_result(std::ostream& out, const CountSeries& series, SeriesRange range,
                         const std::vector<SeriesPoint>& points) {
  out << "t,epoch,observed,upperbound,alarm\n";
  write_rows(out, "", series, range, points);
}

void write_bulk_series_header(std::ostream& out) {
  out << "series,t,epoch,observed,upperbound,alarm\n";
}

void write_bulk_series_rows(std::ostream& out, const std::string& name, const CountSeries& series,
                            SeriesRange range, const std::vector<SeriesPoint>& points) {
  write_rows(out, csv_field(name) + ',', series, range, points);
}

}  // namespace vigil

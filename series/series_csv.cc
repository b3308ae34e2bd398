#include "series/series_csv.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/check.h"

namespace vigil {
namespace {

Error line_error(std::size_t line, const std::string& what) {
  return make_error(ErrorKind::kInvalidArgument, "line " + std::to_string(line) + ": " + what);
}

// Splits one CSV record. Fields may be double-quoted with "" for a quote
// inside; a record spanning lines is not supported (no field here needs one).
Result<std::vector<std::string>> split_record(std::string_view line, std::size_t line_number) {
  std::vector<std::string> fields;
  std::string field;
  std::size_t i = 0;
  while (true) {
    field.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) return line_error(line_number, "unterminated quoted field");
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      if (i < line.size() && line[i] != ',') {
        return line_error(line_number, "text after a closing quote");
      }
    } else {
      while (i < line.size() && line[i] != ',') field += line[i++];
    }
    fields.push_back(field);
    if (i >= line.size()) break;
    ++i;  // the comma
  }
  return fields;
}

std::optional<double> parse_number(std::string_view text) {
  auto parsed = parse_param_double("", text);
  if (!parsed) return std::nullopt;
  return parsed.value();
}

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

Result<CountSeries> parse_series_csv(std::string_view text, int freq) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
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
  std::vector<std::optional<Date>> dates;
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
    dates.push_back(parse_date(epoch));
  }

  const bool dated = dates.front().has_value();
  for (std::size_t i = 0; i < dates.size(); ++i) {
    const std::size_t line_number = i + 2;
    if (dates[i].has_value() != dated) {
      const std::string what = dated ? "is not an ISO date (YYYY-MM-DD) but line 2's is"
                                     : "is an ISO date but line 2's is not";
      return line_error(line_number, "epoch '" + series.epoch_labels[i] + "' " + what +
                                         "; epochs must be all dates or all labels");
    }
    if (dated) {
      if (i > 0 && !(*dates[i - 1] < *dates[i])) {
        return line_error(line_number, "epoch " + series.epoch_labels[i] +
                                           " is not after the previous epoch");
      }
      series.epoch_dates.push_back(*dates[i]);
    }
  }
  return series;
}

Result<CountSeries> read_series_csv(const std::string& path, int freq) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorKind::kIo, path + ": cannot open for reading");
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return make_error(ErrorKind::kIo, path + ": read failed");
  auto series = parse_series_csv(content.str(), freq);
  if (!series) return make_error(series.error().kind, path + ": " + series.error().message);
  return series;
}

std::string format_series_number(double value) {
  if (std::isnan(value)) return "NA";
  std::array<char, 32> buffer;
  const int n = std::snprintf(buffer.data(), buffer.size(), "%.10g", value);
  return std::string(buffer.data(), static_cast<std::size_t>(n));
}

void write_series_result(std::ostream& out, const CountSeries& series, SeriesRange range,
                         const std::vector<SeriesPoint>& points) {
  VIGIL_CHECK(range.first >= 1 && range.last <= series.size() &&
                  points.size() == range.last - range.first + 1,
              "write_series_result: points do not match the range");
  out << "t,epoch,observed,upperbound,alarm\n";
  for (std::size_t t = range.first; t <= range.last; ++t) {
    const SeriesPoint& point = points[t - range.first];
    const std::string& label = series.epoch_labels[t - 1];
    std::string epoch;
    if (label.find_first_of(",\"") == std::string::npos) {
      epoch = label;
    } else {
      epoch = "\"";
      for (const char c : label) epoch += c == '"' ? std::string("\"\"") : std::string(1, c);
      epoch += '"';
    }
    out << t << ',' << epoch << ',' << format_series_number(series.observed[t - 1]) << ','
        << format_series_number(point.upperbound) << ',' << (point.alarm ? 1 : 0) << '\n';
  }
}

}  // namespace vigil

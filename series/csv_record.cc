#include "series/csv_record.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <optional>

namespace vigil {

std::vector<std::string_view> split_csv_lines(std::string_view text) {
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
  return lines;
}

Error csv_line_error(std::size_t line, const std::string& what) {
  return make_error(ErrorKind::kInvalidArgument, "line " + std::to_string(line) + ": " + what);
}

Error csv_cell_error(std::size_t line, std::size_t column, const std::string& what) {
  return make_error(ErrorKind::kInvalidArgument, "line " + std::to_string(line) + ", column " +
                                                     std::to_string(column) + ": " + what);
}

Result<std::vector<std::string>> split_csv_record(std::string_view line,
                                                  std::size_t line_number) {
  std::vector<std::string> fields;
  std::string field;
  std::size_t i = 0;
  while (true) {
    field.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) {
          return csv_cell_error(line_number, fields.size() + 1, "unterminated quoted field");
        }
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
        return csv_cell_error(line_number, fields.size() + 1, "text after a closing quote");
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

std::optional<double> parse_csv_number(std::string_view text) {
  double out = 0;
  const char* const end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(out)) {
    return std::nullopt;
  }
  return out;
}

Result<std::string> read_csv_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorKind::kIo, path + ": cannot open for reading");
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error(ErrorKind::kIo, path + ": read failed");
  return content;
}

}  // namespace vigil

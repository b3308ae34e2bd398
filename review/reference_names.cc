#include "review/reference_names.h"

#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

namespace vigil {
namespace {

struct CsvRecord {
  size_t line = 0;  // where the record starts, from 1
  std::vector<std::string> fields;
};

Error csv_error(const std::string& path, size_t line, const std::string& what) {
  return make_error(ErrorKind::kInvalidArgument, path + ":" + std::to_string(line) + ": " + what);
}

// RFC 4180: fields separated by commas, records by CRLF or LF; a field in
// double quotes may hold commas, line breaks and doubled quotes. Blank lines
// are skipped.
Result<std::vector<CsvRecord>> parse_csv(std::string_view text, const std::string& path) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a spreadsheet's BOM
  std::vector<CsvRecord> records;
  size_t line = 1;
  size_t i = 0;
  while (i < text.size()) {
    CsvRecord record{line, {}};
    std::string field;
    bool record_done = false;
    while (!record_done) {
      field.clear();
      if (i < text.size() && text[i] == '"') {
        const size_t quote_line = line;
        ++i;
        while (true) {
          if (i >= text.size()) return csv_error(path, quote_line, "quoted field is not closed");
          const char c = text[i++];
          if (c == '"') {
            if (i < text.size() && text[i] == '"') {
              field += '"';
              ++i;
            } else {
              break;
            }
          } else {
            if (c == '\n') ++line;
            field += c;
          }
        }
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          return csv_error(path, line, "text after a closing quote");
        }
      } else {
        while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          if (text[i] == '"') return csv_error(path, line, "quote inside an unquoted field");
          field += text[i++];
        }
      }
      record.fields.push_back(field);
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      if (i < text.size() && text[i] == '\r') ++i;
      if (i < text.size() && text[i] == '\n') ++i;
      ++line;
      record_done = true;
    }
    const bool blank = record.fields.size() == 1 && record.fields[0].empty();
    if (!blank) records.push_back(std::move(record));
  }
  return records;
}

bool same_word(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Status ReferenceNames::load_csv(std::string_view dimension, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorKind::kIo, "cannot read reference table " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return make_error(ErrorKind::kIo, "cannot read reference table " + path);
  auto records = parse_csv(buffer.str(), path);
  if (!records) return records.error();
  const std::vector<CsvRecord>& rows = records.value();
  if (rows.empty()) return csv_error(path, 1, "no header line (expected columns code,name)");

  size_t code_column = rows[0].fields.size();
  size_t name_column = rows[0].fields.size();
  for (size_t c = 0; c < rows[0].fields.size(); ++c) {
    const std::string_view column = trimmed(rows[0].fields[c]);
    if (same_word(column, "code") && code_column == rows[0].fields.size()) code_column = c;
    if (same_word(column, "name") && name_column == rows[0].fields.size()) name_column = c;
  }
  if (code_column == rows[0].fields.size() || name_column == rows[0].fields.size()) {
    return csv_error(path, rows[0].line, "the header needs the columns code and name");
  }

  // Checked in full before anything is added, so a bad file changes nothing.
  std::vector<std::pair<std::string, std::string>> entries;
  for (size_t r = 1; r < rows.size(); ++r) {
    const CsvRecord& row = rows[r];
    if (row.fields.size() <= std::max(code_column, name_column)) {
      return csv_error(path, row.line,
                       "expected at least " +
                           std::to_string(std::max(code_column, name_column) + 1) +
                           " fields, found " + std::to_string(row.fields.size()));
    }
    const std::string_view code = trimmed(row.fields[code_column]);
    if (code.empty()) return csv_error(path, row.line, "empty code");
    const std::string_view name = trimmed(row.fields[name_column]);
    if (name.empty()) continue;  // the code stays a code
    entries.emplace_back(std::string(code), std::string(name));
  }
  for (auto& [code, name] : entries) add(dimension, std::move(code), std::move(name));
  return Status::ok();
}

void ReferenceNames::add(std::string_view dimension, std::string code, std::string name) {
  auto table = tables_.find(dimension);
  if (table == tables_.end()) table = tables_.emplace(std::string(dimension), Table{}).first;
  table->second.insert_or_assign(std::move(code), std::move(name));
}

std::optional<std::string_view> ReferenceNames::name(std::string_view dimension,
                                                     std::string_view code) const {
  const auto table = tables_.find(dimension);
  if (table == tables_.end()) return std::nullopt;
  const auto entry = table->second.find(code);
  if (entry == table->second.end()) return std::nullopt;
  return std::string_view(entry->second);
}

std::string ReferenceNames::label(std::string_view dimension, std::string_view code) const {
  const auto n = name(dimension, code);
  if (!n) return std::string(code);
  std::string out(*n);
  out += " (";
  out += code;
  out += ')';
  return out;
}

uint64_t ReferenceNames::fingerprint() const {
  uint64_t h = 14695981039346656037ull;  // FNV-1a
  const auto mix = [&h](std::string_view s) {
    for (const char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ull;
    }
    h ^= 0xff;  // a separator no UTF-8 text contains
    h *= 1099511628211ull;
  };
  for (const auto& [dimension, table] : tables_) {
    mix(dimension);
    for (const auto& [code, name] : table) {
      mix(code);
      mix(name);
    }
  }
  return h;
}

}  // namespace vigil

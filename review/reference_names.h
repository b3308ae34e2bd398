// Names beside codes: organisation and region names for ODS codes, medicine
// names for dm+d codes, device names, category names. A deployment names
// CSV files in its configuration (review.reference_tables); the repository
// ships small samples (config/reference/), and the demo fills the tables
// from its synthetic catalogue. A code without a name stays a code.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace vigil {

class ReferenceNames {
 public:
  // Adds one table: `dimension` is a signal key dimension ("org", "region",
  // "icb", "medication", "device", "category", ...). The CSV has a header
  // line with columns `code,name` (more columns are ignored) and RFC 4180
  // quoting. Later tables override earlier names for the same code.
  // Errors: kIo naming the file; kInvalidArgument naming file and line for
  // a malformed row or a header without code and name.
  Status load_csv(std::string_view dimension, const std::string& path);
  void add(std::string_view dimension, std::string code, std::string name);

  // The name of `code` in `dimension`, if any.
  std::optional<std::string_view> name(std::string_view dimension, std::string_view code) const;
  // "name (code)" or just the code.
  std::string label(std::string_view dimension, std::string_view code) const;

  // A hash of every table's codes and names: equal for equal contents. The
  // store keeps it beside its search text, to rebuild that text when the
  // names change between runs.
  uint64_t fingerprint() const;

 private:
  using Table = std::map<std::string, std::string, std::less<>>;  // code -> name
  std::map<std::string, Table, std::less<>> tables_;
};

}  // namespace vigil

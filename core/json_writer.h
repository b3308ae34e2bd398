// A minimal streaming JSON writer whose output is byte-stable: the same calls
// always give the same bytes, on every machine and in every locale. Signals
// are deduplicated by consumers and compared in tests byte for byte, so the
// writer makes every formatting choice itself instead of leaving any to a
// library or to the C locale.
//
// Output is compact (no whitespace). Fields appear in the order they are
// written; the writer never reorders, deduplicates or validates keys.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil {

// Appends `text` to `out` as a quoted JSON string. `"` and `\` are escaped,
// every control character below U+0020 becomes `\u00xx` (lowercase hex), and
// everything else, including non-ASCII UTF-8, is passed through unchanged.
// Bytes that are not well-formed UTF-8 (stray continuation bytes, overlong
// forms, surrogates, truncated sequences) are each replaced by U+FFFD, so
// the result is always valid JSON.
void append_json_string(std::string& out, std::string_view text);

// Appends a double as a JSON number: the shortest decimal form that reads
// back to the same double (std::to_chars), or `null` for NaN and infinities,
// which JSON cannot represent.
void append_json_double(std::string& out, double value);

// Builds one JSON value by a sequence of calls, e.g.
//   JsonWriter w;
//   w.begin_object().key("a").int_value(1).end_object();
//   w.str() == R"({"a":1})"
// Value methods have distinct names (not overloads of one `value`) so a
// string literal can never silently bind to a bool or an integer overload.
// Misuse (a key outside an object, an unbalanced end) stops the process:
// it is a programming error that would emit corrupt signals.
class JsonWriter {
 public:
  JsonWriter() = default;

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();

  // Writes a member name; the next call must write its value.
  JsonWriter& key(std::string_view name);

  JsonWriter& string_value(std::string_view text);
  JsonWriter& int_value(int64_t number);
  JsonWriter& double_value(double number);  // NaN and infinities as null
  JsonWriter& bool_value(bool flag);
  JsonWriter& null_value();

  // The text written so far; a complete JSON value once every container
  // has been closed.
  const std::string& str() const { return out_; }
  std::string take() && { return std::move(out_); }

 private:
  enum class Container : uint8_t { kObject, kArray };
  struct Level {
    Container container;
    bool empty;
  };

  // Writes the separator a new value needs in the current container.
  void before_value();
  JsonWriter& begin(Container container, char bracket);
  JsonWriter& end(Container container, char bracket);

  std::string out_;
  std::vector<Level> levels_;
  bool after_key_ = false;
};

}  // namespace vigil

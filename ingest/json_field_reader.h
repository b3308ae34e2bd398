// Strict, validating reads of JSON values through simdjson On-Demand, for the
// event decoder.
//
// On-Demand checks a value only when it is read, so every method here reads
// (or, for values nobody wants, walks with consume()) each value completely:
// after a document has been read this way, every byte of it has been checked.
//
// Two kinds of failure are kept apart. Malformed JSON is returned as a
// simdjson error_code, and the caller must stop reading the document at once.
// A broken field rule is recorded with reject() into a DecodeFailure (the
// first one wins) and reading carries on, so that JSON that is malformed later
// in the document is still found: malformed JSON outranks any rule failure.
//
// Compiled once per simdjson kernel (json_kernel.h): include it only from a
// kernel body, after defining VIGIL_JSON_KERNEL; everything here lives in
// namespace vigil::VIGIL_JSON_KERNEL.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "ingest/event_decoder.h"
#include "ingest/invalid_reason.h"
#include "ingest/json_kernel.h"

namespace vigil::VIGIL_JSON_KERNEL {

// Where a value sits in the event, for failure details: the decoder's own
// field names and array positions, never text from the message.
struct FieldPath {
  std::string_view parent;  // the enclosing known field; empty at top level
  int64_t index = -1;       // position within the parent array, or -1
  std::string_view field;   // the field's name; empty for an array element
};

// What reading a typed value found.
enum class Found : uint8_t {
  kValue,     // a value of the expected type
  kNull,      // JSON null: the field counts as absent
  kRejected,  // a failure was recorded and the value consumed
};

// A short phrase for a simdjson error, e.g. "invalid UTF-8", for details.
std::string_view describe_json_error(simdjson::error_code error);

// Context named in a kNotJson detail when the error was inside an unknown
// top-level field (whose name, being message text, is never repeated).
inline constexpr std::string_view kUnknownFieldContext = "unknown field";

class JsonFieldReader {
 public:
  using error_code = simdjson::error_code;
  using Value = simdjson::ondemand::value;
  using Object = simdjson::ondemand::object;

  // Failures are recorded into `failure`, which must outlive the reader.
  explicit JsonFieldReader(DecodeFailure& failure) : failure_(failure) {}

  // Records a rule failure "<path>: <what>" unless one is recorded already.
  void reject(InvalidReason reason, const FieldPath& path, std::string_view what);
  bool rejected() const { return rejected_; }

  // The top-level field being read when a JSON error struck: its name, or
  // kUnknownFieldContext; empty when the error was between fields.
  std::string_view context() const { return context_; }

  // Checks any value for well-formedness, recursively. `depth` is the nesting
  // level the value would have as an array or object (the document's outer
  // object being 1); deeper than kMaxNestingDepth is simdjson::DEPTH_ERROR.
  error_code consume(Value& value, int depth);

  // Checks that `value` has JSON type `want`: kValue if so, kNull for null,
  // otherwise records kWrongType ("<path>: <what>") and consumes the value.
  error_code expect_type(Value& value, simdjson::ondemand::json_type want, const FieldPath& path,
                         int depth, std::string_view what, Found& found);

  // Reads a string (unescaped; a view into the parser, valid until the next
  // document), a boolean, or an integer written without fraction or
  // exponent (1.5 and 1e3 are kWrongType; `out` is nullopt when it does not
  // fit in int64). Null gives kNull, another type kWrongType.
  error_code read_string(Value& value, const FieldPath& path, int depth, std::string_view& out,
                         Found& found);
  error_code read_bool(Value& value, const FieldPath& path, int depth, bool& out, Found& found);
  error_code read_integer(Value& value, const FieldPath& path, int depth,
                          std::optional<int64_t>& out, Found& found);

  // Reads an object that must be present: null is kWrongType too. `ok` tells
  // whether `object` was set.
  error_code read_required_object(Value& value, const FieldPath& path, int depth, Object& object,
                                  bool& ok);

  // A string that must satisfy `rule`, else kBadValue with `rule_text`.
  template <typename Rule>
  error_code read_checked(Value& value, const FieldPath& path, int depth, Rule rule,
                          std::string_view rule_text, std::string_view& out, Found& found);

  // A string naming a value of `Enum`, else kBadValue with `rule_text`.
  template <typename Enum>
  error_code read_enum(Value& value, const FieldPath& path, int depth,
                       std::optional<Enum> (*parse)(std::string_view), std::string_view rule_text,
                       Enum& out, Found& found);

  // An array (or null) whose elements go in order to
  // `element(Value&, const FieldPath& element_path, int element_depth)`, which
  // returns an error_code. Once a failure is recorded the remaining elements
  // are only consumed.
  template <typename Element>
  error_code read_elements(Value& value, const FieldPath& path, int depth, Found& found,
                           Element&& element);

  // Reads every member of `object`, which sits at nesting level `depth`.
  // Members named in `names` go to
  // `handle(size_t index, Value&, const FieldPath&, int value_depth, Found&)`;
  // unknown members are consumed; a known name given twice is kBadValue
  // "duplicate field". Sets bit `index` of `present` for each member that
  // `handle` reported kValue for. After a failure is recorded, members are
  // only consumed.
  template <size_t N, typename Handler>
  error_code read_fields(Object& object, const std::array<std::string_view, N>& names,
                         std::string_view parent, int64_t index, int depth, uint32_t& present,
                         Handler&& handle);

  // Records kMissingField "<parent>[index].<name>: missing or null" for the
  // first field whose bit is in `required` but not in `present`; returns
  // whether none was missing.
  template <size_t N>
  bool require(uint32_t present, uint32_t required, const std::array<std::string_view, N>& names,
               std::string_view parent, int64_t index);

 private:
  // The index of `key` in `names`, or N. Producers usually write fields in
  // the contract's order, so the search starts at `hint`, the field after
  // the one found before, and wraps around.
  template <size_t N>
  static size_t find_field(const std::array<std::string_view, N>& names, std::string_view key,
                           size_t hint);

  DecodeFailure& failure_;
  bool rejected_ = false;
  std::string_view context_;
};

template <typename Rule>
simdjson::error_code JsonFieldReader::read_checked(Value& value, const FieldPath& path, int depth,
                                                   Rule rule, std::string_view rule_text,
                                                   std::string_view& out, Found& found) {
  std::string_view text;
  if (const error_code e = read_string(value, path, depth, text, found);
      e || found != Found::kValue) {
    return e;
  }
  if (!rule(text)) {
    found = Found::kRejected;
    reject(InvalidReason::kBadValue, path, rule_text);
    return simdjson::SUCCESS;
  }
  out = text;
  return simdjson::SUCCESS;
}

template <typename Enum>
simdjson::error_code JsonFieldReader::read_enum(Value& value, const FieldPath& path, int depth,
                                                std::optional<Enum> (*parse)(std::string_view),
                                                std::string_view rule_text, Enum& out,
                                                Found& found) {
  std::string_view text;
  if (const error_code e = read_string(value, path, depth, text, found);
      e || found != Found::kValue) {
    return e;
  }
  const std::optional<Enum> parsed = parse(text);
  if (!parsed) {
    found = Found::kRejected;
    reject(InvalidReason::kBadValue, path, rule_text);
    return simdjson::SUCCESS;
  }
  out = *parsed;
  return simdjson::SUCCESS;
}

template <typename Element>
simdjson::error_code JsonFieldReader::read_elements(Value& value, const FieldPath& path, int depth,
                                                    Found& found, Element&& element) {
  if (const error_code e = expect_type(value, simdjson::ondemand::json_type::array, path, depth,
                                       "must be an array", found);
      e || found != Found::kValue) {
    return e;
  }
  simdjson::ondemand::array array;
  if (const error_code e = value.get_array().get(array)) return e;
  int64_t index = 0;
  for (auto item : array) {
    Value item_value;
    if (const error_code e = item.get(item_value)) return e;
    const error_code e = rejected_
                             ? consume(item_value, depth + 1)
                             : element(item_value, FieldPath{path.field, index, {}}, depth + 1);
    if (e) return e;
    ++index;
  }
  return simdjson::SUCCESS;
}

template <size_t N, typename Handler>
simdjson::error_code JsonFieldReader::read_fields(Object& object,
                                                  const std::array<std::string_view, N>& names,
                                                  std::string_view parent, int64_t index, int depth,
                                                  uint32_t& present, Handler&& handle) {
  static_assert(N <= 32, "presence masks are 32 bits");
  const bool top = depth == 1;
  uint32_t seen = 0;
  size_t next = 0;
  for (auto member : object) {
    // Keys are unescaped so that "\u006frg" is the field "org", as JSON says.
    std::string_view key;
    if (const error_code e = member.unescaped_key().get(key)) return e;
    Value value;
    if (const error_code e = member.value().get(value)) return e;
    const size_t f = find_field(names, key, next);
    error_code e = simdjson::SUCCESS;
    if (f == N) {
      if (top) context_ = kUnknownFieldContext;
      e = consume(value, depth + 1);
    } else {
      next = f + 1;
      if (top) context_ = names[f];
      const FieldPath path{parent, index, names[f]};
      const uint32_t mask = uint32_t{1} << f;
      if ((seen & mask) != 0) reject(InvalidReason::kBadValue, path, "duplicate field");
      seen |= mask;
      if (rejected_) {
        e = consume(value, depth + 1);
      } else {
        Found found = Found::kRejected;
        e = handle(f, value, path, depth + 1, found);
        if (found == Found::kValue) present |= mask;
      }
    }
    if (e) return e;
    if (top) context_ = {};
  }
  return simdjson::SUCCESS;
}

template <size_t N>
bool JsonFieldReader::require(uint32_t present, uint32_t required,
                              const std::array<std::string_view, N>& names, std::string_view parent,
                              int64_t index) {
  for (size_t f = 0; f < N; ++f) {
    const uint32_t mask = uint32_t{1} << f;
    if ((required & mask) != 0 && (present & mask) == 0) {
      reject(InvalidReason::kMissingField, {parent, index, names[f]}, "missing or null");
      return false;
    }
  }
  return true;
}

template <size_t N>
size_t JsonFieldReader::find_field(const std::array<std::string_view, N>& names,
                                   std::string_view key, size_t hint) {
  if (key.empty()) return N;
  for (size_t step = 0; step < N; ++step) {
    const size_t i = (hint + step) % N;
    const std::string_view name = names[i];
    if (name.size() == key.size() && name[0] == key[0] &&
        std::memcmp(name.data(), key.data(), key.size()) == 0) {
      return i;
    }
  }
  return N;
}

}  // namespace vigil::VIGIL_JSON_KERNEL

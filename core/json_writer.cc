#include "core/json_writer.h"

#include <charconv>
#include <cmath>

#include "core/check.h"

namespace vigil {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence starting at text[i] (2..4), or 0
// if the bytes there are not one. Follows the table of well-formed byte
// sequences in the Unicode standard (section 3.9), which excludes overlong
// forms, UTF-16 surrogates and code points above U+10FFFF.
size_t utf8_sequence_length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = byte(0);
  size_t length = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;  // no overlong forms
    if (lead == 0xED) second_max = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;  // no overlong forms
    if (lead == 0xF4) second_max = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (text.size() - i < length) return 0;
  if (byte(1) < second_min || byte(1) > second_max) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(k) < 0x80 || byte(k) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c < 0x20) {
        out += "\\u00";
        out += kHexDigits[c >> 4];
        out += kHexDigits[c & 0xF];
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    const size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      out += kReplacementCharacter;
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  out += '"';
}

void append_json_double(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  // Shortest round-trip form; to_chars ignores the locale, unlike printf.
  // Its output ("1e-06", "-0", "250") is always a valid JSON number.
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  VIGIL_CHECK(result.ec == std::errc(), "to_chars buffer too small for a double");
  out.append(buf, result.ptr);
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (levels_.empty()) {
    VIGIL_CHECK(out_.empty(), "JsonWriter: a second top-level value");
    return;
  }
  Level& level = levels_.back();
  VIGIL_CHECK(level.container == Container::kArray, "JsonWriter: object member without key");
  if (!level.empty) out_ += ',';
  level.empty = false;
}

JsonWriter& JsonWriter::begin_object() { return begin(Container::kObject, '{'); }
JsonWriter& JsonWriter::end_object() { return end(Container::kObject, '}'); }
JsonWriter& JsonWriter::begin_array() { return begin(Container::kArray, '['); }
JsonWriter& JsonWriter::end_array() { return end(Container::kArray, ']'); }

JsonWriter& JsonWriter::begin(Container container, char bracket) {
  before_value();
  out_ += bracket;
  levels_.push_back({container, true});
  return *this;
}

JsonWriter& JsonWriter::end(Container container, char bracket) {
  // A key waits for its value, so after_key_ also means an object is open.
  VIGIL_CHECK(!levels_.empty() && levels_.back().container == container && !after_key_,
              container == Container::kObject ? "JsonWriter: unbalanced end_object"
                                              : "JsonWriter: unbalanced end_array");
  levels_.pop_back();
  out_ += bracket;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  VIGIL_CHECK(!levels_.empty() && levels_.back().container == Container::kObject && !after_key_,
              "JsonWriter: key outside an object");
  Level& level = levels_.back();
  if (!level.empty) out_ += ',';
  level.empty = false;
  append_json_string(out_, name);
  out_ += ':';
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::string_value(std::string_view text) {
  before_value();
  append_json_string(out_, text);
  return *this;
}

JsonWriter& JsonWriter::int_value(int64_t number) {
  before_value();
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof buf, number);
  out_.append(buf, result.ptr);
  return *this;
}

JsonWriter& JsonWriter::double_value(double number) {
  before_value();
  append_json_double(out_, number);
  return *this;
}

JsonWriter& JsonWriter::bool_value(bool flag) {
  before_value();
  out_ += flag ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null_value() {
  before_value();
  out_ += "null";
  return *this;
}

}  // namespace vigil

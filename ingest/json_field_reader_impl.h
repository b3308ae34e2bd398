// JsonFieldReader's functions, compiled once per simdjson kernel by
// json_field_reader_<kernel>.cc (see json_kernel.h).
#pragma once

#include <charconv>

#include "ingest/field_rules.h"
#include "ingest/json_field_reader.h"

namespace vigil::VIGIL_JSON_KERNEL {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

void append_path(std::string& out, const FieldPath& path) {
  out.append(path.parent);
  if (path.index >= 0) {
    char digits[24];
    char* end = std::to_chars(digits, digits + sizeof digits, path.index).ptr;
    out += '[';
    out.append(digits, end);
    out += ']';
  }
  if (!path.field.empty()) {
    if (!out.empty()) out += '.';
    out.append(path.field);
  }
}

constexpr bool is_json_whitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

error_code consume_null(od::value& value) {
  bool is_null = false;
  if (const error_code e = value.is_null().get(is_null)) return e;
  return is_null ? SUCCESS : simdjson::N_ATOM_ERROR;
}

// Checks a number against the JSON grammar ourselves: simdjson 3.0 rejects
// valid JSON such as integers beyond 64 bits or 1e400, which an unknown field
// may carry, and would read 1.0 as a number we could not tell from 1.
error_code number_token(od::value& value, std::string_view& token, JsonNumberForm& form) {
  // The raw token runs up to the next token, so it may end in whitespace.
  token = value.raw_json_token();
  while (!token.empty() && is_json_whitespace(token.back())) token.remove_suffix(1);
  form = classify_json_number(token);
  return form == JsonNumberForm::kInvalid ? simdjson::NUMBER_ERROR : SUCCESS;
}

// A value whose type was right but whose text is not (a string with a bad
// escape, a malformed number): the error makes the message kNotJson, and
// `found` must no longer say kValue, since callers read `out` when it does.
error_code value_or_rejected(error_code error, Found& found) {
  if (error) found = Found::kRejected;
  return error;
}

}  // namespace

// A switch would need a default over a foreign enum of thirty values, so the
// few worth telling apart are tested in turn.
static_assert(kMaxNestingDepth == 64, "the DEPTH_ERROR phrase names the limit");
std::string_view describe_json_error(error_code error) {
  using namespace simdjson;
  if (error == UTF8_ERROR) return "invalid UTF-8";
  if (error == UNESCAPED_CHARS) return "unescaped control character in a string";
  if (error == UNCLOSED_STRING) return "unclosed string";
  if (error == STRING_ERROR) return "invalid string escape";
  if (error == NUMBER_ERROR) return "invalid number";
  if (error == EMPTY) return "empty message";
  if (error == DEPTH_ERROR) return "arrays and objects nested more than 64 levels deep";
  if (error == TRAILING_CONTENT) return "content after the JSON object";
  if (error == INCOMPLETE_ARRAY_OR_OBJECT) return "document ends inside an array or object";
  if (error == INCORRECT_TYPE || error == T_ATOM_ERROR || error == F_ATOM_ERROR ||
      error == N_ATOM_ERROR) {
    return "invalid literal";
  }
  return "invalid structure";
}

void JsonFieldReader::reject(InvalidReason reason, const FieldPath& path, std::string_view what) {
  if (rejected_) return;
  rejected_ = true;
  failure_.reason = reason;
  failure_.detail.clear();
  append_path(failure_.detail, path);
  failure_.detail += ": ";
  failure_.detail.append(what);
}

error_code JsonFieldReader::consume(od::value& value, int depth) {
  od::json_type type;
  if (const error_code e = value.type().get(type)) return e;
  switch (type) {
    case od::json_type::array: {
      if (depth > kMaxNestingDepth) return simdjson::DEPTH_ERROR;
      od::array array;
      if (const error_code e = value.get_array().get(array)) return e;
      for (auto item : array) {
        od::value element;
        if (const error_code e = item.get(element)) return e;
        if (const error_code e = consume(element, depth + 1)) return e;
      }
      return SUCCESS;
    }
    case od::json_type::object: {
      if (depth > kMaxNestingDepth) return simdjson::DEPTH_ERROR;
      od::object object;
      if (const error_code e = value.get_object().get(object)) return e;
      for (auto member : object) {
        std::string_view key;  // unescaped only to check its escapes
        if (const error_code e = member.unescaped_key().get(key)) return e;
        od::value member_value;
        if (const error_code e = member.value().get(member_value)) return e;
        if (const error_code e = consume(member_value, depth + 1)) return e;
      }
      return SUCCESS;
    }
    case od::json_type::number: {
      std::string_view token;
      JsonNumberForm form;
      return number_token(value, token, form);
    }
    case od::json_type::string: {
      std::string_view text;
      return value.get_string().get(text);
    }
    case od::json_type::boolean: {
      bool flag;
      return value.get_bool().get(flag);
    }
    case od::json_type::null: return consume_null(value);
  }
  return simdjson::TAPE_ERROR;
}

error_code JsonFieldReader::expect_type(od::value& value, od::json_type want, const FieldPath& path,
                                        int depth, std::string_view what, Found& found) {
  od::json_type type;
  if (const error_code e = value.type().get(type)) return e;
  if (type == want) {
    found = Found::kValue;
    return SUCCESS;
  }
  if (type == od::json_type::null) {
    found = Found::kNull;
    return consume_null(value);
  }
  found = Found::kRejected;
  reject(InvalidReason::kWrongType, path, what);
  return consume(value, depth);
}

error_code JsonFieldReader::read_string(od::value& value, const FieldPath& path, int depth,
                                        std::string_view& out, Found& found) {
  if (const error_code e =
          expect_type(value, od::json_type::string, path, depth, "must be a string", found);
      e || found != Found::kValue) {
    return e;
  }
  return value_or_rejected(value.get_string().get(out), found);
}

error_code JsonFieldReader::read_bool(od::value& value, const FieldPath& path, int depth, bool& out,
                                      Found& found) {
  if (const error_code e =
          expect_type(value, od::json_type::boolean, path, depth, "must be a boolean", found);
      e || found != Found::kValue) {
    return e;
  }
  return value_or_rejected(value.get_bool().get(out), found);
}

error_code JsonFieldReader::read_integer(od::value& value, const FieldPath& path, int depth,
                                         std::optional<int64_t>& out, Found& found) {
  if (const error_code e =
          expect_type(value, od::json_type::number, path, depth, "must be an integer", found);
      e || found != Found::kValue) {
    return e;
  }
  std::string_view token;
  JsonNumberForm form;
  if (const error_code e = number_token(value, token, form)) return value_or_rejected(e, found);
  if (form != JsonNumberForm::kInteger) {
    found = Found::kRejected;
    reject(InvalidReason::kWrongType, path, "must be an integer");
    return SUCCESS;
  }
  out = parse_json_integer(token);
  return SUCCESS;
}

error_code JsonFieldReader::read_required_object(od::value& value, const FieldPath& path, int depth,
                                                 od::object& object, bool& ok) {
  Found found = Found::kRejected;
  if (const error_code e =
          expect_type(value, od::json_type::object, path, depth, "must be an object", found)) {
    return e;
  }
  if (found == Found::kNull) reject(InvalidReason::kWrongType, path, "must be an object");
  ok = found == Found::kValue;
  return ok ? value.get_object().get(object) : SUCCESS;
}

}  // namespace vigil::VIGIL_JSON_KERNEL

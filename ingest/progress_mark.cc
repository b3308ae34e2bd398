#include "ingest/progress_mark.h"

#include <simdjson.h>

#include <cstdio>

#include "core/civil_date.h"

namespace vigil {
namespace {

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t skip_space(std::string_view s, size_t i) {
  while (i < s.size() && is_json_space(s[i])) ++i;
  return i;
}

std::optional<ProgressMark> fail(ProgressMarkError& error, InvalidReason reason, std::string detail) {
  error = ProgressMarkError{reason, "progress mark: " + std::move(detail)};
  return std::nullopt;
}

}  // namespace

bool looks_like_progress_mark(std::string_view value) {
  size_t i = skip_space(value, 0);
  if (i >= value.size() || value[i] != '{') return false;
  i = skip_space(value, i + 1);
  if (i >= value.size() || value[i] != '"') return false;
  return value.substr(i + 1).starts_with(kProgressMarkMember) &&
         value.substr(i + 1 + kProgressMarkMember.size()).starts_with('"');
}

std::optional<ProgressMark> read_progress_mark(std::string_view value, ProgressMarkError& error) {
  // Marks are rare (one every few seconds a partition): the DOM parser is
  // simple and fast enough, and checks the JSON whole.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(value.data(), value.size()).get(root) != simdjson::SUCCESS) {
    return fail(error, InvalidReason::kNotJson, "not a well-formed JSON object");
  }
  simdjson::dom::object outer;
  simdjson::dom::object mark;
  if (root.get(outer) != simdjson::SUCCESS || outer.size() != 1 ||
      outer[kProgressMarkMember].get(mark) != simdjson::SUCCESS) {
    return fail(error, InvalidReason::kWrongType,
                "must be an object with one member, vigil_progress_mark, an object");
  }
  std::string_view through;
  if (mark.size() != 1) {
    return fail(error, InvalidReason::kBadValue,
                "vigil_progress_mark must hold exactly one member, reported_through");
  }
  const auto member = mark["reported_through"];
  if (member.error() == simdjson::NO_SUCH_FIELD) {
    return fail(error, InvalidReason::kMissingField, "vigil_progress_mark.reported_through is missing");
  }
  if (member.get(through) != simdjson::SUCCESS) {
    return fail(error, InvalidReason::kWrongType, "vigil_progress_mark.reported_through must be a string");
  }
  const std::optional<Timestamp> t = parse_rfc3339(through);
  if (!t) {
    return fail(error, InvalidReason::kBadTimestamp,
                "vigil_progress_mark.reported_through is not an RFC 3339 date-time with a zone");
  }
  return ProgressMark{t->unix_seconds};
}

std::string progress_mark_message(int64_t unix_seconds) {
  const int64_t day = unix_seconds >= 0 ? unix_seconds / 86400 : (unix_seconds - 86399) / 86400;
  const int64_t second = unix_seconds - day * 86400;
  char clock[16];
  std::snprintf(clock, sizeof clock, "T%02d:%02d:%02dZ", static_cast<int>(second / 3600),
                static_cast<int>(second / 60 % 60), static_cast<int>(second % 60));
  std::string out = "{\"";
  out.append(kProgressMarkMember);
  out.append("\":{\"reported_through\":\"");
  append_date(out, Date{static_cast<int32_t>(day)});
  out.append(clock);
  out.append("\"}}");
  return out;
}

}  // namespace vigil

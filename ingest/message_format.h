// Which decoder reads a message (issue 13): Vigil's own event v1 JSON or an
// LFPSE FHIR R4 AdverseEvent (or Bundle of them). Kafka producers say which
// in the `content-type` header; a file's lines are either all one format or
// told apart one by one (`auto`).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil {

enum class MessageFormat : uint8_t {
  kEventV1,  // contract section 1 (ingest/event_decoder.h)
  kFhir,     // LFPSE FHIR AdverseEvent or Bundle (ingest/fhir_decoder.h)
};

// How the lines of a file are read: each line sniffed, or all one format.
enum class InputFormat : uint8_t { kAuto, kEventV1, kFhir };

// The media type a producer sets for Vigil's own events; `application/json`
// means the same.
inline constexpr std::string_view kEventV1ContentType = "application/vnd.vigil.incident-event.v1+json";
inline constexpr std::string_view kFhirContentType = "application/fhir+json";

// "event_v1" or "fhir": the configuration and command-line names.
std::string_view format_name(MessageFormat format);
// "auto", "event_v1" or "fhir".
std::string_view format_name(InputFormat format);

// The format a configuration or command-line name stands for; nullopt for
// anything else (callers report the name they were given).
std::optional<MessageFormat> parse_message_format(std::string_view name);
std::optional<InputFormat> parse_input_format(std::string_view name);

// The format a Kafka `content-type` header value announces: the media type
// (case-insensitive, parameters such as `; fhirVersion=4.0` and
// `; charset=UTF-8` ignored) `application/fhir+json` (also the older
// `application/json+fhir`) is FHIR; `application/json` and
// kEventV1ContentType are event v1; anything else, or no header, is
// `fallback` (the configured kafka.events_format).
MessageFormat format_of_content_type(std::optional<std::string_view> content_type,
                                     MessageFormat fallback);

// Sniffs one message: FHIR when it is a JSON object with a top-level member
// named exactly "resourceType" (unescaped), else event v1. Only the top
// level counts: "resourceType" inside a string (a description) or a nested
// object does not. A message that is not JSON is event v1, whose decoder
// reports it as not_json.
//
// Cost: one memchr-speed search for the name; only messages that contain it
// are walked, member by member, and the walk stops at the first top-level
// "resourceType" (FHIR writes it first). An event v1 line without the word
// costs a single pass at memory speed.
MessageFormat sniff_message_format(std::string_view message);

// The format of one line of a file read as `input`.
inline MessageFormat format_of_line(InputFormat input, std::string_view line) {
  switch (input) {
    case InputFormat::kEventV1: return MessageFormat::kEventV1;
    case InputFormat::kFhir: return MessageFormat::kFhir;
    case InputFormat::kAuto: break;
  }
  return sniff_message_format(line);
}

}  // namespace vigil

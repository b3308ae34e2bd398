#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "ingest/message_decoder.h"
#include "ingest/message_format.h"

using namespace vigil;

namespace {

bool fhir(std::string_view message) { return sniff_message_format(message) == MessageFormat::kFhir; }

MessageFormat of(std::optional<std::string_view> content_type,
                 MessageFormat fallback = MessageFormat::kEventV1) {
  return format_of_content_type(content_type, fallback);
}

constexpr std::string_view kEvent =
    R"({"id":"R1","reported_at":"2024-01-02T10:00:00Z","org":"RXX","record_type":"incident","category":"fall"})";

}  // namespace

BOOST_AUTO_TEST_SUITE(message_format_test)

BOOST_AUTO_TEST_CASE(names_of_the_formats) {
  BOOST_TEST((parse_message_format("event_v1") == MessageFormat::kEventV1));
  BOOST_TEST((parse_message_format("fhir") == MessageFormat::kFhir));
  BOOST_TEST(!parse_message_format("auto").has_value());
  BOOST_TEST(!parse_message_format("FHIR").has_value());
  BOOST_TEST(!parse_message_format("").has_value());
  BOOST_TEST((parse_input_format("auto") == InputFormat::kAuto));
  BOOST_TEST((parse_input_format("event_v1") == InputFormat::kEventV1));
  BOOST_TEST((parse_input_format("fhir") == InputFormat::kFhir));
  BOOST_TEST(!parse_input_format("json").has_value());
  for (const auto f : {MessageFormat::kEventV1, MessageFormat::kFhir}) {
    BOOST_TEST((parse_message_format(format_name(f)) == f));
  }
  for (const auto f : {InputFormat::kAuto, InputFormat::kEventV1, InputFormat::kFhir}) {
    BOOST_TEST((parse_input_format(format_name(f)) == f));
  }
}

BOOST_AUTO_TEST_CASE(content_type_header_chooses_the_decoder) {
  BOOST_TEST((of("application/fhir+json") == MessageFormat::kFhir));
  BOOST_TEST((of("application/fhir+json; fhirVersion=4.0") == MessageFormat::kFhir));
  BOOST_TEST((of("application/fhir+json;fhirVersion=4.0;charset=utf-8") == MessageFormat::kFhir));
  BOOST_TEST((of("  Application/FHIR+JSON ; charset=UTF-8") == MessageFormat::kFhir));
  BOOST_TEST((of("application/json+fhir") == MessageFormat::kFhir));  // the DSTU2 spelling
  // Event v1 even where FHIR is the default.
  BOOST_TEST((of("application/json", MessageFormat::kFhir) == MessageFormat::kEventV1));
  BOOST_TEST((of("application/json; charset=utf-8", MessageFormat::kFhir) == MessageFormat::kEventV1));
  BOOST_TEST((of(kEventV1ContentType, MessageFormat::kFhir) == MessageFormat::kEventV1));
  // Absent or unrecognised: the configured default.
  for (const auto fallback : {MessageFormat::kEventV1, MessageFormat::kFhir}) {
    BOOST_TEST((of(std::nullopt, fallback) == fallback));
    BOOST_TEST((of("", fallback) == fallback));
    BOOST_TEST((of("text/plain", fallback) == fallback));
    BOOST_TEST((of("application/fhir+xml", fallback) == fallback));
    BOOST_TEST((of("application/fhir+jsonx", fallback) == fallback));
    BOOST_TEST((of("application/cloudevents+json", fallback) == fallback));
  }
}

BOOST_AUTO_TEST_CASE(sniff_finds_a_top_level_resource_type) {
  BOOST_TEST(fhir(R"({"resourceType":"AdverseEvent","id":"x"})"));
  BOOST_TEST(fhir(R"({"resourceType":"Bundle","type":"collection","entry":[]})"));
  BOOST_TEST(fhir(" \t\r\n{ \"resourceType\" : \"AdverseEvent\" }"));
  // Not first: every member before it is skipped whole.
  BOOST_TEST(fhir(R"({"id":"a\"b\\","meta":{"versionId":"2","tag":[{"x":"}"}]},"n":-1.5e3,"t":true,"z":null,"resourceType":"AdverseEvent"})"));
  // Only the name decides; the value is the decoder's to judge.
  BOOST_TEST(fhir(R"({"resourceType":7})"));
  // Malformed after the name: still FHIR, so the FHIR decoder reports where.
  BOOST_TEST(fhir(R"({"resourceType":"AdverseEvent","date":)"));
}

BOOST_AUTO_TEST_CASE(sniff_is_not_fooled_by_the_word_elsewhere) {
  BOOST_TEST(!fhir(kEvent));
  // In a description (free text), in a nested object, in an array, as a value.
  BOOST_TEST(!fhir(R"({"id":"R1","description":"resourceType"})"));
  BOOST_TEST(!fhir(R"({"id":"R1","description":"\"resourceType\":\"AdverseEvent\""})"));
  BOOST_TEST(!fhir(R"({"description":"a \\\", \"resourceType\": \"Bundle\" {","id":"R1"})"));
  BOOST_TEST(!fhir(R"({"patient":{"resourceType":"Patient"},"id":"R1"})"));
  BOOST_TEST(!fhir(R"({"agents":[{"resourceType":"x"}, "resourceType"]})"));
  BOOST_TEST(!fhir(R"({"x":"resourceType"})"));
  // Near misses of the name.
  BOOST_TEST(!fhir(R"({"resourcetype":"AdverseEvent"})"));
  BOOST_TEST(!fhir(R"({"resourceTypes":"AdverseEvent"})"));
  BOOST_TEST(!fhir(R"({"_resourceType":"AdverseEvent"})"));
  // Not a JSON object: event v1, whose decoder says not_json.
  BOOST_TEST(!fhir(R"(["resourceType","AdverseEvent"])"));
  BOOST_TEST(!fhir(R"("resourceType")"));
  BOOST_TEST(!fhir("resourceType"));
  BOOST_TEST(!fhir(""));
  BOOST_TEST(!fhir("{"));
  BOOST_TEST(!fhir(R"({"description":"unterminated resourceType)"));
  BOOST_TEST(!fhir(R"({"a" "resourceType":1})"));
  BOOST_TEST(!fhir(R"({"a":{"b":1},,"resourceType":1})"));
  BOOST_TEST(!fhir(R"({"a":{"b":[1,2}})"));
}

BOOST_AUTO_TEST_CASE(format_of_line_sniffs_only_in_auto) {
  constexpr std::string_view resource = R"({"resourceType":"AdverseEvent"})";
  BOOST_TEST((format_of_line(InputFormat::kAuto, resource) == MessageFormat::kFhir));
  BOOST_TEST((format_of_line(InputFormat::kAuto, kEvent) == MessageFormat::kEventV1));
  BOOST_TEST((format_of_line(InputFormat::kEventV1, resource) == MessageFormat::kEventV1));
  BOOST_TEST((format_of_line(InputFormat::kFhir, kEvent) == MessageFormat::kFhir));
}

BOOST_AUTO_TEST_CASE(message_decoder_gives_one_event_for_event_v1) {
  MessageDecoder decoder;
  DecodeFailure failure;
  auto events = decoder.decode(kEvent, MessageFormat::kEventV1, failure);
  BOOST_REQUIRE(events.size() == 1u);
  BOOST_TEST(events[0].id == "R1");
  BOOST_TEST(events[0].category == "fall");
  events = decoder.decode("{not json", MessageFormat::kEventV1, failure);
  BOOST_TEST(events.empty());
  BOOST_TEST(reason_code(failure.reason) == "not_json");
  // A v1 event read as FHIR is refused (no resourceType), and v1 still works after.
  BOOST_TEST(decoder.decode(kEvent, MessageFormat::kFhir, failure).empty());
  BOOST_TEST(!failure.detail.empty());
  events = decoder.decode(kEvent, MessageFormat::kEventV1, failure);
  BOOST_REQUIRE(events.size() == 1u);
  BOOST_TEST(events[0].org == "RXX");
}

BOOST_AUTO_TEST_SUITE_END()

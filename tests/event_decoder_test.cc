#include "ingest/event_decoder.h"

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "core/civil_date.h"

// Counts heap allocations so a test can show the steady state allocates
// nothing. Every unaligned form is replaced, so that new and delete always
// pair up (sanitizers check that). GCC sees free() on memory from operator
// new once these are inlined into callers and warns; here that pairing is the
// point.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<long> g_allocations{0};
void* counted_malloc(std::size_t size) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
}  // namespace
void* operator new(std::size_t size) {
  if (void* p = counted_malloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  if (void* p = counted_malloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return counted_malloc(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return counted_malloc(size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace vigil {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// The required fields, as name and JSON text.
const Fields& minimal_fields() {
  static const Fields fields = {{"id", R"("LFPSE-1")"},
                                {"reported_at", R"("2025-03-01T09:30:00Z")"},
                                {"org", R"("RJ1")"},
                                {"record_type", R"("incident")"},
                                {"category", R"("medication")"}};
  return fields;
}

// The minimal event with `changes` applied: a change replaces the field of
// that name (an empty value removes it) or, for a new name, is appended.
std::string event_with(const Fields& changes) {
  Fields fields = minimal_fields();
  for (const auto& [name, value] : changes) {
    bool replaced = false;
    for (auto& field : fields) {
      if (field.first == name) {
        field.second = value;
        replaced = true;
      }
    }
    if (!replaced) fields.emplace_back(name, value);
  }
  std::string json = "{";
  for (const auto& [name, value] : fields) {
    if (value.empty()) continue;
    if (json.size() > 1) json += ',';
    json += '"' + name + "\":" + value;
  }
  return json + "}";
}

std::string event_with(const std::string& name, const std::string& value) {
  return event_with(Fields{{name, value}});
}

std::string quoted(const std::string& text) { return '"' + text + '"'; }

int32_t day(const char* text) { return parse_date(text).value().days; }

struct Outcome {
  bool ok = false;
  std::string reason;
  std::string detail;
};

// Decodes with one long-lived decoder, as the pipeline does.
Outcome run(std::string_view message, IncidentEvent* event = nullptr) {
  static EventDecoder decoder;
  IncidentEvent local;
  IncidentEvent& out = event != nullptr ? *event : local;
  DecodeFailure failure;
  Outcome outcome;
  outcome.ok = decoder.decode(message, out, failure);
  if (!outcome.ok) {
    outcome.reason = reason_code(failure.reason);
    outcome.detail = failure.detail;
  }
  return outcome;
}

void expect_valid(std::string_view message) {
  const Outcome outcome = run(message);
  BOOST_TEST(outcome.ok, "rejected (" << outcome.reason << ": " << outcome.detail
                                      << "): " << message.substr(0, 300));
}

// `detail` must be exactly the failure detail, or its prefix when it ends in '*'.
void expect_invalid(std::string_view message, InvalidReason reason, std::string_view detail) {
  const Outcome outcome = run(message);
  BOOST_TEST_CONTEXT(message.substr(0, 300)) {
    BOOST_TEST(!outcome.ok);
    BOOST_TEST(outcome.reason == reason_code(reason));
    if (!detail.empty() && detail.back() == '*') {
      BOOST_TEST(outcome.detail.starts_with(detail.substr(0, detail.size() - 1)),
                 "detail: " << outcome.detail);
    } else {
      BOOST_TEST(outcome.detail == detail);
    }
  }
}

constexpr std::string_view kFullEvent = R"({
  "id": "RJ1-2025.000123:r_2",
  "revision": 3,
  "reported_at": "2025-03-04T10:15:30.250+00:00",
  "occurred_on": "2025-03-02",
  "org": "RJ1", "icb": "QKK", "region": "Y56",
  "service_area": "acute_inpatient", "specialty": "general_medicine",
  "record_type": "outcome", "category": "medication",
  "agents": ["medication", "device"],
  "medications": [{"code": "322236009", "name": "Paracetamol 500mg tablets"},
                  {"name": "Insulin glargine", "code": "39720311000001101"}],
  "devices": [{"code": "GMDN-35113", "name": "Infusion pump", "manufacturer": "Acme", "model": "IP-3"},
              {"name": "Syringe driver", "manufacturer": "Beta", "model": "SD1", "code": null}],
  "physical_harm": "moderate", "psychological_harm": "low",
  "never_event": true,
  "patient": {"age_band": "66-75", "sex": "female", "ethnicity": "A", "imd_decile": 3},
  "description": "Second dose given 2h after the first."
})";

BOOST_AUTO_TEST_SUITE(event_decoder_test)

BOOST_AUTO_TEST_CASE(full_event_round_trips_every_field) {
  IncidentEvent e;
  BOOST_TEST_REQUIRE(run(kFullEvent, &e).ok);
  BOOST_TEST(e.id == "RJ1-2025.000123:r_2");
  BOOST_TEST(e.revision == 3);
  BOOST_TEST(e.reported_at_unix_seconds ==
             int64_t{day("2025-03-04")} * 86400 + 10 * 3600 + 15 * 60 + 30);
  BOOST_TEST(e.reported_on.days == day("2025-03-04"));
  BOOST_TEST(e.occurred_on.days == day("2025-03-02"));
  BOOST_TEST(event_time(e).days == day("2025-03-02"));
  BOOST_TEST(e.has_occurred_on);
  BOOST_TEST(e.org == "RJ1");
  BOOST_TEST(e.icb == "QKK");
  BOOST_TEST(e.region == "Y56");
  BOOST_TEST(e.service_area == "acute_inpatient");
  BOOST_TEST(e.specialty == "general_medicine");
  BOOST_TEST((e.record_type == RecordType::kOutcome));
  BOOST_TEST(e.category == "medication");
  BOOST_TEST_REQUIRE(e.agents.size() == 2u);
  BOOST_TEST(e.agents[0] == "medication");
  BOOST_TEST(e.agents[1] == "device");
  BOOST_TEST_REQUIRE(e.medications.size() == 2u);
  BOOST_TEST(e.medications[0].code == "322236009");
  BOOST_TEST(e.medications[0].name == "Paracetamol 500mg tablets");
  BOOST_TEST(e.medications[1].code == "39720311000001101");
  BOOST_TEST(e.medications[1].name == "Insulin glargine");
  BOOST_TEST_REQUIRE(e.devices.size() == 2u);
  BOOST_TEST(e.devices[0].code == "GMDN-35113");
  // Device identity comes normalised: names folded to lower case, codes to upper.
  BOOST_TEST(e.devices[0].name == "infusion pump");
  BOOST_TEST(e.devices[0].manufacturer == "acme");
  BOOST_TEST(e.devices[0].model == "ip-3");
  BOOST_TEST(e.devices[1].code.empty());
  BOOST_TEST(e.devices[1].model == "sd1");
  BOOST_TEST((e.physical_harm == PhysicalHarm::kModerate));
  BOOST_TEST((e.psychological_harm == PsychologicalHarm::kLow));
  BOOST_TEST(e.never_event);
  BOOST_TEST(e.has_patient);
  BOOST_TEST(e.patient.age_band == "66-75");
  BOOST_TEST(e.patient.sex == "female");
  BOOST_TEST(e.patient.ethnicity == 'A');
  BOOST_TEST(e.patient.imd_decile == 3);
  BOOST_TEST(e.description == "Second dose given 2h after the first.");
}

BOOST_AUTO_TEST_CASE(minimal_event_takes_defaults) {
  IncidentEvent e;
  e.never_event = true;  // a stale value must be cleared
  BOOST_TEST_REQUIRE(run(event_with({}), &e).ok);
  BOOST_TEST(e.id == "LFPSE-1");
  BOOST_TEST(e.revision == 0);
  BOOST_TEST(!e.has_occurred_on);
  BOOST_TEST(e.reported_on.days == day("2025-03-01"));
  BOOST_TEST(e.occurred_on.days == day("2025-03-01"));
  BOOST_TEST((e.record_type == RecordType::kIncident));
  BOOST_TEST((e.physical_harm == PhysicalHarm::kUnknown));
  BOOST_TEST((e.psychological_harm == PsychologicalHarm::kUnknown));
  BOOST_TEST(!e.never_event);
  BOOST_TEST(!e.has_patient);
  BOOST_TEST(e.icb.empty());
  BOOST_TEST(e.agents.empty());
  BOOST_TEST(e.medications.empty());
  BOOST_TEST(e.devices.empty());
  BOOST_TEST(e.description.empty());
}

BOOST_AUTO_TEST_CASE(dates_come_from_reported_at_as_written) {
  IncidentEvent e;
  BOOST_TEST_REQUIRE(run(event_with("reported_at", R"("2025-03-01T00:30:00+01:00")"), &e).ok);
  BOOST_TEST(e.reported_on.days == day("2025-03-01"));
  BOOST_TEST(e.occurred_on.days == day("2025-03-01"));
  BOOST_TEST(e.reported_at_unix_seconds ==
             int64_t{day("2025-02-28")} * 86400 + 23 * 3600 + 30 * 60);
  BOOST_TEST_REQUIRE(run(event_with("reported_at", R"("2025-02-28T23:30:00-05:00")"), &e).ok);
  BOOST_TEST(e.reported_on.days == day("2025-02-28"));
}

BOOST_AUTO_TEST_CASE(optional_null_is_absent) {
  for (const char* field : {"revision", "occurred_on", "icb", "region", "service_area", "specialty",
                            "agents", "medications", "devices", "physical_harm",
                            "psychological_harm", "never_event", "patient", "description"}) {
    IncidentEvent e;
    const Outcome outcome = run(event_with(field, "null"), &e);
    BOOST_TEST(outcome.ok, field << ": " << outcome.detail);
    BOOST_TEST(!e.has_patient);
    BOOST_TEST(!e.has_occurred_on);
  }
  IncidentEvent e;
  BOOST_TEST_REQUIRE(
      run(event_with("patient",
                     R"({"age_band":null,"sex":null,"ethnicity":null,"imd_decile":null})"),
          &e)
          .ok);
  BOOST_TEST(e.has_patient);
  BOOST_TEST(e.patient.age_band.empty());
  BOOST_TEST(e.patient.ethnicity == 0);
  BOOST_TEST(e.patient.imd_decile == 0);
}

BOOST_AUTO_TEST_CASE(required_fields_missing_or_null) {
  for (const char* field : {"id", "reported_at", "org", "record_type", "category"}) {
    expect_invalid(event_with(field, ""), InvalidReason::kMissingField,
                   std::string(field) + ": missing or null");
    expect_invalid(event_with(field, "null"), InvalidReason::kMissingField,
                   std::string(field) + ": missing or null");
  }
  expect_invalid("{}", InvalidReason::kMissingField, "id: missing or null");
  expect_invalid(event_with("medications", R"([{"code":"322236009"}])"),
                 InvalidReason::kMissingField, "medications[0].name: missing or null");
  expect_invalid(
      event_with("medications", R"([{"code":"322236009","name":"a"},{"name":"b","code":null}])"),
      InvalidReason::kMissingField, "medications[1].code: missing or null");
  expect_invalid(event_with("devices", R"([{"code":"GMDN-1","manufacturer":"Acme","model":"P"}])"),
                 InvalidReason::kMissingField, "devices[0].name: missing or null");
  expect_invalid(event_with("devices", R"([{"name":"Pump"},{"name":null}])"),
                 InvalidReason::kMissingField, "devices[1].name: missing or null");
}

BOOST_AUTO_TEST_CASE(wrong_types) {
  // clang-format off
  const std::pair<const char*, const char*> cases[] = {
      {"id", "42"}, {"revision", R"("1")"}, {"revision", "1.5"}, {"revision", "1e3"},
      {"revision", "1.0"}, {"revision", "true"}, {"reported_at", "1740821400"},
      {"occurred_on", "[]"}, {"org", "5"}, {"icb", "{}"}, {"region", "false"},
      {"service_area", "[\"a\"]"}, {"specialty", "1"}, {"record_type", "0"}, {"category", "{}"},
      {"agents", R"("medication")"}, {"medications", "{}"}, {"devices", R"("pump")"},
      {"physical_harm", "3"}, {"psychological_harm", "[]"}, {"never_event", R"("true")"},
      {"never_event", "1"}, {"patient", "[]"}, {"description", "[\"text\"]"}};
  // clang-format on
  for (const auto& [field, value] : cases) {
    expect_invalid(event_with(field, value), InvalidReason::kWrongType,
                   std::string(field) + ": must be *");
  }
  const std::pair<const char*, const char*> nested[] = {
      {R"("agents":["medication",7])", "agents[1]: must be a string"},
      {R"("agents":[null])", "agents[0]: must be a string"},
      {R"("medications":["322236009"])", "medications[0]: must be an object"},
      {R"("medications":[null])", "medications[0]: must be an object"},
      {R"("medications":[{"code":322236009,"name":"x"}])", "medications[0].code: must be a string"},
      {R"("devices":[{"name":"a","manufacturer":"b","model":3}])",
       "devices[0].model: must be a string"},
      {R"("devices":[{"code":1,"name":"a","manufacturer":"b","model":"c"}])",
       "devices[0].code: must be a string"},
      {R"("patient":{"imd_decile":"3"})", "patient.imd_decile: must be an integer"},
      {R"("patient":{"imd_decile":3.0})", "patient.imd_decile: must be an integer"},
      {R"("patient":{"sex":0})", "patient.sex: must be a string"},
      {R"("patient":{"ethnicity":["A"]})", "patient.ethnicity: must be a string"}};
  for (const auto& [fields, detail] : nested) {
    expect_invalid("{\"id\":\"x\"," + std::string(fields) + "}", InvalidReason::kWrongType, detail);
  }
}

BOOST_AUTO_TEST_CASE(bad_values) {
  // clang-format off
  const std::pair<std::string, std::string> cases[] = {
      {"id", R"("")"}, {"id", R"("has space")"}, {"id", R"("a/b")"},
      {"id", quoted(std::string(65, 'x'))}, {"revision", "-1"},
      {"revision", "9223372036854775808"}, {"revision", "99999999999999999999999"},
      {"org", R"("rj1")"}, {"org", R"("RJ")"}, {"org", R"("RJ12345")"}, {"icb", R"("Q-K")"},
      {"region", R"("")"}, {"service_area", R"("Acute")"}, {"specialty", R"("")"},
      {"category", R"("pressure-ulcer")"}, {"category", quoted(std::string(65, 'a'))},
      {"record_type", R"("Incident")"}, {"record_type", R"("near_miss")"},
      {"physical_harm", R"("unknown")"}, {"physical_harm", R"("death")"},
      {"psychological_harm", R"("fatal")"}, {"agents", R"(["medication","Device"])"},
      {"medications", R"([{"code":"12345","name":"x"}])"},
      {"medications", R"([{"code":"1234567890123456789","name":"x"}])"},
      {"medications", R"([{"code":"32223600A","name":"x"}])"},
      {"patient", R"({"age_band":"18-24"})"}, {"patient", R"({"sex":"F"})"},
      {"patient", R"({"ethnicity":"T"})"}, {"patient", R"({"ethnicity":"AB"})"},
      {"patient", R"({"ethnicity":"a"})"}, {"patient", R"({"imd_decile":0})"},
      {"patient", R"({"imd_decile":11})"}, {"patient", R"({"imd_decile":-3})"}};
  // clang-format on
  for (const auto& [field, value] : cases) {
    expect_invalid(event_with(field, value), InvalidReason::kBadValue, field + "*");
  }
  expect_invalid(event_with("org", R"("rj1")"), InvalidReason::kBadValue,
                 "org: must match [A-Z0-9]{3,6}");
  expect_invalid(event_with("revision", "-1"), InvalidReason::kBadValue,
                 "revision: must be an integer from 0 to 9223372036854775807");
  expect_invalid(event_with("patient", R"({"imd_decile":11})"), InvalidReason::kBadValue,
                 "patient.imd_decile: must be an integer from 1 to 10");
  expect_invalid(
      event_with("medications", R"([{"code":"322236009","name":"a"},{"code":"1","name":"b"}])"),
      InvalidReason::kBadValue,
      "medications[1].code: must be a dm+d (SNOMED CT) id of 6 to 18 digits");
  expect_invalid(event_with("agents", R"(["medication","blood","Device"])"),
                 InvalidReason::kBadValue, "agents[2]: must match [a-z0-9_]{1,64}");
}

BOOST_AUTO_TEST_CASE(accepted_values_at_the_edges) {
  expect_valid(event_with("id", quoted(std::string(64, 'x'))));
  expect_valid(event_with("id", R"("a.b_c:d-E9")"));
  expect_valid(event_with("revision", "0"));
  expect_valid(event_with("revision", "-0"));
  expect_valid(event_with("revision", "9223372036854775807"));
  expect_valid(event_with("org", R"("A81001")"));
  expect_valid(
      event_with({{"agents", "[]"}, {"medications", "[]"}, {"devices", "[]"}, {"patient", "{}"}}));
  for (const char* band : {"0-14d", "15-28d", "1-11m", "1-4", "5-9", "10-15", "16-17", "18-25",
                           "26-45", "46-65", "66-75", "76+"}) {
    expect_valid(event_with("patient", std::string(R"({"age_band":")") + band + "\"}"));
  }
  for (const char* sex : {"female", "male", "unknown", "withheld"}) {
    expect_valid(event_with("patient", std::string(R"({"sex":")") + sex + "\"}"));
  }
  for (char letter : std::string("ABCDEFGHIJKLMNOPQRSZ")) {
    expect_valid(event_with("patient", std::string(R"({"ethnicity":")") + letter + "\"}"));
  }
  for (const char* type : {"incident", "outcome", "risk", "good_care"}) {
    expect_valid(event_with("record_type", quoted(type)));
  }
  for (const char* harm : {"none", "low", "moderate", "severe", "fatal"}) {
    expect_valid(event_with("physical_harm", quoted(harm)));
  }
  expect_valid(event_with("patient", R"({"imd_decile":1})"));
  expect_valid(event_with("patient", R"({"imd_decile":10})"));
  expect_valid(event_with("never_event", "false"));
}

BOOST_AUTO_TEST_CASE(timestamps) {
  for (const char* bad :
       {R"("2025-03-01T09:30:00")", R"("2025-03-01")", R"("2025-02-30T09:30:00Z")",
        R"("2025-03-01T24:00:00Z")", R"("2025-03-01T09:30:00+0100")", R"("")", R"("yesterday")"}) {
    expect_invalid(event_with("reported_at", bad), InvalidReason::kBadTimestamp,
                   "reported_at: must be an RFC 3339 date-time with a zone*");
  }
  for (const char* bad :
       {R"("2025-02-29")", R"("2025-3-1")", R"("2025-03-01T00:00:00Z")", R"("")"}) {
    expect_invalid(event_with("occurred_on", bad), InvalidReason::kBadTimestamp,
                   "occurred_on: must be a valid date YYYY-MM-DD");
  }
  expect_valid(event_with("reported_at", R"("2025-03-01T09:30:00.123456z")"));
  expect_valid(event_with("occurred_on", R"("2024-02-29")"));
  // reported_at is 2025-03-01: one day of slack, not two.
  expect_valid(event_with("occurred_on", R"("2025-03-02")"));
  expect_invalid(event_with("occurred_on", R"("2025-03-03")"), InvalidReason::kBadTimestamp,
                 "occurred_on: more than one day after the date of reported_at");
}

BOOST_AUTO_TEST_CASE(duplicate_known_fields_are_bad_values) {
  expect_invalid(event_with("org", R"("RJ1","org":"RJ2")"), InvalidReason::kBadValue,
                 "org: duplicate field");
  // The same name written with an escape is the same field.
  expect_invalid(event_with("org", R"("RJ1","\u006frg":"RJ2")"), InvalidReason::kBadValue,
                 "org: duplicate field");
  expect_invalid(event_with("icb", R"(null,"icb":"QKK")"), InvalidReason::kBadValue,
                 "icb: duplicate field");
  expect_invalid(event_with("patient", R"({"sex":"male","sex":"male"})"), InvalidReason::kBadValue,
                 "patient.sex: duplicate field");
  expect_invalid(event_with("medications", R"([{"code":"322236009","name":"a","name":"b"}])"),
                 InvalidReason::kBadValue, "medications[0].name: duplicate field");
  expect_valid(event_with({{"x_extra", "1"}, {"y", R"("a","x_extra":2)"}}));
}

BOOST_AUTO_TEST_CASE(unknown_fields_are_ignored_when_well_formed) {
  IncidentEvent e;
  const std::string message = event_with(
      {{"schema", R"("lfpse/v5")"},
       {"extra",
        R"({"a":[1,-2.5e-3,true,false,null,{"b":"\u00e9\n"}],"big":123456789012345678901234567890,"huge":1e400})"},
       {"patient", R"({"sex":"male","nhs_region":{"x":[]}})"},
       {"medications", R"([{"code":"322236009","name":"x","dose":{"mg":500}}])"}});
  BOOST_TEST_REQUIRE(run(message, &e).ok);
  BOOST_TEST(e.patient.sex == "male");
  BOOST_TEST(e.medications.size() == 1u);
}

BOOST_AUTO_TEST_CASE(malformed_json_anywhere_is_not_json) {
  for (const char* extra : {"[tru]", "nul", "fals", "01", "1.", "-", "+1", R"("\q")", R"({"a" 1})",
                            R"({"a":1,})", "[1,]", "[1 2]", R"({"\x":1})", "{1:2}", "NaN", "'s'"}) {
    expect_invalid(event_with("unknown_field", extra), InvalidReason::kNotJson,
                   "unknown field: malformed JSON (*");
  }
  expect_invalid(event_with("revision", "01"), InvalidReason::kNotJson,
                 "revision: malformed JSON (invalid number)");
  expect_invalid(event_with("never_event", "tru"), InvalidReason::kNotJson,
                 "never_event: malformed JSON (*");
  expect_invalid(event_with("org", R"("RJ1" "icb":"QKK")"), InvalidReason::kNotJson,
                 "message: malformed JSON (*");
  // Malformed JSON after a rule failure still makes the message not_json.
  expect_invalid(event_with({{"org", "5"}, {"later", "[1,,2]"}}), InvalidReason::kNotJson,
                 "unknown field: malformed JSON (*");
  expect_invalid(event_with({{"id", R"("bad id")"}, {"description", R"("\ud800")"}}),
                 InvalidReason::kNotJson, "description: malformed JSON (invalid string escape)");
}

// Found by fuzz/event_decoder_fuzz.cc (the input is in its corpus): a value
// of the right JSON type whose text is malformed (a string with a bad escape)
// left the field marked as read, and the patient's ethnicity then took the
// first byte of a string never read: a null pointer, which crashed the
// process on one message.
BOOST_AUTO_TEST_CASE(malformed_text_of_the_right_type_is_not_json_in_every_field) {
  const std::string bad_escape = R"("A\i")";
  for (const char* field : {"ethnicity", "age_band", "sex"}) {
    expect_invalid(event_with("patient", std::string(R"({")") + field + R"(":)" + bad_escape + "}"),
                   InvalidReason::kNotJson,
                   "patient: malformed JSON (invalid string escape)");
  }
  for (const char* field : {"id", "reported_at", "occurred_on", "org", "icb", "category",
                            "record_type", "physical_harm", "description"}) {
    expect_invalid(event_with(field, bad_escape), InvalidReason::kNotJson,
                   std::string(field) + ": malformed JSON (invalid string escape)");
  }
  expect_invalid(event_with("medications", R"([{"code":"A\i","name":"x"}])"), InvalidReason::kNotJson,
                 "medications: malformed JSON (invalid string escape)");
  expect_invalid(event_with("agents", R"(["A\i"])"), InvalidReason::kNotJson,
                 "agents: malformed JSON (invalid string escape)");
  // The fuzzer's input as it found it.
  const std::string found(
      "{\"id\":\"LFPSE-2\",\"revision\":0,\"rreanever_evnt\":false,\"patient\":{\"age_band\":"
      "\"1-11m\",\"sex\":\"male\",\"ethnicity\":\"Ae\\ile\":10},\"tamy_version\":\0\"5\"}",
      140);
  expect_invalid(found, InvalidReason::kNotJson, "patient: malformed JSON (invalid string escape)");
}

BOOST_AUTO_TEST_CASE(not_an_object) {
  for (const char* message : {"[]", R"([{"id":"x"}])", "1", R"("text")", "null", "true"}) {
    expect_invalid(message, InvalidReason::kNotJson, "message: not a JSON object");
  }
  expect_invalid("", InvalidReason::kNotJson, "message: malformed JSON (empty message)");
  expect_invalid(" \n\t ", InvalidReason::kNotJson, "message: malformed JSON (empty message)");
}

BOOST_AUTO_TEST_CASE(whitespace_around_and_garbage_after_the_object) {
  expect_valid(" \r\n\t" + event_with({}) + "\n \t\r\n");
  for (const char* tail : {" x", "}", "{}", "[]", ",", " 1", " \"s\"", " null"}) {
    expect_invalid(event_with({}) + tail, InvalidReason::kNotJson, "message: malformed JSON (*");
  }
}

BOOST_AUTO_TEST_CASE(every_truncation_is_not_json) {
  const std::string full(kFullEvent);
  for (size_t length = 0; length < full.size(); ++length) {
    const Outcome outcome = run(std::string_view(full).substr(0, length));
    BOOST_TEST_CONTEXT("length " << length) {
      BOOST_TEST(!outcome.ok);
      BOOST_TEST(outcome.reason == "not_json");
    }
  }
}

BOOST_AUTO_TEST_CASE(unicode_text) {
  IncidentEvent e;
  const std::string message = event_with(
      {{"medications", R"([{"code":"322236009","name":"Paracétamol – 500 mg 😀"}])"},
       {"devices",
        R"([{"name":"\u00e9t\u00E9","manufacturer":"\ud83d\ude00 Ltd","model":"\"Q\\\/1\""}])"},
       {"description", R"("Patient fell 🙁; \u2014 then \t\u0041\n")"}});
  BOOST_TEST_REQUIRE(run(message, &e).ok);
  BOOST_TEST(e.medications[0].name == "Paracétamol – 500 mg 😀");
  BOOST_TEST(e.devices[0].name == "été");
  BOOST_TEST(e.devices[0].manufacturer == "\xF0\x9F\x98\x80 ltd");
  BOOST_TEST(e.devices[0].model == "\"q\\/1\"");
  BOOST_TEST(e.description == "Patient fell 🙁; \xE2\x80\x94 then \tA\n");
  // Unicode escapes in a key.
  BOOST_TEST(run(event_with("\\u0069cb", R"("QKK")"), &e).ok);
  BOOST_TEST(e.icb == "QKK");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_not_json) {
  for (const char* bytes :
       {"\xff", "\xc0\xaf", "\xe2\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "a\x80"}) {
    expect_invalid(event_with("description", quoted(bytes)), InvalidReason::kNotJson,
                   "message: malformed JSON (invalid UTF-8)");
    expect_invalid(event_with("other", quoted(bytes)), InvalidReason::kNotJson,
                   "message: malformed JSON (invalid UTF-8)");
  }
  expect_invalid(event_with("description", "\"tab\tinside\""), InvalidReason::kNotJson,
                 "message: malformed JSON (unescaped control character in a string)");
  expect_invalid(event_with("description", R"("\ude00 lone low surrogate")"),
                 InvalidReason::kNotJson, "description: malformed JSON (invalid string escape)");
}

BOOST_AUTO_TEST_CASE(hostile_nesting_is_rejected_without_crashing) {
  for (const char* open_close : {"[]", "{}"}) {
    std::string deep;
    for (int i = 0; i < 10000; ++i) deep += open_close[0] == '[' ? "[" : "{\"a\":";
    deep += "1";
    for (int i = 0; i < 10000; ++i) deep += open_close[1];
    expect_invalid(
        event_with("deep", deep), InvalidReason::kNotJson,
        "unknown field: malformed JSON (arrays and objects nested more than 64 levels deep)");
    // Unbalanced too.
    expect_invalid(event_with("deep", deep.substr(0, deep.size() - 1)), InvalidReason::kNotJson,
                   "*");
  }
  // The event object is level 1, so an unknown field may nest 63 levels more.
  const int allowed = kMaxNestingDepth - 1;
  expect_valid(event_with("deep", std::string(allowed, '[') + std::string(allowed, ']')));
  expect_invalid(event_with("deep", std::string(allowed + 1, '[') + std::string(allowed + 1, ']')),
                 InvalidReason::kNotJson, "unknown field: malformed JSON (arrays and objects*");
}

BOOST_AUTO_TEST_CASE(size_limits) {
  const std::string base = event_with({});
  // Exactly 1 MiB is allowed; one byte more is too large.
  const std::string prefix = base.substr(0, base.size() - 1) + ",\"padding\":\"";
  std::string at_limit = prefix + std::string(kMaxMessageBytes - prefix.size() - 2, 'p') + "\"}";
  BOOST_TEST_REQUIRE(at_limit.size() == kMaxMessageBytes);
  expect_valid(at_limit);
  at_limit.insert(prefix.size(), "p");
  expect_invalid(at_limit, InvalidReason::kTooLarge, "message: larger than 1048576 bytes (1 MiB)");
  expect_invalid(std::string(kMaxMessageBytes + 1, '{'), InvalidReason::kTooLarge, "message: *");

  expect_valid(event_with("description", quoted(std::string(kMaxDescriptionBytes, 'd'))));
  expect_invalid(event_with("description", quoted(std::string(kMaxDescriptionBytes + 1, 'd'))),
                 InvalidReason::kBadValue, "description: longer than 32768 bytes");
  // Bytes are counted after unescaping: 6 bytes of "\u0041" are 1 byte of
  // text, and an "é" (2 bytes of UTF-8) counts twice.
  std::string escaped;
  for (size_t i = 0; i < kMaxDescriptionBytes; ++i) escaped += "\\u0041";
  expect_valid(event_with("description", quoted(escaped)));
  std::string accented;
  for (size_t i = 0; i <= kMaxDescriptionBytes / 2; ++i) accented += "é";
  expect_invalid(event_with("description", quoted(accented)), InvalidReason::kBadValue,
                 "description: longer than 32768 bytes");
  expect_invalid(event_with("id", quoted(std::string(100000, 'i'))), InvalidReason::kBadValue,
                 "id: must be 1 to 64 characters of [A-Za-z0-9._:-]");
}

BOOST_AUTO_TEST_CASE(first_failure_in_document_order_wins) {
  expect_invalid(event_with({{"org", "5"}, {"category", R"("Bad")"}}), InvalidReason::kWrongType,
                 "org: must be a string");
  expect_invalid(event_with({{"id", ""}, {"region", R"("x")"}}), InvalidReason::kBadValue,
                 "region: must match [A-Z0-9]{3,6}");
  expect_invalid(event_with({{"id", ""}, {"occurred_on", R"("2030-01-01")"}}),
                 InvalidReason::kMissingField, "id: missing or null");
}

BOOST_AUTO_TEST_CASE(detail_never_contains_message_text) {
  const std::string secret = "NHS9434765919";  // shaped like a patient identifier
  const std::string cases[] = {
      event_with("id", quoted("x " + secret)),
      event_with("org", quoted(secret)),
      event_with("icb", quoted(secret)),
      event_with("category", quoted(secret)),
      event_with("reported_at", quoted(secret)),
      event_with("occurred_on", quoted(secret)),
      event_with("record_type", quoted(secret)),
      event_with("revision", quoted(secret)),
      event_with("description", quoted(secret + std::string(kMaxDescriptionBytes, 's'))),
      event_with("patient", R"({"sex":")" + secret + "\"}"),
      event_with("patient", R"({"age_band":")" + secret + "\"}"),
      event_with("agents", "[\"" + secret + "\"]"),
      event_with("medications", R"([{"code":")" + secret + R"(","name":"x"}])"),
      event_with(secret, "[tru]"),
      event_with(secret, R"({")" + secret + R"(" 1})"),
      event_with("description", quoted(secret + "\\q")),
      event_with("description", quoted(secret) + secret),
      "[\"" + secret + "\"]",
      "{\"" + secret + "\":1",
  };
  for (const std::string& message : cases) {
    const Outcome outcome = run(message);
    BOOST_TEST(!outcome.ok, message.substr(0, 200));
    BOOST_TEST(outcome.detail.find("NHS") == std::string::npos, outcome.detail);
    BOOST_TEST(outcome.detail.find("943") == std::string::npos, outcome.detail);
  }
}

BOOST_AUTO_TEST_CASE(views_stay_valid_until_the_next_decode) {
  EventDecoder decoder;
  IncidentEvent e;
  DecodeFailure failure;
  std::string message(kFullEvent);
  BOOST_TEST_REQUIRE(decoder.decode(message, e, failure));
  // The caller's buffer may go away: the views point into the decoder.
  message.assign(message.size(), ' ');
  std::vector<std::string> noise(100, std::string(1000, 'n'));
  BOOST_TEST(e.id == "RJ1-2025.000123:r_2");
  BOOST_TEST(e.medications[1].name == "Insulin glargine");
  BOOST_TEST(e.description == "Second dose given 2h after the first.");

  // Many messages of varying size through one decoder, failures in between.
  for (int i = 0; i < 2000; ++i) {
    const std::string id = "E" + std::to_string(i);
    const std::string text(static_cast<size_t>(i * 37 % 5000), static_cast<char>('a' + i % 26));
    const std::string good = event_with({{"id", quoted(id)}, {"description", quoted(text)}});
    BOOST_TEST_REQUIRE(decoder.decode(good, e, failure));
    BOOST_TEST_REQUIRE(e.id == id);
    BOOST_TEST_REQUIRE(e.description == text);
    const std::string bad =
        i % 2 == 0 ? event_with("org", quoted(text + "!")) : good.substr(0, good.size() / 2);
    BOOST_TEST_REQUIRE(!decoder.decode(bad, e, failure));
    BOOST_TEST(e.id.empty());
  }
  BOOST_TEST_REQUIRE(decoder.decode(kFullEvent, e, failure));
  BOOST_TEST(e.devices[0].manufacturer == "acme");

  // A moved decoder keeps working.
  EventDecoder moved = std::move(decoder);
  BOOST_TEST(moved.decode(event_with({}), e, failure));
  BOOST_TEST(e.org == "RJ1");
}

BOOST_AUTO_TEST_CASE(steady_state_allocates_nothing) {
  const long at_start = g_allocations.load();
  EventDecoder decoder;
  BOOST_TEST_REQUIRE(g_allocations.load() > at_start);  // the counter works
  IncidentEvent e;
  DecodeFailure failure;
  const std::string messages[] = {std::string(kFullEvent), event_with({}),
                                  event_with("description", quoted(std::string(20000, 'x')))};
  for (const std::string& message : messages)
    BOOST_TEST_REQUIRE(decoder.decode(message, e, failure));
  const long before = g_allocations.load();
  bool all_ok = true;
  for (int i = 0; i < 300; ++i) {
    for (const std::string& message : messages)
      all_ok = decoder.decode(message, e, failure) && all_ok;
  }
  const long allocations = g_allocations.load() - before;
  BOOST_TEST(all_ok);
  BOOST_TEST(allocations == 0);
}


// Contract section 1: a device needs only its name. Before, a report without
// a manufacturer or model was dead-lettered (missing_field) and lost.
BOOST_AUTO_TEST_CASE(a_device_needs_only_a_name) {
  IncidentEvent e;
  const Outcome outcome =
      run(event_with("devices", R"([{"name":"Infusion pump"},{"name":"Hoist","model":null,"manufacturer":"Lift Co"}])"), &e);
  BOOST_TEST_REQUIRE(outcome.ok, outcome.detail);
  BOOST_TEST_REQUIRE(e.devices.size() == 2u);
  BOOST_TEST(e.devices[0].name == "infusion pump");
  BOOST_TEST(e.devices[0].code.empty());
  BOOST_TEST(e.devices[0].manufacturer.empty());
  BOOST_TEST(e.devices[0].model.empty());
  BOOST_TEST(e.devices[1].manufacturer == "lift co");
  BOOST_TEST(e.devices[1].model.empty());
}

// Spellings of one device that differ in case, spacing or typography decode
// to the same identity, so they count as one device.
BOOST_AUTO_TEST_CASE(device_identity_is_normalised) {
  IncidentEvent e;
  BOOST_TEST_REQUIRE(
      run(event_with("devices",
                     R"([{"code":"  gmdn\u00a0 35113 ","name":"  Infusion   PUMP ",)"
                     R"("manufacturer":"\u201cAcme\u201d\u2003Medical\u200b","model":"IP\u20133000 \u2019X\u2019"}])"),
          &e)
          .ok);
  BOOST_TEST_REQUIRE(e.devices.size() == 1u);
  BOOST_TEST(e.devices[0].code == "GMDN 35113");
  BOOST_TEST(e.devices[0].name == "infusion pump");
  BOOST_TEST(e.devices[0].manufacturer == "\"acme\" medical");
  BOOST_TEST(e.devices[0].model == "ip-3000 'x'");
  // Blank optional fields are absent; a blank name breaks its rule.
  BOOST_TEST_REQUIRE(
      run(event_with("devices", R"([{"code":" ","name":"Pump","manufacturer":"\u00a0","model":""}])"), &e)
          .ok);
  BOOST_TEST(e.devices[0].code.empty());
  BOOST_TEST(e.devices[0].manufacturer.empty());
  BOOST_TEST(e.devices[0].model.empty());
  expect_invalid(event_with("devices", R"([{"name":" \u3000 "}])"), InvalidReason::kBadValue,
                 "devices[0].name: must not be blank");
}

// A control character in device text (or a medication's name) could corrupt
// key parsing (\x1f is the key separator) and reach alert labels: refused.
BOOST_AUTO_TEST_CASE(control_characters_in_identity_text_are_bad_values) {
  for (const char* control : {R"(\u001f)", R"(\u0000)", R"(\t)", R"(\n)", R"(\u007f)", R"(\u0085)",
                              "\x1f", "\x7f"}) {
    const std::string text = std::string("a") + control + "b";
    for (const char* field : {"code", "name", "manufacturer", "model"}) {
      std::string device = R"({"name":"n",")" + std::string(field) + R"(":")" + text + R"("})";
      if (std::string(field) == "name") device = R"({"name":")" + text + R"("})";
      const std::string message = event_with("devices", "[" + device + "]");
      if (control[0] != '\\') {
        // A raw control byte inside a JSON string: malformed JSON, or (if
        // the parser lets it through) a bad value; never accepted.
        const Outcome outcome = run(message);
        BOOST_TEST((outcome.reason == "not_json" || outcome.reason == "bad_value"), outcome.reason);
        continue;
      }
      expect_invalid(message, InvalidReason::kBadValue,
                     "devices[0]." + std::string(field) + ": must not contain control characters");
    }
    if (control[0] != '\\') continue;
    expect_invalid(event_with("medications", R"([{"code":"322236009","name":")" + text + R"("}])"),
                   InvalidReason::kBadValue, "medications[0].name: must not contain control characters");
  }
}

BOOST_AUTO_TEST_CASE(identity_text_lengths_are_bounded) {
  const auto device = [](const std::string& field, size_t n) {
    const std::string name = field == "name" ? std::string(n, 'n') : "n";
    std::string d = R"({"name":")" + name + '"';
    if (field != "name") d += R"(,")" + field + R"(":")" + std::string(n, 'x') + '"';
    return event_with("devices", "[" + d + "}]");
  };
  expect_valid(device("code", kMaxDeviceCodeBytes));
  expect_invalid(device("code", kMaxDeviceCodeBytes + 1), InvalidReason::kBadValue,
                 "devices[0].code: longer than 64 bytes");
  for (const char* field : {"name", "manufacturer", "model"}) {
    expect_valid(device(field, kMaxIdentityTextBytes));
    expect_invalid(device(field, kMaxIdentityTextBytes + 1), InvalidReason::kBadValue,
                   "devices[0]." + std::string(field) + ": longer than 256 bytes");
  }
  const auto medication = [](size_t n) {
    return event_with("medications", R"([{"code":"322236009","name":")" + std::string(n, 'm') + R"("}])");
  };
  expect_valid(medication(kMaxIdentityTextBytes));
  expect_invalid(medication(kMaxIdentityTextBytes + 1), InvalidReason::kBadValue,
                 "medications[0].name: longer than 256 bytes");
}

// One message must not blow up state: at most 100 medications, devices and
// agents, and at most 1000 keys' worth of combinations of them.
BOOST_AUTO_TEST_CASE(lists_and_key_combinations_are_capped) {
  const auto list = [](size_t n, const std::string& item) {
    std::string out = "[";
    for (size_t i = 0; i < n; ++i) {
      if (i) out += ',';
      std::string x = item;
      const size_t at = x.find('#');
      if (at != std::string::npos) x.replace(at, 1, std::to_string(i));
      out += x;
    }
    return out + "]";
  };
  const std::string medication = R"({"code":"32223600#","name":"m"})";
  const std::string device = R"({"name":"pump #"})";
  const std::string agent = R"("agent_#")";
  expect_valid(event_with("medications", list(100, medication)));
  expect_invalid(event_with("medications", list(101, medication)), InvalidReason::kBadValue,
                 "medications: more than 100 entries");
  expect_valid(event_with("devices", list(100, device)));
  expect_invalid(event_with("devices", list(101, device)), InvalidReason::kBadValue,
                 "devices: more than 100 entries");
  expect_valid(event_with("agents", list(100, agent)));
  expect_invalid(event_with("agents", list(101, agent)), InvalidReason::kBadValue,
                 "agents: more than 100 entries");
  // A report at LFPSE's own limits is never lost.
  expect_valid(event_with({{"medications", list(100, medication)},
                           {"devices", list(100, device)},
                           {"agents", list(1, agent)}}));
  expect_valid(event_with({{"medications", list(10, medication)},
                           {"devices", list(10, device)},
                           {"agents", list(100, agent)}}));
  expect_invalid(event_with({{"medications", list(11, medication)},
                             {"devices", list(10, device)},
                             {"agents", list(100, agent)}}),
                 InvalidReason::kBadValue,
                 "medications, devices, agents: more than 10000 combinations of one of each");
  expect_invalid(event_with({{"medications", list(100, medication)},
                             {"devices", list(100, device)},
                             {"agents", list(2, agent)}}),
                 InvalidReason::kBadValue, "medications, devices, agents: *");
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil

// The LFPSE FHIR decoder (ingest/fhir_decoder.h) on fixtures built from the
// taxonomy documentation (tests/fixtures/fhir), and every code of every code
// system it maps (ingest/fhir_code_systems.h).
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ingest/fhir_code_systems.h"
#include "ingest/fhir_decoder.h"
#include "ingest/field_rules.h"

namespace vigil {
namespace {

const std::filesystem::path kFixtures =
    std::filesystem::path(VIGIL_SOURCE_DIR) / "tests/fixtures/fhir";

std::string read_fixture(const std::string& name) {
  std::ifstream in(kFixtures / name, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot open fixture " << name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<IncidentEvent> decode_ok(FhirDecoder& decoder, const std::string& message) {
  std::vector<IncidentEvent> events;
  DecodeFailure failure;
  const bool ok = decoder.decode(message, events, failure);
  BOOST_REQUIRE_MESSAGE(ok, "decode failed: " << reason_code(failure.reason) << " "
                                              << failure.detail);
  return events;
}

DecodeFailure decode_fails(const std::string& message) {
  FhirDecoder decoder;
  std::vector<IncidentEvent> events(2);
  DecodeFailure failure;
  BOOST_REQUIRE(!decoder.decode(message, events, failure));
  BOOST_CHECK(events.empty());
  return failure;
}

Date date(std::string_view text) { return *parse_date(text); }

const std::string kBase = "https://psims-uat.azure-api.net/taxonomy/fhir/StructureDefinition/";

// A minimal v5 AdverseEvent with `extensions` on the resource and
// `patient` / `location` sub-extensions (JSON array members, may be empty).
std::string minimal_event(const std::string& extensions, const std::string& patient = "",
                          const std::string& location = "") {
  std::string patient_resource;
  if (!patient.empty()) {
    patient_resource = R"({"resourceType":"Patient","id":"p","extension":[{"url":")" + kBase +
                       R"(patient-information-5","extension":[)" + patient + "]}]},";
  }
  std::string location_subs = R"({"url":"Organisation","valueCode":"RXH"})";
  if (!location.empty()) location_subs += "," + location;
  return R"({"resourceType":"AdverseEvent","id":"E1","contained":[)" + patient_resource +
         R"({"resourceType":"Location","id":"l","extension":[{"url":")" + kBase +
         R"(location-details-5","extension":[)" + location_subs +
         R"(]}]}],"extension":[)" + extensions + R"(],"recordedDate":"2024-01-02T03:04:05Z"})";
}

std::string coded_sub(const std::string& name, std::string_view code) {
  return R"({"url":")" + name + R"(","valueCode":")" + std::string(code) + R"("})";
}

std::string event_extension(const std::string& id, const std::string& subs) {
  return R"({"url":")" + kBase + id + R"(-5","extension":[)" + subs + "]}";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fhir_decoder_test)

BOOST_AUTO_TEST_CASE(complete_v5_adverse_event) {
  FhirDecoder decoder;
  const std::vector<IncidentEvent> events =
      decode_ok(decoder, read_fixture("adverse-event-v5.json"));
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  const IncidentEvent& e = events[0];
  BOOST_CHECK_EQUAL(e.id, "LFPSE-2024-000123");
  BOOST_CHECK_EQUAL(e.revision, 3);
  BOOST_CHECK_EQUAL(e.reported_at_unix_seconds, 1709543700);  // 2024-03-04T09:15:00Z
  BOOST_CHECK(e.reported_on == date("2024-03-04"));
  BOOST_CHECK(e.has_occurred_on);
  BOOST_CHECK(e.occurred_on == date("2024-03-02"));  // `date` outranks the estimate
  BOOST_CHECK_EQUAL(e.org, "RXH");                    // the first organisation
  BOOST_CHECK(e.icb.empty());
  BOOST_CHECK(e.region.empty());
  BOOST_CHECK_EQUAL(e.service_area, "acute");
  BOOST_CHECK_EQUAL(e.specialty, "elderly_medicine");
  BOOST_CHECK(e.record_type == RecordType::kIncident);
  BOOST_CHECK_EQUAL(e.category, "medication");  // the first agent's category
  BOOST_REQUIRE_EQUAL(e.agents.size(), 2u);
  BOOST_CHECK_EQUAL(e.agents[0], "medication");
  BOOST_CHECK_EQUAL(e.agents[1], "device");
  BOOST_REQUIRE_EQUAL(e.medications.size(), 1u);
  BOOST_CHECK_EQUAL(e.medications[0].code, "39720311000001101");
  BOOST_CHECK_EQUAL(e.medications[0].name,
                    "Enoxaparin sodium 40mg/0.4ml solution for injection pre-filled syringes");
  BOOST_REQUIRE_EQUAL(e.devices.size(), 1u);
  BOOST_CHECK_EQUAL(e.devices[0].code, "05063580100014");
  BOOST_CHECK_EQUAL(e.devices[0].name, "volumetric infusion pump");
  BOOST_CHECK_EQUAL(e.devices[0].manufacturer, "meridian medical");
  BOOST_CHECK_EQUAL(e.devices[0].model, "vp-300");
  BOOST_CHECK(e.physical_harm == PhysicalHarm::kModerate);
  BOOST_CHECK(e.psychological_harm == PsychologicalHarm::kModerate);
  BOOST_CHECK(e.never_event);
  BOOST_CHECK(e.has_patient);
  BOOST_CHECK_EQUAL(e.patient.age_band, "76+");  // 28125 days: 77 years
  BOOST_CHECK_EQUAL(e.patient.sex, "female");
  BOOST_CHECK_EQUAL(e.patient.ethnicity, 'R');  // 34 Chinese
  BOOST_CHECK_EQUAL(e.patient.imd_decile, 0);
  BOOST_CHECK_EQUAL(e.description, "Patient given a second dose by the wrong route.");
}

BOOST_AUTO_TEST_CASE(v4_adverse_event_with_v4_codes) {
  FhirDecoder decoder;
  const std::vector<IncidentEvent> events =
      decode_ok(decoder, read_fixture("adverse-event-v4.json"));
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  const IncidentEvent& e = events[0];
  BOOST_CHECK_EQUAL(e.id, "PSIMS-2022-4471");
  BOOST_CHECK_EQUAL(e.revision, 1);
  BOOST_CHECK(e.reported_on == date("2022-06-11"));
  BOOST_CHECK(e.occurred_on == date("2022-06-10"));  // from `detected`
  BOOST_CHECK(e.has_occurred_on);
  BOOST_CHECK_EQUAL(e.org, "P87657");
  BOOST_CHECK_EQUAL(e.service_area, "primary_care");  // v4 code 2
  BOOST_CHECK_EQUAL(e.specialty, "general_medicine");  // v4-only code 40
  BOOST_CHECK_EQUAL(e.category, "fall");               // safety challenge 2
  BOOST_REQUIRE_EQUAL(e.agents.size(), 2u);
  BOOST_CHECK_EQUAL(e.agents[0], "buildings");  // v4 6 Built Environment
  BOOST_CHECK_EQUAL(e.agents[1], "blood");      // v4 7 Blood or Blood products
  BOOST_CHECK(e.physical_harm == PhysicalHarm::kLow);
  BOOST_CHECK(e.psychological_harm == PsychologicalHarm::kUnknown);
  BOOST_CHECK(!e.never_event);
  BOOST_CHECK_EQUAL(e.patient.age_band, "26-45");  // 34 years outranks the bracket
  BOOST_CHECK_EQUAL(e.patient.sex, "withheld");
  BOOST_CHECK_EQUAL(e.patient.ethnicity, 0);
  BOOST_CHECK(e.description.empty());
}

BOOST_AUTO_TEST_CASE(bundle_of_outcome_risk_and_good_care) {
  FhirDecoder decoder;
  const std::vector<IncidentEvent> events = decode_ok(decoder, read_fixture("bundle.json"));
  BOOST_REQUIRE_EQUAL(events.size(), 3u);
  BOOST_CHECK_EQUAL(events[0].id, "LFPSE-OUT-1");
  BOOST_CHECK(events[0].record_type == RecordType::kOutcome);
  BOOST_CHECK_EQUAL(events[0].service_area, "maternity");
  BOOST_CHECK_EQUAL(events[0].specialty, "obstetrics");
  BOOST_CHECK_EQUAL(events[0].category, "unclassified");
  BOOST_CHECK_EQUAL(events[0].patient.age_band, "26-45");  // bracket 9
  BOOST_CHECK(!events[0].has_occurred_on);
  BOOST_CHECK(events[0].occurred_on == date("2024-05-01"));

  BOOST_CHECK_EQUAL(events[1].id, "LFPSE-RISK-2");
  BOOST_CHECK_EQUAL(events[1].revision, 0);
  BOOST_CHECK(events[1].record_type == RecordType::kRisk);
  BOOST_CHECK(events[1].service_area.empty());  // 15 I don't know
  BOOST_CHECK_EQUAL(events[1].category, "staffing");
  BOOST_CHECK(!events[1].has_patient);

  BOOST_CHECK_EQUAL(events[2].id, "LFPSE-GOOD-3");
  BOOST_CHECK_EQUAL(events[2].revision, 2);
  BOOST_CHECK(events[2].record_type == RecordType::kGoodCare);
  BOOST_CHECK_EQUAL(events[2].org, "5QJ");
  BOOST_CHECK_EQUAL(events[2].icb, "QWE");
  BOOST_CHECK_EQUAL(events[2].region, "Y56");
  BOOST_CHECK_EQUAL(events[2].service_area, "primary_care");
  BOOST_CHECK_EQUAL(events[2].category, "communication");
  BOOST_CHECK(events[2].has_patient);
  BOOST_CHECK_EQUAL(events[2].patient.imd_decile, 4);
  BOOST_CHECK(events[2].occurred_on == date("2024-05-03"));
  BOOST_CHECK_EQUAL(events[2].description, "Quick escalation by the practice nurse.");

  // The decoder is reused: a single event after a bundle gives one event.
  BOOST_CHECK_EQUAL(decode_ok(decoder, read_fixture("adverse-event-v4.json")).size(), 1u);
}

BOOST_AUTO_TEST_CASE(malformed_fixtures_name_reason_and_path) {
  struct Case {
    std::string file;
    InvalidReason reason;
    std::string detail;
  };
  const std::vector<Case> cases = {
      {"unknown-physical-harm", InvalidReason::kBadValue,
       "contained[0].extension[0].extension[1].valueCode: unknown code 7 in "
       "level-of-physical-harm"},
      {"free-text-gender", InvalidReason::kBadValue,
       "contained[0].extension[0].extension[4].valueCode: unknown code in gender"},
      {"missing-organisation", InvalidReason::kMissingField,
       "contained[Location].extension[location-details].extension[Organisation].valueCode: "
       "missing or null"},
      {"wrong-type-agent", InvalidReason::kWrongType,
       "extension[1].extension[0].valueCode: must be a string"},
      {"missing-recorded-date", InvalidReason::kMissingField, "recordedDate: missing or null"},
      {"bad-version-id", InvalidReason::kBadValue,
       "meta.versionId: must be a decimal revision number of at most 18 digits"},
      {"never-event-wrong-value-type", InvalidReason::kWrongType,
       "extension[3].extension[0].value[x]: must be valueBoolean"},
      {"bundle-unknown-service-type", InvalidReason::kBadValue,
       "entry[1].resource.contained[0].extension[0].extension[1].valueCode: unknown code 99 in "
       "service-type"},
      {"bundle-patient-entry", InvalidReason::kBadValue,
       "entry[2].resource.resourceType: must be AdverseEvent"},
      {"ods-code-shape", InvalidReason::kBadValue,
       "contained[1].extension[0].extension[1].valueCode: must match [A-Z0-9]{3,6}"},
      {"date-after-recorded", InvalidReason::kBadTimestamp,
       "date: more than one day after the date of recordedDate"},
      {"truncated", InvalidReason::kNotJson, ""},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.file) {
      const DecodeFailure failure = decode_fails(read_fixture("malformed/" + c.file + ".json"));
      BOOST_CHECK_EQUAL(reason_code(failure.reason), reason_code(c.reason));
      if (!c.detail.empty()) BOOST_CHECK_EQUAL(failure.detail, c.detail);
      BOOST_CHECK(failure.detail.find("Jane") == std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(other_failures) {
  BOOST_CHECK_EQUAL(decode_fails("[1]").detail, "message: not a JSON object");
  BOOST_CHECK_EQUAL(decode_fails(R"({"id":"x"})").detail, "resourceType: missing or null");
  BOOST_CHECK_EQUAL(decode_fails(R"({"resourceType":"Patient","id":"x"})").detail,
                    "resourceType: must be AdverseEvent or Bundle");
  BOOST_CHECK_EQUAL(decode_fails(R"({"resourceType":"Bundle","entry":[]})").detail,
                    "entry: missing, null or empty");
  // Malformed JSON anywhere outranks a rule failure found before it.
  const DecodeFailure bad = decode_fails(R"({"resourceType":"Patient","x":[1,}")");
  BOOST_CHECK(bad.reason == InvalidReason::kNotJson);
  // Too large.
  const DecodeFailure large = decode_fails(std::string(kMaxMessageBytes + 1, ' '));
  BOOST_CHECK(large.reason == InvalidReason::kTooLarge);
  // An id that breaks Vigil's rule.
  const DecodeFailure id = decode_fails(
      minimal_event("").replace(minimal_event("").find("\"E1\""), 4, "\"E 1\""));
  BOOST_CHECK_EQUAL(id.detail, "id: must be 1 to 64 characters of [A-Za-z0-9._:-]");
}

// Strings without escapes are read in place, others unescaped by simdjson:
// both must give the same values, and what simdjson rejects stays rejected.
BOOST_AUTO_TEST_CASE(strings_escaped_spaced_or_reordered) {
  FhirDecoder decoder;
  const std::string plain = minimal_event(
      event_extension("adverse-event-agent", coded_sub("InvolvedAgents", "4")),
      coded_sub("PhysicalHarm", "3"));
  const IncidentEvent expected = decode_ok(decoder, plain).at(0);
  BOOST_CHECK_EQUAL(expected.agents.at(0), "medication");

  // An escaped code, URL and key decode to the same event.
  std::string escaped = plain;
  escaped.replace(escaped.find(R"("valueCode":"4")"), 15, R"("value\u0043ode":"\u0034")");
  escaped.replace(escaped.find("adverse-event-agent-5"), 21, R"(adverse-event-agent\u002d5)");
  const IncidentEvent from_escaped = decode_ok(decoder, escaped).at(0);
  BOOST_CHECK_EQUAL(from_escaped.agents.at(0), "medication");
  BOOST_CHECK(from_escaped.physical_harm == expected.physical_harm);

  // Whitespace between tokens, and the url after the value.
  std::string spaced = plain;
  for (size_t at = 0; (at = spaced.find("\",\"", at)) != std::string::npos; at += 5) {
    spaced.replace(at, 3, "\" ,\n \"");
  }
  const std::string reordered_sub = R"({"valueCode":"4","url":"InvolvedAgents"})";
  const std::string reordered = minimal_event(
      event_extension("adverse-event-agent", reordered_sub), coded_sub("PhysicalHarm", "3"));
  for (const std::string& message : {spaced, reordered}) {
    const IncidentEvent event = decode_ok(decoder, message).at(0);
    BOOST_CHECK_EQUAL(event.agents.at(0), "medication");
    BOOST_CHECK(event.physical_harm == expected.physical_harm);
  }

  // A raw control character inside a string is malformed JSON, in place or not.
  std::string raw_control = plain;
  raw_control.replace(raw_control.find("InvolvedAgents"), 1, "\x01");
  BOOST_CHECK(decode_fails(raw_control).reason == InvalidReason::kNotJson);
}

BOOST_AUTO_TEST_CASE(every_code_of_every_code_system) {
  FhirDecoder decoder;
  const auto check_all = [&](FhirCodeSystemId system, auto&& message_for, auto&& check) {
    for (const FhirCode& row : fhir_code_system(system).codes) {
      BOOST_TEST_CONTEXT(fhir_code_system(system).name << " " << row.code) {
        const std::vector<IncidentEvent> events = decode_ok(decoder, message_for(row.code));
        BOOST_REQUIRE_EQUAL(events.size(), 1u);
        check(events[0], row);
      }
    }
    // A code no version defines is a dead letter naming the code system.
    const DecodeFailure failure = decode_fails(message_for("255"));
    BOOST_CHECK(failure.reason == InvalidReason::kBadValue);
    BOOST_CHECK(failure.detail.ends_with("unknown code 255 in " +
                                         std::string(fhir_code_system(system).name)));
  };
  check_all(
      FhirCodeSystemId::kAgentType,
      [](std::string_view code) {
        return minimal_event(event_extension("adverse-event-agent",
                                             coded_sub("InvolvedAgents", code)));
      },
      [](const IncidentEvent& e, const FhirCode& row) {
        if (row.vigil.empty()) {
          BOOST_CHECK(e.agents.empty());
        } else {
          BOOST_REQUIRE_EQUAL(e.agents.size(), 1u);
          BOOST_CHECK_EQUAL(e.agents[0], row.vigil);
          BOOST_CHECK_EQUAL(e.category, category_of_agent(row.vigil));
        }
      });
  const auto location = [](const std::string& sub) {
    return [sub](std::string_view code) { return minimal_event("", "", coded_sub(sub, code)); };
  };
  check_all(FhirCodeSystemId::kServiceType, location("ServiceArea"),
            [](const IncidentEvent& e, const FhirCode& row) {
              BOOST_CHECK_EQUAL(e.service_area, row.vigil);
            });
  check_all(FhirCodeSystemId::kSpecialty, location("ResponsibleSpecialty"),
            [](const IncidentEvent& e, const FhirCode& row) {
              BOOST_CHECK_EQUAL(e.specialty, row.vigil);
              BOOST_CHECK(row.vigil.empty() || is_slug(row.vigil));
            });
  const auto patient = [](const std::string& sub) {
    return [sub](std::string_view code) { return minimal_event("", coded_sub(sub, code)); };
  };
  check_all(FhirCodeSystemId::kPhysicalHarm, patient("PhysicalHarm"),
            [](const IncidentEvent& e, const FhirCode& row) {
              BOOST_CHECK_EQUAL(to_string(e.physical_harm), row.vigil);
            });
  check_all(FhirCodeSystemId::kPsychologicalHarm, patient("PsychologicalHarm"),
            [](const IncidentEvent& e, const FhirCode& row) {
              BOOST_CHECK_EQUAL(to_string(e.psychological_harm), row.vigil);
            });
  check_all(FhirCodeSystemId::kAgeBracket, patient("AgeBracket"),
            [](const IncidentEvent& e, const FhirCode& row) {
              BOOST_CHECK_EQUAL(e.patient.age_band, row.vigil);
            });
  check_all(FhirCodeSystemId::kGender, patient("Gender"),
            [](const IncidentEvent& e, const FhirCode& row) {
              BOOST_CHECK_EQUAL(e.patient.sex, row.vigil);
            });
  check_all(FhirCodeSystemId::kEthnicity, patient("PatientEthnicity"),
            [](const IncidentEvent& e, const FhirCode& row) {
              BOOST_CHECK_EQUAL(std::string(1, e.patient.ethnicity), row.vigil);
            });
  const auto category = [](const std::string& id, const std::string& sub) {
    return [id, sub](std::string_view code) {
      return minimal_event(event_extension(id, coded_sub(sub, code)));
    };
  };
  const auto category_is = [](const IncidentEvent& e, const FhirCode& row) {
    BOOST_CHECK_EQUAL(e.category, row.vigil.empty() ? "unclassified" : row.vigil);
  };
  check_all(FhirCodeSystemId::kSafetyChallenges,
            category("adverse-event-safety-challenges", "SafetyChallenges"), category_is);
  check_all(FhirCodeSystemId::kHealthcareProcess, category("adverse-event-process", "Process"),
            category_is);
  check_all(FhirCodeSystemId::kRiskTheme, category("adverse-event-risk-details", "RiskTheme"),
            [&](const IncidentEvent& e, const FhirCode& row) {
              category_is(e, row);
              BOOST_CHECK(e.record_type == RecordType::kRisk);
            });
  check_all(FhirCodeSystemId::kOutcomeType, category("adverse-event-outcome", "OutcomeType"),
            [](const IncidentEvent& e, const FhirCode&) {
              BOOST_CHECK(e.record_type == RecordType::kOutcome);
            });
}

BOOST_AUTO_TEST_CASE(age_in_days_to_bands) {
  BOOST_CHECK_EQUAL(age_band_from_days(0), "0-14d");
  BOOST_CHECK_EQUAL(age_band_from_days(14), "0-14d");
  BOOST_CHECK_EQUAL(age_band_from_days(15), "15-28d");
  BOOST_CHECK_EQUAL(age_band_from_days(28), "15-28d");
  BOOST_CHECK_EQUAL(age_band_from_days(29), "1-11m");
  BOOST_CHECK_EQUAL(age_band_from_days(365), "1-11m");
  BOOST_CHECK_EQUAL(age_band_from_days(366), "1-4");
  BOOST_CHECK_EQUAL(age_band_from_days(27393), "66-75");  // 74.99 years
  BOOST_CHECK_EQUAL(age_band_from_days(27759), "76+");    // 76.0 years
  BOOST_CHECK(age_band_from_days(-1).empty());
  BOOST_CHECK(age_band_from_years(0).empty());
  BOOST_CHECK_EQUAL(age_band_from_years(17), "16-17");
  for (std::string_view band : {"0-14d", "15-28d", "1-11m", "1-4", "5-9", "10-15", "16-17",
                                "18-25", "26-45", "46-65", "66-75", "76+"}) {
    BOOST_CHECK_EQUAL(age_band_from_days(representative_age_days(band)), band);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace vigil

// The FHIR writer (synthetic/fhir_writer.h) and decoder (ingest/fhir_decoder.h)
// together: each event of a generated stream, written as an LFPSE FHIR
// AdverseEvent and decoded again, is the event its v1 line decodes to,
// field for field, description included.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "ingest/event_decoder.h"
#include "ingest/fhir_decoder.h"
#include "synthetic/fhir_writer.h"
#include "synthetic/stream.h"

namespace vigil {
namespace {

void check_same(const IncidentEvent& a, const IncidentEvent& b) {
  BOOST_CHECK_EQUAL(a.id, b.id);
  BOOST_CHECK_EQUAL(a.revision, b.revision);
  BOOST_CHECK_EQUAL(a.reported_at_unix_seconds, b.reported_at_unix_seconds);
  BOOST_CHECK_EQUAL(a.reported_on.days, b.reported_on.days);
  BOOST_CHECK_EQUAL(a.occurred_on.days, b.occurred_on.days);
  BOOST_CHECK_EQUAL(a.has_occurred_on, b.has_occurred_on);
  BOOST_CHECK_EQUAL(a.org, b.org);
  BOOST_CHECK_EQUAL(a.icb, b.icb);
  BOOST_CHECK_EQUAL(a.region, b.region);
  BOOST_CHECK_EQUAL(a.service_area, b.service_area);
  BOOST_CHECK_EQUAL(a.specialty, b.specialty);
  BOOST_CHECK_EQUAL(to_string(a.record_type), to_string(b.record_type));
  BOOST_CHECK_EQUAL(a.category, b.category);
  BOOST_CHECK_EQUAL_COLLECTIONS(a.agents.begin(), a.agents.end(), b.agents.begin(),
                                b.agents.end());
  BOOST_REQUIRE_EQUAL(a.medications.size(), b.medications.size());
  for (size_t i = 0; i < a.medications.size(); ++i) {
    BOOST_CHECK_EQUAL(a.medications[i].code, b.medications[i].code);
    BOOST_CHECK_EQUAL(a.medications[i].name, b.medications[i].name);
  }
  BOOST_REQUIRE_EQUAL(a.devices.size(), b.devices.size());
  for (size_t i = 0; i < a.devices.size(); ++i) {
    BOOST_CHECK_EQUAL(a.devices[i].code, b.devices[i].code);
    BOOST_CHECK_EQUAL(a.devices[i].name, b.devices[i].name);
    BOOST_CHECK_EQUAL(a.devices[i].manufacturer, b.devices[i].manufacturer);
    BOOST_CHECK_EQUAL(a.devices[i].model, b.devices[i].model);
  }
  BOOST_CHECK_EQUAL(to_string(a.physical_harm), to_string(b.physical_harm));
  BOOST_CHECK_EQUAL(to_string(a.psychological_harm), to_string(b.psychological_harm));
  BOOST_CHECK_EQUAL(a.never_event, b.never_event);
  BOOST_CHECK_EQUAL(a.has_patient, b.has_patient);
  BOOST_CHECK_EQUAL(a.patient.age_band, b.patient.age_band);
  BOOST_CHECK_EQUAL(a.patient.sex, b.patient.sex);
  BOOST_CHECK_EQUAL(a.patient.ethnicity, b.patient.ethnicity);
  BOOST_CHECK_EQUAL(a.patient.imd_decile, b.patient.imd_decile);
  BOOST_CHECK_EQUAL(a.description, b.description);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fhir_field_round_trip_test)

BOOST_AUTO_TEST_CASE(generated_events_survive_fhir) {
  SyntheticStreamOptions options;
  options.seed = 13;
  options.days = 365;
  options.events_per_year = 4000;  // about 4,000 reports over the year, planted risks included
  SyntheticStream stream(options);
  EventDecoder v1_decoder;
  FhirDecoder fhir_decoder;
  synthetic::FhirLineWriter writer;
  IncidentEvent v1_event;
  std::vector<IncidentEvent> fhir_events;
  DecodeFailure failure;
  std::string line, fhir_line;
  size_t events = 0;
  size_t with_vigil_extension = 0;
  while (true) {
    line.clear();
    if (!stream.next(line)) break;
    BOOST_REQUIRE(v1_decoder.decode(line, v1_event, failure));
    fhir_line.clear();
    writer.convert(line, fhir_line);
    BOOST_REQUIRE_MESSAGE(fhir_decoder.decode(fhir_line, fhir_events, failure),
                          reason_code(failure.reason) << " " << failure.detail);
    BOOST_REQUIRE_EQUAL(fhir_events.size(), 1u);
    // v1_event's views stay valid: the v1 decoder has not decoded since.
    check_same(v1_event, fhir_events[0]);
    if (fhir_line.find("urn:vigil:fhir:event-v1") != std::string::npos) ++with_vigil_extension;
    ++events;
  }
  BOOST_CHECK_EQUAL(writer.kept(), 0u);
  BOOST_CHECK_EQUAL(writer.converted(), events);
  BOOST_CHECK_GT(events, 3000u);
  BOOST_TEST_MESSAGE(events << " events, " << with_vigil_extension << " with Vigil's extension");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace vigil

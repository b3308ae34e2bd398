#include "ingest/json_kernel_choice.h"

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/civil_date.h"
#include "ingest/event_decoder.h"
#include "synthetic/stream.h"

namespace {

using vigil::JsonKernel;

// Every field of a decoded event, or the failure, as one comparable string.
std::string describe(bool ok, const vigil::IncidentEvent& e, const vigil::DecodeFailure& f) {
  if (!ok) return "failed " + std::to_string(static_cast<int>(f.reason)) + " " + f.detail;
  std::string out;
  const auto add = [&out](std::string_view name, std::string_view value) {
    out.append(name).append("=").append(value).append(";");
  };
  add("id", e.id);
  add("revision", std::to_string(e.revision));
  add("reported_at", std::to_string(e.reported_at_unix_seconds));
  add("reported_on", vigil::format_date(e.reported_on));
  add("occurred_on", vigil::format_date(e.occurred_on) + (e.has_occurred_on ? "" : "?"));
  add("org", e.org);
  add("icb", e.icb);
  add("region", e.region);
  add("service_area", e.service_area);
  add("specialty", e.specialty);
  add("record_type", vigil::to_string(e.record_type));
  add("category", e.category);
  for (auto a : e.agents) add("agent", a);
  for (const auto& m : e.medications) add("medication", std::string(m.code) + "/" + std::string(m.name));
  for (const auto& d : e.devices) {
    add("device", std::string(d.code) + "/" + std::string(d.name) + "/" +
                      std::string(d.manufacturer) + "/" + std::string(d.model));
  }
  add("physical_harm", vigil::to_string(e.physical_harm));
  add("psychological_harm", vigil::to_string(e.psychological_harm));
  add("never_event", e.never_event ? "1" : "0");
  if (e.has_patient) {
    add("patient", std::string(e.patient.age_band) + "/" + std::string(e.patient.sex) + "/" +
                       std::string(1, e.patient.ethnicity) + "/" +
                       std::to_string(e.patient.imd_decile));
  }
  add("description", e.description);
  return out;
}

std::string decode_with(vigil::EventDecoder& decoder, const std::string& message) {
  vigil::IncidentEvent event;
  vigil::DecodeFailure failure;
  const bool ok = decoder.decode(message, event, failure);
  return describe(ok, event, failure);
}

// Messages whose strings cross the SIMD kernels' 32- and 64-byte blocks with
// escapes, multi-byte UTF-8, invalid UTF-8 and control characters, besides a
// synthetic stream with every kind of invalid line.
std::vector<std::string> messages() {
  std::vector<std::string> out;
  const std::string head =
      R"({"id":"r-1","reported_at":"2024-03-01T10:00:00+01:00","org":"RX1","record_type":"incident",)"
      R"("category":"medication","devices":[{"name":")";
  const std::vector<std::string> names = {
      "Infusion pump", std::string(40, 'a') + "\\\"quoted\\\" \\u00e9t\\u00E9 " + std::string(30, 'b'),
      std::string(31, 'x') + "\\n" + std::string(33, 'y'), "caf\xc3\xa9 \xe2\x80\x9cpump\xe2\x80\x9d",
      std::string(63, 'z') + "\xff", std::string(62, 'q') + "\x01", "\\ud83d\\ude00 emoji",
      "\\ud800 lone surrogate", "bad escape \\x", std::string(300, 'w')};
  for (const auto& name : names) {
    out.push_back(head + name + R"("}],"description":")" + name + R"("})");
  }
  vigil::SyntheticStreamOptions options;
  options.days = 30;
  options.events_per_year = 60000;
  options.invalid_fraction = 0.3;
  vigil::SyntheticStream stream(options);
  std::string line;
  while (out.size() < 4000 && stream.next(line)) {
    out.push_back(line);
    line.clear();
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json_kernel_choice_test)

BOOST_AUTO_TEST_CASE(names_the_kernels_as_simdjson_does) {
  BOOST_TEST(vigil::json_kernel_name(JsonKernel::kFallback) == "fallback");
  BOOST_TEST(vigil::json_kernel_name(JsonKernel::kHaswell) == "haswell");
  BOOST_TEST((vigil::best_json_kernel() == vigil::best_json_kernel()));  // decided once
}

BOOST_AUTO_TEST_CASE(every_kernel_decodes_exactly_as_the_fallback_one) {
  vigil::EventDecoder fallback(JsonKernel::kFallback);
  vigil::EventDecoder best(vigil::best_json_kernel());
  BOOST_TEST_MESSAGE("best kernel here: " << vigil::json_kernel_name(vigil::best_json_kernel()));
  size_t valid = 0;
  size_t invalid = 0;
  for (const std::string& message : messages()) {
    const std::string expected = decode_with(fallback, message);
    BOOST_TEST(decode_with(best, message) == expected, "message: " << message.substr(0, 200));
    (expected.rfind("failed", 0) == 0 ? invalid : valid) += 1;
  }
  // The inputs exercise both outcomes.
  BOOST_TEST(valid > 1000u);
  BOOST_TEST(invalid > 500u);
}

BOOST_AUTO_TEST_SUITE_END()

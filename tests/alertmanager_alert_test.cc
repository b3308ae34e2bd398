// A signal as an Alertmanager API v2 alert: labels, annotations, times, and
// a request body that is valid JSON of the PostableAlert shape.
#include <boost/test/unit_test.hpp>

#include <simdjson.h>

#include <chrono>
#include <limits>
#include <map>
#include <string>

#include "core/civil_date.h"
#include "core/signal.h"
#include "sinks/alertmanager_alert.h"
#include "core/json_writer.h"

namespace vigil {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

Date date(const char* text) {
  const auto parsed = parse_date(text);
  BOOST_REQUIRE(parsed.has_value());
  return *parsed;
}

Signal count_signal() {
  Signal s;
  s.type = SignalType::kRaised;
  s.signal_id = "3f2a9c01d4e5b677";
  s.sequence = 1;
  s.detector = "category_region_weekly";
  s.method = "earsC2";
  s.key = {{"category", "medication"}, {"region", "Y56"}};
  s.period_start = date("2025-03-03");
  s.period_end = date("2025-03-09");
  s.fired_at = date("2025-03-24");
  s.observed = 17;
  s.expected = 6.25;
  s.threshold = 11.5;
  s.score = 4.123;
  s.severity = Severity::kMedium;
  s.evidence_count = 17;
  s.evidence_orgs = 4;
  s.event_ids = {"LFPSE-001", "LFPSE-002"};
  s.summary = "17 incidents with moderate or worse harm for category medication, region Y56";
  return s;
}

std::map<std::string, std::string> as_map(const LabelPairs& pairs) {
  return {pairs.begin(), pairs.end()};
}

system_clock::time_point instant(int64_t unix_ms) {
  return system_clock::time_point(milliseconds(unix_ms));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(alertmanager_alert_test)

BOOST_AUTO_TEST_CASE(labels_identify_the_episode_and_carry_the_key_dimensions) {
  AlertMappingOptions options;
  options.pipeline_name = "national";
  const AlertContent c = make_alert_content(count_signal(), Severity::kHigh, options);
  const LabelPairs expected = {{"alertname", "VigilSignal"},
                               {"signal_id", "3f2a9c01d4e5b677"},
                               {"detector", "category_region_weekly"},
                               {"method", "earsC2"},
                               {"severity", "high"},  // the label severity passed in
                               {"pipeline", "national"},
                               {"category", "medication"},
                               {"region", "Y56"}};
  BOOST_TEST((c.labels == expected));
  BOOST_TEST(c.generator_url.empty());
}

BOOST_AUTO_TEST_CASE(annotations_say_what_was_observed_in_which_period) {
  const AlertContent c = make_alert_content(count_signal(), Severity::kMedium, {});
  const auto a = as_map(c.annotations);
  BOOST_TEST(a.at("summary") == count_signal().summary);
  BOOST_TEST(a.at("signal_type") == "raised");
  BOOST_TEST(a.at("sequence") == "1");
  BOOST_TEST(a.at("cloudevent_id") == "3f2a9c01d4e5b677-1");
  BOOST_TEST(a.at("subject") == "category_region_weekly/category=medication,region=Y56");
  BOOST_TEST(a.at("observed") == "17");
  BOOST_TEST(a.at("expected") == "6.25");
  BOOST_TEST(a.at("threshold") == "11.50");
  BOOST_TEST(a.at("score") == "4.12");
  BOOST_TEST(a.at("evidence_count") == "17");
  BOOST_TEST(a.at("evidence_orgs") == "4");
  BOOST_TEST(a.at("period") == "2025-03-03/2025-03-09");
  BOOST_TEST(a.at("fired_at") == "2025-03-24");
  BOOST_TEST(a.at("description") ==
             "category_region_weekly (earsC2) raised for category=medication,region=Y56: observed "
             "17 in 2025-03-03/2025-03-09 (expected 6.25, threshold 11.50); evidence 17 reports "
             "from 4 organisations. Event time 2025-03-24; signal 3f2a9c01d4e5b677.");
}

BOOST_AUTO_TEST_CASE(report_ids_never_reach_alertmanager) {
  const AlertContent c = make_alert_content(count_signal(), Severity::kMedium, {});
  JsonWriter w;
  w.begin_array();
  append_postable_alert(w, c, instant(0), instant(1000));
  w.end_array();
  BOOST_TEST(w.str().find("LFPSE-00") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(numbers_a_method_does_not_give_are_left_out) {
  Signal s = count_signal();
  s.method = "severity_rule";
  s.expected = std::numeric_limits<double>::quiet_NaN();
  s.threshold = std::numeric_limits<double>::quiet_NaN();
  s.score = std::numeric_limits<double>::infinity();
  s.evidence_count = 1;
  s.evidence_orgs = 1;
  const auto a = as_map(make_alert_content(s, Severity::kCritical, {}).annotations);
  BOOST_TEST(a.count("expected") == 0u);
  BOOST_TEST(a.count("threshold") == 0u);
  BOOST_TEST(a.count("score") == 0u);
  BOOST_TEST(a.at("description").find("(expected") == std::string::npos);
  BOOST_TEST(a.at("description").find("evidence 1 report from 1 organisation.") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(key_dimensions_never_overwrite_vigil_or_static_labels) {
  Signal s = count_signal();
  s.key = {{"severity", "x"}, {"team", "y"}, {"age-band", "76+"}, {"1st", "z"}, {"org", ""}};
  AlertMappingOptions options;
  options.static_labels = {{"team", "national"}, {"environment", "test"}};
  const auto labels = make_alert_content(s, Severity::kLow, options).labels;
  const auto l = as_map(labels);
  BOOST_TEST(l.at("severity") == "low");
  BOOST_TEST(l.at("key_severity") == "x");
  BOOST_TEST(l.at("team") == "national");
  BOOST_TEST(l.at("key_team") == "y");
  BOOST_TEST(l.at("age_band") == "76+");
  BOOST_TEST(l.at("_1st") == "z");
  BOOST_TEST(l.at("environment") == "test");
  BOOST_TEST(l.count("org") == 0u);  // empty values are absent, as Alertmanager treats them
  BOOST_TEST(labels.size() == l.size());  // no name twice
  for (const auto& [name, value] : labels) BOOST_TEST(is_valid_label_name(name), name);
}

BOOST_AUTO_TEST_CASE(label_name_rules) {
  BOOST_TEST(is_valid_label_name("environment"));
  BOOST_TEST(is_valid_label_name("_x1"));
  BOOST_TEST(!is_valid_label_name(""));
  BOOST_TEST(!is_valid_label_name("1x"));
  BOOST_TEST(!is_valid_label_name("a-b"));
  for (const char* reserved : {"alertname", "signal_id", "detector", "method", "severity", "pipeline"}) {
    BOOST_TEST(is_reserved_alert_label(reserved), reserved);
  }
  BOOST_TEST(!is_reserved_alert_label("category"));
}

BOOST_AUTO_TEST_CASE(generator_url_gets_the_signal_id) {
  AlertMappingOptions options;
  options.generator_url = "https://grafana.example/d/x?var-signal_id={signal_id}&again={signal_id}";
  const AlertContent c = make_alert_content(count_signal(), Severity::kMedium, options);
  BOOST_TEST(c.generator_url ==
             "https://grafana.example/d/x?var-signal_id=3f2a9c01d4e5b677&again=3f2a9c01d4e5b677");
}

BOOST_AUTO_TEST_CASE(rfc3339_in_utc_with_milliseconds) {
  BOOST_TEST(format_rfc3339_millis(instant(0)) == "1970-01-01T00:00:00.000Z");
  // 2025-03-10T14:02:07.250Z
  BOOST_TEST(format_rfc3339_millis(instant(1741615327250)) == "2025-03-10T14:02:07.250Z");
  BOOST_TEST(format_rfc3339_millis(instant(-1)) == "1969-12-31T23:59:59.999Z");
  // Sub-millisecond parts are cut, never rounded up into the next second.
  BOOST_TEST(format_rfc3339_millis(instant(999) + std::chrono::microseconds(999)) ==
             "1970-01-01T00:00:00.999Z");
}

BOOST_AUTO_TEST_CASE(request_body_is_a_json_array_of_postable_alerts) {
  Signal s = count_signal();
  s.summary = "quote \" backslash \\ newline \n tab \t bad utf8 \xff end";
  AlertMappingOptions options;
  options.generator_url = "http://vigil.example/signals/{signal_id}";
  const AlertContent c = make_alert_content(s, Severity::kMedium, options);
  Signal resolved = count_signal();
  resolved.type = SignalType::kResolved;
  resolved.sequence = 3;
  const AlertContent r = make_alert_content(resolved, Severity::kHigh, {});

  JsonWriter w;
  w.begin_array();
  append_postable_alert(w, c, instant(1741615327250), instant(1741615327250 + 240000));
  append_postable_alert(w, r, instant(1741615327250), instant(1741615400000));
  w.end_array();

  simdjson::dom::parser parser;
  simdjson::dom::element root;
  BOOST_REQUIRE(parser.parse(w.str()).get(root) == simdjson::SUCCESS);
  simdjson::dom::array alerts;
  BOOST_REQUIRE(root.get_array().get(alerts) == simdjson::SUCCESS);
  BOOST_REQUIRE(alerts.size() == 2u);

  simdjson::dom::object first;
  BOOST_REQUIRE(alerts.at(0).get_object().get(first) == simdjson::SUCCESS);
  std::vector<std::string> members;
  for (auto field : first) members.emplace_back(field.key);
  BOOST_TEST((members == std::vector<std::string>{"labels", "annotations", "startsAt", "endsAt",
                                                   "generatorURL"}));
  std::string_view text;
  BOOST_REQUIRE(first["startsAt"].get_string().get(text) == simdjson::SUCCESS);
  BOOST_TEST(text == "2025-03-10T14:02:07.250Z");
  BOOST_REQUIRE(first["endsAt"].get_string().get(text) == simdjson::SUCCESS);
  BOOST_TEST(text == "2025-03-10T14:06:07.250Z");
  BOOST_REQUIRE(first["generatorURL"].get_string().get(text) == simdjson::SUCCESS);
  BOOST_TEST(text == "http://vigil.example/signals/3f2a9c01d4e5b677");
  BOOST_REQUIRE(first["labels"]["alertname"].get_string().get(text) == simdjson::SUCCESS);
  BOOST_TEST(text == "VigilSignal");
  BOOST_REQUIRE(first["annotations"]["summary"].get_string().get(text) == simdjson::SUCCESS);
  BOOST_TEST(text == "quote \" backslash \\ newline \n tab \t bad utf8 \xEF\xBF\xBD end");
  // Every label and annotation value is a string, as the API requires.
  for (const char* member : {"labels", "annotations"}) {
    simdjson::dom::object object;
    BOOST_REQUIRE(first[member].get_object().get(object) == simdjson::SUCCESS);
    for (auto field : object) BOOST_TEST(field.value.is_string(), field.key);
  }

  simdjson::dom::object second;
  BOOST_REQUIRE(alerts.at(1).get_object().get(second) == simdjson::SUCCESS);
  BOOST_TEST(second["generatorURL"].error() == simdjson::NO_SUCH_FIELD);
  BOOST_REQUIRE(second["labels"]["severity"].get_string().get(text) == simdjson::SUCCESS);
  BOOST_TEST(text == "high");
  BOOST_REQUIRE(second["annotations"]["signal_type"].get_string().get(text) == simdjson::SUCCESS);
  BOOST_TEST(text == "resolved");
  BOOST_REQUIRE(second["endsAt"].get_string().get(text) == simdjson::SUCCESS);
  BOOST_TEST(text == "2025-03-10T14:03:20.000Z");
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace vigil

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/pipeline_config.h"
#include "config/record_retention_config.h"

// The configuration parser: the national default, unknown keys, and the
// librdkafka properties read from files (secrets mounted from Kubernetes).

using namespace vigil;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vigil-config-XXXXXX").string();
    BOOST_REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& contents) const {
    const std::string file = path + "/" + name;
    std::ofstream(file, std::ios::binary) << contents;
    return file;
  }
};

// A minimal valid configuration with `kafka_extra` inserted under kafka:.
std::string config_with_kafka(const std::string& kafka_extra) {
  return "kafka:\n"
         "  bootstrap_servers: broker:9093\n" +
         kafka_extra +
         "detectors:\n"
         "  - {name: fatal, type: severity_rule}\n";
}

std::string error_of(const Result<PipelineConfig>& r) { return r.is_ok() ? "" : r.error().message; }

}  // namespace

BOOST_AUTO_TEST_SUITE(pipeline_config_test)

BOOST_AUTO_TEST_CASE(the_national_default_parses) {
  auto c = load_pipeline_config("");
  BOOST_REQUIRE_MESSAGE(c.is_ok(), error_of(c));
  BOOST_TEST(c.value().kafka.properties.empty());
  BOOST_TEST(c.value().kafka.group_instance_id.empty());
  BOOST_TEST(c.value().detectors.size() > 1u);
}

BOOST_AUTO_TEST_CASE(the_future_tolerance_defaults_to_two_days_and_must_be_positive) {
  auto national = load_pipeline_config("");
  BOOST_REQUIRE_MESSAGE(national.is_ok(), error_of(national));
  BOOST_TEST(national.value().future_tolerance_days == 2);
  auto wider = parse_pipeline_config("pipeline:\n  future_tolerance_days: 14\n", "test.yaml");
  BOOST_REQUIRE_MESSAGE(wider.is_ok(), error_of(wider));
  BOOST_TEST(wider.value().future_tolerance_days == 14);
  auto zero = parse_pipeline_config("pipeline:\n  future_tolerance_days: 0\n", "test.yaml");
  BOOST_TEST(error_of(zero).find("pipeline.future_tolerance_days: must be at least 1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_keys_are_rejected_with_their_path) {
  auto c = parse_pipeline_config(config_with_kafka("  propertis: {}\n"), "test.yaml");
  BOOST_REQUIRE(!c.is_ok());
  BOOST_TEST(error_of(c).find("test.yaml: kafka.propertis: unknown key") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(static_membership_id_is_read) {
  auto c = parse_pipeline_config(config_with_kafka("  group_instance_id: vigil-0\n"), "test.yaml");
  BOOST_REQUIRE_MESSAGE(c.is_ok(), error_of(c));
  BOOST_TEST(c.value().kafka.group_instance_id == "vigil-0");
}

BOOST_AUTO_TEST_CASE(properties_the_guarantees_rest_on_are_refused_by_name) {
  for (const std::string name : {"enable.auto.commit", "isolation.level", "auto.offset.reset",
                                 "transactional.id", "enable.idempotence", "group.id"}) {
    auto c = parse_pipeline_config(
        config_with_kafka("  properties:\n    " + name + ": \"x\"\n"), "test.yaml");
    BOOST_TEST_REQUIRE(!c.is_ok(), name << " was accepted");
    BOOST_TEST(c.error().message.find("kafka.properties." + name) != std::string::npos,
               c.error().message);
    BOOST_TEST(c.error().message.find("may not be overridden") != std::string::npos,
               c.error().message);
  }
  auto from_file = parse_pipeline_config(
      config_with_kafka("  properties_from_files:\n    isolation.level: /nonexistent\n"), "test.yaml");
  BOOST_TEST_REQUIRE(!from_file.is_ok());
  BOOST_TEST(from_file.error().message.find("kafka.properties_from_files.isolation.level") !=
                 std::string::npos,
             from_file.error().message);
  // Tuning stays the deployment's to set.
  auto tuning = parse_pipeline_config(
      config_with_kafka("  properties:\n    session.timeout.ms: \"30000\"\n"), "test.yaml");
  BOOST_TEST(tuning.is_ok(), error_of(tuning));
}

BOOST_AUTO_TEST_CASE(the_reviews_topic_defaults_to_vigil_reviews_and_may_be_turned_off) {
  auto d = parse_pipeline_config(config_with_kafka("  group_id: g\n"), "test.yaml");
  BOOST_REQUIRE_MESSAGE(d.is_ok(), error_of(d));
  BOOST_TEST(d.value().kafka.reviews_topic == "vigil.reviews");
  auto off = parse_pipeline_config(config_with_kafka("  reviews_topic: \"\"\n"), "test.yaml");
  BOOST_REQUIRE_MESSAGE(off.is_ok(), error_of(off));
  BOOST_TEST(off.value().kafka.reviews_topic.empty());
}

BOOST_AUTO_TEST_CASE(exactly_once_is_the_default_and_at_least_once_can_be_chosen) {
  auto d = parse_pipeline_config(config_with_kafka("  group_id: g\n"), "test.yaml");
  BOOST_REQUIRE_MESSAGE(d.is_ok(), error_of(d));
  BOOST_TEST(to_string(d.value().kafka.guarantee) == "exactly_once");
  auto a = parse_pipeline_config(config_with_kafka("  guarantee: at_least_once\n"), "test.yaml");
  BOOST_REQUIRE_MESSAGE(a.is_ok(), error_of(a));
  BOOST_TEST(to_string(a.value().kafka.guarantee) == "at_least_once");
  auto bad = parse_pipeline_config(config_with_kafka("  guarantee: exactly-once\n"), "test.yaml");
  BOOST_REQUIRE(!bad.is_ok());
  BOOST_TEST(error_of(bad).find("kafka.guarantee: must be exactly_once or at_least_once") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(events_format_defaults_to_event_v1_and_fhir_can_be_chosen) {
  auto d = parse_pipeline_config(config_with_kafka("  group_id: g\n"), "test.yaml");
  BOOST_REQUIRE_MESSAGE(d.is_ok(), error_of(d));
  BOOST_TEST(format_name(d.value().kafka.events_format) == "event_v1");
  auto f = parse_pipeline_config(config_with_kafka("  events_format: fhir\n"), "test.yaml");
  BOOST_REQUIRE_MESSAGE(f.is_ok(), error_of(f));
  BOOST_TEST(format_name(f.value().kafka.events_format) == "fhir");
  auto bad = parse_pipeline_config(config_with_kafka("  events_format: FHIR\n"), "test.yaml");
  BOOST_REQUIRE(!bad.is_ok());
  BOOST_TEST(error_of(bad).find("kafka.events_format: must be event_v1 or fhir, not 'FHIR'") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(transactional_id_is_unique_per_instance_and_stable) {
  KafkaConfig k;
  k.group_id = "vigil";
  k.group_instance_id = "vigil-2";
  BOOST_TEST(transactional_id_for(k) == "vigil-vigil-2");
  k.transactional_id = "national-a";
  BOOST_TEST(transactional_id_for(k) == "national-a");
  // Without either, the host name: unique per running instance, and what a
  // restarted instance (a pod keeps its name) derives again.
  KafkaConfig dynamic;
  dynamic.group_id = "vigil";
  char host[256] = {};
  BOOST_TEST_REQUIRE(gethostname(host, sizeof host - 1) == 0);
  BOOST_TEST_REQUIRE(host[0] != '\0');
  BOOST_TEST(transactional_id_for(dynamic) == "vigil-" + std::string(host));
}

BOOST_AUTO_TEST_CASE(properties_from_files_read_the_secret_and_strip_line_breaks) {
  TempDir dir;
  const auto password = dir.write("password", "s3cr3t with spaces \r\n\n");
  const auto user = dir.write("username", "vigil");
  auto c = parse_pipeline_config(config_with_kafka("  properties:\n"
                                                   "    security.protocol: SASL_SSL\n"
                                                   "    sasl.mechanisms: SCRAM-SHA-512\n"
                                                   "  properties_from_files:\n"
                                                   "    sasl.password: " + password + "\n"
                                                   "    sasl.username: " + user + "\n"),
                                 "test.yaml");
  BOOST_REQUIRE_MESSAGE(c.is_ok(), error_of(c));
  const auto& props = c.value().kafka.properties;
  BOOST_TEST(props.at("sasl.password") == "s3cr3t with spaces ");
  BOOST_TEST(props.at("sasl.username") == "vigil");
  BOOST_TEST(props.at("security.protocol") == "SASL_SSL");
  BOOST_TEST(props.size() == 4u);
}

BOOST_AUTO_TEST_CASE(a_missing_secret_file_names_the_key_and_file) {
  auto c = parse_pipeline_config(
      config_with_kafka("  properties_from_files:\n    sasl.password: /nonexistent/vigil/password\n"),
      "test.yaml");
  BOOST_REQUIRE(!c.is_ok());
  BOOST_TEST(error_of(c) ==
             "test.yaml: kafka.properties_from_files.sasl.password: cannot read file "
             "/nonexistent/vigil/password");
  BOOST_TEST((c.error().kind == ErrorKind::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(errors_never_show_the_secret) {
  TempDir dir;
  const auto password = dir.write("password", "hunter2");
  // The same property twice: an error that must name the key, not the value.
  auto c = parse_pipeline_config(config_with_kafka("  properties:\n"
                                                   "    sasl.password: inline\n"
                                                   "  properties_from_files:\n"
                                                   "    sasl.password: " + password + "\n"),
                                 "test.yaml");
  BOOST_REQUIRE(!c.is_ok());
  BOOST_TEST(error_of(c).find("kafka.properties_from_files.sasl.password: is also set in "
                              "kafka.properties") != std::string::npos);
  BOOST_TEST(error_of(c).find("hunter2") == std::string::npos);

  const auto empty = dir.write("empty", "\n");
  c = parse_pipeline_config(
      config_with_kafka("  properties_from_files:\n    sasl.password: " + empty + "\n"), "test.yaml");
  BOOST_REQUIRE(!c.is_ok());
  BOOST_TEST(error_of(c).find("is empty") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(properties_from_files_must_be_a_mapping_of_scalars) {
  auto c = parse_pipeline_config(config_with_kafka("  properties_from_files: [a, b]\n"), "test.yaml");
  BOOST_REQUIRE(!c.is_ok());
  BOOST_TEST(error_of(c).find("kafka.properties_from_files: must be a mapping") != std::string::npos);
  c = parse_pipeline_config(config_with_kafka("  properties_from_files:\n    sasl.password: [x]\n"),
                            "test.yaml");
  BOOST_REQUIRE(!c.is_ok());
  BOOST_TEST(error_of(c).find("kafka.properties_from_files.sasl.password: must be a scalar") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(without_detectors_the_national_default_detectors_run) {
  auto c = parse_pipeline_config("kafka: {bootstrap_servers: broker:9093}\n", "test.yaml");
  BOOST_REQUIRE_MESSAGE(c.is_ok(), error_of(c));
  auto national = load_pipeline_config("");
  BOOST_REQUIRE(national.is_ok());
  BOOST_REQUIRE(c.value().detectors.size() == national.value().detectors.size());
  for (size_t i = 0; i < national.value().detectors.size(); ++i) {
    BOOST_TEST(detector_name(c.value().detectors[i]) == detector_name(national.value().detectors[i]));
  }
  BOOST_TEST(c.value().kafka.bootstrap_servers == "broker:9093");
  // An empty list is still an error: it is a mistake, not a request for defaults.
  auto empty = parse_pipeline_config("detectors: []\n", "test.yaml");
  BOOST_REQUIRE(!empty.is_ok());
  BOOST_TEST(error_of(empty).find("detectors: must be a non-empty list") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(record_retention_defaults_to_the_longest_detector_reach_plus_grace) {
  // severity_rule's defaults: retain_days 400 + group_days 1 + resolve_after_days 7.
  auto c = parse_pipeline_config(config_with_kafka(""), "test.yaml");
  BOOST_REQUIRE_MESSAGE(c.is_ok(), error_of(c));
  BOOST_TEST(longest_detector_reach_days(c.value().detectors) == 408);
  BOOST_TEST(c.value().state.record_retention_days == 408 + kRecordRetentionGraceDays);

  // The national default: its longest reach is the fatal_cluster rule's
  // (retain_days 400 + group_days 7 + resolve_after_days 7 = 414), the
  // weekly farringtonFlexible detectors' (b: 1, w: 3) a day behind at 413.
  auto national = load_pipeline_config("");
  BOOST_REQUIRE(national.is_ok());
  const int32_t days = national.value().state.record_retention_days;
  BOOST_TEST(days == derived_record_retention_days(national.value().detectors));
  for (const auto& d : national.value().detectors) {
    BOOST_TEST_MESSAGE(detector_name(d) << " reaches " << detector_reach_days(d) << " days");
  }
  BOOST_TEST_MESSAGE("national default record retention: " << days << " days");
  BOOST_TEST(days == 442);
}

BOOST_AUTO_TEST_CASE(record_retention_may_be_longer_never_shorter_than_the_reach) {
  auto longer = parse_pipeline_config("state: {record_retention_days: 3650}\n" + config_with_kafka(""),
                                      "test.yaml");
  BOOST_REQUIRE_MESSAGE(longer.is_ok(), error_of(longer));
  BOOST_TEST(longer.value().state.record_retention_days == 3650);

  auto shorter = parse_pipeline_config("state: {record_retention_days: 100}\n" + config_with_kafka(""),
                                       "test.yaml");
  BOOST_REQUIRE(!shorter.is_ok());
  BOOST_TEST(error_of(shorter).find("state.record_retention_days: must be at least 408 days") !=
             std::string::npos);

  auto zero = parse_pipeline_config("state: {record_retention_days: 0}\n" + config_with_kafka(""),
                                    "test.yaml");
  BOOST_REQUIRE(!zero.is_ok());
  BOOST_TEST(error_of(zero).find("state.record_retention_days: must be a positive number") !=
             std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

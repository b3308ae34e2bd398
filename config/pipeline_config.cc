#include "config/pipeline_config.h"

#include <yaml-cpp/yaml.h>

#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

#include "config/alertmanager_config.h"
#include "config/default_config.h"
#include "config/record_retention_config.h"
#include "config/detector_list_config.h"
#include "config/redaction_config.h"
#include "config/review_config.h"
#include "config/yaml_reader.h"
#include "state/record_retention.h"

namespace vigil {
namespace config {
namespace {

// The librdkafka properties Vigil's guarantees rest on: offsets are
// committed with its state (never automatically), signals are read back
// committed-only, a partition without state starts from its beginning, and
// the producer's transactional id is per instance (kafka.transactional_id,
// `run --transactional-id`). Set through kafka.properties they would
// silently override what the pipeline sets, so they are refused by name.
void refuse_safety_property(const std::string& name, const std::string& path) {
  static const std::map<std::string, std::string, std::less<>> kReasons = {
      {"enable.auto.commit", "Vigil commits offsets with its state, never automatically"},
      {"enable.auto.offset.store", "Vigil stores offsets only once their output is committed"},
      {"isolation.level", "Vigil reads committed records only (read_committed)"},
      {"auto.offset.reset", "a partition without state is read from its beginning"},
      {"transactional.id", "set kafka.transactional_id (or run --transactional-id) instead"},
      {"enable.idempotence", "Vigil's producers are always idempotent"},
      {"group.id", "set kafka.group_id instead"},
      {"bootstrap.servers", "set kafka.bootstrap_servers instead"},
  };
  if (const auto it = kReasons.find(name); it != kReasons.end()) {
    fail(path, "is set by Vigil and may not be overridden: " + it->second);
  }
}

PipelineConfig parse(const YAML::Node& root);
void resolve_record_retention(PipelineConfig& cfg);

// The detectors of the compiled-in national default (config/vigil.yaml).
std::vector<DetectorConfig> national_default_detectors() {
  return parse(YAML::Load(std::string(default_config_yaml()))).detectors;
}

PipelineConfig parse(const YAML::Node& root) {
  PipelineConfig cfg;
  if (!root || root.IsNull()) fail("(top level)", "is empty");
  check_keys(root, "",
             {"pipeline", "kafka", "state", "commit", "metrics", "alertmanager", "review", "redaction",
              "detectors"});
  if (const auto p = root["pipeline"]) {
    check_keys(p, "pipeline", {"name", "future_tolerance_days", "parallel_detectors"});
    read(p, "pipeline", "name", cfg.name);
    read(p, "pipeline", "parallel_detectors", cfg.parallel_detectors);
    read(p, "pipeline", "future_tolerance_days", cfg.future_tolerance_days);
    if (cfg.future_tolerance_days < 1) {
      fail("pipeline.future_tolerance_days", "must be at least 1 (day)");
    }
  }
  if (const auto k = root["kafka"]) {
    check_keys(k, "kafka",
               {"bootstrap_servers", "group_id", "group_instance_id", "guarantee",
                "transactional_id", "events_topic", "events_format", "signals_topic", "dead_letter_topic",
                "repartition_topic", "reviews_topic", "properties", "properties_from_files"});
    read(k, "kafka", "bootstrap_servers", cfg.kafka.bootstrap_servers);
    read(k, "kafka", "group_id", cfg.kafka.group_id);
    read(k, "kafka", "group_instance_id", cfg.kafka.group_instance_id);
    if (const auto g = k["guarantee"]) {
      const auto value = scalar<std::string>(g, "kafka.guarantee");
      if (value == "exactly_once") {
        cfg.kafka.guarantee = DeliveryGuarantee::kExactlyOnce;
      } else if (value == "at_least_once") {
        cfg.kafka.guarantee = DeliveryGuarantee::kAtLeastOnce;
      } else {
        fail("kafka.guarantee", "must be exactly_once or at_least_once, not '" + value + "'");
      }
    }
    read(k, "kafka", "transactional_id", cfg.kafka.transactional_id);
    read(k, "kafka", "events_topic", cfg.kafka.events_topic);
    if (const auto f = k["events_format"]) {
      const auto value = scalar<std::string>(f, "kafka.events_format");
      const auto format = parse_message_format(value);
      if (!format) fail("kafka.events_format", "must be event_v1 or fhir, not '" + value + "'");
      cfg.kafka.events_format = *format;
    }
    read(k, "kafka", "signals_topic", cfg.kafka.signals_topic);
    read(k, "kafka", "dead_letter_topic", cfg.kafka.dead_letter_topic);
    read(k, "kafka", "repartition_topic", cfg.kafka.repartition_topic);
    read(k, "kafka", "reviews_topic", cfg.kafka.reviews_topic);
    if (const auto props = k["properties"]) {
      if (!props.IsMap()) fail("kafka.properties", "must be a mapping");
      for (const auto& kv : props) {
        const auto name = kv.first.as<std::string>();
        refuse_safety_property(name, "kafka.properties." + name);
        cfg.kafka.properties[name] = scalar<std::string>(kv.second, "kafka.properties." + name);
      }
    }
    // librdkafka reads certificates and keys from paths itself, but takes
    // sasl.password only as a value: these properties are read from files.
    if (const auto files = k["properties_from_files"]) {
      if (!files.IsMap()) fail("kafka.properties_from_files", "must be a mapping");
      for (const auto& kv : files) {
        const auto name = kv.first.as<std::string>();
        const std::string path = "kafka.properties_from_files." + name;
        refuse_safety_property(name, path);
        if (cfg.kafka.properties.count(name) != 0) fail(path, "is also set in kafka.properties");
        cfg.kafka.properties[name] = read_secret_file(scalar<std::string>(kv.second, path), path);
      }
    }
  }
  if (const auto s = root["state"]) {
    check_keys(s, "state", {"dir", "block_cache_bytes", "write_buffer_bytes", "record_retention_days"});
    read(s, "state", "dir", cfg.state.dir);
    read(s, "state", "block_cache_bytes", cfg.state.block_cache_bytes);
    read(s, "state", "write_buffer_bytes", cfg.state.write_buffer_bytes);
    read(s, "state", "record_retention_days", cfg.state.record_retention_days);
    if (s["record_retention_days"] && cfg.state.record_retention_days <= 0) {
      fail("state.record_retention_days", "must be a positive number of days");
    }
    if (cfg.state.write_buffer_bytes > cfg.state.block_cache_bytes) {
      fail("state.write_buffer_bytes", "must not exceed state.block_cache_bytes (it is charged to it)");
    }
  }
  if (const auto c = root["commit"]) {
    check_keys(c, "commit", {"max_events", "max_interval_ms", "max_attempts"});
    read(c, "commit", "max_events", cfg.commit.max_events);
    read(c, "commit", "max_interval_ms", cfg.commit.max_interval_ms);
    read(c, "commit", "max_attempts", cfg.commit.max_attempts);
    if (cfg.commit.max_events == 0) fail("commit.max_events", "must be at least 1");
    if (cfg.commit.max_attempts == 0) fail("commit.max_attempts", "must be at least 1");
  }
  if (const auto m = root["metrics"]) {
    check_keys(m, "metrics", {"bind", "port"});
    read(m, "metrics", "bind", cfg.metrics.bind);
    read(m, "metrics", "port", cfg.metrics.port);
  }
  if (const auto a = root["alertmanager"]) cfg.alertmanager = parse_alertmanager(a);
  if (const auto r = root["review"]) cfg.review = parse_review(r);
  if (const auto r = root["redaction"]) cfg.redaction = parse_redaction(r);
  // Each alert links to its signal's page when the review application's
  // address is known and no other link was asked for.
  if (cfg.alertmanager.generator_url.empty() && !cfg.review.base_url.empty()) {
    std::string base = cfg.review.base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    cfg.alertmanager.generator_url = base + "/signals/{signal_id}";
  }
  // Omitted: the national default's detectors, as compiled into this
  // binary, so a deployment's file can carry only its Kafka and state
  // settings and still run the detectors of the image it runs.
  const auto detectors = root["detectors"];
  cfg.detectors = detectors ? parse_detector_list(detectors) : national_default_detectors();
  // A text detector redacts as the rest of Vigil does, unless it has
  // patterns of its own.
  for (auto& d : cfg.detectors) {
    if (auto* text = std::get_if<TextClusterConfig>(&d); text != nullptr && !text->own_redaction) {
      text->redaction = cfg.redaction;
    }
  }
  resolve_record_retention(cfg);
  return cfg;
}

// Records must outlive every window a revision could still change: a
// shorter retention would let a revision count twice where a detector
// still looks.
void resolve_record_retention(PipelineConfig& cfg) {
  const int32_t reach = longest_detector_reach_days(cfg.detectors);
  if (cfg.state.record_retention_days == 0) {
    cfg.state.record_retention_days = derived_record_retention_days(cfg.detectors);
  } else if (cfg.state.record_retention_days < reach) {
    fail("state.record_retention_days",
         "must be at least " + std::to_string(reach) +
             " days, the longest span a configured detector reads (default: " +
             std::to_string(derived_record_retention_days(cfg.detectors)) + ")");
  }
}

}  // namespace
}  // namespace config

std::string_view to_string(DeliveryGuarantee g) {
  return g == DeliveryGuarantee::kExactlyOnce ? "exactly_once" : "at_least_once";
}

std::string transactional_id_for(const KafkaConfig& kafka) {
  if (!kafka.transactional_id.empty()) return kafka.transactional_id;
  if (!kafka.group_instance_id.empty()) return kafka.group_id + "-" + kafka.group_instance_id;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return kafka.group_id + "-vigil";
  return kafka.group_id + "-" + host;
}

Result<PipelineConfig> parse_pipeline_config(std::string_view yaml_text, std::string_view source) {
  try {
    PipelineConfig parsed = config::parse(YAML::Load(std::string(yaml_text)));
    for (const auto& d : parsed.detectors) {
      // Building each detector once checks its method and parameters now,
      // at start-up, rather than when its first partition is assigned.
      Status valid = validate_detector_config(d);
      if (!valid.is_ok()) {
        return make_error(ErrorKind::kInvalidArgument, std::string(source) + ": " + valid.message());
      }
    }
    return parsed;
  } catch (const config::ConfigError& e) {
    return make_error(ErrorKind::kInvalidArgument, std::string(source) + ": " + e.message);
  } catch (const YAML::Exception& e) {
    return make_error(ErrorKind::kInvalidArgument,
                      std::string(source) + ": not valid YAML: " + e.what());
  }
}

Result<PipelineConfig> load_pipeline_config(const std::string& path) {
  if (path.empty()) return parse_pipeline_config(default_config_yaml(), "built-in default config");
  std::ifstream in(path);
  if (!in) return make_error(ErrorKind::kInvalidArgument, "cannot read config file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_pipeline_config(text.str(), path);
}

Result<std::unique_ptr<StateStore>> open_state_store(const StateConfig& state,
                                                     const std::string& dir) {
  StateStoreOptions options;
  options.path = dir;
  options.block_cache_bytes = state.block_cache_bytes;
  options.write_buffer_bytes = state.write_buffer_bytes;
  if (state.record_retention_days > 0) {
    options.record_retention = std::make_shared<RecordRetention>(state.record_retention_days);
  }
  return StateStore::open(options);
}

}  // namespace vigil

#include "app/pipeline_config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "app/default_config.h"

namespace vigil {
namespace {

// Thrown inside the parser only and turned into an Error at its boundary.
struct ConfigError {
  std::string message;
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw ConfigError{path + ": " + what};
}

void check_keys(const YAML::Node& node, const std::string& path,
                std::initializer_list<std::string_view> allowed) {
  if (!node.IsMap()) fail(path, "must be a mapping");
  for (const auto& kv : node) {
    const auto key = kv.first.as<std::string>();
    bool ok = false;
    for (auto a : allowed) ok = ok || a == key;
    if (!ok) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      fail(path.empty() ? key : path + "." + key, "unknown key (allowed: " + list + ")");
    }
  }
}

template <typename T>
T scalar(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar()) fail(path, "must be a scalar");
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    fail(path, "has the wrong type");
  }
}

template <typename T>
void read(const YAML::Node& parent, const std::string& path, const char* key, T& out) {
  const YAML::Node node = parent[key];
  if (node) out = scalar<T>(node, path + "." + key);
}

std::vector<std::string> string_list(const YAML::Node& node, const std::string& path) {
  if (!node.IsSequence()) fail(path, "must be a list");
  std::vector<std::string> out;
  for (size_t i = 0; i < node.size(); ++i) {
    out.push_back(scalar<std::string>(node[i], path + "[" + std::to_string(i) + "]"));
  }
  return out;
}

// The contents of `file`, for a secret such as a SASL password mounted from a
// Kubernetes Secret: trailing line breaks (which `kubectl create secret
// --from-file` and editors leave) are stripped. Messages name the file,
// never what it holds.
std::string read_secret_file(const std::string& file, const std::string& path) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(path, "cannot read file " + file);
  std::stringstream text;
  text << in.rdbuf();
  std::string value = text.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty()) fail(path, "file " + file + " is empty");
  return value;
}

PhysicalHarm parse_harm(const std::string& text, const std::string& path) {
  for (auto h : {PhysicalHarm::kNone, PhysicalHarm::kLow, PhysicalHarm::kModerate,
                 PhysicalHarm::kSevere, PhysicalHarm::kFatal}) {
    if (to_string(h) == text) return h;
  }
  fail(path, "must be one of none, low, moderate, severe, fatal");
}

RecordType parse_record_type(const std::string& text, const std::string& path) {
  for (auto t : {RecordType::kIncident, RecordType::kOutcome, RecordType::kRisk,
                 RecordType::kGoodCare}) {
    if (to_string(t) == text) return t;
  }
  fail(path, "must be one of incident, outcome, risk, good_care");
}

Severity parse_severity(const std::string& text, const std::string& path) {
  for (auto s : {Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    if (to_string(s) == text) return s;
  }
  fail(path, "must be one of low, medium, high, critical");
}

std::vector<Dimension> parse_dimensions(const YAML::Node& node, const std::string& path) {
  std::vector<Dimension> dims;
  const auto names = string_list(node, path);
  for (size_t i = 0; i < names.size(); ++i) {
    const auto d = parse_dimension(names[i]);
    if (!d) fail(path + "[" + std::to_string(i) + "]", "unknown dimension '" + names[i] + "'");
    dims.push_back(*d);
  }
  return dims;
}

EventFilter parse_filter(const YAML::Node& node, const std::string& path) {
  check_keys(node, path, {"record_types", "categories", "agents", "min_physical_harm"});
  EventFilter f;
  if (node["record_types"]) {
    for (const auto& t : string_list(node["record_types"], path + ".record_types")) {
      f.record_types.push_back(parse_record_type(t, path + ".record_types"));
    }
  }
  if (node["categories"]) f.categories = string_list(node["categories"], path + ".categories");
  if (node["agents"]) f.agents = string_list(node["agents"], path + ".agents");
  if (node["min_physical_harm"]) {
    f.min_physical_harm =
        parse_harm(scalar<std::string>(node["min_physical_harm"], path + ".min_physical_harm"),
                   path + ".min_physical_harm");
  }
  return f;
}

CountDetectorConfig parse_count(const YAML::Node& node, const std::string& path) {
  check_keys(node, path,
             {"name", "type", "dimensions", "filter", "period", "grace_days", "method", "params",
              "min_observed", "severity", "lifecycle"});
  CountDetectorConfig c;
  c.name = scalar<std::string>(node["name"], path + ".name");
  if (!node["dimensions"]) fail(path + ".dimensions", "is required");
  c.dimensions = parse_dimensions(node["dimensions"], path + ".dimensions");
  if (node["filter"]) c.filter = parse_filter(node["filter"], path + ".filter");
  if (node["period"]) {
    const auto p = scalar<std::string>(node["period"], path + ".period");
    if (p == "week") {
      c.period = PeriodUnit::kWeek;
    } else if (p == "day") {
      c.period = PeriodUnit::kDay;
    } else {
      fail(path + ".period", "must be week or day");
    }
  }
  read(node, path, "grace_days", c.grace_days);
  if (c.grace_days < 0 || c.grace_days > 366) fail(path + ".grace_days", "must be 0..366");
  read(node, path, "method", c.method);
  if (node["params"]) {
    const auto params = node["params"];
    if (!params.IsMap()) fail(path + ".params", "must be a mapping");
    for (const auto& kv : params) {
      const auto name = kv.first.as<std::string>();
      c.params[name] = scalar<std::string>(kv.second, path + ".params." + name);
    }
  }
  read(node, path, "min_observed", c.min_observed);
  if (c.min_observed < 1) fail(path + ".min_observed", "must be at least 1");
  if (node["severity"]) {
    c.severity = parse_severity(scalar<std::string>(node["severity"], path + ".severity"),
                                path + ".severity");
  }
  if (node["lifecycle"]) {
    const auto lc = node["lifecycle"];
    check_keys(lc, path + ".lifecycle", {"update_growth", "resolve_after_quiet"});
    read(lc, path + ".lifecycle", "update_growth", c.lifecycle.update_growth);
    read(lc, path + ".lifecycle", "resolve_after_quiet", c.lifecycle.resolve_after_quiet);
    if (c.lifecycle.update_growth <= 1.0) fail(path + ".lifecycle.update_growth", "must be > 1");
    if (c.lifecycle.resolve_after_quiet < 1) {
      fail(path + ".lifecycle.resolve_after_quiet", "must be at least 1");
    }
  }
  return c;
}

SeverityRuleConfig parse_severity_rule(const YAML::Node& node, const std::string& path) {
  check_keys(node, path,
             {"name", "type", "min_physical_harm", "never_events", "group_by", "group_days",
              "resolve_after_days", "retain_days", "severity", "update_growth"});
  SeverityRuleConfig c;
  c.name = scalar<std::string>(node["name"], path + ".name");
  if (node["min_physical_harm"]) {
    const auto h = scalar<std::string>(node["min_physical_harm"], path + ".min_physical_harm");
    c.min_physical_harm = h == "off" ? PhysicalHarm::kUnknown : parse_harm(h, path + ".min_physical_harm");
  }
  read(node, path, "never_events", c.never_events);
  if (node["group_by"]) c.group_by = parse_dimensions(node["group_by"], path + ".group_by");
  read(node, path, "group_days", c.group_days);
  read(node, path, "resolve_after_days", c.resolve_after_days);
  read(node, path, "retain_days", c.retain_days);
  if (node["severity"]) {
    c.severity = parse_severity(scalar<std::string>(node["severity"], path + ".severity"),
                                path + ".severity");
  }
  read(node, path, "update_growth", c.update_growth);
  if (c.update_growth <= 1.0) fail(path + ".update_growth", "must be > 1");
  return c;
}

PipelineConfig parse(const YAML::Node& root);

// The detectors of the compiled-in national default (config/vigil.yaml).
std::vector<DetectorConfig> national_default_detectors() {
  return parse(YAML::Load(std::string(default_config_yaml()))).detectors;
}

PipelineConfig parse(const YAML::Node& root) {
  PipelineConfig cfg;
  if (!root || root.IsNull()) fail("(top level)", "is empty");
  check_keys(root, "", {"pipeline", "kafka", "state", "commit", "metrics", "detectors"});
  if (const auto p = root["pipeline"]) {
    check_keys(p, "pipeline", {"name"});
    read(p, "pipeline", "name", cfg.name);
  }
  if (const auto k = root["kafka"]) {
    check_keys(k, "kafka",
               {"bootstrap_servers", "group_id", "group_instance_id", "events_topic",
                "signals_topic", "dead_letter_topic", "properties", "properties_from_files"});
    read(k, "kafka", "bootstrap_servers", cfg.kafka.bootstrap_servers);
    read(k, "kafka", "group_id", cfg.kafka.group_id);
    read(k, "kafka", "group_instance_id", cfg.kafka.group_instance_id);
    read(k, "kafka", "events_topic", cfg.kafka.events_topic);
    read(k, "kafka", "signals_topic", cfg.kafka.signals_topic);
    read(k, "kafka", "dead_letter_topic", cfg.kafka.dead_letter_topic);
    if (const auto props = k["properties"]) {
      if (!props.IsMap()) fail("kafka.properties", "must be a mapping");
      for (const auto& kv : props) {
        const auto name = kv.first.as<std::string>();
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
        if (cfg.kafka.properties.count(name) != 0) fail(path, "is also set in kafka.properties");
        cfg.kafka.properties[name] = read_secret_file(scalar<std::string>(kv.second, path), path);
      }
    }
  }
  if (const auto s = root["state"]) {
    check_keys(s, "state", {"dir", "block_cache_bytes", "write_buffer_bytes"});
    read(s, "state", "dir", cfg.state.dir);
    read(s, "state", "block_cache_bytes", cfg.state.block_cache_bytes);
    read(s, "state", "write_buffer_bytes", cfg.state.write_buffer_bytes);
    if (cfg.state.write_buffer_bytes > cfg.state.block_cache_bytes) {
      fail("state.write_buffer_bytes", "must not exceed state.block_cache_bytes (it is charged to it)");
    }
  }
  if (const auto c = root["commit"]) {
    check_keys(c, "commit", {"max_events", "max_interval_ms"});
    read(c, "commit", "max_events", cfg.commit.max_events);
    read(c, "commit", "max_interval_ms", cfg.commit.max_interval_ms);
    if (cfg.commit.max_events == 0) fail("commit.max_events", "must be at least 1");
  }
  if (const auto m = root["metrics"]) {
    check_keys(m, "metrics", {"bind", "port"});
    read(m, "metrics", "bind", cfg.metrics.bind);
    read(m, "metrics", "port", cfg.metrics.port);
  }
  const auto detectors = root["detectors"];
  if (!detectors) {
    // Omitted: the national default's detectors, as compiled into this
    // binary, so a deployment's file can carry only its Kafka and state
    // settings and still run the detectors of the image it runs.
    cfg.detectors = national_default_detectors();
    return cfg;
  }
  if (!detectors.IsSequence() || detectors.size() == 0) {
    fail("detectors", "must be a non-empty list");
  }
  std::set<std::string> names;
  for (size_t i = 0; i < detectors.size(); ++i) {
    const std::string path = "detectors[" + std::to_string(i) + "]";
    const auto d = detectors[i];
    if (!d.IsMap() || !d["type"] || !d["name"]) fail(path, "needs a name and a type");
    const auto type = scalar<std::string>(d["type"], path + ".type");
    if (type == "count") {
      cfg.detectors.emplace_back(parse_count(d, path));
    } else if (type == "severity_rule") {
      cfg.detectors.emplace_back(parse_severity_rule(d, path));
    } else {
      fail(path + ".type", "unknown detector type '" + type + "' (known: count, severity_rule)");
    }
    const auto& name = detector_name(cfg.detectors.back());
    if (name.empty() || name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
      fail(path + ".name", "must be a non-empty [a-z0-9_] slug");
    }
    if (!names.insert(name).second) fail(path + ".name", "duplicate detector name '" + name + "'");
  }
  return cfg;
}

}  // namespace

Result<PipelineConfig> parse_pipeline_config(std::string_view yaml_text, std::string_view source) {
  try {
    PipelineConfig config = parse(YAML::Load(std::string(yaml_text)));
    for (const auto& d : config.detectors) {
      // Building each detector once checks its method and parameters now,
      // at start-up, rather than when its first partition is assigned.
      Status valid = validate_detector_config(d);
      if (!valid.is_ok()) {
        return make_error(ErrorKind::kInvalidArgument, std::string(source) + ": " + valid.message());
      }
    }
    return config;
  } catch (const ConfigError& e) {
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

}  // namespace vigil

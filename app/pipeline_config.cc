#include "app/pipeline_config.h"

#include <yaml-cpp/yaml.h>

#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "app/default_config.h"
#include "sinks/alertmanager_alert.h"

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

LifecyclePolicy parse_lifecycle(const YAML::Node& lc, const std::string& path) {
  check_keys(lc, path, {"update_growth", "resolve_after_quiet"});
  LifecyclePolicy policy;
  read(lc, path, "update_growth", policy.update_growth);
  read(lc, path, "resolve_after_quiet", policy.resolve_after_quiet);
  if (policy.update_growth <= 1.0) fail(path + ".update_growth", "must be > 1");
  if (policy.resolve_after_quiet < 1) fail(path + ".resolve_after_quiet", "must be at least 1");
  return policy;
}

Dimension parse_one_dimension(const YAML::Node& node, const std::string& path) {
  const auto name = scalar<std::string>(node, path);
  const auto d = parse_dimension(name);
  if (!d) fail(path, "unknown dimension '" + name + "'");
  return *d;
}

Severity read_severity(const YAML::Node& node, const std::string& path, Severity fallback) {
  if (!node["severity"]) return fallback;
  return parse_severity(scalar<std::string>(node["severity"], path + ".severity"),
                        path + ".severity");
}

// The settings every windowed report-level detector shares.
WindowSettings parse_window(const YAML::Node& node, const std::string& path) {
  WindowSettings w;
  read(node, path, "window_weeks", w.window_weeks);
  if (w.window_weeks < 1 || w.window_weeks > 104) fail(path + ".window_weeks", "must be 1..104");
  read(node, path, "grace_days", w.grace_days);
  if (w.grace_days < 0 || w.grace_days > 366) fail(path + ".grace_days", "must be 0..366");
  w.severity = read_severity(node, path, w.severity);
  if (node["lifecycle"]) w.lifecycle = parse_lifecycle(node["lifecycle"], path + ".lifecycle");
  return w;
}

// A probability in (0, 1) exclusive.
void check_open_unit(double v, const std::string& path) {
  if (!(v > 0 && v < 1)) fail(path, "must be between 0 and 1 (exclusive)");
}

VolumeDropConfig parse_volume_drop(const YAML::Node& node, const std::string& path) {
  check_keys(node, path,
             {"name", "type", "unit", "filter", "baseline_weeks", "recent_weeks", "grace_days",
              "alpha", "max_ratio", "min_expected", "severity", "lifecycle"});
  VolumeDropConfig c;
  c.name = scalar<std::string>(node["name"], path + ".name");
  if (node["unit"]) c.unit = parse_dimensions(node["unit"], path + ".unit");
  if (node["filter"]) c.filter = parse_filter(node["filter"], path + ".filter");
  read(node, path, "baseline_weeks", c.baseline_weeks);
  read(node, path, "recent_weeks", c.recent_weeks);
  read(node, path, "grace_days", c.grace_days);
  read(node, path, "alpha", c.alpha);
  check_open_unit(c.alpha, path + ".alpha");
  read(node, path, "max_ratio", c.max_ratio);
  check_open_unit(c.max_ratio, path + ".max_ratio");
  read(node, path, "min_expected", c.min_expected);
  c.severity = read_severity(node, path, c.severity);
  if (node["lifecycle"]) c.lifecycle = parse_lifecycle(node["lifecycle"], path + ".lifecycle");
  return c;
}

std::map<std::string, double, std::less<>> read_denominator_file(const std::string& file,
                                                                  const std::string& path) {
  std::ifstream in(file);
  if (!in) fail(path, "cannot read '" + file + "'");
  std::map<std::string, double, std::less<>> out;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    const size_t comma = line.find(',');
    const std::string where = file + " line " + std::to_string(line_no);
    if (comma == std::string::npos) fail(path, where + ": expected unit,denominator");
    const std::string unit = line.substr(0, comma);
    if (line_no == 1 && unit == "unit") continue;  // a header
    const std::string number = line.substr(comma + 1);
    double d = 0;
    size_t used = 0;
    try {
      d = std::stod(number, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    // The number must be all there is, blanks and a CR aside: "1,500" is not 1.
    if (used == 0 || number.find_first_not_of(" \t\r", used) != std::string::npos) {
      fail(path, where + ": the denominator is not a number");
    }
    out[unit] = d;
  }
  return out;
}

FunnelConfig parse_funnel(const YAML::Node& node, const std::string& path) {
  check_keys(node, path,
             {"name", "type", "unit", "population", "outcome", "adjust_by", "denominators",
              "denominators_file", "coverage", "overdispersion", "min_expected", "sides",
              "window_weeks", "grace_days", "severity", "lifecycle"});
  FunnelConfig c;
  c.name = scalar<std::string>(node["name"], path + ".name");
  if (node["unit"]) c.unit = parse_dimensions(node["unit"], path + ".unit");
  if (node["population"]) c.population = parse_filter(node["population"], path + ".population");
  if (!node["outcome"]) fail(path + ".outcome", "is required");
  c.outcome = parse_filter(node["outcome"], path + ".outcome");
  if (node["adjust_by"]) c.adjust_by = parse_one_dimension(node["adjust_by"], path + ".adjust_by");
  if (const auto d = node["denominators"]) {
    if (!d.IsMap()) fail(path + ".denominators", "must be a mapping of unit to denominator");
    for (const auto& kv : d) {
      const auto unit = kv.first.as<std::string>();
      c.denominators[unit] = scalar<double>(kv.second, path + ".denominators." + unit);
    }
  }
  if (node["denominators_file"]) {
    const auto file = scalar<std::string>(node["denominators_file"], path + ".denominators_file");
    for (auto& [unit, d] : read_denominator_file(file, path + ".denominators_file")) {
      c.denominators[unit] = d;
    }
  }
  read(node, path, "coverage", c.coverage);
  check_open_unit(c.coverage, path + ".coverage");
  read(node, path, "overdispersion", c.overdispersion);
  read(node, path, "min_expected", c.min_expected);
  if (node["sides"]) {
    const auto sides = scalar<std::string>(node["sides"], path + ".sides");
    if (sides == "high") {
      c.sides = FunnelSides::kHigh;
    } else if (sides == "low") {
      c.sides = FunnelSides::kLow;
    } else if (sides == "both") {
      c.sides = FunnelSides::kBoth;
    } else {
      fail(path + ".sides", "must be high, low or both");
    }
  }
  c.window = parse_window(node, path);
  return c;
}

InequalityConfig parse_inequality(const YAML::Node& node, const std::string& path) {
  check_keys(node, path,
             {"name", "type", "group_by", "stratum", "population", "outcome", "coverage",
              "overdispersion", "min_observed", "min_expected", "window_weeks", "grace_days",
              "severity", "lifecycle"});
  InequalityConfig c;
  c.name = scalar<std::string>(node["name"], path + ".name");
  if (node["group_by"]) c.group_by = parse_dimensions(node["group_by"], path + ".group_by");
  if (!node["stratum"]) fail(path + ".stratum", "is required");
  c.stratum = parse_one_dimension(node["stratum"], path + ".stratum");
  if (node["population"]) c.population = parse_filter(node["population"], path + ".population");
  if (!node["outcome"]) fail(path + ".outcome", "is required");
  c.outcome = parse_filter(node["outcome"], path + ".outcome");
  read(node, path, "coverage", c.coverage);
  check_open_unit(c.coverage, path + ".coverage");
  read(node, path, "overdispersion", c.overdispersion);
  read(node, path, "min_observed", c.min_observed);
  read(node, path, "min_expected", c.min_expected);
  c.window = parse_window(node, path);
  return c;
}

GammaMixturePrior parse_prior(const YAML::Node& node, const std::string& path) {
  check_keys(node, path, {"alpha1", "beta1", "alpha2", "beta2", "p"});
  GammaMixturePrior prior{};
  for (const char* k : {"alpha1", "beta1", "alpha2", "beta2", "p"}) {
    if (!node[k]) fail(path + "." + k, "is required");
  }
  read(node, path, "alpha1", prior.alpha1);
  read(node, path, "beta1", prior.beta1);
  read(node, path, "alpha2", prior.alpha2);
  read(node, path, "beta2", prior.beta2);
  read(node, path, "p", prior.p);
  return prior;
}

DisproportionalityConfig parse_disproportionality(const YAML::Node& node, const std::string& path) {
  check_keys(node, path,
             {"name", "type", "item", "population", "outcome", "method", "criterion", "prior",
              "prior_start", "window_weeks", "grace_days", "severity", "lifecycle"});
  DisproportionalityConfig c;
  c.name = scalar<std::string>(node["name"], path + ".name");
  if (!node["item"]) fail(path + ".item", "is required");
  c.item = parse_one_dimension(node["item"], path + ".item");
  if (node["population"]) c.population = parse_filter(node["population"], path + ".population");
  if (!node["outcome"]) fail(path + ".outcome", "is required");
  c.outcome = parse_filter(node["outcome"], path + ".outcome");
  if (node["method"]) {
    const auto m = scalar<std::string>(node["method"], path + ".method");
    const auto method = parse_disproportionality_method(m);
    if (!method) fail(path + ".method", "must be one of prr, ror, ic, ebgm");
    c.method = *method;
  }
  if (const auto cr = node["criterion"]) {
    const std::string p = path + ".criterion";
    check_keys(cr, p, {"min_count", "prr", "chi2", "ror_lower", "ic025", "eb05", "ebgm"});
    read(cr, p, "min_count", c.min_count);
    read(cr, p, "prr", c.prr);
    read(cr, p, "chi2", c.chi2);
    read(cr, p, "ror_lower", c.ror_lower);
    read(cr, p, "ic025", c.ic025);
    read(cr, p, "eb05", c.eb05);
    read(cr, p, "ebgm", c.ebgm);
  }
  if (const auto prior = node["prior"]) {
    if (prior.IsScalar()) {
      if (prior.as<std::string>() != "estimate") fail(path + ".prior", "must be 'estimate' or a mapping");
    } else {
      c.prior = parse_prior(prior, path + ".prior");
    }
  }
  if (node["prior_start"]) c.prior_start = parse_prior(node["prior_start"], path + ".prior_start");
  c.window = parse_window(node, path);
  return c;
}

CountDetectorConfig parse_count(const YAML::Node& node, const std::string& path) {
  check_keys(node, path,
             {"name", "type", "dimensions", "filter", "period", "grace_days", "method", "params",
              "min_observed", "severity", "lifecycle", "strata"});
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
  if (node["lifecycle"]) c.lifecycle = parse_lifecycle(node["lifecycle"], path + ".lifecycle");
  if (node["strata"]) c.strata = parse_dimensions(node["strata"], path + ".strata");
  return c;
}

SeverityRuleConfig parse_severity_rule(const YAML::Node& node, const std::string& path) {
  check_keys(node, path,
             {"name", "type", "min_physical_harm", "never_events", "group_by", "group_days",
              "resolve_after_days", "retain_days", "severity", "update_growth", "min_reports"});
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
  read(node, path, "min_reports", c.min_reports);
  if (c.min_reports < 1) fail(path + ".min_reports", "must be at least 1");
  return c;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

AlertmanagerOptions parse_alertmanager(const YAML::Node& node) {
  const std::string path = "alertmanager";
  check_keys(node, path,
             {"url", "resend_interval_seconds", "timeout_ms", "retry_initial_backoff_ms",
              "retry_max_backoff_ms", "max_alerts", "labels", "generator_url", "bearer_token_file",
              "basic_auth", "tls"});
  AlertmanagerOptions am;
  read(node, path, "url", am.url);
  if (!am.url.empty() && !starts_with(am.url, "http://") && !starts_with(am.url, "https://")) {
    fail(path + ".url", "must be empty (off) or start with http:// or https://");
  }
  read(node, path, "resend_interval_seconds", am.resend_interval_seconds);
  if (am.resend_interval_seconds < 1 || am.resend_interval_seconds > 86400) {
    fail(path + ".resend_interval_seconds", "must be 1..86400");
  }
  read(node, path, "timeout_ms", am.timeout_ms);
  if (am.timeout_ms < 1) fail(path + ".timeout_ms", "must be at least 1");
  read(node, path, "retry_initial_backoff_ms", am.retry_initial_backoff_ms);
  if (am.retry_initial_backoff_ms < 1) fail(path + ".retry_initial_backoff_ms", "must be at least 1");
  read(node, path, "retry_max_backoff_ms", am.retry_max_backoff_ms);
  if (am.retry_max_backoff_ms < am.retry_initial_backoff_ms) {
    fail(path + ".retry_max_backoff_ms", "must not be less than retry_initial_backoff_ms");
  }
  read(node, path, "max_alerts", am.max_alerts);
  if (am.max_alerts < 1) fail(path + ".max_alerts", "must be at least 1");
  if (const auto labels = node["labels"]) {
    if (!labels.IsMap()) fail(path + ".labels", "must be a mapping");
    for (const auto& kv : labels) {
      const auto name = kv.first.as<std::string>();
      const std::string label_path = path + ".labels." + name;
      if (!is_valid_label_name(name)) fail(label_path, "is not a valid label name ([A-Za-z_][A-Za-z0-9_]*)");
      if (is_reserved_alert_label(name)) fail(label_path, "is set by Vigil and cannot be configured");
      auto value = scalar<std::string>(kv.second, label_path);
      if (value.empty()) fail(label_path, "must not be empty");
      am.labels.emplace_back(name, std::move(value));
    }
  }
  read(node, path, "generator_url", am.generator_url);
  read(node, path, "bearer_token_file", am.bearer_token_file);
  if (const auto basic = node["basic_auth"]) {
    check_keys(basic, path + ".basic_auth", {"username", "password_file"});
    read(basic, path + ".basic_auth", "username", am.basic_auth_username);
    read(basic, path + ".basic_auth", "password_file", am.basic_auth_password_file);
    if (am.basic_auth_username.empty() != am.basic_auth_password_file.empty()) {
      fail(path + ".basic_auth", "needs both username and password_file");
    }
  }
  if (!am.bearer_token_file.empty() && !am.basic_auth_username.empty()) {
    fail(path + ".bearer_token_file", "use either bearer_token_file or basic_auth, not both");
  }
  if (const auto tls = node["tls"]) {
    check_keys(tls, path + ".tls", {"ca_file", "cert_file", "key_file", "insecure_skip_verify"});
    read(tls, path + ".tls", "ca_file", am.tls.ca_file);
    read(tls, path + ".tls", "cert_file", am.tls.cert_file);
    read(tls, path + ".tls", "key_file", am.tls.key_file);
    read(tls, path + ".tls", "insecure_skip_verify", am.tls.insecure_skip_verify);
    if (am.tls.cert_file.empty() != am.tls.key_file.empty()) {
      fail(path + ".tls", "cert_file and key_file go together");
    }
  }
  return am;
}

PipelineConfig parse(const YAML::Node& root);

// The detectors of the compiled-in national default (config/vigil.yaml).
std::vector<DetectorConfig> national_default_detectors() {
  return parse(YAML::Load(std::string(default_config_yaml()))).detectors;
}

PipelineConfig parse(const YAML::Node& root) {
  PipelineConfig cfg;
  if (!root || root.IsNull()) fail("(top level)", "is empty");
  check_keys(root, "", {"pipeline", "kafka", "state", "commit", "metrics", "alertmanager", "detectors"});
  if (const auto p = root["pipeline"]) {
    check_keys(p, "pipeline", {"name"});
    read(p, "pipeline", "name", cfg.name);
  }
  if (const auto k = root["kafka"]) {
    check_keys(k, "kafka",
               {"bootstrap_servers", "group_id", "group_instance_id", "guarantee",
                "transactional_id", "events_topic", "signals_topic", "dead_letter_topic",
                "repartition_topic", "properties", "properties_from_files"});
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
    read(k, "kafka", "signals_topic", cfg.kafka.signals_topic);
    read(k, "kafka", "dead_letter_topic", cfg.kafka.dead_letter_topic);
    read(k, "kafka", "repartition_topic", cfg.kafka.repartition_topic);
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
  if (const auto a = root["alertmanager"]) cfg.alertmanager = parse_alertmanager(a);
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
    } else if (type == "volume_drop") {
      cfg.detectors.emplace_back(parse_volume_drop(d, path));
    } else if (type == "funnel") {
      cfg.detectors.emplace_back(parse_funnel(d, path));
    } else if (type == "inequality") {
      cfg.detectors.emplace_back(parse_inequality(d, path));
    } else if (type == "disproportionality") {
      cfg.detectors.emplace_back(parse_disproportionality(d, path));
    } else {
      fail(path + ".type", "unknown detector type '" + type +
                               "' (known: count, severity_rule, volume_drop, funnel, inequality, "
                               "disproportionality)");
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

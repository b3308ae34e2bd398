#include "config/detector_fields.h"

#include "config/yaml_reader.h"
#include "core/named_values.h"

namespace vigil::config {

PhysicalHarm parse_harm(const std::string& text, const std::string& path) {
  return required(parse_enum(text, {PhysicalHarm::kNone, PhysicalHarm::kLow,
                                    PhysicalHarm::kModerate, PhysicalHarm::kSevere,
                                    PhysicalHarm::kFatal}),
                  path, "must be one of none, low, moderate, severe, fatal");
}

RecordType parse_record_type(const std::string& text, const std::string& path) {
  return required(parse_enum(text, {RecordType::kIncident, RecordType::kOutcome, RecordType::kRisk,
                                    RecordType::kGoodCare}),
                  path, "must be one of incident, outcome, risk, good_care");
}

Severity parse_severity(const std::string& text, const std::string& path) {
  return required(
      parse_enum(text, {Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}),
      path, "must be one of low, medium, high, critical");
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

void check_open_unit(double v, const std::string& path) {
  if (!(v > 0 && v < 1)) fail(path, "must be between 0 and 1 (exclusive)");
}

}  // namespace vigil::config

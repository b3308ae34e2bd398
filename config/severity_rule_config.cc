#include "config/detector_parsers.h"

#include "config/detector_fields.h"
#include "config/yaml_reader.h"

namespace vigil::config {

void parse_detector(const YAML::Node& node, const std::string& path, SeverityRuleConfig& c) {
  check_keys(node, path,
             {"name", "type", "min_physical_harm", "never_events", "group_by", "group_days",
              "resolve_after_days", "retain_days", "severity", "update_growth", "min_reports"});
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
}

}  // namespace vigil::config

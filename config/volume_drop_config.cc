#include "config/detector_parsers.h"

#include "config/detector_fields.h"
#include "config/yaml_reader.h"

namespace vigil::config {

void parse_detector(const YAML::Node& node, const std::string& path, VolumeDropConfig& c) {
  check_keys(node, path,
             {"name", "type", "unit", "filter", "baseline_weeks", "recent_weeks", "grace_days",
              "alpha", "max_ratio", "min_expected", "severity", "lifecycle"});
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
}

}  // namespace vigil::config

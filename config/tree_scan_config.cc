#include "config/detector_parsers.h"

#include "config/detector_fields.h"
#include "config/yaml_reader.h"

namespace vigil::config {

void parse_detector(const YAML::Node& node, const std::string& path, TreeScanConfig& c) {
  check_keys(node, path,
             {"name", "type", "levels", "filter", "study_days", "max_window_days", "lag_days",
              "replicates", "alpha", "min_cases", "max_cuts", "seed", "severity", "lifecycle"});
  c.name = scalar<std::string>(node["name"], path + ".name");
  if (!node["levels"]) fail(path + ".levels", "is required");
  c.levels = parse_dimensions(node["levels"], path + ".levels");
  if (node["filter"]) c.filter = parse_filter(node["filter"], path + ".filter");
  read(node, path, "study_days", c.study_days);
  read(node, path, "max_window_days", c.max_window_days);
  read(node, path, "lag_days", c.lag_days);
  read(node, path, "replicates", c.replicates);
  read(node, path, "alpha", c.alpha);
  check_open_unit(c.alpha, path + ".alpha");
  read(node, path, "min_cases", c.min_cases);
  if (c.min_cases < 1) fail(path + ".min_cases", "must be at least 1");
  read(node, path, "max_cuts", c.max_cuts);
  read(node, path, "seed", c.seed);
  c.severity = read_severity(node, path, c.severity);
  if (node["lifecycle"]) c.lifecycle = parse_lifecycle(node["lifecycle"], path + ".lifecycle");
}

}  // namespace vigil::config

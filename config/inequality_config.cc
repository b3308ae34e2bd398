#include "config/detector_parsers.h"

#include "config/detector_fields.h"
#include "config/yaml_reader.h"

namespace vigil::config {

void parse_detector(const YAML::Node& node, const std::string& path, InequalityConfig& c) {
  check_keys(node, path,
             {"name", "type", "group_by", "stratum", "population", "outcome", "coverage",
              "overdispersion", "min_observed", "min_expected", "window_weeks", "grace_days",
              "severity", "lifecycle"});
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
}

}  // namespace vigil::config

#include "config/detector_parsers.h"

#include "config/detector_fields.h"
#include "config/yaml_reader.h"

namespace vigil::config {

void parse_detector(const YAML::Node& node, const std::string& path, ReportingSilenceConfig& c) {
  check_keys(node, path,
             {"name", "type", "unit", "filter", "baseline_days", "grace_days", "alpha",
              "min_daily_mean", "severity", "lifecycle"});
  c.name = scalar<std::string>(node["name"], path + ".name");
  if (node["unit"]) c.unit = parse_dimensions(node["unit"], path + ".unit");
  if (node["filter"]) c.filter = parse_filter(node["filter"], path + ".filter");
  read(node, path, "baseline_days", c.baseline_days);
  read(node, path, "grace_days", c.grace_days);
  read(node, path, "alpha", c.alpha);
  check_open_unit(c.alpha, path + ".alpha");
  read(node, path, "min_daily_mean", c.min_daily_mean);
  c.severity = read_severity(node, path, c.severity);
  if (node["lifecycle"]) {
    const uint32_t own_resolve = c.lifecycle.resolve_after_quiet;
    c.lifecycle = parse_lifecycle(node["lifecycle"], path + ".lifecycle");
    // Left out, it stays this detector's own: resolved on the first day with reports.
    if (!node["lifecycle"]["resolve_after_quiet"]) c.lifecycle.resolve_after_quiet = own_resolve;
  }
}

}  // namespace vigil::config

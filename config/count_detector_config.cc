#include "config/detector_parsers.h"

#include "config/detector_fields.h"
#include "config/yaml_reader.h"
#include "core/named_values.h"

namespace vigil::config {

void parse_detector(const YAML::Node& node, const std::string& path, CountDetectorConfig& c) {
  check_keys(node, path,
             {"name", "type", "dimensions", "filter", "period", "grace_days", "method", "params",
              "min_observed", "severity", "lifecycle", "strata", "early_alarms", "fdr"});
  c.name = scalar<std::string>(node["name"], path + ".name");
  if (!node["dimensions"]) fail(path + ".dimensions", "is required");
  c.dimensions = parse_dimensions(node["dimensions"], path + ".dimensions");
  if (node["filter"]) c.filter = parse_filter(node["filter"], path + ".filter");
  if (node["period"]) {
    c.period = required(parse_enum(scalar<std::string>(node["period"], path + ".period"),
                                   {PeriodUnit::kWeek, PeriodUnit::kDay}),
                        path + ".period", "must be week or day");
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
  read(node, path, "early_alarms", c.early_alarms);
  read(node, path, "fdr", c.fdr);
  if (!(c.fdr >= 0 && c.fdr < 1)) fail(path + ".fdr", "must be at least 0 and below 1 (0: off)");
  if (node["strata"]) c.strata = parse_dimensions(node["strata"], path + ".strata");
}

}  // namespace vigil::config

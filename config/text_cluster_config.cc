#include "config/detector_fields.h"
#include "config/detector_parsers.h"
#include "config/yaml_reader.h"

namespace vigil::config {

void parse_detector(const YAML::Node& node, const std::string& path, TextClusterConfig& c) {
  check_keys(node, path,
             {"name", "type", "filter", "window_days", "baseline_days", "min_reports", "min_orgs",
              "min_ratio", "alpha", "similarity", "bands", "rows", "shingle_words",
              "warmup_reports", "background_share", "record_number_patterns", "severity",
              "lifecycle"});
  c.name = scalar<std::string>(node["name"], path + ".name");
  if (node["filter"]) c.filter = parse_filter(node["filter"], path + ".filter");
  read(node, path, "window_days", c.window_days);
  read(node, path, "baseline_days", c.baseline_days);
  read(node, path, "min_reports", c.min_reports);
  read(node, path, "min_orgs", c.min_orgs);
  read(node, path, "min_ratio", c.min_ratio);
  read(node, path, "alpha", c.alpha);
  check_open_unit(c.alpha, path + ".alpha");
  read(node, path, "similarity", c.similarity);
  read(node, path, "bands", c.bands);
  read(node, path, "rows", c.rows);
  read(node, path, "shingle_words", c.shingle_words);
  read(node, path, "warmup_reports", c.warmup_reports);
  read(node, path, "background_share", c.background_share);
  if (const YAML::Node patterns = node["record_number_patterns"]) {
    if (!patterns.IsSequence()) fail(path + ".record_number_patterns", "must be a list");
    c.own_redaction = true;
    c.redaction.record_number_patterns.clear();
    for (size_t i = 0; i < patterns.size(); ++i) {
      c.redaction.record_number_patterns.push_back(scalar<std::string>(
          patterns[i], path + ".record_number_patterns[" + std::to_string(i) + "]"));
    }
  }
  c.severity = read_severity(node, path, c.severity);
  if (node["lifecycle"]) c.lifecycle = parse_lifecycle(node["lifecycle"], path + ".lifecycle");
}

}  // namespace vigil::config

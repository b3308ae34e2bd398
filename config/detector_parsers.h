// One parser per detector kind, each in its own file beside this one
// (config/<kind>_config.cc): reads a `detectors:` entry into the kind's
// configuration struct, failing (config/yaml_reader.h) with the key path.
// config/detector_list_config.cc calls the overload for each row of
// detectors/detector_kinds.h, so a kind without one does not compile.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "detectors/detector_kinds.h"

namespace vigil::config {

void parse_detector(const YAML::Node& node, const std::string& path, CountDetectorConfig& c);
void parse_detector(const YAML::Node& node, const std::string& path, SeverityRuleConfig& c);
void parse_detector(const YAML::Node& node, const std::string& path, VolumeDropConfig& c);
void parse_detector(const YAML::Node& node, const std::string& path, ReportingSilenceConfig& c);
void parse_detector(const YAML::Node& node, const std::string& path, FunnelConfig& c);
void parse_detector(const YAML::Node& node, const std::string& path, InequalityConfig& c);
void parse_detector(const YAML::Node& node, const std::string& path, DisproportionalityConfig& c);
void parse_detector(const YAML::Node& node, const std::string& path, TreeScanConfig& c);
void parse_detector(const YAML::Node& node, const std::string& path, SpaceTimeScanConfig& c);
void parse_detector(const YAML::Node& node, const std::string& path, TextClusterConfig& c);

}  // namespace vigil::config

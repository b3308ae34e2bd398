// Readers of the settings several detector kinds share: event filters,
// dimensions, severities, harm levels, the signal lifecycle and the window
// of the report-level detectors. Each fails (config/yaml_reader.h) with the
// key path on a bad value.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "core/incident_event.h"
#include "core/signal.h"
#include "detectors/event_filter.h"
#include "detectors/key_dimension.h"
#include "detectors/report_window.h"
#include "detectors/signal_episode.h"

namespace vigil::config {

PhysicalHarm parse_harm(const std::string& text, const std::string& path);
RecordType parse_record_type(const std::string& text, const std::string& path);
Severity parse_severity(const std::string& text, const std::string& path);
std::vector<Dimension> parse_dimensions(const YAML::Node& node, const std::string& path);
Dimension parse_one_dimension(const YAML::Node& node, const std::string& path);
EventFilter parse_filter(const YAML::Node& node, const std::string& path);
LifecyclePolicy parse_lifecycle(const YAML::Node& lc, const std::string& path);
// node["severity"] if present, else `fallback`.
Severity read_severity(const YAML::Node& node, const std::string& path, Severity fallback);
// The settings every windowed report-level detector shares.
WindowSettings parse_window(const YAML::Node& node, const std::string& path);
// Fails unless 0 < v < 1.
void check_open_unit(double v, const std::string& path);

}  // namespace vigil::config

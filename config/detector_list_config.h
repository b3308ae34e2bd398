// The `detectors:` list of the configuration.
#pragma once

#include <yaml-cpp/yaml.h>

#include <vector>

#include "detectors/detector_kinds.h"

namespace vigil::config {

// Reads every entry with the parser of its `type` (one per row of
// detectors/detector_kinds.h); names must be unique [a-z0-9_] slugs. Fails
// (config/yaml_reader.h) with the key path, e.g. "detectors[2].type".
std::vector<DetectorConfig> parse_detector_list(const YAML::Node& detectors);

}  // namespace vigil::config

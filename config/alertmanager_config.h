// The `alertmanager:` section of the configuration.
#pragma once

#include <yaml-cpp/yaml.h>

#include "sinks/alertmanager_options.h"

namespace vigil::config {

// Reads the section, failing (config/yaml_reader.h) with the key path on an
// unknown key or a bad value; secrets stay file paths, read by the sink.
AlertmanagerOptions parse_alertmanager(const YAML::Node& node);

}  // namespace vigil::config

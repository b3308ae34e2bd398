// The `review:` section of the configuration: how `vigil serve` is deployed
// (review/review_options.h).
#pragma once

#include <yaml-cpp/yaml.h>

#include "review/review_options.h"

namespace vigil::config {

// Reads the section, failing (config/yaml_reader.h) with the key path on an
// unknown key or a bad value. Reference tables stay file paths, read when
// the service starts.
ReviewOptions parse_review(const YAML::Node& node);

}  // namespace vigil::config

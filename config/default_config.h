#pragma once
#include <string_view>
namespace vigil {
// The text of config/vigil.yaml as it was at build time.
std::string_view default_config_yaml();
}  // namespace vigil

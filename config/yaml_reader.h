// Small helpers every configuration section's parser uses to read YAML
// (yaml-cpp) strictly: unknown keys, wrong types and bad values are errors
// whose message names the key path, e.g. "detectors[2].params.alpha".
// Parsers throw ConfigError through fail(); parse_pipeline_config turns it
// into an Error at the module's boundary, so no exception leaves config/.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::config {

// Thrown inside the parsers only and turned into an Error at their boundary.
struct ConfigError {
  std::string message;
};

[[noreturn]] void fail(const std::string& path, const std::string& what);

// Fails unless `node` is a mapping whose keys are all in `allowed`.
void check_keys(const YAML::Node& node, const std::string& path,
                std::initializer_list<std::string_view> allowed);

template <typename T>
T scalar(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar()) fail(path, "must be a scalar");
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    fail(path, "has the wrong type");
  }
}

// Sets `out` from parent[key] when the key is present; leaves the default otherwise.
template <typename T>
void read(const YAML::Node& parent, const std::string& path, const char* key, T& out) {
  const YAML::Node node = parent[key];
  if (node) out = scalar<T>(node, path + "." + key);
}

// The value of a lookup (core/named_values.h), or fail(path, what) when the
// word named none.
template <typename T>
T required(std::optional<T> value, const std::string& path, const std::string& what) {
  if (!value) fail(path, what);
  return *value;
}

std::vector<std::string> string_list(const YAML::Node& node, const std::string& path);

// The contents of `file`, for a secret such as a SASL password mounted from a
// Kubernetes Secret: trailing line breaks (which `kubectl create secret
// --from-file` and editors leave) are stripped. Messages name the file,
// never what it holds.
std::string read_secret_file(const std::string& file, const std::string& path);

}  // namespace vigil::config

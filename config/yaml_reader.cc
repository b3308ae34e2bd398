#include "config/yaml_reader.h"

#include <fstream>
#include <sstream>

namespace vigil::config {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw ConfigError{path + ": " + what};
}

void check_keys(const YAML::Node& node, const std::string& path,
                std::initializer_list<std::string_view> allowed) {
  if (!node.IsMap()) fail(path, "must be a mapping");
  for (const auto& kv : node) {
    const auto key = kv.first.as<std::string>();
    bool ok = false;
    for (auto a : allowed) ok = ok || a == key;
    if (!ok) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      fail(path.empty() ? key : path + "." + key, "unknown key (allowed: " + list + ")");
    }
  }
}

std::vector<std::string> string_list(const YAML::Node& node, const std::string& path) {
  if (!node.IsSequence()) fail(path, "must be a list");
  std::vector<std::string> out;
  for (size_t i = 0; i < node.size(); ++i) {
    out.push_back(scalar<std::string>(node[i], path + "[" + std::to_string(i) + "]"));
  }
  return out;
}

std::string read_secret_file(const std::string& file, const std::string& path) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(path, "cannot read file " + file);
  std::stringstream text;
  text << in.rdbuf();
  std::string value = text.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty()) fail(path, "file " + file + " is empty");
  return value;
}

}  // namespace vigil::config

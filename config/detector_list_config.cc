#include "config/detector_list_config.h"

#include <set>
#include <string>
#include <string_view>

#include "config/detector_parsers.h"
#include "config/yaml_reader.h"
#include "detectors/detector_factory.h"

namespace vigil::config {
namespace {

// Walks the rows of DetectorConfig (detectors/detector_kinds.h) for the one
// whose kType is `type` and parses the entry with that kind's parser.
template <size_t Row = 0>
bool parse_kind(std::string_view type, const YAML::Node& node, const std::string& path,
                std::vector<DetectorConfig>& out) {
  if constexpr (Row == std::variant_size_v<DetectorConfig>) {
    return false;
  } else {
    using Kind = std::variant_alternative_t<Row, DetectorConfig>;
    if (type != Kind::kType) return parse_kind<Row + 1>(type, node, path, out);
    Kind config;
    parse_detector(node, path, config);
    out.emplace_back(std::move(config));
    return true;
  }
}

template <size_t... Rows>
std::string known_types(std::index_sequence<Rows...>) {
  std::string list;
  ((list += (Rows == 0 ? "" : ", ") + std::string(std::variant_alternative_t<Rows, DetectorConfig>::kType)), ...);
  return list;
}

bool is_slug(const std::string& name) {
  return !name.empty() && name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
}

}  // namespace

std::vector<DetectorConfig> parse_detector_list(const YAML::Node& detectors) {
  if (!detectors.IsSequence() || detectors.size() == 0) {
    fail("detectors", "must be a non-empty list");
  }
  std::vector<DetectorConfig> out;
  std::set<std::string> names;
  for (size_t i = 0; i < detectors.size(); ++i) {
    const std::string path = "detectors[" + std::to_string(i) + "]";
    const auto d = detectors[i];
    if (!d.IsMap() || !d["type"] || !d["name"]) fail(path, "needs a name and a type");
    const auto type = scalar<std::string>(d["type"], path + ".type");
    if (!parse_kind(type, d, path, out)) {
      fail(path + ".type",
           "unknown detector type '" + type + "' (known: " +
               known_types(std::make_index_sequence<std::variant_size_v<DetectorConfig>>()) + ")");
    }
    const auto& name = detector_name(out.back());
    if (!is_slug(name)) fail(path + ".name", "must be a non-empty [a-z0-9_] slug");
    if (!names.insert(name).second) fail(path + ".name", "duplicate detector name '" + name + "'");
  }
  return out;
}

}  // namespace vigil::config

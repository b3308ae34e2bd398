#include "detectors/detector_factory.h"

#include <set>

namespace vigil {
namespace {

Result<std::unique_ptr<Detector>> build(const DetectorConfig& config, int32_t partition,
                                        ColumnFamilyId cf) {
  return std::visit(
      [&](const auto& c) -> Result<std::unique_ptr<Detector>> {
        using Kind = std::decay_t<decltype(c)>;
        auto d = Kind::Detector::create(c, partition, cf);
        if (!d) return d.error();
        return std::unique_ptr<Detector>(std::move(d).value());
      },
      config);
}

}  // namespace

const std::string& detector_name(const DetectorConfig& config) {
  return std::visit([](const auto& c) -> const std::string& { return c.name; }, config);
}

std::string detector_method(const DetectorConfig& config) {
  return std::visit([](const auto& c) { return c.signal_method(); }, config);
}

std::string detector_column_family(const DetectorConfig& config) {
  return "det." + detector_name(config);
}

Status validate_detector_config(const DetectorConfig& config) {
  auto d = build(config, 0, 0);
  return d ? Status::ok() : Status(d.error());
}

Result<std::vector<std::unique_ptr<Detector>>> make_detectors(
    const std::vector<DetectorConfig>& configs, int32_t partition, StateStore& store) {
  std::vector<std::unique_ptr<Detector>> detectors;
  // A detector's state lives in the column family named after it: two of
  // one name would read each other's records after a restart, silently.
  std::set<std::string_view> names;
  for (const auto& config : configs) {
    if (!names.insert(detector_name(config)).second) {
      return make_error(ErrorKind::kInvalidArgument,
                        "two detectors are named '" + detector_name(config) +
                            "': each needs its own name (it names its stored state)");
    }
  }
  for (const auto& config : configs) {
    auto cf = store.ensure_column_family(detector_column_family(config));
    if (!cf) return cf.error();
    auto d = build(config, partition, cf.value());
    if (!d) return d.error();
    Status restored = d.value()->restore(store);
    if (!restored.is_ok()) return restored.error();
    detectors.push_back(std::move(d).value());
  }
  return detectors;
}

Result<std::optional<RedactionRules>> text_fingerprint_rules(const std::vector<DetectorConfig>& configs) {
  std::optional<RedactionRules> rules;
  for (const auto& config : configs) {
    const auto* text = std::get_if<TextClusterConfig>(&config);
    if (text == nullptr) continue;
    if (!rules) {
      rules = text->redaction;
    } else if (rules->record_number_patterns != text->redaction.record_number_patterns) {
      return make_error(ErrorKind::kInvalidArgument,
                        "text_cluster detectors must share their record_number_patterns: the input "
                        "tasks derive one fingerprint of each description for all of them");
    }
  }
  return rules;
}

}  // namespace vigil

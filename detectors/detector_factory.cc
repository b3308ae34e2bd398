#include "detectors/detector_factory.h"

namespace vigil {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

template <typename T>
Result<std::unique_ptr<Detector>> as_detector(Result<std::unique_ptr<T>> d) {
  if (!d) return d.error();
  return std::unique_ptr<Detector>(std::move(d).value());
}

Result<std::unique_ptr<Detector>> build(const DetectorConfig& config, int32_t partition,
                                        ColumnFamilyId cf) {
  return std::visit(
      Overloaded{
          [&](const CountDetectorConfig& c) { return as_detector(CountDetector::create(c, partition, cf)); },
          [&](const SeverityRuleConfig& c) { return as_detector(SeverityRule::create(c, partition, cf)); },
          [&](const VolumeDropConfig& c) {
            return as_detector(VolumeDropDetector::create(c, partition, cf));
          },
          [&](const FunnelConfig& c) { return as_detector(FunnelDetector::create(c, partition, cf)); },
          [&](const InequalityConfig& c) {
            return as_detector(InequalityDetector::create(c, partition, cf));
          },
          [&](const DisproportionalityConfig& c) {
            return as_detector(DisproportionalityDetector::create(c, partition, cf));
          },
      },
      config);
}

}  // namespace

const std::string& detector_name(const DetectorConfig& config) {
  return std::visit([](const auto& c) -> const std::string& { return c.name; }, config);
}

std::string detector_method(const DetectorConfig& config) {
  return std::visit(
      Overloaded{[](const CountDetectorConfig& c) { return c.method; },
                 [](const SeverityRuleConfig&) { return std::string("severity_rule"); },
                 [](const VolumeDropConfig&) { return std::string("volume_drop"); },
                 [](const FunnelConfig&) { return std::string("funnel"); },
                 [](const InequalityConfig&) { return std::string("inequality"); },
                 [](const DisproportionalityConfig& c) { return std::string(to_string(c.method)); }},
      config);
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

}  // namespace vigil

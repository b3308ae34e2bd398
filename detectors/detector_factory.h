// Builds the configured detectors for one task's state slot (an input
// partition, or a merge partition's negative slot).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "detectors/detector_kinds.h"
#include "state/state_store.h"

namespace vigil {

const std::string& detector_name(const DetectorConfig& config);
// The method name signals carry, e.g. "earsC2" or "severity_rule".
std::string detector_method(const DetectorConfig& config);

// The column family holding a detector's state: "det.<name>".
std::string detector_column_family(const DetectorConfig& config);

// Checks that a detector can be built (method known, parameters valid).
Status validate_detector_config(const DetectorConfig& config);

// Creates every detector for `partition`, creating its column family in
// `store` when missing, and restores its state. Two detectors of one name
// (one column family) are an error.
Result<std::vector<std::unique_ptr<Detector>>> make_detectors(
    const std::vector<DetectorConfig>& configs, int32_t partition, StateStore& store);

// The redaction rules an input task that hands events to a merge stage
// fingerprints descriptions with (detectors/description_fingerprinter.h):
// those of the configured text_cluster detectors; none when no detector
// reads text, and then nothing is derived from descriptions. An error when
// two text_cluster detectors redact differently (one fingerprint serves
// both).
Result<std::optional<RedactionRules>> text_fingerprint_rules(const std::vector<DetectorConfig>& configs);

}  // namespace vigil

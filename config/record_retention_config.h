// How long per-id records must be kept (state.record_retention_days): as
// long as a revision can still change a window that a configured detector
// reads (state/record_retention.h).
#pragma once

#include <cstdint>
#include <vector>

#include "detectors/detector_kinds.h"

namespace vigil {

// Margin on top of the longest reach: covers rounding to whole periods and
// the one-week steps in which the retention horizon is published
// (pipeline/partition_task.cc), so no detector is ever near the edge.
inline constexpr int32_t kRecordRetentionGraceDays = 28;

// How many days before its task's stream time an event's day can be and
// still change what `detector` holds or will judge: the span of its history
// or study period, plus its grace days or lag. Events older than that are
// ignored by the detector (or land in history no window reads again).
int32_t detector_reach_days(const DetectorConfig& detector);

// The longest reach of `detectors` (0 for none).
int32_t longest_detector_reach_days(const std::vector<DetectorConfig>& detectors);

// The default state.record_retention_days: the longest reach plus
// kRecordRetentionGraceDays.
int32_t derived_record_retention_days(const std::vector<DetectorConfig>& detectors);

}  // namespace vigil

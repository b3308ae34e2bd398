// Where the national detectors run when events go through the repartition
// topic: each detector, whole, on one partition of that topic, chosen by a
// stable hash of its name. A detector is not split further by key because
// several need national margins (disproportionality's 2x2 tables, the
// funnel's national rate, the inequality strata's totals) in one place.
//
// The choice depends only on the name and the topic's partition count, so
// every instance agrees on it without talking; changing the partition count
// moves detectors away from their state, so it is fixed once data exists.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "detectors/detector_factory.h"

namespace vigil {

int32_t merge_partition_of(std::string_view detector_name, int32_t merge_partitions);

// The configured detectors that run on `partition`, in configuration order.
std::vector<DetectorConfig> detectors_on(const std::vector<DetectorConfig>& detectors,
                                         int32_t partition, int32_t merge_partitions);

// The partitions that run at least one detector, ascending: an input task
// sends every accepted event to each of them.
std::vector<int32_t> partitions_with_detectors(const std::vector<DetectorConfig>& detectors,
                                               int32_t merge_partitions);

}  // namespace vigil

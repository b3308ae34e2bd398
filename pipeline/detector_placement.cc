#include "pipeline/detector_placement.h"

#include <algorithm>

#include "core/fnv1a.h"

namespace vigil {

int32_t merge_partition_of(std::string_view detector_name, int32_t merge_partitions) {
  return static_cast<int32_t>(fnv1a_64(detector_name) % static_cast<uint64_t>(std::max(merge_partitions, 1)));
}

std::vector<DetectorConfig> detectors_on(const std::vector<DetectorConfig>& detectors,
                                         int32_t partition, int32_t merge_partitions) {
  std::vector<DetectorConfig> on;
  for (const auto& d : detectors) {
    if (merge_partition_of(detector_name(d), merge_partitions) == partition) on.push_back(d);
  }
  return on;
}

std::vector<int32_t> partitions_with_detectors(const std::vector<DetectorConfig>& detectors,
                                               int32_t merge_partitions) {
  std::vector<int32_t> partitions;
  for (const auto& d : detectors) partitions.push_back(merge_partition_of(detector_name(d), merge_partitions));
  std::sort(partitions.begin(), partitions.end());
  partitions.erase(std::unique(partitions.begin(), partitions.end()), partitions.end());
  return partitions;
}

}  // namespace vigil

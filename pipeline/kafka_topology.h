// Partition counts the pipeline's topology depends on, read from the
// cluster's metadata before joining the group.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "core/result.h"

namespace vigil {

// The number of partitions of `topic`, asking through `handle`. Waits while
// the topic does not exist yet (a producer handle's request may create it,
// as the broker allows) or the cluster is unreachable, logging once, until
// `stop` becomes true.
Result<int32_t> wait_for_partition_count(RdKafka::Handle& handle, const std::string& topic,
                                         const std::atomic<bool>& stop);

}  // namespace vigil

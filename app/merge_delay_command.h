// `vigil merge-delay` (hidden; docs/merge-clock.md): measures how long the
// merge stage holds reports before the national detectors see them.
//
// It generates the synthetic national stream (as `vigil generate` does),
// splits it over P events partitions by report id (FNV-1a, as the
// partitioned tests split it), runs each partition's lines through a real
// input task (PartitionTask) and feeds the repartition records, in arrival
// order, to a real MergeTask. Arrival order is stream order, which is
// reported order: records are assumed produced when reported. For each
// released record the delay is the reported_at of the record whose arrival
// released it minus its own reported_at. It prints the median, 90th and
// 99th percentiles and maximum over all reports and over fatal or
// never-event ones, for the merge clock (reported_at) and, with the same
// records written without a clock, for the former order by stream day.
// With progress_mark_seconds, a third merge also gets, on every partition,
// a progress mark (ingest/progress_mark.h) at every multiple of that many
// seconds of reported_at, before the first report reported at or after it,
// as a producer sending a mark to each partition on a timer would; a report
// it releases counts its delay up to that mark's time.
#pragma once

#include <cstdint>
#include <ostream>
#include <vector>

#include "synthetic/stream.h"

namespace vigil {

struct MergeDelayOptions {
  SyntheticStreamOptions stream;
  std::vector<int32_t> partitions = {3, 6};
  bool compare_stream_day = true;  // also measure the order by stream day
  int64_t progress_mark_seconds = 0;  // > 0: also measure with progress marks this often
};

// Prints the table on `out`, progress on `err`. Returns 0, 1 if the state
// store or a task fails, 2 for options out of range.
int run_merge_delay(const MergeDelayOptions& options, std::ostream& out, std::ostream& err);

}  // namespace vigil

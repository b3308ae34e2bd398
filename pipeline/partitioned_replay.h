// Replays an events topic saved as one file per partition (`vigil replay
// --input p0.jsonl --input p1.jsonl ...`): each file is processed as its
// partition's input task would, and every accepted event goes through the
// same merge as on the repartition topic, so the signals are exactly those
// `vigil run` gives for a topic whose partitions hold those files, however
// many instances share it.
//
// The merge releases a record only once every partition has passed it, as
// on Kafka, which cannot know a partition has ended: the records reported
// after the last record of some other partition are still held at the end.
#pragma once

#include <string>
#include <vector>

#include "config/pipeline_config.h"
#include "core/result.h"
#include "pipeline/replay_runner.h"
#include "sinks/signal_sink.h"
#include "state/state_store.h"
#include "telemetry/metrics.h"

namespace vigil {

// Lines are read as `format`, as by run_replay. Files are read a commit's worth of lines at a time, in turn; the result
// does not depend on that order. State in `store` is resumed, as by
// run_replay.
Result<ReplaySummary> run_partitioned_replay(const PipelineConfig& config,
                                             const std::vector<std::string>& inputs,
                                             StateStore& store, SignalSink& signals,
                                             DeadLetterSink* dead_letters, Metrics& metrics,
                                             InputFormat format = InputFormat::kAuto);

}  // namespace vigil

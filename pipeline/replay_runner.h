// Runs the pipeline over a JSON Lines file, in file order, as partition 0:
// the same decoder, detectors and commit protocol as `vigil run`.
#pragma once

#include <cstdint>
#include <string>

#include "config/pipeline_config.h"
#include "core/progress_meter.h"
#include "core/result.h"
#include "sinks/signal_sink.h"
#include "state/state_store.h"
#include "telemetry/metrics.h"

namespace vigil {

struct ReplaySummary {
  uint64_t read = 0;
  uint64_t processed = 0;
  uint64_t invalid = 0;
  uint64_t duplicates = 0;
  uint64_t signals = 0;
};

// Reads `input` ("-" for stdin) to the end. Signals go to `signals`, invalid
// lines to `dead_letters` (may be null: they are still counted). State lives
// in `store`; a store that already holds partition 0's position resumes after
// the last committed line, so a replay can be continued. `progress`, if not
// null, is told of every line read (the stream date and the share of the
// file's bytes done), and finished at the end.
Result<ReplaySummary> run_replay(const PipelineConfig& config, const std::string& input,
                                 StateStore& store, SignalSink& signals,
                                 DeadLetterSink* dead_letters, Metrics& metrics,
                                 ProgressMeter* progress = nullptr);

}  // namespace vigil

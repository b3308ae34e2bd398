// Runs the pipeline over a JSON Lines file, in file order, as partition 0:
// the same decoder, detectors and commit protocol as `vigil run`.
#pragma once

#include <cstdint>
#include <string>

#include "config/pipeline_config.h"
#include "core/progress_meter.h"
#include "core/result.h"
#include "ingest/message_format.h"
#include "sinks/signal_sink.h"
#include "state/state_store.h"
#include "telemetry/metrics.h"

namespace vigil {

struct MessageOutcome;  // pipeline/partition_task.h

// `read` counts lines; the others count events (a FHIR Bundle's line gives
// several), a line that does not decode counting as one invalid event.
struct ReplaySummary {
  uint64_t read = 0;
  uint64_t processed = 0;
  uint64_t invalid = 0;
  uint64_t duplicates = 0;
  uint64_t progress_marks = 0;  // lines that were progress marks, not events
  uint64_t signals = 0;
};

// Reads `input` ("-" for stdin) to the end. Signals go to `signals`, invalid
// lines to `dead_letters` (may be null: they are still counted). State lives
// in `store`; a store that already holds partition 0's position resumes after
// the last committed line, so a replay can be continued. `progress`, if not
// null, is told of every line read (the stream date and the share of the
// file's bytes done), and finished at the end. Lines are read as `format`
// (ingest/message_format.h: kAuto sniffs each line).
Result<ReplaySummary> run_replay(const PipelineConfig& config, const std::string& input,
                                 StateStore& store, SignalSink& signals,
                                 DeadLetterSink* dead_letters, Metrics& metrics,
                                 ProgressMeter* progress = nullptr,
                                 InputFormat format = InputFormat::kAuto);

// Adds one message's outcome to `summary`.
void count_outcome(const MessageOutcome& outcome, ReplaySummary& summary);

}  // namespace vigil

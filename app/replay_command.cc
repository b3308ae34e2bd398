#include "app/replay_command.h"

#include <filesystem>
#include <fstream>

#include "app/command_failure.h"
#include "app/scratch_dir.h"
#include "config/pipeline_config.h"
#include "core/progress_meter.h"
#include "core/version.h"
#include "ingest/message_format.h"
#include "pipeline/partitioned_replay.h"
#include "pipeline/replay_runner.h"
#include "sinks/jsonl_sinks.h"

namespace vigil {

int run_replay_command(const ReplayOptions& options, std::ostream& err) {
  const auto format = parse_input_format(options.format);
  if (!format) return command_failure(err, "replay", "--format must be auto, event_v1 or fhir", 2);
  auto config = load_pipeline_config(options.config_path);
  if (!config) return command_failure(err, "replay", config.error(), 2);
  ScratchDir scratch("vigil-replay-");
  std::string state_dir = options.state_dir;
  if (state_dir.empty()) {
    if (scratch.path().empty()) {
      return command_failure(err, "replay", "cannot create a temporary state directory");
    }
    state_dir = scratch.path();
  }
  auto store = open_state_store(config.value().state, state_dir);
  if (!store) return command_failure(err, "replay", store.error());
  auto signals = open_sink<JsonlSignalSink>(options.signals, config.value().name);
  if (!signals) return command_failure(err, "replay", signals.error());
  auto dead_letters = open_optional_sink<JsonlDeadLetterSink>(options.dead_letters);
  if (!dead_letters) return command_failure(err, "replay", dead_letters.error());
  SignalSink& signal_sink = *signals.value().sink;
  DeadLetterSink* dead_sink = dead_letters.value().sink.get();

  Metrics metrics(kVersion);
  // Progress on a terminal for a single input (the partitioned replay of
  // several inputs shows none yet).
  ProgressMeter progress = ProgressMeter::on_stderr("replay");
  auto summary = options.inputs.size() == 1
                     ? run_replay(config.value(), options.inputs.front(), *store.value(),
                                  signal_sink, dead_sink, metrics, &progress, *format)
                     : run_partitioned_replay(config.value(), options.inputs, *store.value(),
                                              signal_sink, dead_sink, metrics, *format);
  if (!options.metrics_file.empty()) {
    std::ofstream(options.metrics_file) << metrics.scrape_text();
  }
  if (!summary) return command_failure(err, "replay", summary.error());
  const auto& s = summary.value();
  err << "vigil replay: events read " << s.read << ", processed " << s.processed << ", invalid "
      << s.invalid << ", duplicates " << s.duplicates;
  if (s.progress_marks > 0) err << ", progress marks " << s.progress_marks;
  err << ", signals " << s.signals << "\n";
  return 0;
}

}  // namespace vigil

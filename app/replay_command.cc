#include "app/replay_command.h"

#include <filesystem>
#include <fstream>

#include "config/pipeline_config.h"
#include "app/scratch_dir.h"
#include "core/version.h"
#include "pipeline/partitioned_replay.h"
#include "pipeline/replay_runner.h"
#include "sinks/jsonl_sinks.h"

namespace vigil {

int run_replay_command(const ReplayOptions& options, std::ostream& err) {
  auto config = load_pipeline_config(options.config_path);
  if (!config) {
    err << "vigil replay: " << config.error().message << "\n";
    return 2;
  }
  ScratchDir scratch("vigil-replay-");
  std::string state_dir = options.state_dir;
  if (state_dir.empty()) {
    if (scratch.path().empty()) {
      err << "vigil replay: cannot create a temporary state directory\n";
      return 1;
    }
    state_dir = scratch.path();
  }
  auto store = open_state_store(config.value().state, state_dir);
  if (!store) {
    err << "vigil replay: " << store.error().message << "\n";
    return 1;
  }
  auto signals = open_sink<JsonlSignalSink>(options.signals, config.value().name);
  if (!signals) {
    err << "vigil replay: " << signals.error().message << "\n";
    return 1;
  }
  auto dead_letters = open_optional_sink<JsonlDeadLetterSink>(options.dead_letters);
  if (!dead_letters) {
    err << "vigil replay: " << dead_letters.error().message << "\n";
    return 1;
  }
  SignalSink& signal_sink = *signals.value().sink;
  DeadLetterSink* dead_sink = dead_letters.value().sink.get();

  Metrics metrics(kVersion);
  auto summary = options.inputs.size() == 1
                     ? run_replay(config.value(), options.inputs.front(), *store.value(),
                                  signal_sink, dead_sink, metrics)
                     : run_partitioned_replay(config.value(), options.inputs, *store.value(),
                                              signal_sink, dead_sink, metrics);
  if (!options.metrics_file.empty()) {
    std::ofstream(options.metrics_file) << metrics.scrape_text();
  }
  if (!summary) {
    err << "vigil replay: " << summary.error().message << "\n";
    return 1;
  }
  const auto& s = summary.value();
  err << "vigil replay: events read " << s.read << ", processed " << s.processed << ", invalid "
      << s.invalid << ", duplicates " << s.duplicates << ", signals " << s.signals << "\n";
  return 0;
}

}  // namespace vigil

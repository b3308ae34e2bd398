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
  StateStoreOptions store_options;
  store_options.path = state_dir;
  store_options.block_cache_bytes = config.value().state.block_cache_bytes;
  store_options.write_buffer_bytes = config.value().state.write_buffer_bytes;
  auto store = StateStore::open(store_options);
  if (!store) {
    err << "vigil replay: " << store.error().message << "\n";
    return 1;
  }
  auto signals_out = open_output(options.signals);
  if (!signals_out) {
    err << "vigil replay: " << signals_out.error().message << "\n";
    return 1;
  }
  JsonlSignalSink signal_sink(signals_out.value().get(), config.value().name);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> dead_out(nullptr, &std::fclose);
  std::unique_ptr<JsonlDeadLetterSink> dead_sink;
  if (!options.dead_letters.empty()) {
    auto opened = open_output(options.dead_letters);
    if (!opened) {
      err << "vigil replay: " << opened.error().message << "\n";
      return 1;
    }
    dead_out = std::move(opened).value();
    dead_sink = std::make_unique<JsonlDeadLetterSink>(dead_out.get());
  }

  Metrics metrics(kVersion);
  auto summary = options.inputs.size() == 1
                     ? run_replay(config.value(), options.inputs.front(), *store.value(),
                                  signal_sink, dead_sink.get(), metrics)
                     : run_partitioned_replay(config.value(), options.inputs, *store.value(),
                                              signal_sink, dead_sink.get(), metrics);
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

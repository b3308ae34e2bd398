#include "pipeline/replay_runner.h"

#include <filesystem>
#include <system_error>

#include "core/heap_memory.h"
#include "ingest/line_reader.h"
#include "pipeline/partition_task.h"
#include "pipeline/start_reference.h"

namespace vigil {
namespace {

// When replay commits. `run` commits every commit.max_events events or
// max_interval_ms, because each commit is a Kafka transaction and bounds how
// long signals wait. Replay has no one waiting for its output, and every
// commit rewrites each detector key changed since the last one: at 5000
// events a five-year national replay spent a third of its time writing the
// same detector state again and again (200 writes carrying as many bytes as
// the input per million events). So replay commits once the open batch's
// per-id records fill a quarter of the memtable budget
// (state.write_buffer_bytes, 16 MiB by default: about 60,000 national
// events), and never more often than commit.max_events. A size, not a time:
// the batch and its lookup overlay stay in memory until written, so their
// bound must not depend on the machine's speed, and the write then fits the
// memtable it goes into. Resuming is unchanged: each commit still stores the
// next line with the state, so a killed replay repeats at most one batch
// (its signals included) when continued with the same --state-dir.
bool commit_due(const PipelineConfig& config, const PartitionTask& task) {
  return task.uncommitted() >= config.commit.max_events &&
         task.uncommitted_bytes() >= config.state.write_buffer_bytes / 4;
}

// Delivers the open batch's output, then starts its write in the background
// (StatefulTask::commit_async) and returns: the next batch is processed on
// one core while RocksDB inserts this one on the other. The previous write is
// waited for first, before this batch's output goes out, so a failed write
// stops the replay before anything after it is delivered, and a kill repeats
// at most the one batch whose write was in flight, as with a blocking commit.
Status deliver_and_commit(PartitionTask& task, SignalSink& signals, DeadLetterSink* dead_letters,
                          ReplaySummary& summary, Metrics& metrics) {
  if (Status waited = task.wait_for_write(); !waited.is_ok()) return waited;
  // The written batch's memory is free now, in the writer's arena and the
  // text detector's: without this a 10-million-id replay peaks 70 MiB
  // higher, for about 5 ms a commit.
  release_free_heap_pages();
  if (dead_letters != nullptr) {
    Status s = dead_letters->deliver(task.dead_letters(), task.partition());
    if (!s.is_ok()) return s;
  }
  Status s = signals.deliver(task.signals());
  if (!s.is_ok()) return s;
  for (const auto& sig : task.signals()) metrics.record_signal(sig);
  summary.signals += task.signals().size();
  s = task.commit_async();
  if (s.is_ok()) metrics.signals_open.Set(static_cast<double>(task.open_signals()));
  return s;
}

}  // namespace

void count_outcome(const MessageOutcome& outcome, ReplaySummary& summary) {
  summary.processed += outcome.processed;
  summary.duplicates += outcome.duplicates;
  summary.invalid += outcome.invalid;
  summary.progress_marks += outcome.marks;
}

Result<ReplaySummary> run_replay(const PipelineConfig& config, const std::string& input,
                                 StateStore& store, SignalSink& signals,
                                 DeadLetterSink* dead_letters, Metrics& metrics,
                                 ProgressMeter* progress, InputFormat format) {
  auto reader = LineReader::open(input);
  if (!reader) return reader.error();
  auto opened = PartitionTask::open(0, store, config.detectors, &metrics, InputRole::kDetect,
                                    EventTimeLimits{config.future_tolerance_days, {}}, std::nullopt,
                                    config.parallel_detectors);
  if (!opened) return opened.error();
  PartitionTask& task = *opened.value();
  for (const auto& d : config.detectors) metrics.register_detector(detector_name(d));

  const int64_t resume = task.resume_offset().value_or(0);
  if (!task.stream_time()) {
    auto start = start_reference(input, resume, format);
    if (!start) return start.error();
    task.set_start_reference(start.value());
  }
  // The file's size, for the share done; unknown (0) for standard input.
  uint64_t input_bytes = 0;
  if (progress != nullptr && progress->enabled() && input != "-") {
    std::error_code error;
    input_bytes = std::filesystem::file_size(input, error);
    if (error) input_bytes = 0;
  }
  const auto position = [&] {
    const double done = input_bytes > 0 ? static_cast<double>(reader.value()->position()) /
                                              static_cast<double>(input_bytes)
                                        : -1.0;
    return ProgressPosition{task.stream_time(), done};
  };
  ReplaySummary summary;
  std::string_view line;
  while (reader.value()->next(line)) {
    const int64_t offset = static_cast<int64_t>(reader.value()->line_number()) - 1;
    if (offset < resume) continue;
    ++summary.read;
    count_outcome(task.process(line, offset, {}, format_of_line(format, line)), summary);
    if (progress != nullptr) progress->update(summary.read, position);
    if (commit_due(config, task)) {
      Status s = deliver_and_commit(task, signals, dead_letters, summary, metrics);
      if (!s.is_ok()) return s.error();
    }
  }
  if (!reader.value()->error().empty()) {
    return make_error(ErrorKind::kIo, input + ": " + reader.value()->error());
  }
  Status s = deliver_and_commit(task, signals, dead_letters, summary, metrics);
  if (s.is_ok()) s = task.wait_for_write();  // the last batch is stored before replay returns
  if (!s.is_ok()) return s.error();
  if (progress != nullptr) progress->finish(summary.read, position());
  return summary;
}

}  // namespace vigil

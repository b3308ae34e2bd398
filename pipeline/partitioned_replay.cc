#include "pipeline/partitioned_replay.h"

#include <chrono>
#include <memory>

#include "core/heap_memory.h"
#include "ingest/line_reader.h"
#include "pipeline/merge_task.h"
#include "pipeline/partition_task.h"
#include "pipeline/start_reference.h"
#include "sinks/repartition_record.h"

namespace vigil {
namespace {

struct InputPartition {
  std::unique_ptr<LineReader> reader;
  std::unique_ptr<PartitionTask> task;
  std::string name;
  bool done = false;
};

// Reads up to `lines` lines of `input` into its task, then hands the
// accepted events to the merge at consecutive offsets from `merge_offset`.
Status read_chunk(InputPartition& input, size_t lines, InputFormat format, MergeTask& merge,
                  int64_t& merge_offset, ReplaySummary& summary) {
  PartitionTask& task = *input.task;
  const int64_t resume = task.resume_offset().value_or(0);
  std::string_view line;
  size_t taken = 0;
  while (taken < lines) {
    if (!input.reader->next(line)) {
      if (!input.reader->error().empty()) {
        return make_error(ErrorKind::kIo, input.name + ": " + input.reader->error());
      }
      input.done = true;
      break;
    }
    const int64_t offset = static_cast<int64_t>(input.reader->line_number()) - 1;
    if (offset < resume) continue;
    ++taken;
    ++summary.read;
    count_outcome(task.process(line, offset, {}, format_of_line(format, line)), summary);
  }
  // The messages the Kafka pipeline would send, at consecutive offsets.
  Status s;
  std::string buffer;
  for_each_repartition_message(task.repartition(), buffer, [&](std::string_view message) {
    if (s.is_ok()) s = merge.consume(message, merge_offset++, {});
  });
  return s;
}

}  // namespace

Result<ReplaySummary> run_partitioned_replay(const PipelineConfig& config,
                                             const std::vector<std::string>& inputs,
                                             StateStore& store, SignalSink& signals,
                                             DeadLetterSink* dead_letters, Metrics& metrics,
                                             InputFormat format) {
  // Text detectors read, at the merge, what the input tasks derive from
  // the descriptions (core/text_fingerprint.h).
  auto text_rules = text_fingerprint_rules(config.detectors);
  if (!text_rules) return text_rules.error();
  std::vector<InputPartition> partitions;
  for (size_t p = 0; p < inputs.size(); ++p) {
    auto reader = LineReader::open(inputs[p]);
    if (!reader) return reader.error();
    auto task = PartitionTask::open(static_cast<int32_t>(p), store, {}, &metrics, InputRole::kRepartition,
                                    EventTimeLimits{config.future_tolerance_days, {}},
                                    text_rules.value());
    if (!task) return task.error();
    if (!task.value()->stream_time()) {
      auto start = start_reference(inputs[p], task.value()->resume_offset().value_or(0), format);
      if (!start) return start.error();
      task.value()->set_start_reference(start.value());
    }
    partitions.push_back(InputPartition{std::move(reader).value(), std::move(task).value(), inputs[p]});
  }
  // One merge partition runs every detector: each merge partition sees
  // every accepted event in the same order, so placement cannot change a
  // detector's output.
  auto merge = MergeTask::open(0, static_cast<int32_t>(inputs.size()), store, config.detectors, &metrics,
                               config.parallel_detectors);
  if (!merge) return merge.error();
  for (const auto& d : config.detectors) metrics.register_detector(detector_name(d));
  int64_t merge_offset = merge.value()->resume_offset().value_or(0);

  ReplaySummary summary;
  // Commits come every commit.max_events, more often than returning the
  // arenas' free pages is worth (pipeline/replay_runner.cc does it at each
  // of its larger commits).
  HeapPageReleaser heap_pages(std::chrono::seconds(5));
  bool remaining = true;
  while (remaining) {
    remaining = false;
    for (auto& input : partitions) {
      if (input.done) continue;
      Status s = read_chunk(input, config.commit.max_events, format, *merge.value(), merge_offset, summary);
      if (!s.is_ok()) return s.error();
      remaining = remaining || !input.done;
    }
    // The merge commits first: if the input tasks' commits were lost, their
    // events are read again and the merge skips them as repeats.
    Status s = signals.deliver(merge.value()->signals());
    if (!s.is_ok()) return s.error();
    for (const auto& sig : merge.value()->signals()) metrics.record_signal(sig);
    summary.signals += merge.value()->signals().size();
    s = merge.value()->commit();
    if (!s.is_ok()) return s.error();
    for (auto& input : partitions) {
      if (dead_letters != nullptr) {
        s = dead_letters->deliver(input.task->dead_letters(), input.task->partition());
        if (!s.is_ok()) return s.error();
      }
      s = input.task->commit();
      if (!s.is_ok()) return s.error();
    }
    heap_pages.maybe_release();
  }
  metrics.signals_open.Set(static_cast<double>(merge.value()->open_signals()));
  metrics.repartition_waiting.Set(static_cast<double>(merge.value()->waiting()));
  metrics.repartition_held_back_seconds.Set(static_cast<double>(merge.value()->held_back_seconds()));
  return summary;
}

}  // namespace vigil

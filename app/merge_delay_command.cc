#include "app/merge_delay_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "app/command_failure.h"
#include "app/scratch_dir.h"
#include "config/pipeline_config.h"
#include "core/civil_date.h"
#include "core/fnv1a.h"
#include "core/incident_event.h"
#include "ingest/progress_mark.h"
#include "pipeline/merge_task.h"
#include "pipeline/partition_task.h"
#include "sinks/repartition_record.h"
#include "state/event_record.h"

namespace vigil {
namespace {

constexpr int64_t kCommitEvery = 1000;  // input lines per input task commit, records per merge commit

// FNV-1a 64 of the report id, as tests/partitioned_stream.h splits a stream:
// a report's revisions and re-sends share a partition.
int32_t report_partition(std::string_view line, int32_t partitions) {
  std::string_view key = line;
  if (const size_t at = line.find("\"id\":\""); at != std::string_view::npos) {
    const size_t begin = at + 6;
    key = line.substr(begin, line.find('"', begin) - begin);
  }
  return static_cast<int32_t>(fnv1a_64(key) % static_cast<uint64_t>(partitions));
}

// One merge under measurement and the records it still holds, per input
// partition in arrival order (the merge releases each partition's records
// in that order, so how many it still holds says which it released).
struct Measured {
  struct Pending {
    int64_t reported_at;
    bool serious;
    bool in_span;  // reported before the end of the stream's occurrence span
  };
  std::unique_ptr<MergeTask> merge;
  std::vector<std::deque<Pending>> pending;
  std::vector<int32_t> all;      // delays in seconds
  std::vector<int32_t> serious;  // fatal harm or never event
  int64_t offset = 0;            // next repartition topic offset

  // Consumes one record and takes the delay of every record it released. A
  // progress mark is not held: `what` only gives the time it was sent.
  Status consume(std::string_view record, int32_t upstream, const Pending& what, bool mark = false) {
    if (!mark) pending[static_cast<size_t>(upstream)].push_back(what);
    Status s = merge->consume(record, offset++, {});
    if (!s.is_ok()) return s;
    for (size_t u = 0; u < pending.size(); ++u) {
      auto& held = pending[u];
      while (held.size() > merge->waiting_from(static_cast<int32_t>(u))) {
        const auto delay = static_cast<int32_t>(what.reported_at - held.front().reported_at);
        if (held.front().in_span) {
          all.push_back(delay);
          if (held.front().serious) serious.push_back(delay);
        }
        held.pop_front();
      }
    }
    if (offset % kCommitEvery == 0) return merge->commit();
    return Status::ok();
  }
};

// The input tasks and merges of one partition count.
struct Setup {
  int32_t partitions;
  std::vector<std::unique_ptr<PartitionTask>> inputs;
  std::vector<int64_t> input_offsets;
  std::vector<size_t> taken;  // repartition records of the open batch already fed
  Measured clock;             // records as written: the merge clock
  Measured stream_day;        // the same records without a clock: the former order
  Measured marked;            // the merge clock, with progress marks
};

// The reported_at of a generated line, in Unix seconds; nullopt when the
// line has none (the stream's few invalid lines).
std::optional<int64_t> line_reported_at(std::string_view line) {
  constexpr std::string_view kField = "\"reported_at\":\"";
  const size_t at = line.find(kField);
  if (at == std::string_view::npos) return std::nullopt;
  const size_t begin = at + kField.size();
  const size_t end = line.find('"', begin);
  if (end == std::string_view::npos) return std::nullopt;
  const std::optional<Timestamp> t = parse_rfc3339(line.substr(begin, end - begin));
  if (!t) return std::nullopt;
  return t->unix_seconds;
}

// Sends a progress mark through input partition `u`'s task, and what it
// passes on to the merge with marks (nothing before the partition's first
// event).
Status feed_mark(Setup& s, int32_t u, const std::string& mark, int64_t sent_at) {
  PartitionTask& input = *s.inputs[static_cast<size_t>(u)];
  input.process(mark, s.input_offsets[static_cast<size_t>(u)]++, {}, MessageFormat::kEventV1);
  const RepartitionBatch& batch = input.repartition();
  RepartitionRecord record;
  for (size_t& i = s.taken[static_cast<size_t>(u)]; i < batch.size(); ++i) {
    if (!decode_repartition_record(batch.record(i), record) || !record.progress_mark) {
      return make_error(ErrorKind::kFatal, "an input task passed a mark on as something else");
    }
    record.upstream = u;  // the record names the task's state slot
    std::string bytes;
    encode_repartition_record(record, bytes);
    Status st = s.marked.consume(bytes, u, Measured::Pending{sent_at, false, true}, true);
    if (!st.is_ok()) return st;
  }
  return Status::ok();
}

std::string duration(int64_t seconds) {
  char buf[32];
  if (seconds < 120) {
    std::snprintf(buf, sizeof buf, "%lld s", static_cast<long long>(seconds));
  } else if (seconds < 7200) {
    std::snprintf(buf, sizeof buf, "%.1f min", static_cast<double>(seconds) / 60.0);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f h", static_cast<double>(seconds) / 3600.0);
  }
  return buf;
}

void print_row(std::ostream& out, const std::string& label, std::vector<int32_t>& delays) {
  if (delays.empty()) {
    out << "| " << label << " | 0 | | | | |\n";
    return;
  }
  std::sort(delays.begin(), delays.end());
  const auto at = [&](double q) {
    return delays[std::min(delays.size() - 1, static_cast<size_t>(q * static_cast<double>(delays.size())))];
  };
  out << "| " << label << " | " << delays.size() << " | " << duration(at(0.5)) << " | "
      << duration(at(0.9)) << " | " << duration(at(0.99)) << " | " << duration(delays.back()) << " |\n";
}

}  // namespace

int run_merge_delay(const MergeDelayOptions& options, std::ostream& out, std::ostream& err) {
  for (const int32_t p : options.partitions) {
    if (p < 1 || p > 1024) return command_failure(err, "merge-delay", "--partitions must be 1..1024", 2);
  }
  ScratchDir scratch("vigil-merge-delay-");
  if (scratch.path().empty()) {
    return command_failure(err, "merge-delay", "cannot create a temporary state directory");
  }
  auto store = open_state_store(StateConfig{}, scratch.path());
  if (!store) return command_failure(err, "merge-delay", store.error());

  // Input tasks of every setup share the store: state slots 0..1023 for the
  // first setup, 1024.. for the next; merges use merge partitions 2k, 2k+1.
  std::vector<Setup> setups;
  int32_t slot = 0;
  int32_t merge_partition = 0;
  for (const int32_t p : options.partitions) {
    Setup& s = setups.emplace_back();
    s.partitions = p;
    for (int32_t u = 0; u < p; ++u) {
      auto task = PartitionTask::open(slot + u, *store.value(), {}, nullptr, InputRole::kRepartition);
      if (!task) return command_failure(err, "merge-delay", task.error());
      s.inputs.push_back(std::move(task).value());
    }
    slot += 1024;
    s.input_offsets.assign(static_cast<size_t>(p), 0);
    s.taken.assign(static_cast<size_t>(p), 0);
    for (Measured* m : {&s.clock, &s.stream_day, &s.marked}) {
      auto merge = MergeTask::open(merge_partition++, p, *store.value(), {}, nullptr);
      if (!merge) return command_failure(err, "merge-delay", merge.error());
      m->merge = std::move(merge).value();
      m->pending.resize(static_cast<size_t>(p));
    }
  }

  SyntheticStream stream(options.stream);
  const auto started = std::chrono::steady_clock::now();
  IncidentEvent event;
  RepartitionRecord record;
  std::string without_clock;
  std::string line;
  int64_t lines = 0;
  // After the last occurrence day the stream has only late reports, months
  // of them ever sparser, with no partition reaching a new stream day: not
  // the steady state a deployment runs in, so those are not measured.
  const int64_t span_end = int64_t{options.stream.start.days + options.stream.days} * 86400;
  int64_t tail = 0;
  const int64_t every = options.progress_mark_seconds;
  std::optional<int64_t> next_mark;  // the next progress mark's reported_through
  std::string mark;
  while (true) {
    line.clear();  // next() appends
    if (!stream.next(line)) break;
    ++lines;
    const std::optional<int64_t> reported = every > 0 ? line_reported_at(line) : std::nullopt;
    if (reported && !next_mark) next_mark = (*reported / every + 1) * every;
    // Every mark due before this report, on every partition, in time order.
    for (; reported && *next_mark <= *reported; *next_mark += every) {
      mark = progress_mark_message(*next_mark);
      for (Setup& s : setups) {
        for (int32_t u = 0; u < s.partitions; ++u) {
          Status st = feed_mark(s, u, mark, *next_mark);
          if (!st.is_ok()) return command_failure(err, "merge-delay", st.error());
        }
      }
    }
    for (Setup& s : setups) {
      const int32_t u = report_partition(line, s.partitions);
      PartitionTask& input = *s.inputs[static_cast<size_t>(u)];
      input.process(line, s.input_offsets[static_cast<size_t>(u)]++);
      const RepartitionBatch& batch = input.repartition();
      for (size_t& i = s.taken[static_cast<size_t>(u)]; i < batch.size(); ++i) {
        if (!decode_repartition_record(batch.record(i), record) || !record.clock ||
            !decode_event_record(record.current, event)) {
          return command_failure(err, "merge-delay", "an input task wrote an undecodable record");
        }
        const Measured::Pending what{*record.clock,
                                     event.physical_harm == PhysicalHarm::kFatal || event.never_event,
                                     *record.clock < span_end};
        tail += !what.in_span;
        record.upstream = u;  // the record names the task's state slot
        std::string with_clock;
        encode_repartition_record(record, with_clock);
        Status st = s.clock.consume(with_clock, u, what);
        if (st.is_ok() && every > 0) st = s.marked.consume(with_clock, u, what);
        if (st.is_ok() && options.compare_stream_day) {
          record.clock.reset();
          without_clock.clear();
          encode_repartition_record(record, without_clock);
          st = s.stream_day.consume(without_clock, u, what);
        }
        if (!st.is_ok()) return command_failure(err, "merge-delay", st.error());
      }
      if (input.uncommitted() >= static_cast<size_t>(kCommitEvery)) {
        Status st = input.commit();
        if (!st.is_ok()) return command_failure(err, "merge-delay", st.error());
        s.taken[static_cast<size_t>(u)] = 0;
      }
    }
    if (lines % 1'000'000 == 0) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      err << "merge-delay: " << lines << " lines, " << static_cast<int64_t>(seconds) << " s\n";
    }
  }

  out << "Merge release delay: reported_at of the record whose arrival released a report minus\n"
      << "the report's own reported_at (" << lines << " lines, " << options.stream.days
      << " days at " << options.stream.events_per_year << " reports a year, seed "
      << options.stream.seed << "; not measured: " << tail / static_cast<int64_t>(setups.size())
      << " records reported after the last occurrence day)\n\n";
  out << "| partitions, order | reports | median | p90 | p99 | max |\n";
  out << "|---|---|---|---|---|---|\n";
  for (Setup& s : setups) {
    const std::string p = std::to_string(s.partitions);
    const std::string marked = "reported_at clock, marks every " + std::to_string(every) + " s";
    for (auto [m, rule] : {std::pair{&s.clock, std::string("reported_at clock")},
                           std::pair{&s.marked, marked},
                           std::pair{&s.stream_day, std::string("stream day")}}) {
      if (m == &s.stream_day && !options.compare_stream_day) continue;
      if (m == &s.marked && every == 0) continue;
      print_row(out, p + ", " + rule + ", all", m->all);
      print_row(out, p + ", " + rule + ", fatal or never event", m->serious);
      out << "| " << p << ", " << rule << ", held at the end | " << m->merge->waiting() << " | | | | |\n";
    }
  }
  return 0;
}

}  // namespace vigil

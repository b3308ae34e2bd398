#include "pipeline/partition_task.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <span>

#include "core/check.h"
#include "ingest/progress_mark.h"
#include "pipeline/detached_detector.h"
#include "sinks/repartition_record.h"
#include "state/event_record.h"
#include "state/key_encoding.h"

namespace vigil {
namespace {

constexpr char kRecordTag = 'r';
constexpr char kTextGateTag = 'g';  // text gate CF: + u64 word hash -> counts
constexpr size_t kArenaBytes = 8u << 20;
// One event in this many has its processing time observed: enough for the
// histogram's shape at national volume, without two clock reads per event.
constexpr uint64_t kLatencySampleEvery = 16;
// The published retention horizon moves in steps of this many days: each
// step costs a write-ahead log sync, and records wait at most this much
// longer to be dropped.
constexpr int32_t kHorizonStepDays = 7;


}  // namespace

Result<std::unique_ptr<PartitionTask>> PartitionTask::open(
    int32_t partition, StateStore& store, const std::vector<DetectorConfig>& detectors,
    Metrics* metrics, InputRole role, EventTimeLimits limits,
    const std::optional<RedactionRules>& fingerprint_rules, bool parallel_detectors) {
  if (role == InputRole::kRepartition && !detectors.empty()) {
    return make_error(ErrorKind::kInvalidArgument,
                      "an input task that repartitions runs no detectors of its own");
  }
  if (role == InputRole::kDetect && fingerprint_rules) {
    return make_error(ErrorKind::kInvalidArgument,
                      "text fingerprints are for a merge stage: an input task that detects "
                      "gives its text detectors the description itself");
  }
  auto offsets = store.ensure_column_family(kOffsetsColumnFamily);
  if (!offsets) return offsets.error();
  auto records = store.ensure_column_family(kRecordsColumnFamily);
  if (!records) return records.error();
  auto built = make_detectors(detectors, partition, store);
  if (!built) return built.error();
  if (parallel_detectors) detach_where_possible(built.value());
  std::unique_ptr<PartitionTask> task(new PartitionTask(partition, store, offsets.value(),
                                                        records.value(), std::move(built).value(),
                                                        metrics, role, std::move(limits)));
  Status loaded = task->load_position();
  if (!loaded.is_ok()) return loaded.error();
  if (fingerprint_rules) {
    auto gate_cf = store.ensure_column_family(kTextGateColumnFamily);
    if (!gate_cf) return gate_cf.error();
    auto fingerprinter = DescriptionFingerprinter::make(*fingerprint_rules,
                                                        task->prefix_ + kTextGateTag, gate_cf.value());
    if (!fingerprinter) return fingerprinter.error();
    Status restored = fingerprinter.value().restore(store);
    if (!restored.is_ok()) return restored.error();
    task->fingerprinter_.emplace(std::move(fingerprinter).value());
  }
  task->publish_retention();
  return task;
}

Status PartitionTask::publish_stored_horizons(StateStore& store) {
  const std::shared_ptr<RecordRetention>& retention = store.record_retention();
  if (!retention) return Status::ok();
  auto offsets = store.column_family(kOffsetsColumnFamily);
  if (!offsets) return Status::ok();  // a new store: nothing stored yet
  std::vector<std::pair<int32_t, Date>> reached;
  Status scanned = store.scan_prefix(offsets.value(), {}, [&](std::string_view key, std::string_view value) {
    const auto slot = read_partition_prefix(key);
    // Input partitions only: merge slots are negative and hold no records.
    if (!slot || *slot < 0 || key.size() != kPartitionPrefixSize + 1 ||
        key.back() != kPositionTag) {
      return true;
    }
    const auto position = decode_task_position(value);
    if (position && position->stream_time) reached.emplace_back(*slot, *position->stream_time);
    return true;
  });
  if (!scanned.is_ok()) return scanned;
  if (reached.empty()) return Status::ok();
  if (Status synced = store.sync_wal(); !synced.is_ok()) return synced;
  for (const auto& [slot, time] : reached) retention->publish(slot, time);
  return Status::ok();
}

void PartitionTask::publish_retention() {
  if (!retention_ || !stream_time_) return;
  const auto published = retention_->published_horizon(partition_);
  if (published && retention_->horizon(*stream_time_).days < published->days + kHorizonStepDays) {
    return;
  }
  // A stream time that a machine crash could still take back must not let
  // the filter drop records (state/record_retention.h). If the sync fails,
  // records are only kept longer.
  if (!store_.sync_wal().is_ok()) return;
  retention_->publish(partition_, *stream_time_);
}

PartitionTask::PartitionTask(int32_t partition, StateStore& store, ColumnFamilyId offsets_cf,
                             ColumnFamilyId records_cf,
                             std::vector<std::unique_ptr<Detector>> detectors, Metrics* metrics,
                             InputRole role, EventTimeLimits limits)
    : StatefulTask("partition " + std::to_string(partition), partition, partition, store,
                   offsets_cf, std::move(detectors), metrics),
      records_cf_(records_cf),
      role_(role),
      retention_(store.record_retention()),
      limits_(std::move(limits)) {
  open_overlay_.buffer.resize(kArenaBytes);
  in_flight_overlay_.buffer.resize(kArenaBytes);
  reset_overlay(open_overlay_);
  reset_overlay(in_flight_overlay_);
}

PartitionTask::~PartitionTask() {
  // An overlay's memory belongs to its arena: destroy it first.
  for (OverlaySlot* slot : {&open_overlay_, &in_flight_overlay_}) {
    slot->records.reset();
    slot->arena.reset();
  }
}

void PartitionTask::reset_overlay(OverlaySlot& slot) {
  slot.records.reset();
  slot.arena = std::make_unique<std::pmr::monotonic_buffer_resource>(slot.buffer.data(),
                                                                     slot.buffer.size());
  slot.records = std::make_unique<Overlay>(slot.arena.get());
  if (bucket_hint_ > 0) slot.records->reserve(bucket_hint_);
}

std::string_view PartitionTask::find_record(std::string_view id) {
  std::string_view record;
  if (auto it = open_overlay_.records->find(id); it != open_overlay_.records->end()) {
    record = it->second;
  } else if (auto in_flight = in_flight_overlay_.records->find(id);
             in_flight != in_flight_overlay_.records->end()) {
    record = in_flight->second;
  } else {
    key_buffer_.assign(prefix_);
    key_buffer_.push_back(kRecordTag);
    key_buffer_.append(id);
    auto found = store_.get(records_cf_, key_buffer_, lookup_buffer_);
    // A failing read means the state cannot be vouched for.
    VIGIL_CHECK(found.is_ok(), "reading a per-id record failed");
    if (!found.value()) return {};
    record = lookup_buffer_;
  }
  // Judged on the stream time alone, never on whether a compaction has
  // dropped the record yet, so the outcome depends only on the input.
  if (retention_ && stream_time_ && retention_->past_retention(record, *stream_time_)) return {};
  return record;
}

MessageOutcome PartitionTask::process(std::string_view value, int64_t offset, std::string_view key,
                                      MessageFormat format) {
  if (offset >= restore_until_) return process_message(value, offset, key, format);
  const size_t signals_before = signals_.size();
  const size_t dead_letters_before = dead_letters_.size();
  const size_t repartition_before = repartition_.size();
  const MessageOutcome outcome = process_message(value, offset, key, format);
  signals_.erase(signals_.begin() + static_cast<std::ptrdiff_t>(signals_before), signals_.end());
  dead_letters_.erase(dead_letters_.begin() + static_cast<std::ptrdiff_t>(dead_letters_before),
                      dead_letters_.end());
  repartition_.truncate(repartition_before);
  if (metrics_) {
    metrics_->events_restored.Increment(outcome.processed + outcome.duplicates + outcome.invalid);
  }
  return outcome;
}

Disposition PartitionTask::process(std::string_view value, int64_t offset, std::string_view key) {
  const MessageOutcome outcome = process(value, offset, key, MessageFormat::kEventV1);
  if (outcome.invalid > 0) return Disposition::kInvalid;
  return outcome.duplicates > 0 ? Disposition::kDuplicate : Disposition::kProcessed;
}

MessageOutcome PartitionTask::process_message(std::string_view value, int64_t offset,
                                              std::string_view key, MessageFormat format) {
  VIGIL_CHECK(offset >= next_offset_, "partition offsets must increase");
  const bool sample = (sample_counter_++ % kLatencySampleEvery) == 0 && metrics_ != nullptr;
  const auto started = sample ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  next_offset_ = offset + 1;
  ++uncommitted_;
  if (looks_like_progress_mark(value)) return process_progress_mark(value, offset, key);
  MessageOutcome outcome;

  const std::span<const IncidentEvent> events = decoder_.decode(value, format, failure_);
  if (events.empty()) {
    if (metrics_) {
      metrics_->events_consumed.Increment();
      metrics_->dead_lettered(reason_code(failure_.reason)).Increment();
    }
    dead_letters_.push_back(DeadLetter{offset, failure_.reason, failure_.detail, std::string(key),
                                       std::string(value)});
    outcome.invalid = 1;
    return outcome;
  }
  if (metrics_) metrics_->events_consumed.Increment(static_cast<double>(events.size()));

  // The first entry the event-time gate refuses names the message's one dead letter.
  std::optional<std::string> first_refusal;
  for (size_t i = 0; i < events.size(); ++i) {
    switch (process_event(events[i], offset, static_cast<uint32_t>(i))) {
      case Disposition::kProcessed: ++outcome.processed; break;
      case Disposition::kDuplicate: ++outcome.duplicates; break;
      case Disposition::kInvalid:
        if (!first_refusal) {
          first_refusal = events.size() == 1 ? std::move(refusal_)
                                              : "entry[" + std::to_string(i) + "]: " + refusal_;
        }
        ++outcome.invalid;
        break;
    }
  }
  if (first_refusal) {
    if (outcome.invalid > 1) {
      *first_refusal += " (and " + std::to_string(outcome.invalid - 1) + " more entries)";
    }
    dead_letters_.push_back(DeadLetter{offset, InvalidReason::kBadTimestamp, std::move(*first_refusal),
                                       std::string(key), std::string(value)});
  }

  if (sample && outcome.processed > 0) {
    metrics_->event_processing_seconds.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  return outcome;
}

MessageOutcome PartitionTask::process_progress_mark(std::string_view value, int64_t offset,
                                                   std::string_view key) {
  MessageOutcome outcome;
  ProgressMarkError error;
  const std::optional<ProgressMark> mark = read_progress_mark(value, error);
  if (!mark) {
    if (metrics_) {
      metrics_->events_consumed.Increment();
      metrics_->dead_lettered(reason_code(error.reason)).Increment();
    }
    dead_letters_.push_back(DeadLetter{offset, error.reason, std::move(error.detail),
                                       std::string(key), std::string(value)});
    outcome.invalid = 1;
    return outcome;
  }
  outcome.marks = 1;
  if (metrics_) metrics_->progress_marks.Increment();
  // Only the merge orders by the clock. Before its first event a partition
  // has no stream time to bound the mark by (merge_task.h), and has sent
  // the merge nothing a mark could move on: the mark is read and dropped.
  if (role_ != InputRole::kRepartition || !stream_time_) return outcome;
  RepartitionRecord record;
  record.upstream = partition_;
  record.offset = offset;
  record.stream_time = *stream_time_;
  record.clock = mark->reported_through;
  record.progress_mark = true;
  encode_repartition_record(record, repartition_.bytes);
  repartition_.ends.push_back(repartition_.bytes.size());
  return outcome;
}

Disposition PartitionTask::process_event(const IncidentEvent& event, int64_t offset, uint32_t index) {
  if (metrics_ && retention_ && stream_time_ &&
      std::max(event.occurred_on, event.reported_on) < retention_->horizon(*stream_time_)) {
    // Older than any record kept: no duplicate check is possible for it.
    metrics_->events_past_retention.Increment();
  }
  std::string_view previous_record = find_record(event.id);
  if (!previous_record.empty()) {
    int64_t previous_revision = 0;
    VIGIL_CHECK(read_record_revision(previous_record, previous_revision), "corrupt per-id record");
    if (event.revision <= previous_revision) {
      if (metrics_) metrics_->events_duplicate.Increment();
      return Disposition::kDuplicate;
    }
  }
  // Judged after the duplicate check (a re-send changes nothing) and before
  // anything is taken back: a refused revision leaves the stored one in force.
  if (auto refused = judge_event_time(event, stream_time_, start_reference_, limits_, gate_)) {
    if (metrics_) metrics_->dead_lettered(reason_code(InvalidReason::kBadTimestamp)).Increment();
    refusal_ = std::move(*refused);
    return Disposition::kInvalid;
  }
  if (!previous_record.empty()) {
    if (role_ == InputRole::kDetect) {
      // A newer revision: take back everything the stored one contributed.
      VIGIL_CHECK(decode_event_record(previous_record, previous_), "corrupt per-id record");
      take_back(previous_);
    } else {
      // The merge stage takes it back; keep the bytes past the next lookup.
      previous_buffer_.assign(previous_record);
      previous_record = previous_buffer_;
    }
  }

  record_buffer_.clear();
  encode_event_record(event, record_buffer_);
  key_buffer_.assign(prefix_);
  key_buffer_.push_back(kRecordTag);
  key_buffer_.append(event.id);
  batch_.put(records_cf_, key_buffer_, record_buffer_);
  {
    std::pmr::monotonic_buffer_resource& arena = *open_overlay_.arena;
    auto* id = static_cast<char*>(arena.allocate(event.id.size(), 1));
    std::memcpy(id, event.id.data(), event.id.size());
    auto* rec = static_cast<char*>(arena.allocate(record_buffer_.size(), 1));
    std::memcpy(rec, record_buffer_.data(), record_buffer_.size());
    (*open_overlay_.records)[std::string_view(id, event.id.size())] =
        std::string_view(rec, record_buffer_.size());
  }

  const bool late = add(event, event_time(event));
  if (role_ == InputRole::kRepartition) {
    // The merge orders by reported_at, to the second (merge_task.h); the
    // index tells a Bundle's events apart, as they share the offset.
    RepartitionRecord record{partition_, offset, *stream_time_, previous_record, record_buffer_,
                             event.reported_at_unix_seconds};
    record.index = index;
    if (fingerprinter_) {
      // What the merge's text detectors get instead of the description.
      fingerprinter_->fingerprint(event.description, event.org, text_);
      record.has_text = true;
      std::swap(record.text, text_);
    }
    encode_repartition_record(record, repartition_.bytes);
    repartition_.ends.push_back(repartition_.bytes.size());
    if (fingerprinter_) std::swap(record.text, text_);  // keeps the buffers' capacity
  }

  if (metrics_) {
    metrics_->events_processed.Increment();
    if (late) metrics_->events_late.Increment();
  }
  return Disposition::kProcessed;
}

void PartitionTask::dead_letter(std::string_view value, int64_t offset, std::string_view key,
                                InvalidReason reason, std::string detail) {
  VIGIL_CHECK(offset >= next_offset_, "partition offsets must increase");
  next_offset_ = offset + 1;
  ++uncommitted_;
  if (metrics_) metrics_->events_consumed.Increment();
  if (offset < restore_until_) {
    if (metrics_) metrics_->events_restored.Increment();
  } else {
    dead_letters_.push_back(DeadLetter{offset, reason, std::move(detail), std::string(key), std::string(value)});
  }
  if (metrics_) metrics_->dead_lettered(reason_code(reason)).Increment();
}

void PartitionTask::save_own_state() {
  if (fingerprinter_) fingerprinter_->save(batch_);
}

void PartitionTask::on_committed() {
  dead_letters_.clear();
  repartition_.clear();
  // The sealed batch's records stay visible to lookups until the store
  // has them (on_written()); the in-flight slot is empty by now, as at
  // most one write is in flight.
  bucket_hint_ = open_overlay_.records->size();
  std::swap(open_overlay_, in_flight_overlay_);
  reset_overlay(open_overlay_);
}

void PartitionTask::on_written() {
  reset_overlay(in_flight_overlay_);
  // Only now is the stream time the batch reached durable in the store.
  publish_retention();
  if (!metrics_) return;
  metrics_->state_bytes.Set(static_cast<double>(store_.approximate_bytes()));
  if (const std::optional<VolumeSpace> space = store_.volume_space()) {
    metrics_->state_volume_capacity_bytes.Set(static_cast<double>(space->capacity_bytes));
    metrics_->state_volume_available_bytes.Set(static_cast<double>(space->available_bytes));
  }
}

}  // namespace vigil

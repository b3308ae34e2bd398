#include "pipeline/merge_task.h"

#include <algorithm>
#include <limits>

#include "core/check.h"
#include "pipeline/detached_detector.h"
#include "pipeline/task_position.h"
#include "sinks/repartition_record.h"
#include "state/event_record.h"
#include "state/key_encoding.h"

namespace vigil {
namespace {

constexpr char kUpstreamsTag = 'n';  // merge CF: the number of input partitions
constexpr char kUpstreamTag = 'u';   // merge CF: + u32 partition -> last offset, time, clock
                                     // and (since FHIR Bundles) index
constexpr char kHeldTag = 'h';       // merge CF: + u64 topic offset + u32 index -> record bytes

constexpr int64_t kSecondsPerDay = 86400;

int64_t day_start(Date day) { return int64_t{day.days} * kSecondsPerDay; }

// The clock a record gives on its own (merge_task.h): its reported_at, at
// most the end of the day kMergeClockLeadDays after its stream day; the
// start of its stream day for a record written without a clock. For a
// record already held with the clock the merge gave it, that clock (never
// past the bound, since a partition's stream time never goes back).
int64_t own_clock(const RepartitionRecord& r) {
  if (!r.clock) return day_start(r.stream_time);
  const int64_t bound = day_start(Date{r.stream_time.days}) + (kMergeClockLeadDays + 1) * kSecondsPerDay - 1;
  return std::min(*r.clock, bound);
}

}  // namespace

int32_t merge_state_slot(int32_t partition) { return -1 - partition; }

Result<std::unique_ptr<MergeTask>> MergeTask::open(int32_t partition, int32_t upstreams,
                                                   StateStore& store,
                                                   const std::vector<DetectorConfig>& detectors,
                                                   Metrics* metrics, bool parallel_detectors) {
  if (upstreams < 1) {
    return make_error(ErrorKind::kInvalidArgument, "a merge needs at least one input partition");
  }
  auto offsets = store.ensure_column_family(kOffsetsColumnFamily);
  if (!offsets) return offsets.error();
  auto merge = store.ensure_column_family(kMergeColumnFamily);
  if (!merge) return merge.error();
  auto built = make_detectors(detectors, merge_state_slot(partition), store);
  if (!built) return built.error();
  if (parallel_detectors) detach_where_possible(built.value());
  std::unique_ptr<MergeTask> task(new MergeTask(partition, upstreams, store, offsets.value(),
                                                merge.value(), std::move(built).value(), metrics));
  Status loaded = task->load();
  if (!loaded.is_ok()) return loaded.error();
  return task;
}

MergeTask::MergeTask(int32_t partition, int32_t upstreams, StateStore& store,
                     ColumnFamilyId offsets_cf, ColumnFamilyId merge_cf,
                     std::vector<std::unique_ptr<Detector>> detectors, Metrics* metrics)
    : StatefulTask("merge partition " + std::to_string(partition), partition,
                   merge_state_slot(partition), store, offsets_cf, std::move(detectors), metrics),
      merge_cf_(merge_cf),
      upstreams_(static_cast<size_t>(upstreams)) {}

MergeTask::~MergeTask() = default;

std::string MergeTask::key(char tag) const {
  std::string k = prefix_;
  k.push_back(tag);
  return k;
}

Status MergeTask::load() {
  const auto corrupt = [&](const std::string& what) {
    return make_error(ErrorKind::kCorruption, name_ + ": undecodable stored " + what);
  };
  if (Status loaded = load_position(); !loaded.is_ok()) return loaded;

  auto found = store_.get(merge_cf_, key(kUpstreamsTag), buffer_);
  if (!found) return found.error();
  if (found.value()) {
    std::string_view in = buffer_;
    const auto stored = read_varint(in);
    if (!stored || !in.empty()) return corrupt("partition count");
    if (*stored != upstreams_.size()) {
      // The merge order depends on the partition count: a topic that grew
      // would silently reorder history.
      return make_error(ErrorKind::kFatal,
                        name_ + ": its state was built from " +
                            std::to_string(*stored) + " input partitions, the events topic now has " +
                            std::to_string(upstreams_.size()) +
                            "; changing an events topic's partition count needs a replay into new state");
    }
  }

  // A visitor that returns false stops the scan: remember why.
  bool upstreams_ok = true;
  Status scanned = store_.scan_prefix(merge_cf_, key(kUpstreamTag), [&](std::string_view k, std::string_view v) {
    const auto u = read_u32_be(k, prefix_.size() + 1);
    const auto offset = read_varint(v);
    const auto time = offset ? read_varint(v) : std::nullopt;
    const auto day = time ? read_day(*time) : std::nullopt;
    // Written before the merge had a clock: the start of its stream day,
    // as for the records of that version.
    const auto clock = day && !v.empty() ? read_varint(v) : std::nullopt;
    // Written before Bundles: one record per offset, index 0.
    const auto index = clock && !v.empty() ? read_varint(v) : std::optional<uint64_t>(0);
    if (!u || *u >= upstreams_.size() || !day || !index || !v.empty() ||
        *index > std::numeric_limits<uint32_t>::max() ||
        *offset > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      upstreams_ok = false;
      return false;
    }
    Upstream& up = upstreams_[*u];
    up.seen = true;
    up.last_offset = static_cast<int64_t>(*offset);
    up.last_index = static_cast<uint32_t>(*index);
    up.last_time = *day;
    up.clock = clock ? zigzag_decode(*clock) : day_start(*day);
    return true;
  });
  if (!scanned.is_ok()) return scanned;
  if (!upstreams_ok) return corrupt("input partition position");

  bool held_ok = true;
  scanned = store_.scan_prefix(merge_cf_, key(kHeldTag), [&](std::string_view k, std::string_view v) {
    const auto topic_offset = read_u64_be(k, prefix_.size() + 1);
    const auto index = read_u32_be(k, prefix_.size() + 9);
    RepartitionRecord r;
    if (!topic_offset || !index || !decode_repartition_record(v, r) ||
        static_cast<size_t>(r.upstream) >= upstreams_.size()) {
      held_ok = false;
      return false;
    }
    upstreams_[static_cast<size_t>(r.upstream)].held.push_back(Held{static_cast<int64_t>(*topic_offset),
                                                                    *index, r.offset, r.stream_time,
                                                                    own_clock(r), std::string(v), true});
    ++waiting_;
    return true;
  });
  if (!scanned.is_ok()) return scanned;
  if (!held_ok) return corrupt("held record");
  return Status::ok();
}

std::string MergeTask::held_key(const Held& held) const {
  std::string k = key(kHeldTag);
  append_u64_be(k, static_cast<uint64_t>(held.topic_offset));
  append_u32_be(k, held.index);
  return k;
}

Status MergeTask::consume(std::string_view value, int64_t offset, std::string_view) {
  VIGIL_CHECK(offset >= next_offset_, "repartition offsets must increase");
  if (!split_repartition_message(value, records_)) {
    return make_error(ErrorKind::kCorruption,
                      name_ + ": undecodable message at offset " + std::to_string(offset));
  }
  next_offset_ = offset + 1;
  ++uncommitted_;
  const size_t signals_before = signals_.size();
  for (size_t i = 0; i < records_.size(); ++i) {
    Status s = merge_record(records_[i], offset, static_cast<uint32_t>(i));
    if (!s.is_ok()) return s;
  }
  release_ready();
  if (offset < restore_until_) {
    signals_.erase(signals_.begin() + static_cast<std::ptrdiff_t>(signals_before), signals_.end());
  }
  return Status::ok();
}

Status MergeTask::merge_record(std::string_view bytes, int64_t topic_offset, uint32_t index) {
  RepartitionRecord r;
  if (!decode_repartition_record(bytes, r)) {
    return make_error(ErrorKind::kCorruption,
                      name_ + ": undecodable record at offset " + std::to_string(topic_offset));
  }
  // Checked here, where a bad record is a clear error, rather than when it is
  // applied, where it could only abort the process.
  if (!r.progress_mark && ((!r.previous.empty() && !decode_event_record(r.previous, previous_)) ||
                           !decode_event_record(r.current, event_))) {
    return make_error(ErrorKind::kCorruption, name_ + ": corrupt per-id record in the record at offset " +
                                                  std::to_string(topic_offset));
  }
  if (static_cast<size_t>(r.upstream) >= upstreams_.size()) {
    return make_error(ErrorKind::kFatal,
                      name_ + ": a record from input partition " +
                          std::to_string(r.upstream) + " but the events topic has " +
                          std::to_string(upstreams_.size()) + " partitions");
  }
  if (metrics_) metrics_->repartition_consumed.Increment();
  Upstream& up = upstreams_[static_cast<size_t>(r.upstream)];
  if (up.seen && (r.offset < up.last_offset || (r.offset == up.last_offset && r.index <= up.last_index))) {
    if (metrics_) metrics_->repartition_repeated.Increment();
    return Status::ok();
  }
  if (up.seen && r.stream_time < up.last_time) {
    return make_error(ErrorKind::kCorruption,
                      name_ + ": input partition " +
                          std::to_string(r.upstream) + "'s stream time went back at offset " +
                          std::to_string(topic_offset));
  }
  const int64_t clock = up.seen ? std::max(up.clock, own_clock(r)) : own_clock(r);
  up.seen = true;
  up.last_offset = r.offset;
  up.last_index = r.index;
  up.last_time = r.stream_time;
  up.clock = clock;
  up.changed = true;
  // A progress mark only moves the partition on: nothing to hold.
  if (r.progress_mark) {
    if (metrics_) metrics_->repartition_marks.Increment();
    return Status::ok();
  }
  Held& held = up.held.emplace_back(Held{topic_offset, index, r.offset, r.stream_time, clock, {}, false});
  if (r.clock == clock) {
    held.bytes.assign(bytes);
  } else {
    // Clamped, lifted to the partition's clock or written without one: keep
    // the clock it was given, so it is released by the same after a restart.
    RepartitionRecord with_clock = r;
    with_clock.clock = clock;
    encode_repartition_record(with_clock, held.bytes);
  }
  ++waiting_;
  return Status::ok();
}

std::optional<size_t> MergeTask::next_release() const {
  // The smallest head by (clock, partition); partitions are scanned in
  // order, so a tie keeps the lower partition.
  std::optional<size_t> best;
  for (size_t u = 0; u < upstreams_.size(); ++u) {
    const auto& held = upstreams_[u].held;
    if (held.empty()) continue;
    if (!best || held.front().clock < upstreams_[*best].held.front().clock) best = u;
  }
  if (!best) return std::nullopt;
  const int64_t t = upstreams_[*best].held.front().clock;
  // Every partition with nothing held must be known to come after it: its
  // next record has at least its clock and a higher offset.
  for (size_t v = 0; v < upstreams_.size(); ++v) {
    const Upstream& up = upstreams_[v];
    if (v == *best || !up.held.empty()) continue;
    if (!up.seen || up.clock < t || (up.clock == t && v < *best)) return std::nullopt;
  }
  return best;
}

void MergeTask::release_ready() {
  while (const auto u = next_release()) {
    Upstream& up = upstreams_[*u];
    apply(up.held.front());
    if (metrics_) metrics_->repartition_released.Increment();
    if (up.held.front().stored) released_stored_.push_back(held_key(up.held.front()));
    up.held.pop_front();
    --waiting_;
  }
}

size_t MergeTask::waiting_from(int32_t upstream) const {
  return upstreams_.at(static_cast<size_t>(upstream)).held.size();
}

int64_t MergeTask::held_back_seconds() const {
  std::optional<int64_t> oldest;
  int64_t highest = std::numeric_limits<int64_t>::min();
  for (const Upstream& up : upstreams_) {
    if (up.seen) highest = std::max(highest, up.clock);
    if (!up.held.empty()) oldest = std::min(oldest.value_or(up.held.front().clock), up.held.front().clock);
  }
  return oldest ? highest - *oldest : 0;
}

void MergeTask::apply(const Held& held) {
  RepartitionRecord& r = released_;  // reused: its fingerprint's vectors keep their capacity
  VIGIL_CHECK(decode_repartition_record(held.bytes, r), "a held record no longer decodes");
  if (!r.previous.empty()) {
    VIGIL_CHECK(decode_event_record(r.previous, previous_), "corrupt per-id record in a repartition record");
    take_back(previous_);
  }
  VIGIL_CHECK(decode_event_record(r.current, event_), "corrupt per-id record in a repartition record");
  // The description stayed with the input task; text detectors read what it
  // derived (version 5 records), valid until the next record is applied.
  event_.text = r.has_text ? &r.text : nullptr;
  const bool late = add(event_, r.stream_time);
  if (metrics_ && late) metrics_->events_late.Increment();
}

void MergeTask::save_own_state() {
  std::string k;
  if (!committed_offset_) {
    buffer_.clear();
    append_varint(buffer_, upstreams_.size());
    batch_.put(merge_cf_, key(kUpstreamsTag), buffer_);
  }
  for (size_t u = 0; u < upstreams_.size(); ++u) {
    Upstream& up = upstreams_[u];
    if (up.changed) {
      k = key(kUpstreamTag);
      append_u32_be(k, static_cast<uint32_t>(u));
      buffer_.clear();
      append_varint(buffer_, static_cast<uint64_t>(up.last_offset));
      append_varint(buffer_, zigzag_encode(up.last_time.days));
      append_varint(buffer_, zigzag_encode(up.clock));
      append_varint(buffer_, up.last_index);
      batch_.put(merge_cf_, k, buffer_);
    }
    for (const Held& h : up.held) {
      if (!h.stored) batch_.put(merge_cf_, held_key(h), h.bytes);
    }
  }
  for (const std::string& released : released_stored_) batch_.erase(merge_cf_, released);
}

void MergeTask::on_committed() {
  for (Upstream& up : upstreams_) {
    up.changed = false;
    for (Held& h : up.held) h.stored = true;
  }
  released_stored_.clear();
}

}  // namespace vigil

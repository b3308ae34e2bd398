// One partition of the repartition topic: merges the records every input
// partition sent it into one deterministic order and runs the national
// detectors placed on it (pipeline/detector_placement.h) over that order.
//
// Records from input partition u arrive in u's own order, interleaved with
// other partitions' records however the producers raced. The merge releases
// them in the order of a clock carried by each record, to the second:
//
//   - A record's own clock is its event's reported_at (Unix seconds, as the
//     input task wrote it), at most the end of the day kMergeClockLeadDays
//     after the record's stream time (see below). A record written before
//     the clock existed (repartition record version 1, on the topic or held
//     in state when Vigil is upgraded) has the start (00:00 UTC) of its
//     stream day, so such records keep the day order they had.
//   - Partition u's clock is the highest own clock of any record received
//     from u, and each record is held with u's clock after it: so within u
//     the clock never goes back, though reports may arrive out of order.
//   - Records are released in (clock, u, input offset) order. A record of u
//     with clock t is released once every other partition v is known to
//     come after it: v holds a record whose key is greater, or v holds
//     nothing and its clock is greater than t, or equal to t with v > u
//     (the tie rule: at one clock, lower partitions go first, and v's next
//     record has a clock of at least v's clock and a higher offset).
//
// So the released order, and every signal, depends on what each input
// partition holds, never on timing, instance count or restarts. With one
// input partition a record is released at once and the order is the
// input's. With several, a record waits only until every other partition
// has sent a record reported later: at national volume a median of 25 s
// with 3 partitions, 82 s with 6 (docs/merge-clock.md), not the next day.
//
// The clock only orders the release. Detectors still run on event time: a
// released record moves their stream time to its stream_time (the input
// partition's stream date) if that is later, as before, so windows, grace
// periods and lateness are unchanged.
//
// Reports dated in the future. A partition's clock is a high-water mark, so
// one report with a reported_at far ahead would otherwise lift the clock of
// every later record of its partition, which would wait until every other
// partition reached that time. The bound "end of the day after the record's
// stream day" keeps that wait to at most the time the other partitions need
// to pass the end of the next stream day (under two days), and never holds
// other partitions' records: a partition with a high clock never blocks
// others. Honest records are not affected at real volumes: a record's
// stream time is its partition's latest occurred_on, the current day (just
// after midnight, the day before), and its reported_at is now. A partition
// that sees only late reports for more than a day stops at the bound until
// a recent report arrives, and is then released by the day, as before.
// The input tasks now refuse a report dated more than
// pipeline.future_tolerance_days after their partition's stream time
// (event_time_gate.h), so such a report does not reach the merge and a
// partition's stream time cannot jump; this bound is a second line.
//
// Idle input partitions. Without wall-clock timeouts (which would make the
// order depend on timing) the merge cannot tell a quiet partition from a
// slow one: a partition that sends nothing holds back every record with a
// later clock, and one that never sends anything (no valid event yet) holds
// back every record. What is held grows in waiting() (the gauge
// vigil_repartition_waiting_records) and held_back_seconds() (the gauge
// vigil_repartition_held_back_seconds: how far the highest clock received
// is past the oldest record held), while vigil_repartition_released_total
// stops. Records are released, in the same order, as soon as the partition
// sends again; an events topic with partitions that stay empty should have
// fewer partitions (changing the count needs a replay into new state).
//
// Progress marks. A producer may send a progress mark on each events
// partition (ingest/progress_mark.h); the input task passes it on as a
// clock-only record (version 6), which moves its partition's clock exactly
// as a record with that own clock would (bound included) and is never
// held. So a quiet partition no longer holds the others back, and since the
// marks are on the topic the order is still a function of its content. A
// true mark (no later record of its partition has an earlier own clock)
// changes when records are released, not their order.
//
// Records not yet released are part of the task's state and are written
// with it at every commit (with the clock assigned to them), so the topic
// offset committed is always the next one to read. A record at or below the
// last offset already seen from its partition is a repeat (an at-least-once
// producer sending a batch again) and is skipped. The events of one input
// message (a FHIR Bundle) share its offset and are told apart by their index
// in it: a record is a repeat when its (offset, index) is not past the last
// seen.
//
// Text detectors (text_cluster) run here too: the description never
// reaches the merge, but a record of version 5 carries what the input task
// derived from it (core/text_fingerprint.h: word hashes and the words the
// term reveal gate let through), and the released event points at it.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/incident_event.h"
#include "detectors/detector.h"
#include "detectors/detector_factory.h"
#include "pipeline/stateful_task.h"
#include "sinks/repartition_record.h"
#include "state/state_store.h"
#include "telemetry/metrics.h"

namespace vigil {

inline constexpr std::string_view kMergeColumnFamily = "merge";

// How many days past its stream day a record's reported_at may move the
// merge clock: a record's own clock is at most the end (23:59:59 UTC) of
// the day kMergeClockLeadDays after its stream time.
inline constexpr int kMergeClockLeadDays = 1;

// The state namespace of merge partition `partition`: negative, so it never
// meets an input partition's (key_encoding.h sorts negatives after them).
int32_t merge_state_slot(int32_t partition);

class MergeTask final : public StatefulTask {
 public:
  // Opens merge partition `partition` of a topology with `upstreams` input
  // partitions, running `detectors` (those placed on this partition).
  static Result<std::unique_ptr<MergeTask>> open(int32_t partition, int32_t upstreams,
                                                 StateStore& store,
                                                 const std::vector<DetectorConfig>& detectors,
                                                 Metrics* metrics, bool parallel_detectors = true);
  ~MergeTask() override;

  Status consume(std::string_view value, int64_t offset, std::string_view key) override;
  std::vector<DeadLetter>& dead_letters() override { return no_dead_letters_; }
  RepartitionBatch& repartition() override { return no_repartition_; }

  // Records received and not yet released. stream_time() is the detectors'
  // stream time (the latest stream time of the records released).
  size_t waiting() const { return waiting_; }
  // Records received from input partition `upstream` and not yet released.
  size_t waiting_from(int32_t upstream) const;
  // How far, in seconds of merge clock, the highest clock of any input
  // partition is past the oldest record held (0 with nothing held): grows
  // while an idle partition holds releases back.
  int64_t held_back_seconds() const;

 private:
  struct Held {
    int64_t topic_offset;  // where its message sits on the repartition topic
    uint32_t index;        // its place in that message
    int64_t input_offset;
    Date stream_time;
    int64_t clock;      // the merge clock it is released by
    std::string bytes;  // as received, with `clock` written in
    bool stored;  // written to the state store by an earlier commit
  };
  struct Upstream {
    bool seen = false;  // any record received from this partition
    int64_t last_offset = -1;
    uint32_t last_index = 0;  // of the last record at last_offset
    Date last_time;
    int64_t clock = 0;  // the partition's merge clock: the highest record clock
    bool changed = false;
    std::deque<Held> held;
  };

  MergeTask(int32_t partition, int32_t upstreams, StateStore& store, ColumnFamilyId offsets_cf,
            ColumnFamilyId merge_cf, std::vector<std::unique_ptr<Detector>> detectors,
            Metrics* metrics);
  Status load();
  // Holds one record of the message at `topic_offset` (or skips a repeat).
  Status merge_record(std::string_view bytes, int64_t topic_offset, uint32_t index);
  std::string held_key(const Held& held) const;
  // Releases every held record that no input partition can still precede.
  void release_ready();
  // The input partition whose head should go next, if it may go now.
  std::optional<size_t> next_release() const;
  void apply(const Held& record);
  std::string key(char tag) const;
  // The partition count, input partition positions and held records.
  void save_own_state() override;
  void on_committed() override;

  ColumnFamilyId merge_cf_;
  std::vector<Upstream> upstreams_;
  size_t waiting_ = 0;
  std::vector<std::string> released_stored_;  // held keys to erase at the next commit

  IncidentEvent event_;
  IncidentEvent previous_;
  RepartitionRecord released_;  // the record being applied
  std::vector<DeadLetter> no_dead_letters_;
  RepartitionBatch no_repartition_;
  std::string buffer_;
  std::vector<std::string_view> records_;
};

}  // namespace vigil

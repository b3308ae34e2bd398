// One partition of the repartition topic: merges the records every input
// partition sent it into one deterministic order and runs the national
// detectors placed on it (pipeline/detector_placement.h) over that order.
//
// Records from input partition u arrive in u's own order, interleaved with
// other partitions' records however the producers raced. The merge releases
// them by (stream_time, u, input offset), a key that only grows within each
// input partition (repartition_record.h). A record is released once every
// other input partition is known to be past it: its last record has a later
// stream time, or the same stream time and a higher partition number. So the
// released order, and every signal, depends on what each input partition
// holds, never on timing, instance count or restarts. With one input
// partition a record is released at once and the order is the input's.
//
// The detectors' stream time is the released record's stream_time, which
// never goes back. Records not yet released are part of the task's state and
// are written with it at every commit, so the topic offset committed is
// always the next one to read. A record at or below the last offset already
// seen from its partition is a repeat (an at-least-once producer sending a
// batch again) and is skipped.
//
// An input partition that never sends anything (no valid event yet) holds
// back the release of every record; waiting() counts what is held.
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
#include "state/state_store.h"
#include "telemetry/metrics.h"

namespace vigil {

inline constexpr std::string_view kMergeColumnFamily = "merge";

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
                                                 Metrics* metrics);
  ~MergeTask() override;

  Status consume(std::string_view value, int64_t offset, std::string_view key) override;
  std::vector<DeadLetter>& dead_letters() override { return no_dead_letters_; }
  RepartitionBatch& repartition() override { return no_repartition_; }

  // Records received and not yet released. stream_time() is the stream time
  // of the last released record.
  size_t waiting() const { return waiting_; }

 private:
  struct Held {
    int64_t topic_offset;  // where its message sits on the repartition topic
    uint32_t index;        // its place in that message
    int64_t input_offset;
    Date stream_time;
    std::string bytes;
    bool stored;  // written to the state store by an earlier commit
  };
  struct Upstream {
    bool seen = false;  // any record received from this partition
    int64_t last_offset = -1;
    Date last_time;
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
  std::vector<DeadLetter> no_dead_letters_;
  RepartitionBatch no_repartition_;
  std::string buffer_;
  std::vector<std::string_view> records_;
};

}  // namespace vigil

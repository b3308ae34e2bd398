// One input partition's share of the pipeline: decode and validate each
// message (event v1, or LFPSE FHIR: an AdverseEvent or a Bundle of several),
// drop duplicates, move revised reports' contributions, feed the
// detectors in event order, and commit all of it with the input offset as one
// atomic RocksDB write.
//
// With repartitioning (the Kafka pipeline over several input partitions) the
// task runs no detectors: each accepted event becomes a RepartitionRecord in
// repartition(), carrying any revision it takes back, for the MergeTasks
// that run the national detectors over every partition's events. When a
// text detector is configured (`fingerprint_rules`), each record also
// carries the description's text fingerprint (core/text_fingerprint.h:
// word hashes and the words the term reveal gate lets through, never the
// text), derived here, the only place the description is; the gate's
// counts are this task's state, committed with its offset.
//
// The task never talks to Kafka or files: a source hands it messages in
// order and collects the signals and dead letters it produces, delivers them,
// and only then calls commit(). After a crash the task resumes at the offset
// of its last commit, so every effect of a message is applied once.
//
// Hot path cost per valid event: one decode, one point lookup of the per-id
// record (batch overlay, then RocksDB with bloom filters), one record append
// to the write batch, and each detector's apply. Memory for the batch's
// records comes from an arena reset at every commit; nothing is allocated per
// event once buffers are warm.
#pragma once

#include <cstdint>
#include <memory>
#include <memory_resource>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/incident_event.h"
#include "core/result.h"
#include "core/signal.h"
#include "detectors/detector.h"
#include "detectors/description_fingerprinter.h"
#include "detectors/detector_factory.h"
#include "ingest/event_decoder.h"
#include "ingest/message_decoder.h"
#include "ingest/message_format.h"
#include "pipeline/stateful_task.h"
#include "pipeline/task_position.h"
#include "state/record_retention.h"
#include "state/state_store.h"
#include "telemetry/metrics.h"

namespace vigil {

enum class Disposition : uint8_t { kProcessed, kDuplicate, kInvalid };

// What became of one message's events.
struct MessageOutcome {
  uint32_t processed = 0;
  uint32_t duplicates = 0;
  // Events refused by the event-time gate; 1 for a message that does not
  // decode (it counts as one event).
  uint32_t invalid = 0;
  // 1 for a progress mark (ingest/progress_mark.h): no event, nothing else counted.
  uint32_t marks = 0;
};

// What an input task does with the events it accepts.
enum class InputRole : uint8_t {
  kDetect,       // runs the detectors itself (one input partition, or replay)
  kRepartition,  // hands them to the merge stage through repartition()
};

class PartitionTask final : public StatefulTask {
 public:
  // Opens the partition's state in `store` (creating column families as
  // needed) and restores its detectors. `metrics` may be null. With
  // kRepartition, `detectors` must be empty. Events dated too far ahead
  // are dead-lettered by `limits` (event_time_gate.h). With kRepartition
  // and `fingerprint_rules` (text_fingerprint_rules() of the merge's
  // detectors), records carry text fingerprints.
  static Result<std::unique_ptr<PartitionTask>> open(
      int32_t partition, StateStore& store, const std::vector<DetectorConfig>& detectors,
      Metrics* metrics, InputRole role = InputRole::kDetect, EventTimeLimits limits = {},
      const std::optional<RedactionRules>& fingerprint_rules = std::nullopt,
      bool parallel_detectors = true);
  ~PartitionTask() override;

  // stream_time() is the largest event time accepted (as of the last
  // processed message).

  // Where a partition without stream time judges its first events from
  // (replay: start_reference.h); ignored once it has a stream time.
  void set_start_reference(std::optional<Date> reference) { start_reference_ = reference; }

  // Processes the message at `offset` (offsets must increase), decoded as
  // `format`. Signals and dead letters it causes are appended to signals()
  // / dead_letters(), unless the offset is below the restore point.
  MessageOutcome process(std::string_view value, int64_t offset, std::string_view key,
                         MessageFormat format);
  // An event v1 message: what became of its one event.
  Disposition process(std::string_view value, int64_t offset, std::string_view key = {});
  // Event v1; the Kafka pipeline calls process() with the header's format.
  Status consume(std::string_view value, int64_t offset, std::string_view key) override {
    process(value, offset, key, MessageFormat::kEventV1);
    return Status::ok();
  }

  // Consumes the message at `offset` without processing it: it becomes a
  // dead letter with `reason` and `detail` (a batch given up on, see
  // KafkaPipeline), unless the offset is below the restore point.
  void dead_letter(std::string_view value, int64_t offset, std::string_view key, InvalidReason reason,
                   std::string detail);

  // Publishes, for every input partition with a stored position in `store`,
  // the record retention horizon of its stored stream time
  // (state/record_retention.h), so records of partitions this instance no
  // longer owns keep expiring up to where it left them. Syncs the
  // write-ahead log once first: only a durable stream time is published.
  // Nothing to do without a retention.
  static Status publish_stored_horizons(StateStore& store);

  std::vector<DeadLetter>& dead_letters() override { return dead_letters_; }
  RepartitionBatch& repartition() override { return repartition_; }
  // commit() writes the batch's per-id records with the detectors' state.

 private:
  PartitionTask(int32_t partition, StateStore& store, ColumnFamilyId offsets_cf,
                ColumnFamilyId records_cf, std::vector<std::unique_ptr<Detector>> detectors,
                Metrics* metrics, InputRole role, EventTimeLimits limits);
  MessageOutcome process_message(std::string_view value, int64_t offset, std::string_view key,
                                 MessageFormat format);
  // A message looks_like_progress_mark() accepted: passed on to the merge
  // as a version 6 repartition record, or dead-lettered when malformed.
  MessageOutcome process_progress_mark(std::string_view value, int64_t offset, std::string_view key);
  // One event of the message at `offset`, the `index`th in it. A refusal
  // by the event-time gate is left in refusal_ for the message's dead letter.
  Disposition process_event(const IncidentEvent& event, int64_t offset, uint32_t index);
  // The stored record of `id`, from this batch or from the store; empty if
  // none, or if it is past the record retention at the current stream time.
  std::string_view find_record(std::string_view id);
  // Lets the compaction filter drop this partition's records past
  // retention, once the stream time reached is durable.
  void publish_retention();

  void save_own_state() override;
  void on_committed() override;
  void on_written() override;

  ColumnFamilyId records_cf_;
  InputRole role_;
  std::shared_ptr<RecordRetention> retention_;  // null: records kept forever
  EventTimeLimits limits_;
  std::optional<Date> start_reference_;

  MessageDecoder decoder_;
  IncidentEvent previous_;
  std::string refusal_;  // the event-time gate's detail for the current event
  DecodeFailure failure_;
  std::vector<DeadLetter> dead_letters_;
  RepartitionBatch repartition_;
  // Set when records carry text fingerprints (kRepartition only).
  std::optional<DescriptionFingerprinter> fingerprinter_;
  TextFingerprint text_;

  // Records of a batch not yet in RocksDB, by id: the open batch's, and
  // the in-flight one's while commit_async() writes it. Each has its own
  // arena, reset once its records are in the store.
  using Overlay = std::pmr::unordered_map<std::string_view, std::string_view>;
  struct OverlaySlot {
    std::vector<std::byte> buffer;
    std::unique_ptr<std::pmr::monotonic_buffer_resource> arena;
    std::unique_ptr<Overlay> records;
  };
  // Empties `slot`, sized for the batch expected (bucket_hint_ records).
  void reset_overlay(OverlaySlot& slot);
  OverlaySlot open_overlay_;
  OverlaySlot in_flight_overlay_;
  // Records in the last sealed batch: the next one is expected to be as
  // large, so its overlay reserves that many buckets instead of rehashing
  // as it grows.
  size_t bucket_hint_ = 0;

  std::string key_buffer_;
  std::string record_buffer_;
  std::string lookup_buffer_;
  std::string previous_buffer_;
  uint64_t sample_counter_ = 0;
};

}  // namespace vigil

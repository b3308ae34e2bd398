// One input partition's share of the pipeline: decode and validate each
// message, drop duplicates, move revised reports' contributions, feed the
// detectors in event order, and commit all of it with the input offset as one
// atomic RocksDB write.
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
#include "detectors/detector_factory.h"
#include "ingest/event_decoder.h"
#include "sinks/metrics.h"
#include "state/state_store.h"

namespace vigil {

// An invalid message, kept whole until it is delivered to the dead-letter sink.
struct DeadLetter {
  int64_t offset = 0;  // input offset (line number - 1 for files)
  InvalidReason reason = InvalidReason::kNotJson;
  std::string detail;
  std::string key;
  std::string value;
};

enum class Disposition : uint8_t { kProcessed, kDuplicate, kInvalid };

// Column families the pipeline keeps besides the detectors' own.
inline constexpr std::string_view kOffsetsColumnFamily = "offsets";
inline constexpr std::string_view kRecordsColumnFamily = "records";

class PartitionTask {
 public:
  // Opens the partition's state in `store` (creating column families as
  // needed) and restores its detectors. `metrics` may be null.
  static Result<std::unique_ptr<PartitionTask>> open(int32_t partition, StateStore& store,
                                                     const std::vector<DetectorConfig>& detectors,
                                                     Metrics* metrics);
  ~PartitionTask();

  int32_t partition() const { return partition_; }
  // The offset to read next, as of the last commit; nullopt if never committed.
  std::optional<int64_t> resume_offset() const { return committed_offset_; }
  // The largest event time seen (as of the last processed message).
  std::optional<Date> stream_time() const { return stream_time_; }

  // The offset after the last processed message (committed or not).
  int64_t next_offset() const { return next_offset_; }

  // Processes the message at `offset` (offsets must increase). Signals and
  // dead letters it causes are appended to signals() / dead_letters(),
  // unless the offset is below the restore point.
  Disposition process(std::string_view value, int64_t offset, std::string_view key = {});

  // Messages below `offset` were already delivered by an earlier run whose
  // state was not saved (exactly-once restore): they are processed to bring
  // the state up to date, but their signals and dead letters are dropped.
  // Processing is deterministic, so the dropped output is exactly what was
  // delivered.
  void restore_until(int64_t offset) { restore_until_ = offset; }
  // True while messages below the restore point remain to be processed.
  bool restoring() const { return next_offset_ < restore_until_; }

  std::vector<Signal>& signals() { return signals_; }
  std::vector<DeadLetter>& dead_letters() { return dead_letters_; }
  // Messages processed since the last commit.
  size_t uncommitted() const { return uncommitted_; }
  // Signal episodes open in this partition, summed over its detectors (see
  // Detector::open_signals(): walks every key, so once per commit).
  size_t open_signals() const;

  // Writes the detectors' changed state, the batch's per-id records and the
  // next offset in one atomic write, then clears signals() and dead_letters().
  // Call only after those have been delivered.
  Status commit();

 private:
  PartitionTask(int32_t partition, StateStore& store, ColumnFamilyId offsets_cf,
                ColumnFamilyId records_cf, std::vector<std::unique_ptr<Detector>> detectors,
                Metrics* metrics);
  Status load_position();
  Disposition process_message(std::string_view value, int64_t offset, std::string_view key);
  void reset_overlay();
  // The stored record of `id`, from this batch or from the store; empty if none.
  std::string_view find_record(std::string_view id);

  int32_t partition_;
  StateStore& store_;
  ColumnFamilyId offsets_cf_;
  ColumnFamilyId records_cf_;
  std::vector<std::unique_ptr<Detector>> detectors_;
  Metrics* metrics_;
  std::string prefix_;

  std::optional<int64_t> committed_offset_;
  int64_t next_offset_ = 0;
  int64_t restore_until_ = 0;
  std::optional<Date> stream_time_;
  size_t uncommitted_ = 0;

  EventDecoder decoder_;
  IncidentEvent event_;
  IncidentEvent previous_;
  DecodeFailure failure_;
  StateBatch batch_;
  std::vector<Signal> signals_;
  std::vector<DeadLetter> dead_letters_;

  // Records written in the open batch: RocksDB cannot see them until commit.
  std::vector<std::byte> arena_buffer_;
  std::unique_ptr<std::pmr::monotonic_buffer_resource> arena_;
  using Overlay = std::pmr::unordered_map<std::string_view, std::string_view>;
  std::unique_ptr<Overlay> overlay_;

  std::string key_buffer_;
  std::string record_buffer_;
  std::string lookup_buffer_;
  uint64_t sample_counter_ = 0;
};

}  // namespace vigil

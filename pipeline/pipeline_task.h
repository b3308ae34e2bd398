// What the Kafka pipeline drives for each partition it is assigned, whether
// an input partition (PartitionTask) or a partition of the repartition topic
// (MergeTask): messages in offset order, output collected per batch, and a
// commit that writes the task's state with the offset it covers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/signal.h"
#include "ingest/dead_letter.h"
#include "sinks/repartition_record.h"

namespace vigil {

class PipelineTask {
 public:
  virtual ~PipelineTask() = default;

  // The offset to read next, as of the last commit; nullopt if never committed.
  virtual std::optional<int64_t> resume_offset() const = 0;
  // The offset after the last consumed message (committed or not).
  virtual int64_t next_offset() const = 0;

  // Messages below `offset` were already delivered by an earlier run whose
  // state was not saved (exactly-once restore): they are consumed to bring
  // the state up to date, but their output is dropped. Processing is
  // deterministic, so the dropped output is exactly what was delivered.
  virtual void restore_until(int64_t offset) = 0;
  // True while messages below the restore point remain to be consumed.
  virtual bool restoring() const = 0;

  // Consumes the message at `offset` (offsets must increase). An error means
  // the message cannot be applied and the task's state is not to be trusted.
  virtual Status consume(std::string_view value, int64_t offset, std::string_view key) = 0;

  // Messages consumed since the last commit.
  virtual size_t uncommitted() const = 0;
  virtual std::vector<Signal>& signals() = 0;
  virtual std::vector<DeadLetter>& dead_letters() = 0;
  virtual RepartitionBatch& repartition() = 0;
  // Signal episodes open in this task's detectors; walks every key.
  virtual size_t open_signals() const = 0;

  // Writes the task's changed state and next offset in one atomic write, then
  // clears the batch's output. Call only after that output is delivered.
  virtual Status commit() = 0;
};

}  // namespace vigil

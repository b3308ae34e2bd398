// What input tasks (PartitionTask) and merge tasks (MergeTask) share: the
// detectors they run over one stream of events, the position they store
// with their state at every commit (the next offset to read and the stream
// time reached), and the batch and signals of the commit in progress.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/civil_date.h"
#include "core/incident_event.h"
#include "core/result.h"
#include "core/signal.h"
#include "detectors/detector.h"
#include "pipeline/event_time_gate.h"
#include "pipeline/pipeline_task.h"
#include "state/state_store.h"
#include "telemetry/metrics.h"

namespace vigil {

class StatefulTask : public PipelineTask {
 public:
  int32_t partition() const { return partition_; }
  // The stream time the detectors have reached (none before the first event).
  std::optional<Date> stream_time() const { return stream_time_; }

  std::optional<int64_t> resume_offset() const override { return committed_offset_; }
  int64_t next_offset() const override { return next_offset_; }
  void restore_until(int64_t offset) override { restore_until_ = offset; }
  bool restoring() const override { return next_offset_ < restore_until_; }
  size_t uncommitted() const override { return uncommitted_; }
  // Bytes already in the open batch (an input task's per-id records; the
  // detectors' state joins it only at commit()).
  size_t uncommitted_bytes() const { return batch_.byte_size(); }
  std::vector<Signal>& signals() override { return signals_; }
  // Signal episodes open in this task, summed over its detectors (see
  // Detector::open_signals(): walks every key, so once per commit).
  size_t open_signals() const override;

  // Writes the detectors' changed state, the task's own (save_own_state())
  // and the next offset in one atomic write, then clears the batch's output
  // (on_committed()). Call only after that output has been delivered.
  // Waits first for a write started by commit_async().
  Status commit() final;

  // commit() with the write overlapped with what the caller does next (replay:
  // processing the next batch on the second core). Waits for the previous
  // write (returning its error), seals the batch exactly as commit() does,
  // clears its output, and starts the write on a background thread. At most
  // one write is in flight. The caller must call wait_for_write() before it
  // delivers the next batch's output and at the end of its input: a write
  // that failed is reported there, and only then is the batch's position
  // committed (resume_offset()). A kill while the write is in flight loses
  // nothing: the write is atomic with the position it stores.
  Status commit_async();
  // Waits for the write started by commit_async(), if any, and returns its
  // result; an error stays the answer of every later call (the task's state
  // is then ahead of the store and must not be committed again).
  Status wait_for_write();

  ~StatefulTask() override;

 protected:
  // `name` names the task in errors ("partition 3"); its state keys start
  // with the partition prefix of `state_slot`.
  StatefulTask(std::string name, int32_t partition, int32_t state_slot, StateStore& store,
               ColumnFamilyId offsets_cf, std::vector<std::unique_ptr<Detector>> detectors,
               Metrics* metrics);

  // Reads the position stored by the last commit, if there was one.
  Status load_position();

  // Takes back an event's contribution from every detector (a revision's
  // old contents), before the new contents are added.
  void take_back(const IncidentEvent& event);
  // Adds an event to every detector, then moves the stream time to `time`
  // if that is later, advancing every detector; true if any found it late.
  bool add(const IncidentEvent& event, Date time);

  // Puts the task's own changed state into batch_, before the write.
  virtual void save_own_state() {}
  // Clears the task's own output once a commit's batch is sealed: after the
  // write with commit(), as soon as it is handed to the writer with
  // commit_async() (the write may still be in flight).
  virtual void on_committed() {}
  // Runs once a commit's write has finished and succeeded, before
  // resume_offset() moves to it: what may only follow durable state.
  virtual void on_written() {}
  // True while a write started by commit_async() may still be in flight:
  // what it carries is not visible in the store yet.
  bool write_in_flight() const { return writer_.joinable(); }

  const std::string name_;
  const int32_t partition_;
  StateStore& store_;
  const ColumnFamilyId offsets_cf_;
  std::vector<std::unique_ptr<Detector>> detectors_;
  Metrics* const metrics_;
  const std::string prefix_;  // the state slot's partition prefix

  std::optional<int64_t> committed_offset_;
  int64_t next_offset_ = 0;
  int64_t restore_until_ = 0;
  std::optional<Date> stream_time_;
  // What an input task judges event times by (event_time_gate.h), stored
  // with the position; a merge task leaves it empty.
  EventTimeGateState gate_;
  size_t uncommitted_ = 0;

  StateBatch batch_;
  std::vector<Signal> signals_;

 private:
  // Detectors' changed state, the task's own and the position, into batch_.
  void seal_batch();
  // Moves the committed position to `offset`, then on_written() and the
  // commit time metric.
  void finish_commit(int64_t offset, double seconds);

  std::string position_key_;
  std::string position_buffer_;

  // The batch of the write in flight (commit_async), and its outcome. The
  // writer thread touches only these and the store; the task reads them
  // after joining it.
  StateBatch in_flight_;
  std::thread writer_;
  Status in_flight_status_;
  int64_t in_flight_offset_ = 0;
  double in_flight_seconds_ = 0;
  Status write_failure_;  // sticky: the first failed background write
};

}  // namespace vigil

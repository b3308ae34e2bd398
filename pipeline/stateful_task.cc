#include "pipeline/stateful_task.h"

#include <chrono>

#include "pipeline/task_position.h"
#include "state/key_encoding.h"

namespace vigil {

StatefulTask::StatefulTask(std::string name, int32_t partition, int32_t state_slot,
                           StateStore& store, ColumnFamilyId offsets_cf,
                           std::vector<std::unique_ptr<Detector>> detectors, Metrics* metrics)
    : name_(std::move(name)),
      partition_(partition),
      store_(store),
      offsets_cf_(offsets_cf),
      detectors_(std::move(detectors)),
      metrics_(metrics),
      prefix_(partition_prefix(state_slot)),
      batch_(store.new_batch()),
      position_key_(prefix_ + kPositionTag),
      in_flight_(store.new_batch()) {}

Status StatefulTask::load_position() {
  auto found = store_.get(offsets_cf_, position_key_, position_buffer_);
  if (!found) return found.error();
  if (!found.value()) return Status::ok();
  const auto position = decode_task_position(position_buffer_);
  if (!position) {
    return make_error(ErrorKind::kCorruption, name_ + ": undecodable stored position");
  }
  committed_offset_ = position->next_offset;
  next_offset_ = position->next_offset;
  stream_time_ = position->stream_time;
  gate_ = position->gate;
  return Status::ok();
}

void StatefulTask::take_back(const IncidentEvent& event) {
  for (auto& d : detectors_) d->apply(event, -1, signals_);
}

bool StatefulTask::add(const IncidentEvent& event, Date time) {
  bool late = false;
  for (auto& d : detectors_) late |= d->apply(event, +1, signals_).late;
  if (!stream_time_ || time > *stream_time_) {
    stream_time_ = time;
    for (auto& d : detectors_) d->advance(time, signals_);
  }
  return late;
}

size_t StatefulTask::open_signals() const {
  size_t open = 0;
  for (const auto& d : detectors_) open += d->open_signals();
  return open;
}

StatefulTask::~StatefulTask() {
  // The writer uses in_flight_ and the store: it must end before they go.
  if (writer_.joinable()) writer_.join();
}

void StatefulTask::seal_batch() {
  for (auto& d : detectors_) d->save(batch_);
  save_own_state();
  encode_task_position(TaskPosition{next_offset_, stream_time_, gate_}, position_buffer_);
  batch_.put(offsets_cf_, position_key_, position_buffer_);
}

void StatefulTask::finish_commit(int64_t offset, double seconds) {
  committed_offset_ = offset;
  on_written();
  if (metrics_) metrics_->commit_seconds.Observe(seconds);
}

Status StatefulTask::commit() {
  if (Status waited = wait_for_write(); !waited.is_ok()) return waited;
  const auto started = std::chrono::steady_clock::now();
  seal_batch();
  Status written = store_.write(batch_);
  if (!written.is_ok()) return written;
  uncommitted_ = 0;
  signals_.clear();
  on_committed();
  finish_commit(next_offset_,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return Status::ok();
}

Status StatefulTask::commit_async() {
  if (Status waited = wait_for_write(); !waited.is_ok()) return waited;
  const auto started = std::chrono::steady_clock::now();
  seal_batch();
  // in_flight_ was emptied by the last successful write (or never used).
  std::swap(batch_, in_flight_);
  in_flight_offset_ = next_offset_;
  uncommitted_ = 0;
  signals_.clear();
  on_committed();
  writer_ = std::thread([this, started] {
    in_flight_status_ = store_.write(in_flight_);
    in_flight_seconds_ =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  });
  return Status::ok();
}

Status StatefulTask::wait_for_write() {
  if (writer_.joinable()) {
    writer_.join();
    if (in_flight_status_.is_ok()) {
      finish_commit(in_flight_offset_, in_flight_seconds_);
    } else if (write_failure_.is_ok()) {
      write_failure_ = in_flight_status_;
    }
  }
  return write_failure_;
}

}  // namespace vigil

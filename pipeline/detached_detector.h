// Runs a detector that can run apart (Detector::can_run_apart(): the
// text_cluster detector) on a thread of its own, so that its work overlaps
// the task's other detectors on the second core. What it sees and in what
// order is exactly what it would see in line, so its state and signals are
// the same (tests/detached_detector_test.cc):
//   - apply() copies the event (its per-id record, state/event_record.h,
//     plus the description or the text fingerprint, which the record never
//     holds) into a batch the thread applies in order, and answers lateness
//     from the closed day as of the last advance();
//   - advance(), save(), restore(), key_count() and open_signals() first
//     wait until the thread has applied everything handed to it, then call
//     the detector on the caller's thread. Signals come only from
//     advance(), so they keep their order among the task's detectors.
// Until the detector has started (its first event), apply() runs in line:
// that first event sets the day it counts lateness from.
//
// The copies hold the description only until the thread has applied the
// event; they are never written anywhere.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/text_fingerprint.h"
#include "detectors/detector.h"

namespace vigil {

class DetachedDetector final : public Detector {
 public:
  // `inner` must be restored already and able to run apart.
  explicit DetachedDetector(std::unique_ptr<Detector> inner);
  ~DetachedDetector() override;
  DetachedDetector(const DetachedDetector&) = delete;
  DetachedDetector& operator=(const DetachedDetector&) = delete;

  const std::string& name() const override { return inner_->name(); }
  Status restore(const StateStore& store) override;
  ApplyOutcome apply(const IncidentEvent& event, int sign, std::vector<Signal>& out) override;
  void advance(Date stream_time, std::vector<Signal>& out) override;
  void save(StateBatch& batch) override;
  size_t key_count() const override;
  size_t open_signals() const override;

 private:
  // Events copied for the thread: their bytes in one buffer.
  struct Item {
    int sign = 0;
    size_t record_at = 0, record_size = 0;
    size_t description_at = 0, description_size = 0;
    bool has_text = false;
    size_t hashes_at = 0, hashes_size = 0;      // into Batch::hashes
    size_t revealed_at = 0, revealed_size = 0;  // into Batch::revealed
  };
  struct Revealed {
    uint64_t hash = 0;
    size_t at = 0, size = 0;  // the word, in Batch::bytes
  };
  struct Batch {
    std::string bytes;
    std::vector<Item> items;
    std::vector<uint64_t> hashes;
    std::vector<Revealed> revealed;
    void clear();
  };

  void copy_into_batch(const IncidentEvent& event, int sign);
  // Hands the filling batch to the thread, waiting while it holds one.
  void hand_off() const;
  // Returns once the thread has applied everything handed to it.
  void wait_until_applied() const;
  void run();
  void apply_batch(const Batch& batch);

  std::unique_ptr<Detector> inner_;
  std::optional<int32_t> closed_through_;  // as of the last wait

  // The caller's side: the batch being filled.
  mutable Batch filling_;
  // Shared with the thread, under mutex_.
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  mutable Batch handed_;
  mutable bool handed_ready_ = false;
  mutable bool applying_ = false;
  bool stopping_ = false;
  // The thread's own.
  Batch working_;
  IncidentEvent event_;
  TextFingerprint text_;
  std::vector<Signal> none_;
  std::thread thread_;
};

// Wraps every detector of `detectors` that can run apart in a
// DetachedDetector; the others stay as they are.
void detach_where_possible(std::vector<std::unique_ptr<Detector>>& detectors);

}  // namespace vigil

#include "pipeline/detached_detector.h"

#include "core/check.h"
#include "state/event_record.h"

namespace vigil {
namespace {

// Events per hand-off: enough that the lock is taken rarely, few enough that
// a wait at advance() (every stream day) is short.
constexpr size_t kBatchEvents = 256;

}  // namespace

void DetachedDetector::Batch::clear() {
  bytes.clear();
  items.clear();
  hashes.clear();
  revealed.clear();
}

DetachedDetector::DetachedDetector(std::unique_ptr<Detector> inner)
    : inner_(std::move(inner)), closed_through_(inner_->closed_through()) {
  VIGIL_CHECK(inner_->can_run_apart(), "detector cannot run apart");
  thread_ = std::thread([this] { run(); });
}

DetachedDetector::~DetachedDetector() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

Status DetachedDetector::restore(const StateStore& store) {
  wait_until_applied();
  Status s = inner_->restore(store);
  closed_through_ = inner_->closed_through();
  return s;
}

ApplyOutcome DetachedDetector::apply(const IncidentEvent& event, int sign, std::vector<Signal>& out) {
  if (!closed_through_) {
    // Not started: the first event sets the day lateness counts from.
    wait_until_applied();
    const ApplyOutcome outcome = inner_->apply(event, sign, out);
    closed_through_ = inner_->closed_through();
    return outcome;
  }
  const bool late = inner_->late_when_closed_through(event, *closed_through_);
  copy_into_batch(event, sign);
  if (filling_.items.size() >= kBatchEvents) hand_off();
  return ApplyOutcome{late};
}

void DetachedDetector::advance(Date stream_time, std::vector<Signal>& out) {
  wait_until_applied();
  inner_->advance(stream_time, out);
  closed_through_ = inner_->closed_through();
}

void DetachedDetector::save(StateBatch& batch) {
  wait_until_applied();
  inner_->save(batch);
}

size_t DetachedDetector::key_count() const {
  wait_until_applied();
  return inner_->key_count();
}

size_t DetachedDetector::open_signals() const {
  wait_until_applied();
  return inner_->open_signals();
}

void DetachedDetector::copy_into_batch(const IncidentEvent& event, int sign) {
  Batch& b = filling_;
  Item item;
  item.sign = sign;
  item.record_at = b.bytes.size();
  encode_event_record(event, b.bytes);
  item.record_size = b.bytes.size() - item.record_at;
  if (sign > 0) {
    // A take-back never reads the text (the detector keeps what the report
    // added under its id).
    item.description_at = b.bytes.size();
    b.bytes.append(event.description);
    item.description_size = event.description.size();
    if (event.text != nullptr) {
      item.has_text = true;
      item.hashes_at = b.hashes.size();
      b.hashes.insert(b.hashes.end(), event.text->word_hashes.begin(), event.text->word_hashes.end());
      item.hashes_size = event.text->word_hashes.size();
      item.revealed_at = b.revealed.size();
      for (const RevealedWord& w : event.text->revealed) {
        b.revealed.push_back(Revealed{w.hash, b.bytes.size(), w.word.size()});
        b.bytes.append(w.word);
      }
      item.revealed_size = event.text->revealed.size();
    }
  }
  b.items.push_back(item);
}

void DetachedDetector::hand_off() const {
  if (filling_.items.empty()) return;
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !handed_ready_; });
  std::swap(filling_, handed_);
  handed_ready_ = true;
  lock.unlock();
  changed_.notify_all();
  filling_.clear();
}

void DetachedDetector::wait_until_applied() const {
  hand_off();
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !handed_ready_ && !applying_; });
}

void DetachedDetector::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return handed_ready_ || stopping_; });
    if (stopping_) return;
    std::swap(working_, handed_);
    handed_ready_ = false;
    applying_ = true;
    lock.unlock();
    changed_.notify_all();
    apply_batch(working_);
    working_.clear();
    lock.lock();
    applying_ = false;
    changed_.notify_all();
  }
}

void DetachedDetector::apply_batch(const Batch& batch) {
  const std::string_view bytes = batch.bytes;
  for (const Item& item : batch.items) {
    VIGIL_CHECK(decode_event_record(bytes.substr(item.record_at, item.record_size), event_),
                "a detached detector's copy of an event does not decode");
    event_.description = bytes.substr(item.description_at, item.description_size);
    event_.text = nullptr;
    if (item.has_text) {
      text_.word_hashes.assign(batch.hashes.begin() + static_cast<std::ptrdiff_t>(item.hashes_at),
                               batch.hashes.begin() + static_cast<std::ptrdiff_t>(item.hashes_at + item.hashes_size));
      text_.revealed.clear();
      for (size_t i = item.revealed_at; i < item.revealed_at + item.revealed_size; ++i) {
        const Revealed& r = batch.revealed[i];
        text_.revealed.push_back(RevealedWord{r.hash, bytes.substr(r.at, r.size)});
      }
      event_.text = &text_;
    }
    inner_->apply(event_, item.sign, none_);
    VIGIL_CHECK(none_.empty(), "a detector running apart appended a signal in apply()");
  }
}

void detach_where_possible(std::vector<std::unique_ptr<Detector>>& detectors) {
  for (auto& d : detectors) {
    if (d->can_run_apart()) d = std::make_unique<DetachedDetector>(std::move(d));
  }
}

}  // namespace vigil

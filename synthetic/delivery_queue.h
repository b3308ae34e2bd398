// The synthetic stream's queue of reports waiting for their delivery time.
//
// Reports are bucketed by UTC delivery day. A day's bucket is sorted once when
// the stream reaches that day and then read in order, so memory is touched
// sequentially (a binary heap of the ~50,000 reports pending at national
// volume spent most of its time in cache misses). A report pushed for a day
// already reached goes to a small heap, merged on read.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <iterator>
#include <queue>
#include <utility>
#include <vector>

#include "synthetic/report.h"

namespace vigil::synthetic {

class DeliveryQueue {
 public:
  struct Entry {
    int64_t deliver_ms;  // reported_ms, later for a re-send
    uint64_t order;      // push order: breaks ties deterministically
    bool duplicate;
    Report report;
  };

  // `first_day`: the first UTC day anything can be delivered on.
  explicit DeliveryQueue(int64_t first_day) : loaded_day_(first_day - 1) {}

  void push(const Report& r, int64_t deliver_ms, bool duplicate) {
    Entry e{deliver_ms, ++order_, duplicate, r};
    const int64_t day = floor_div(deliver_ms, kMillisPerDay);
    if (day <= loaded_day_) {
      late_.push(std::move(e));
    } else {
      const auto index = static_cast<size_t>(day - loaded_day_ - 1);
      if (index >= later_.size()) later_.resize(index + 1);
      later_[index].push_back(std::move(e));
    }
    ++size_;
  }

  // Makes every report delivered on or before UTC day `day` visible to front().
  void load_until(int64_t day) {
    for (; loaded_day_ < day; ++loaded_day_) {
      if (later_.empty()) continue;
      std::vector<Entry> bucket = std::move(later_.front());
      later_.pop_front();
      std::sort(bucket.begin(), bucket.end(), earlier);
      if (run_pos_ < run_.size()) {
        std::vector<Entry> merged;
        merged.reserve(run_.size() - run_pos_ + bucket.size());
        std::merge(std::make_move_iterator(run_.begin() + static_cast<std::ptrdiff_t>(run_pos_)),
                   std::make_move_iterator(run_.end()), std::make_move_iterator(bucket.begin()),
                   std::make_move_iterator(bucket.end()), std::back_inserter(merged), earlier);
        bucket = std::move(merged);
      }
      run_ = std::move(bucket);
      run_pos_ = 0;
    }
  }

  // The earliest loaded entry, or nullptr when none is loaded.
  const Entry* front() const {
    const Entry* run = run_pos_ < run_.size() ? &run_[run_pos_] : nullptr;
    const Entry* late = late_.empty() ? nullptr : &late_.top();
    if (run == nullptr) return late;
    if (late == nullptr) return run;
    return earlier(*late, *run) ? late : run;
  }

  // Removes front(); front() must not be null.
  void pop() {
    if (!late_.empty() && front() == &late_.top()) {
      late_.pop();
    } else {
      ++run_pos_;
    }
    --size_;
  }

  bool has_unloaded() const { return !later_.empty(); }
  int64_t loaded_day() const { return loaded_day_; }
  size_t size() const { return size_; }

 private:
  static bool earlier(const Entry& a, const Entry& b) {
    return a.deliver_ms != b.deliver_ms ? a.deliver_ms < b.deliver_ms : a.order < b.order;
  }
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const { return earlier(b, a); }
  };

  std::vector<Entry> run_;  // sorted; entries before run_pos_ are consumed
  size_t run_pos_ = 0;
  std::priority_queue<Entry, std::vector<Entry>, Later> late_;
  std::deque<std::vector<Entry>> later_;  // later_[i]: UTC day loaded_day_ + 1 + i
  int64_t loaded_day_;
  uint64_t order_ = 0;
  size_t size_ = 0;
};

}  // namespace vigil::synthetic

#include "state/record_retention.h"

#include "core/check.h"
#include "state/event_record.h"
#include "state/key_encoding.h"

namespace vigil {

RecordRetention::RecordRetention(int32_t days) : days_(days) {
  VIGIL_CHECK(days > 0, "record retention must be positive");
}

bool RecordRetention::past_retention(std::string_view record, Date stream_time) const {
  Date last_day;
  if (!read_record_last_day(record, last_day)) return false;
  return last_day < horizon(stream_time);
}

bool RecordRetention::publish(int32_t slot, Date stream_time) {
  const Date h = horizon(stream_time);
  std::lock_guard lock(mutex_);
  auto [it, inserted] = horizons_.try_emplace(slot, h);
  if (inserted) return true;
  if (h <= it->second) return false;
  it->second = h;
  return true;
}

std::optional<Date> RecordRetention::published_horizon(int32_t slot) const {
  std::lock_guard lock(mutex_);
  const auto it = horizons_.find(slot);
  if (it == horizons_.end()) return std::nullopt;
  return it->second;
}

std::map<int32_t, Date> RecordRetention::published_horizons() const {
  std::lock_guard lock(mutex_);
  return horizons_;
}

bool RecordRetention::droppable(std::string_view key, std::string_view value,
                                const std::map<int32_t, Date>& horizons) {
  const auto slot = read_partition_prefix(key);
  if (!slot) return false;
  const auto it = horizons.find(*slot);
  if (it == horizons.end()) return false;
  Date last_day;
  if (!read_record_last_day(value, last_day)) return false;
  return last_day < it->second;
}

uint64_t RecordRetention::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void RecordRetention::count_dropped(uint64_t n) {
  std::lock_guard lock(mutex_);
  dropped_ += n;
}

}  // namespace vigil

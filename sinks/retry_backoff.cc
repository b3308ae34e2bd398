#include "sinks/retry_backoff.h"

#include <algorithm>

namespace vigil {

RetryBackoff::RetryBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
                           uint64_t seed)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      max_(std::max(max, initial_)),
      random_(seed) {}

std::chrono::milliseconds RetryBackoff::next_delay() {
  // Doubling stops at the cap, so the delay cannot overflow.
  int64_t delay = initial_.count();
  for (uint32_t i = 0; i < failures_ && delay < max_.count(); ++i) delay *= 2;
  delay = std::min(delay, max_.count());
  if (failures_ < UINT32_MAX) ++failures_;
  std::uniform_int_distribution<int64_t> jitter(delay / 2, delay);
  return std::chrono::milliseconds(jitter(random_));
}

}  // namespace vigil

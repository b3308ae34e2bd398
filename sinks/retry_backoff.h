// Exponential backoff with jitter, for retrying a delivery that failed.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace vigil {

class RetryBackoff {
 public:
  // Delays start at `initial` and double per consecutive failure up to `max`
  // (initial ≤ max, both > 0). `seed` makes the jitter reproducible in tests.
  RetryBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, uint64_t seed);

  // Records one more failure and returns how long to wait before the next
  // attempt: a uniformly random point in [d/2, d], d = min(max, initial ×
  // 2^(failures - 1)). The random half keeps many clients that failed
  // together from retrying in lockstep; the fixed half keeps the delay
  // growing.
  std::chrono::milliseconds next_delay();

  // After a success: the next failure starts again from `initial`.
  void reset() { failures_ = 0; }

  uint32_t failures() const { return failures_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  uint32_t failures_ = 0;
  std::mt19937_64 random_;
};

}  // namespace vigil

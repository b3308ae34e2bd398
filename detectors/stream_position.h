// Where a windowed detector stands in its partition's stream: the first
// period it saw and the newest period it has closed. Count detectors and the
// report-level detectors' rolling table store it as one meta record of their
// KeyedState (keyed_state.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

struct StreamPosition {
  bool started = false;
  int32_t first_period = 0;    // nothing is known before it
  int32_t closed_through = 0;  // every period up to this one is closed
  // The stream time (day) of the last advance(), for transitions made between
  // two advances (early alarms). Absent in state written before it existed.
  bool has_stream_day = false;
  int32_t stream_day = 0;

  // varint first period, varint closed-through period, one byte started, then
  // optionally the zigzag varint stream day.
  void encode(std::string& out) const;
  [[nodiscard]] bool decode(std::string_view in);
};

}  // namespace vigil

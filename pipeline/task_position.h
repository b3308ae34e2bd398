// Where a task stands, as stored with its state at every commit: the next
// offset to read, the stream time reached (none before the first event) and,
// for an input task, what it judges event times by (event_time_gate.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/civil_date.h"
#include "pipeline/event_time_gate.h"
#include "state/record_retention.h"

namespace vigil {

// Column families every task keeps besides its detectors' own: the
// positions here, the per-id records in kRecordsColumnFamily
// (state/record_retention.h).
inline constexpr std::string_view kOffsetsColumnFamily = "offsets";
// A task's position key in kOffsetsColumnFamily: its partition prefix, then this tag.
inline constexpr char kPositionTag = 'p';

struct TaskPosition {
  int64_t next_offset = 0;
  std::optional<Date> stream_time;
  EventTimeGateState gate;
};

// Replaces `out` with the encoded position.
void encode_task_position(const TaskPosition& position, std::string& out);
// std::nullopt for bytes encode_task_position did not write.
std::optional<TaskPosition> decode_task_position(std::string_view data);

}  // namespace vigil

#include "pipeline/task_position.h"

#include <limits>

#include "state/key_encoding.h"

namespace vigil {

void encode_task_position(const TaskPosition& position, std::string& out) {
  out.clear();
  append_varint(out, static_cast<uint64_t>(position.next_offset));
  append_varint(out, position.stream_time ? 1 : 0);
  append_varint(out, position.stream_time ? zigzag_encode(position.stream_time->days) : 0);
  // Written only by input tasks once they judge event times, so a merge
  // task's position is the bytes earlier versions wrote and read.
  if (!position.gate.empty()) {
    const auto& gate = position.gate;
    append_varint(out, (gate.reference ? 1u : 0u) | (gate.far.empty() ? 0u : 2u));
    if (gate.reference) append_varint(out, zigzag_encode(gate.reference->days));
    if (!gate.far.empty()) {
      append_varint(out, gate.far.size());
      for (const FarEvent& f : gate.far) {
        append_varint(out, zigzag_encode(f.time.days));
        append_varint(out, f.report);
      }
    }
  }
}

std::optional<TaskPosition> decode_task_position(std::string_view in) {
  const auto offset = read_varint(in);
  const auto has_time = offset ? read_varint(in) : std::nullopt;
  const auto time = has_time ? read_varint(in) : std::nullopt;
  if (!time || *has_time > 1 ||
      *offset > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return std::nullopt;
  }
  TaskPosition position;
  position.next_offset = static_cast<int64_t>(*offset);
  if (*has_time == 1) {
    const auto days = read_day(*time);
    if (!days) return std::nullopt;
    position.stream_time = *days;
  }
  if (in.empty()) return position;
  const auto flags = read_varint(in);
  if (!flags || *flags == 0 || *flags > 3) return std::nullopt;
  if (*flags & 1u) {
    const auto reference = read_varint(in);
    const auto day = reference ? read_day(*reference) : std::nullopt;
    if (!day) return std::nullopt;
    position.gate.reference = *day;
  }
  if (*flags & 2u) {
    const auto count = read_varint(in);
    if (!count || *count == 0 || *count >= kJumpConfirmations) return std::nullopt;
    for (uint64_t i = 0; i < *count; ++i) {
      const auto time = read_varint(in);
      const auto day = time ? read_day(*time) : std::nullopt;
      const auto report = day ? read_varint(in) : std::nullopt;
      if (!report) return std::nullopt;
      position.gate.far.push_back(FarEvent{*day, *report});
    }
  }
  if (!in.empty()) return std::nullopt;
  return position;
}

}  // namespace vigil

#include "pipeline/task_position.h"

#include <limits>

#include "state/key_encoding.h"

namespace vigil {

void encode_task_position(const TaskPosition& position, std::string& out) {
  out.clear();
  append_varint(out, static_cast<uint64_t>(position.next_offset));
  append_varint(out, position.stream_time ? 1 : 0);
  append_varint(out, position.stream_time ? zigzag_encode(position.stream_time->days) : 0);
}

std::optional<TaskPosition> decode_task_position(std::string_view in) {
  const auto offset = read_varint(in);
  const auto has_time = offset ? read_varint(in) : std::nullopt;
  const auto time = has_time ? read_varint(in) : std::nullopt;
  if (!time || !in.empty() || *has_time > 1 ||
      *offset > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return std::nullopt;
  }
  TaskPosition position{static_cast<int64_t>(*offset), std::nullopt};
  if (*has_time == 1) {
    const auto days = read_day(*time);
    if (!days) return std::nullopt;
    position.stream_time = *days;
  }
  return position;
}

}  // namespace vigil

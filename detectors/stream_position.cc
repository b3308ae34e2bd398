#include "detectors/stream_position.h"

#include "state/key_encoding.h"

namespace vigil {

void StreamPosition::encode(std::string& out) const {
  append_varint(out, static_cast<uint32_t>(first_period));
  append_varint(out, static_cast<uint32_t>(closed_through));
  out.push_back(started ? 1 : 0);
  if (has_stream_day) append_varint(out, zigzag_encode(stream_day));
}

bool StreamPosition::decode(std::string_view in) {
  auto first = read_varint(in);
  auto closed = first ? read_varint(in) : std::nullopt;
  if (!closed || in.empty()) return false;
  started = in.front() != 0;
  in.remove_prefix(1);
  first_period = static_cast<int32_t>(static_cast<uint32_t>(*first));
  closed_through = static_cast<int32_t>(static_cast<uint32_t>(*closed));
  has_stream_day = !in.empty();
  if (has_stream_day) {
    const auto day = read_varint(in);
    if (!day || !in.empty()) return false;
    stream_day = static_cast<int32_t>(zigzag_decode(*day));
  }
  return true;
}

}  // namespace vigil

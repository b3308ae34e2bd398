#include "detectors/stream_position.h"

#include "state/key_encoding.h"

namespace vigil {

void StreamPosition::encode(std::string& out) const {
  append_varint(out, static_cast<uint32_t>(first_period));
  append_varint(out, static_cast<uint32_t>(closed_through));
  out.push_back(started ? 1 : 0);
}

bool StreamPosition::decode(std::string_view in) {
  auto first = read_varint(in);
  auto closed = first ? read_varint(in) : std::nullopt;
  if (!closed || in.size() != 1) return false;
  started = in.front() != 0;
  first_period = static_cast<int32_t>(static_cast<uint32_t>(*first));
  closed_through = static_cast<int32_t>(static_cast<uint32_t>(*closed));
  return true;
}

}  // namespace vigil

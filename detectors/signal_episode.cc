#include "detectors/signal_episode.h"

#include "state/key_encoding.h"

namespace vigil {

std::optional<SignalType> Episode::step(bool alarm, int64_t observed, int32_t period,
                                        const LifecyclePolicy& policy) {
  if (!open) {
    if (!alarm) return std::nullopt;
    open = true;
    provisional = false;
    sequence = 1;
    start_period = period;
    last_reported = observed;
    quiet = 0;
    return SignalType::kRaised;
  }
  if (alarm) {
    quiet = 0;
    if (static_cast<double>(observed) >= policy.update_growth * static_cast<double>(last_reported)) {
      ++sequence;
      last_reported = observed;
      return SignalType::kUpdated;
    }
    return std::nullopt;
  }
  if (++quiet < policy.resolve_after_quiet) return std::nullopt;
  open = false;
  ++sequence;
  quiet = 0;
  return SignalType::kResolved;
}

void Episode::raise_provisional(int64_t observed, int32_t period) {
  open = true;
  provisional = true;
  sequence = 1;
  start_period = period;
  last_reported = observed;
  quiet = 0;
}

SignalType Episode::settle_provisional(bool alarm, int64_t observed) {
  provisional = false;
  ++sequence;
  quiet = 0;
  if (alarm) {
    last_reported = observed;
    return SignalType::kUpdated;
  }
  open = false;
  return SignalType::kResolved;
}

void Episode::encode(std::string& out) const {
  // Bit 0: open; bit 1: provisional (state written before it existed reads
  // as not provisional).
  out.push_back(static_cast<char>((open ? 1 : 0) | (provisional ? 2 : 0)));
  append_varint(out, sequence);
  append_varint(out, static_cast<uint32_t>(start_period));
  append_varint(out, static_cast<uint64_t>(last_reported));
  append_varint(out, quiet);
}

bool Episode::decode(std::string_view& in) {
  if (in.empty()) return false;
  open = (in.front() & 1) != 0;
  provisional = (in.front() & 2) != 0;
  in.remove_prefix(1);
  const auto seq = read_varint(in);
  const auto start = seq ? read_varint(in) : std::nullopt;
  const auto last = start ? read_varint(in) : std::nullopt;
  const auto q = last ? read_varint(in) : std::nullopt;
  if (!q) return false;
  sequence = static_cast<uint32_t>(*seq);
  start_period = static_cast<int32_t>(static_cast<uint32_t>(*start));
  last_reported = static_cast<int64_t>(*last);
  quiet = static_cast<uint32_t>(*q);
  return true;
}

}  // namespace vigil

#include "core/signal.h"

#include <cstdio>

namespace vigil {

std::string_view to_string(SignalType t) {
  switch (t) {
    case SignalType::kRaised: return "raised";
    case SignalType::kUpdated: return "updated";
    case SignalType::kResolved: return "resolved";
  }
  return "?";
}

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "?";
}

std::string_view to_string(DetectionReason r) {
  switch (r) {
    case DetectionReason::kEarly: return "early";
    case DetectionReason::kClosed: return "closed_period";
    case DetectionReason::kConfirmed: return "confirmed";
    case DetectionReason::kWithdrawn: return "withdrawn";
    case DetectionReason::kQuiet: return "quiet";
  }
  return "?";
}

std::string render_key(const std::vector<KeyPart>& key) {
  std::string out;
  for (const auto& [k, v] : key) {
    if (!out.empty()) out += ',';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

namespace {
constexpr uint64_t kFnvOffset = 14695981039346656037ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

void fnv_mix(uint64_t& h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= kFnvPrime;
  }
  // A separator byte that cannot occur in slugs keeps ("ab","c") apart from ("a","bc").
  h ^= 0xff;
  h *= kFnvPrime;
}
}  // namespace

std::string make_signal_id(std::string_view detector, const std::vector<KeyPart>& key,
                           std::string_view episode) {
  uint64_t h = kFnvOffset;
  fnv_mix(h, detector);
  for (const auto& [k, v] : key) {
    fnv_mix(h, k);
    fnv_mix(h, v);
  }
  fnv_mix(h, episode);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return std::string(buf, 16);
}

}  // namespace vigil

#include "review/latest_decisions.h"

#include <charconv>

namespace vigil {

uint64_t decision_number(std::string_view decision_id) {
  const size_t at = decision_id.rfind("-d");
  if (at == std::string_view::npos) return 0;
  const std::string_view digits = decision_id.substr(at + 2);
  uint64_t n = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (error != std::errc() || end != digits.data() + digits.size()) return 0;
  return n;
}

void LatestDecisions::apply(const Decision& d) {
  std::lock_guard lock(mutex_);
  auto it = latest_.find(d.signal_id);
  if (it == latest_.end()) {
    latest_.emplace(d.signal_id, d);
    return;
  }
  if (decision_number(d.decision_id) < decision_number(it->second.decision_id)) return;
  it->second = d;
}

std::optional<Decision> LatestDecisions::latest(std::string_view signal_id) const {
  std::lock_guard lock(mutex_);
  const auto it = latest_.find(signal_id);
  if (it == latest_.end()) return std::nullopt;
  return it->second;
}

size_t LatestDecisions::size() const {
  std::lock_guard lock(mutex_);
  return latest_.size();
}

DecisionLookup LatestDecisions::lookup() const {
  return [this](std::string_view signal_id) { return latest(signal_id); };
}

}  // namespace vigil

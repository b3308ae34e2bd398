#include "core/disclosure_control.h"

#include <string>
#include <utility>

namespace vigil {

bool apply_disclosure_control(StratumCounts& stratum) {
  std::vector<std::pair<std::string, int64_t>> shown;
  int64_t pooled = 0;
  for (auto& [value, count] : stratum.counts) {
    if (count <= 0) continue;
    if (count < kMinDisclosedCount || value == kPooledStratum) {
      pooled += count;
    } else {
      shown.emplace_back(std::move(value), count);
    }
  }
  if (pooled > 0 && pooled < kMinDisclosedCount) {
    if (shown.empty()) {
      stratum.counts.clear();
      return false;
    }
    auto smallest = shown.begin();
    for (auto it = shown.begin(); it != shown.end(); ++it) {
      if (it->second <= smallest->second) smallest = it;
    }
    pooled += smallest->second;
    shown.erase(smallest);
  }
  if (pooled > 0) shown.emplace_back(std::string(kPooledStratum), pooled);
  stratum.counts = std::move(shown);
  return true;
}

std::vector<StratumCounts> disclosed_strata(std::vector<StratumCounts> strata) {
  std::vector<StratumCounts> out;
  out.reserve(strata.size());
  for (StratumCounts& stratum : strata) {
    if (apply_disclosure_control(stratum)) out.push_back(std::move(stratum));
  }
  return out;
}

}  // namespace vigil

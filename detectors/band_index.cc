#include "detectors/band_index.h"

#include <algorithm>
#include <utility>

namespace vigil {

void BandIndex::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.clear();
  slots_.resize(old.empty() ? 1024 : old.size() * 2);
  mask_ = slots_.size() - 1;
  for (Slot& s : old) {
    if (s.leaders.empty()) continue;
    size_t i = s.key & mask_;
    while (!slots_[i].leaders.empty()) i = (i + 1) & mask_;
    slots_[i] = std::move(s);
  }
}

void BandIndex::add(uint64_t key, Leader leader) {
  // At most half full, so probe runs stay short.
  if (2 * (used_ + 1) > slots_.size()) grow();
  size_t i = key & mask_;
  while (!slots_[i].leaders.empty() && slots_[i].key != key) i = (i + 1) & mask_;
  Slot& s = slots_[i];
  if (s.leaders.empty()) {
    s.key = key;
    ++used_;
  }
  s.leaders.push_back(leader);
}

void BandIndex::remove(uint64_t key, uint64_t id) {
  if (slots_.empty()) return;
  size_t i = key & mask_;
  while (true) {
    if (slots_[i].leaders.empty()) return;
    if (slots_[i].key == key) break;
    i = (i + 1) & mask_;
  }
  auto& leaders = slots_[i].leaders;
  leaders.erase(std::remove_if(leaders.begin(), leaders.end(),
                               [&](const Leader& l) { return l.id == id; }),
                leaders.end());
  if (!leaders.empty()) return;
  // Backward-shift deletion: pull later entries of the probe run into the
  // hole when their home slot allows it, so no tombstones are needed.
  leaders.shrink_to_fit();
  --used_;
  size_t hole = i;
  for (size_t j = (hole + 1) & mask_; !slots_[j].leaders.empty(); j = (j + 1) & mask_) {
    const size_t home = slots_[j].key & mask_;
    // Entry j may move to the hole when its home is not in (hole, j].
    const bool between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
    if (between) continue;
    slots_[hole] = std::move(slots_[j]);
    slots_[j].leaders.clear();
    slots_[j].leaders.shrink_to_fit();
    hole = j;
  }
}

}  // namespace vigil

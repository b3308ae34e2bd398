// The text_cluster detector's LSH index: band key -> the leaders with that
// band, in increasing id order. One lookup per band of every report, in a
// table that holds a key per band of every live cluster, so it is an
// open-addressing table (linear probing, the list inline in the slot):
// one or two cache lines a lookup, where a node-based map chases a bucket
// and then a node. Band keys are already well mixed (band_key ends in a
// 64-bit finaliser), so their low bits pick the slot.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vigil {

class BandIndex {
 public:
  struct Leader {
    uint64_t id;
    // The leader's signature: clusters stay put until they leave the index.
    const std::vector<uint32_t>* signature;
  };

  // The leaders of band key `key` (null when none).
  const std::vector<Leader>* find(uint64_t key) const {
    if (slots_.empty()) return nullptr;
    for (size_t i = key & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.leaders.empty()) return nullptr;
      if (s.key == key) return &s.leaders;
    }
  }

  // Appends `leader` to key's list (ids must come in increasing order).
  void add(uint64_t key, Leader leader);

  // Removes leader `id` from key's list, and the key with its last leader.
  void remove(uint64_t key, uint64_t id);

  void clear() {
    slots_.clear();
    mask_ = 0;
    used_ = 0;
  }

 private:
  struct Slot {
    uint64_t key = 0;
    std::vector<Leader> leaders;  // empty: a free slot
  };
  void grow();

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t used_ = 0;
};

}  // namespace vigil

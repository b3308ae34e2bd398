// The term reveal gate (issue 12): decides when a word of the descriptions
// may travel and be kept in clear. A word written by one organisation only
// may identify (a rare surname the redactor missed, a ward nickname, a
// local system's name); a word that reports of two organisations both use
// is vocabulary. So a word is revealed by the first report that makes it
// reach at least two reports from at least two organisations, and that
// report alone carries the word (core/text_fingerprint.h); before that,
// only its hash exists anywhere.
//
// State (RocksDB, under the caller's key prefix): per word hash, the number
// of reports that contained it, the first organisation's hash and whether
// it was revealed; hashes and counts only, never a word. A word is counted
// once per report; a revision of a report counts again (from the same
// organisation, so it cannot reveal a word on its own). Counts never go
// down: the gate only opens.
//
// Deterministic: what a report reveals depends only on the reports before
// it in the task's order. Cost: a hash-map lookup per distinct word of a
// report; memory and state grow with the vocabulary ever seen (every
// distinct word hash, about 60 bytes each in memory), entries are never
// dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <tsl/robin_map.h>

#include "core/result.h"
#include "state/state_store.h"

namespace vigil {

// The hash the gate tells organisations apart by (FNV-1a, 32 bits).
uint32_t organisation_hash(std::string_view org);

class TermRevealGate {
 public:
  // State keys are `key_prefix` + the word hash (8 bytes, big-endian) in `cf`.
  TermRevealGate(std::string key_prefix, ColumnFamilyId cf);

  // Loads every stored entry (replacing what is in memory).
  Status restore(const StateStore& store);

  // Counts one report of organisation `org` containing `distinct_hashes`
  // (each once, sorted). Appends to `revealed` the hashes this report
  // reveals, at most `max_reveals` (a word past that stays hidden and is
  // revealed by a later report from another organisation); `revealable`
  // says whether a hash may be revealed at all (a word too long to be
  // vocabulary never is).
  template <typename Revealable>
  void observe(const std::vector<uint64_t>& distinct_hashes, uint32_t org, size_t max_reveals,
               Revealable&& revealable, std::vector<uint64_t>& revealed);

  // Puts the entries changed since the last save into `batch`.
  void save(StateBatch& batch);

  size_t size() const { return entries_.size(); }
  bool is_revealed(uint64_t hash) const {
    auto it = entries_.find(hash);
    return it != entries_.end() && it->second.revealed;
  }

 private:
  struct Entry {
    uint32_t reports = 0;
    uint32_t first_org = 0;
    bool revealed = false;
  };
  std::string key(uint64_t hash) const;

  std::string key_prefix_;
  ColumnFamilyId cf_;
  // Looked up for every distinct word of every report: an open-addressing
  // table (never iterated, so its order does not matter).
  tsl::robin_map<uint64_t, Entry> entries_;
  std::vector<uint64_t> dirty_;
};

template <typename Revealable>
void TermRevealGate::observe(const std::vector<uint64_t>& distinct_hashes, uint32_t org,
                             size_t max_reveals, Revealable&& revealable,
                             std::vector<uint64_t>& revealed) {
  size_t count = 0;
  for (const uint64_t h : distinct_hashes) {
    auto [it, inserted] = entries_.try_emplace(h);
    Entry& e = it.value();
    if (e.revealed) continue;  // nothing more to learn: not rewritten
    if (inserted) {
      e.first_org = org;
    } else if (e.first_org != org && count < max_reveals && revealable(h)) {
      e.revealed = true;
      revealed.push_back(h);
      ++count;
    }
    if (e.reports < UINT32_MAX) ++e.reports;
    dirty_.push_back(h);
  }
}

}  // namespace vigil

// The text_cluster detector's per-report entries: for each report it
// counted, which cluster it joined and which of that cluster's leader terms
// it had, kept so that a revision takes exactly that back (the description
// itself is never stored, so it cannot be read again).
//
// Revisions are rare (about 1 % of reports) and nearly every entry is only
// ever written, then dropped with its day. So entries are not written one
// key each, which made a RocksDB write per report (a third of the
// detector's cost in a replay): each save writes, per day and per one of
// kEntryBuckets buckets of report ids, one value holding the entries added
// since the last save, under key
//   prefix 'j' + day (4 bytes, sortable) + bucket (1 byte) + sequence (8 bytes)
// where the sequence numbers the saves (kept under prefix 'J'). A report's
// entry is its last one in (sequence, position) order; an entry with
// cluster 0 records that the report was taken back. A lookup reads the
// values of one day and bucket, about 1/16 of a day's reports.
//
// Value: a version byte (1), then per entry: varint id length, id bytes,
// varint cluster, varint leader-term mask.
//
// Entries written before (tag 'i', one key per report: prefix 'i' + day +
// id -> varint cluster, varint mask) are still read when a day and bucket
// have no newer entry for the report, and are dropped with their day.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tsl/robin_map.h>

#include "core/result.h"
#include "state/state_store.h"

namespace vigil {

inline constexpr uint32_t kEntryBuckets = 16;

class TextReportEntries {
 public:
  struct Entry {
    uint64_t cluster = 0;  // 0: taken back
    uint32_t mask = 0;
  };

  TextReportEntries(std::string prefix, ColumnFamilyId cf) : prefix_(std::move(prefix)), cf_(cf) {}

  // Forgets what is in memory and reads the save sequence; checks every
  // stored entry decodes, so damage shows at a restart, not at a revision.
  // `max_mask` bounds a valid mask.
  Status restore(const StateStore& store, uint64_t max_mask);

  // Records that the report `id` of `day` joined `cluster` with `mask`.
  void add(int32_t day, std::string_view id, uint64_t cluster, uint32_t mask);

  // The entry of report `id` of `day`, if it has one in force, which is
  // then recorded as taken back. `store` may be null (nothing stored yet).
  std::optional<Entry> take_back(int32_t day, std::string_view id, const StateStore* store);

  // Drops every entry of `day` at the next save.
  void expire(int32_t day) { expired_days_.push_back(day); }

  // Writes the entries added since the last save, except those of days
  // before `horizon` (judged no more), and erases the expired days. Those
  // written stay visible to lookups until the next save, by which time the
  // pipeline has waited for this batch's write.
  void save(StateBatch& batch, int32_t horizon);

 private:
  struct Pending {
    int32_t day;
    std::string id;
    Entry entry;
  };
  // Entries not yet in the store, in the order added, with the latest
  // position of each id (a deque: the views stay valid as it grows).
  struct Unstored {
    std::deque<Pending> entries;
    tsl::robin_map<std::string_view, size_t> latest;  // views into entries[i].id (stable: a deque)
    void clear() {
      latest.clear();
      entries.clear();
    }
    std::optional<Entry> find(int32_t day, std::string_view id) const;
  };

  std::string day_prefix(char tag, int32_t day) const;
  std::optional<Entry> find_stored(int32_t day, std::string_view id, const StateStore& store) const;

  std::string prefix_;
  ColumnFamilyId cf_;
  uint64_t next_sequence_ = 0;
  Unstored pending_;
  Unstored written_;
  std::vector<int32_t> expired_days_;
};

}  // namespace vigil

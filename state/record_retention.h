// How long per-id records (state/event_record.h) are kept, and the
// bookkeeping that lets RocksDB drop the older ones.
//
// A per-id record exists so that a revision can take back what the earlier
// revision contributed. Once the record's last day (read_record_last_day)
// is more than `days` before its partition's stream time, no detector reads
// a window that holds that day any more, so the take-back could change
// nothing: the record is past retention.
//
// Two views of "past retention", which must agree for detection to be
// deterministic:
//   - Logical (past_retention): the input task asks it at every lookup,
//     with its own stream time. A record past retention is treated as absent,
//     whether or not RocksDB still holds it, so what detection does depends
//     only on the input, never on when a compaction ran.
//   - Physical (droppable): the compaction filter of the records column
//     family drops a record whose last day is before the horizon its
//     partition last published. A task publishes only a stream time that is
//     durable (written and its write-ahead log synced), and stream time never
//     goes back, so a record dropped is past retention at every later lookup,
//     including after a crash: the filter can only remove what reads would
//     ignore anyway.
//
// A partition that has published nothing (not assigned to this instance
// since the process started, and no stored position published for it) has
// its records kept.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>

#include "core/civil_date.h"

namespace vigil {

// The column family that holds the per-id records, with keys
// <4-byte partition prefix> 'r' <report id>.
inline constexpr std::string_view kRecordsColumnFamily = "records";

class RecordRetention {
 public:
  // `days` must be positive.
  explicit RecordRetention(int32_t days);

  int32_t days() const { return days_; }

  // The first day a record's last day may be and still be read at
  // `stream_time`: stream_time - days.
  Date horizon(Date stream_time) const { return Date{stream_time.days - days_}; }

  // Whether `record` is past retention at `stream_time` (a record whose
  // last day cannot be read counts as not past: it is kept and reported
  // corrupt by whoever decodes it).
  bool past_retention(std::string_view record, Date stream_time) const;

  // Partition (state slot) `slot` has durably reached `stream_time`: its
  // records before horizon(stream_time) may be dropped. A horizon never
  // moves back; publishing an earlier stream time changes nothing. Returns
  // whether the horizon moved.
  bool publish(int32_t slot, Date stream_time);

  // The horizon published for `slot`, if any.
  std::optional<Date> published_horizon(int32_t slot) const;

  // Every published horizon, by slot: one consistent copy, taken by each
  // compaction as it starts.
  std::map<int32_t, Date> published_horizons() const;

  // The compaction filter's test for one entry of the records column family,
  // against `horizons` (a published_horizons() copy): true when the key has
  // a partition prefix whose horizon is after the record's last day.
  static bool droppable(std::string_view key, std::string_view value,
                        const std::map<int32_t, Date>& horizons);

  // Records the compaction filter dropped since the store opened.
  uint64_t dropped() const;
  void count_dropped(uint64_t n);

 private:
  const int32_t days_;
  mutable std::mutex mutex_;
  std::map<int32_t, Date> horizons_;
  uint64_t dropped_ = 0;
};

}  // namespace vigil

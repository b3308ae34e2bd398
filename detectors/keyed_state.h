// The stored state of a windowed detector: one record per key, saved to
// RocksDB only when changed, and the stream position (stream_position.h) as
// one meta record. Count detectors and the report-level detectors' rolling
// table keep their state this way, under the same keys:
//   partition prefix + '\0'        the stream position
//   partition prefix + '\1' + key  the key's record, in its owner's encoding
//
// Record is the owner's per-key struct, with `bool dirty` (listed for the
// next save), `bool erased` (deleted from the store at the next save, and
// then from memory) and `Episode episode`.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/civil_date.h"
#include "core/result.h"
#include "detectors/stream_position.h"
#include "state/key_encoding.h"
#include "state/state_store.h"

namespace vigil {

template <typename Record>
class KeyedState {
 public:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, Record, StringHash, std::equal_to<>>;

  // `owner` names the detector in errors.
  KeyedState(std::string owner, int32_t partition, ColumnFamilyId cf)
      : owner_(std::move(owner)), prefix_(partition_prefix(partition)), cf_(cf) {}

  // The stream position. start() is called with the period of the stream's
  // first event; closed_through() is the newest period already judged.
  bool started() const { return position_.started; }
  void start(int32_t period) {
    position_ = StreamPosition{true, period, period - 1};
    position_dirty_ = true;
  }
  int32_t first_period() const { return position_.first_period; }
  int32_t closed_through() const { return position_.closed_through; }
  void set_closed_through(int32_t period) {
    position_.closed_through = period;
    position_dirty_ = true;
  }

  // The stream time of the last advance(), if any was recorded.
  std::optional<Date> stream_time() const {
    if (!position_.has_stream_day) return std::nullopt;
    return Date{position_.stream_day};
  }
  void set_stream_time(Date time) {
    if (position_.has_stream_day && position_.stream_day == time.days) return;
    position_.has_stream_day = true;
    position_.stream_day = time.days;
    position_dirty_ = true;
  }

  // Every record, erased ones included until the next save.
  Map& records() { return records_; }
  const Map& records() const { return records_; }

  // Lists the record of `key` for the next save.
  void mark_dirty(std::string_view key, Record& record) {
    if (record.dirty) return;
    record.dirty = true;
    // The view points at the map's own key, stable until the record is erased.
    dirty_.push_back(records_.find(key)->first);
  }

  // Records whose episode is open.
  size_t open_episodes() const {
    return static_cast<size_t>(std::count_if(records_.begin(), records_.end(), [](const auto& kv) {
      return !kv.second.erased && kv.second.episode.open;
    }));
  }

  // Replaces every record with what `store` holds, and the position if one
  // is stored. `decode(std::string_view bytes, Record&)` returns false for
  // bytes it cannot read: a kCorruption error.
  template <typename Decode>
  Status restore(const StateStore& store, Decode&& decode) {
    records_.clear();
    dirty_.clear();
    bool corrupt = false;
    Status scanned = store.scan_prefix(cf_, prefix_, [&](std::string_view k, std::string_view v) {
      k.remove_prefix(prefix_.size());
      if (k.empty()) return true;
      if (k.front() == kPositionTag) {
        StreamPosition position;
        if (!position.decode(v)) {
          corrupt = true;
          return false;
        }
        position_ = position;
        return true;
      }
      Record record;
      if (k.front() != kRecordTag || !decode(v, record)) {
        corrupt = true;
        return false;
      }
      records_.emplace(std::string(k.substr(1)), std::move(record));
      return true;
    });
    if (!scanned.is_ok()) return scanned;
    if (corrupt) {
      return make_error(ErrorKind::kCorruption, "detector " + owner_ + ": undecodable state record");
    }
    return Status::ok();
  }

  // Adds the position, if it changed, and every listed record to `batch`:
  // `encode(Record&, std::string& out)` writes a live one (and may trim it
  // first); an erased one is deleted, and leaves memory.
  template <typename Encode>
  void save(StateBatch& batch, Encode&& encode) {
    if (position_dirty_) {
      buffer_.clear();
      position_.encode(buffer_);
      std::string position_key = prefix_;
      position_key.push_back(kPositionTag);
      batch.put(cf_, position_key, buffer_);
      position_dirty_ = false;
    }
    std::vector<std::string_view> to_remove;
    std::string key = prefix_;
    for (std::string_view k : dirty_) {
      auto it = records_.find(k);
      // A key can be listed twice (dropped by a sweep, counted again, dropped
      // again): handle it once, or to_remove would hold a view of a key that
      // the first removal freed.
      if (it == records_.end() || !it->second.dirty) continue;
      Record& record = it->second;
      record.dirty = false;
      key.resize(prefix_.size());
      key.push_back(kRecordTag);
      key.append(k);
      if (record.erased) {
        batch.erase(cf_, key);
        to_remove.push_back(k);
      } else {
        buffer_.clear();
        encode(record, buffer_);
        batch.put(cf_, key, buffer_);
      }
    }
    dirty_.clear();
    for (std::string_view k : to_remove) {
      auto it = records_.find(k);
      if (it != records_.end()) records_.erase(it);
    }
  }

 private:
  static constexpr char kPositionTag = '\0';
  static constexpr char kRecordTag = '\1';

  std::string owner_;
  std::string prefix_;
  ColumnFamilyId cf_;
  StreamPosition position_;
  bool position_dirty_ = false;
  Map records_;
  std::vector<std::string_view> dirty_;  // keys of records_ changed since save()
  std::string buffer_;
};

}  // namespace vigil

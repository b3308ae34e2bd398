// The state shared by the report-level detectors (disproportionality, funnel,
// inequality, volume drop): per key, a few counters per period over a rolling
// window of periods, the newest ids and the organisations of the key's
// "evidence" events, the key's signal episode and its last judgements (the
// series its signals carry); plus the stream position
// (first period seen, periods closed) that decides when a window is judged.
//
// Keys are detector keys (codes joined by kKeySeparator), never free text.
// Rows are saved to RocksDB only when changed; rows whose window holds
// nothing and which have no open episode are dropped at sweeps.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/incident_event.h"
#include "core/result.h"
#include "detectors/keyed_state.h"
#include "detectors/signal_episode.h"
#include "state/state_store.h"

namespace vigil {

class RollingTable {
 public:
  // One judgement of a key, kept for the series its signals carry
  // (data.series): the judged window's last period, the detector's decisive
  // number, and what it was compared with. NaN where the detector has none.
  struct Judgement {
    int32_t period = 0;
    double value = 0;
    double expected = std::numeric_limits<double>::quiet_NaN();
    double threshold = std::numeric_limits<double>::quiet_NaN();
    bool flagged = false;  // the verdict fed to the key's episode was an alarm
  };

  struct Row {
    int32_t born = 0;               // first period this key was ever counted in
    int32_t first_period = 0;       // period of counts[0]
    std::vector<uint32_t> counts;   // (period - first_period) * measures + measure
    std::vector<std::pair<int32_t, std::string>> ids;  // newest evidence ids, oldest first
    std::vector<std::pair<uint32_t, int32_t>> orgs;    // evidence org hash -> last period seen, by hash
    Episode episode;
    bool known = false;        // met its criterion when first judged: not new (see detectors)
    uint32_t known_quiet = 0;  // evaluations since a known key last met its criterion
    double reference = 0;      // a detector's own number kept with the episode
    // The key's last judgements, oldest first, at most kMaxSeriesPoints
    // (only for detectors that record them).
    std::vector<Judgement> judged;
    bool dirty = false;
    bool erased = false;
  };

  // `measures` counters per period; periods older than the newest closed
  // one minus `window` + 1 are forgotten.
  RollingTable(std::string detector, int32_t partition, ColumnFamilyId cf, size_t measures,
               int32_t window);

  Status restore(const StateStore& store);
  void save(StateBatch& batch);

  // The stream position. start() is called with the period of the first
  // event of the stream (matching or not); closed_through() is the newest
  // period already judged.
  bool started() const { return state_.started(); }
  void start(int32_t period) { state_.start(period); }
  int32_t first_period() const { return state_.first_period(); }
  int32_t closed_through() const { return state_.closed_through(); }
  void set_closed_through(int32_t period) { state_.set_closed_through(period); }

  // Adds `sign` to each measure whose bit is set in `measure_mask` for `key`
  // in `period`. With `evidence`, the event's id and organisation become
  // evidence of the key (sign > 0) or its id is taken back (sign < 0).
  // Periods before the window are ignored.
  void add(std::string_view key, int32_t period, uint32_t measure_mask, int sign,
           const IncidentEvent* evidence);

  // Sums each measure of `row` over periods [from, to].
  void sum(const Row& row, int32_t from, int32_t to, std::span<int64_t> out) const;
  uint32_t count_at(const Row& row, int32_t period, size_t measure) const;

  // Every live row, in key order (deterministic output).
  std::vector<std::pair<std::string_view, Row*>> rows_in_order();
  Row* find(std::string_view key);
  void mark_dirty(std::string_view key, Row& row) { state_.mark_dirty(key, row); }
  // Appends a judgement to the row of `key` (dropping the oldest beyond
  // kMaxSeriesPoints) and lists the row for the next save.
  void record_judgement(std::string_view key, Row& row, const Judgement& judgement);

  // Evidence of `row`: the ids of periods [from, to] (sorted, at most
  // kMaxEvidenceIds), and the number of distinct organisations last seen
  // from period `from` on. A judged window must pass its last period as
  // `to`: reports of the weeks still open (the grace period) are not its
  // evidence.
  std::vector<std::string> evidence_ids(const Row& row, int32_t from, int32_t to) const;
  int64_t evidence_orgs(const Row& row, int32_t from) const;

  // Drops rows with nothing in their window and no open episode or known
  // state; call after closing a period.
  void sweep();

  size_t size() const { return state_.records().size(); }
  // Rows whose episode is open.
  size_t open_episodes() const { return state_.open_episodes(); }
  size_t measures() const { return measures_; }
  int32_t window() const { return window_; }

 private:
  int32_t keep_from() const { return closed_through() + 1 - window_; }
  void trim(Row& row) const;
  void encode_row(const Row& row, std::string& out) const;
  bool decode_row(std::string_view in, Row& row) const;

  size_t measures_;
  int32_t window_;
  KeyedState<Row> state_;
};

// FNV-1a of an organisation code: organisations are counted, never listed.
uint32_t org_code_hash(std::string_view org);

}  // namespace vigil

// Tree-temporal scan (detectors/tree_scan_statistic.h): which branch of a
// hierarchy, e.g. category → medicine or category → device model, has more
// of its own cases in the last few days than the rest of the tree has,
// judged once a day with a Monte Carlo p-value from a fixed seed.
//
// The tree: `levels`, a list of key dimensions. Every event the filter
// passes is a case at its leaf (v1, v2, ...) and at each ancestor (v1), (v1,
// v2), ...; an event with several values of a dimension (two medicines)
// counts once at each of its leaves and once at each ancestor.
//
// Day A is analysed when stream time first passes A + lag_days, over the
// study period of the `study_days` days ending with A, with windows of the
// last 1..max_window_days days. Cases are counted by the day they occurred;
// late reports fill their own day (for a window still open that is the usual
// report lag; an older day only enlarges the baseline), so a backlog of old
// reports cannot look like an excess now. A revision (sign −1) takes its case
// back.
//
// A node alarms when it is the most likely cut, or a secondary cut (at most
// max_cuts in all, none an ancestor or descendant of another), with
// p ≤ alpha and at least min_cases cases in its window. Each node has its own
// signal episode (raised, updated when its window count grows by the
// lifecycle's factor, resolved after resolve_after_quiet analysis days
// without an alarm). The random stream of day A's analysis is seeded from
// `seed` and A, so replays and restored detectors give the same signals.
//
// State (RocksDB, KeyedState): per class of cases sharing their set of
// leaves, the daily counts of the study period; per node with recent cases
// or an open episode, the evidence of the days a window can still reach
// (report ids ≤ kMaxEvidenceIds a day, organisation hashes) and its episode.
// Memory: classes × study_days counts of 4 bytes plus the evidence.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/detector.h"
#include "detectors/event_filter.h"
#include "detectors/key_dimension.h"
#include "detectors/keyed_state.h"
#include "detectors/signal_episode.h"
#include "detectors/tree_scan_statistic.h"

namespace vigil {

class TreeScanDetector;

struct TreeScanConfig : DetectorKind<TreeScanDetector, "tree_scan"> {
  std::string name;
  std::vector<Dimension> levels;  // the tree, root first: e.g. [category, medication]
  EventFilter filter;
  int32_t study_days = 182;
  int32_t max_window_days = 14;
  int32_t lag_days = 0;
  int32_t replicates = 999;
  double alpha = 0.01;
  int64_t min_cases = 5;
  int32_t max_cuts = 3;
  uint64_t seed = 20240101;
  Severity severity = Severity::kHigh;
  LifecyclePolicy lifecycle = {1.5, 7};
};

class TreeScanDetector final : public Detector {
 public:
  static Result<std::unique_ptr<TreeScanDetector>> create(TreeScanConfig config, int32_t partition,
                                                          ColumnFamilyId cf);

  const std::string& name() const override { return config_.name; }
  Status restore(const StateStore& store) override;
  ApplyOutcome apply(const IncidentEvent& event, int sign, std::vector<Signal>& out) override;
  void advance(Date stream_time, std::vector<Signal>& out) override;
  void save(StateBatch& batch) override;
  size_t key_count() const override { return state_.records().size(); }
  size_t open_signals() const override { return state_.open_episodes(); }

  // Replicates the Monte Carlo ran over every analysis so far (not stored):
  // what the sequential stopping saves.
  int64_t replicates_run() const { return replicates_run_; }

 private:
  struct DayEvidence {
    int32_t day = 0;
    uint32_t id_count = 0;
    std::string ids;             // joined by '\n', at most kMaxEvidenceIds
    std::vector<uint32_t> orgs;  // sorted organisation hashes
  };
  // A record is a class of cases (key tag 'c': its leaves) or a node (tag
  // 'n': its key).
  struct Record {
    int32_t first_day = 0;
    std::vector<uint32_t> counts;        // class: consecutive days from first_day
    std::vector<DayEvidence> evidence;   // node
    Episode episode;                     // node
    bool dirty = false;
    bool erased = false;
  };

  TreeScanDetector(TreeScanConfig config, int32_t partition, ColumnFamilyId cf);

  void count_class(std::string_view key, int32_t day, int sign);
  void count_node(std::string_view node, const IncidentEvent& event, int32_t day, int sign);
  void analyse(int32_t day, Date stream_time, std::vector<Signal>& out);
  void sweep(int32_t day);
  // The node's count in consecutive windows of `window` days back through
  // the study period (oldest first, the judged window last, flagged), each
  // with its expected count n_G · C_block / C.
  SignalSeries window_series(const TreeScanData& data, const std::vector<const Record*>& class_records,
                             uint32_t node, int32_t day, int32_t window) const;
  Signal make_signal(std::string_view node, const Record& r, SignalType type, int32_t day,
                     const TreeCut& cut, Date stream_time) const;
  static void encode(const Record& r, std::string& out);
  static bool decode(std::string_view in, Record& r);

  TreeScanConfig config_;
  KeyedState<Record> state_;
  int64_t replicates_run_ = 0;

  // Reused buffers of apply().
  KeyBuilderState key_state_;
  std::vector<std::string> leaves_;
  std::vector<std::string_view> nodes_;
  std::string class_key_;
  std::string record_key_;
};

}  // namespace vigil

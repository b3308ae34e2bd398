// Local clusters: the prospective space-time permutation scan (Kulldorff et
// al. 2005; the statistic and its Monte Carlo test are in
// space_time_scan_stats.h, the candidate zone sets in space_time_scan_zones.h)
// over organisations, as SaTScan runs it for daily surveillance.
//
// Cases are the events passing `filter`, counted per (group, organisation,
// day of event time); `group_by` (e.g. [category]) gives one independent
// scan per group value. Once a day, as the partition's stream time
// advances, the detector analyses the study period of the last
// `study_days` days ending at the analysis day, stream time − `lag_days`:
// candidate clusters are cylinders of a neighbourhood × the last 1..
// `max_window_days` days ending at the analysis day (prospective). The most
// likely cluster of each group raises a signal when its recurrence
// interval (1/p days) is at least `min_recurrence_days` and it has at
// least `min_cases` cases.
//
// Reporting lag: the expected counts condition on each day's total over
// every organisation, so the recent days' shortfall of reports not yet
// received, which hits every organisation alike, cancels out of the
// comparison; the analysis can run up to the present (lag_days 0). A lag
// helps only where organisations report with very different delays.
//
// Late reports (of days already analysed) still count in the study period
// of later analyses; a day is never analysed twice. A revision taken back
// (apply with sign −1) takes its case back.
//
// Signals: one episode (signal_episode.h) per (group, neighbourhood) key,
// e.g. {category: fall, org: RXX} or {category: fall, icb: QXX}; an open
// episode that is not the group's alarming most likely cluster on an
// analysis day counts that day as quiet and resolves after
// lifecycle.resolve_after_quiet of them.
//
// State (keyed_state.h): one record per (group, organisation) with its
// daily counts over the study period, its ICB and region as events last
// named them, and up to kIdsPerBucket report ids per day of the last
// max_window_days (evidence); one record per (group, neighbourhood) with
// an episode. Memory: about 4 bytes × (study_days + lag_days) per
// organisation with cases, per group.
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
#include "detectors/space_time_scan_stats.h"
#include "detectors/space_time_scan_zones.h"

namespace vigil {

class SpaceTimeScanDetector;

struct SpaceTimeScanConfig : DetectorKind<SpaceTimeScanDetector, "space_time_scan"> {
  std::string name;
  EventFilter filter;
  std::vector<Dimension> group_by;  // empty: one scan over every case
  int32_t study_days = 365;
  int32_t max_window_days = 7;
  int32_t lag_days = 0;
  // Neighbourhoods: the org → ICB → region hierarchy when `coordinates` is
  // empty, else circles of nearest neighbours over these locations.
  std::vector<OrgLocation> coordinates;
  double max_cluster_fraction = 0.5;  // of the study period's cases
  int32_t replicates = 999;
  int32_t early_stop_hits = 50;  // sequential Monte Carlo; 0: always R replicates
  uint64_t seed = 20050301;
  double min_recurrence_days = 365;
  int64_t min_cases = 5;
  Severity severity = Severity::kMedium;
  LifecyclePolicy lifecycle{1.5, 3};
};

// Report ids kept per (organisation, day) for a signal's evidence.
inline constexpr uint32_t kIdsPerBucket = 10;

class SpaceTimeScanDetector final : public Detector {
 public:
  static Result<std::unique_ptr<SpaceTimeScanDetector>> create(SpaceTimeScanConfig config,
                                                               int32_t partition, ColumnFamilyId cf);

  const std::string& name() const override { return config_.name; }
  Status restore(const StateStore& store) override;
  ApplyOutcome apply(const IncidentEvent& event, int sign, std::vector<Signal>& out) override;
  void advance(Date stream_time, std::vector<Signal>& out) override;
  void save(StateBatch& batch) override;
  size_t key_count() const override { return state_.records().size(); }
  size_t open_signals() const override { return state_.open_episodes(); }

  // Replicates run by the analyses so far (not stored): for measurements.
  int64_t replicates_run() const { return replicates_run_; }

 private:
  struct DayIds {
    int32_t day = 0;
    uint32_t count = 0;
    std::string ids;  // joined by '\n'
  };
  struct Record {
    // An organisation's cases (key 'c' group '\x1e' org).
    int32_t first_day = 0;
    std::vector<uint32_t> counts;  // consecutive days from first_day
    std::string icb;
    std::string region;
    std::vector<DayIds> ids;
    // A neighbourhood's signal (key 'e' group '\x1e' kind code): the
    // window and size of the cluster last reported.
    bool is_episode = false;
    Episode episode;
    int32_t window_days = 0;
    uint32_t size = 0;
    bool dirty = false;
    bool erased = false;
  };
  struct Group;

  SpaceTimeScanDetector(SpaceTimeScanConfig config, int32_t partition, ColumnFamilyId cf);
  void count(std::string_view group, const IncidentEvent& event, int32_t day, int sign);
  void analyse(int32_t day, Date stream_time, std::vector<Signal>& out);
  void analyse_group(Group& group, int32_t day, Date stream_time, std::vector<Signal>& out);
  static void encode_record(const Record& r, std::string& out);
  static bool decode_record(std::string_view in, Record& r);

  SpaceTimeScanConfig config_;
  CoordinateNeighbours neighbours_;
  KeyedState<Record> state_;
  KeyBuilderState key_state_;
  std::string key_;
  int64_t replicates_run_ = 0;
};

}  // namespace vigil

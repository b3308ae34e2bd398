// A windowed count detector: counts matching events per key (e.g. category ×
// region) per period (day or ISO week) of event time, and when a period
// closes evaluates it with a count-series method (EARS C1/C2/C3 or
// farringtonFlexible, count_method.h) against the same key's preceding
// periods.
//
// A period closes when the partition's stream time passes its last day plus
// `grace_days`, so reports that arrive a little late still count in their own
// period. Reports for a period already closed are late: they still enter the
// key's history (future baselines stay true) but never re-open the verdict on
// their period, so a backlog of old reports can never look like a spike now.
//
// Early alarms. The methods' bounds for a period depend on its history only
// (except earsC3's), and its count only grows as reports arrive (revisions
// aside). So with `early_alarms` a key with no open episode is raised the
// moment the running count of a still-open period is an alarm by the
// method: a provisional signal (data.detection.provisional), made while the
// event that crossed is applied, stream time being the later of the last
// advance() and that event's own date. When the period closes its verdict
// confirms it (updated, reason "confirmed") or withdraws it (resolved,
// reason "withdrawn": revisions took reports back, or the closed-period
// multiplicity test did not confirm it). Late reports never raise: their
// period is closed. The bound is computed once per key and open period and
// again only when a late report changes the key's history.
//
// Multiplicity. With `fdr` > 0 a closed period's alarms are the series that
// the Benjamini-Hochberg procedure rejects at that false discovery rate
// among every series judged in it (those with at least min_observed
// reports), by the methods' p-values (multiplicity.h); the method's own
// alpha then only sets the bound drawn in data.series. An early alarm needs
// p <= fdr / n, n the number of keys held: a Bonferroni bound that BH at
// close rejects too whenever the counts stay as they were.
//
// Every signal carries the key's series (data.series): the count of each of
// the last kMaxSeriesPoints periods ending with the judged one, with the
// expected count, threshold and alarm the method gives for that period's
// window. The judged period's point is the detector's own verdict; earlier
// points are recomputed when the signal is made, from the counts held then
// (late reports that arrived after a period was judged are in them). So the
// key keeps history_length + kMaxSeriesPoints - 1 past periods, although
// evaluation reads only the last history_length of them.
//
// Memory: per key, history_length + kMaxSeriesPoints counts of 4 bytes plus
// the evidence of the periods still open (≤ 50 ids each); keys whose counts
// are all zero and which have no open signal are dropped.
#pragma once

#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "detectors/count_method.h"
#include "detectors/detector.h"
#include "detectors/event_filter.h"
#include "detectors/key_dimension.h"
#include "detectors/keyed_state.h"
#include "detectors/period.h"
#include "detectors/signal_episode.h"
#include "detectors/strata_breakdown.h"

namespace vigil {

class CountDetector;

struct CountDetectorConfig : DetectorKind<CountDetector, "count"> {
  // The method signals carry, e.g. "earsC2".
  std::string signal_method() const { return method; }

  std::string name;
  std::vector<Dimension> dimensions;
  EventFilter filter;
  PeriodUnit period = PeriodUnit::kWeek;
  int32_t grace_days = 14;
  std::string method = "earsC2";
  MethodParams params;
  // No alarm below this many reports in the period, whatever the method says
  // (the role limit54 plays for Farrington): a jump from 0 to 2 is not a risk.
  int64_t min_observed = 5;
  Severity severity = Severity::kMedium;
  LifecyclePolicy lifecycle;
  // Raise provisionally when the running count of an open period alarms.
  bool early_alarms = true;
  // Benjamini-Hochberg false discovery rate across one period's judgements;
  // 0: every series is judged at the method's alpha alone.
  double fdr = 0;
  // Patient dimensions every raised signal breaks its evidence down by
  // (dimensions the detector is keyed by are left out: they are constant).
  std::vector<Dimension> strata = {Dimension::kEthnicity, Dimension::kImdQuintile,
                                   Dimension::kAgeBand, Dimension::kSex};
};

class CountDetector final : public Detector {
 public:
  static Result<std::unique_ptr<CountDetector>> create(CountDetectorConfig config, int32_t partition,
                                                       ColumnFamilyId cf);

  const std::string& name() const override { return config_.name; }
  Status restore(const StateStore& store) override;
  ApplyOutcome apply(const IncidentEvent& event, int sign, std::vector<Signal>& out) override;
  void advance(Date stream_time, std::vector<Signal>& out) override;
  void save(StateBatch& batch) override;
  size_t key_count() const override { return state_.records().size(); }
  size_t open_signals() const override { return state_.open_episodes(); }

  const CountDetectorConfig& config() const { return config_; }

 private:
  static constexpr int32_t kNoBound = std::numeric_limits<int32_t>::min();

  struct PeriodEvidence {
    int32_t period = 0;
    uint32_t id_count = 0;
    std::string ids;                // ids joined by '\n', at most kMaxEvidenceIds
    std::vector<uint32_t> orgs;     // sorted hashes of the organisations seen
    std::vector<uint32_t> strata;   // counters laid out by strata_ (empty: none yet)
  };
  struct Series {
    int32_t first_period = 0;       // period of counts[0]
    std::vector<uint32_t> counts;   // consecutive periods from first_period
    Episode episode;
    std::vector<PeriodEvidence> evidence;  // periods not yet closed
    // The bound of the open period `bound_period` (not stored: recomputed
    // from the counts after a restart). Unset: kNoBound.
    int32_t bound_period = kNoBound;
    double bound = 0;
    bool dirty = false;
    bool erased = false;
  };
  CountDetector(CountDetectorConfig config, int32_t partition, ColumnFamilyId cf,
                std::unique_ptr<CountMethod> method, StrataLayout strata);

  void count(std::string_view key, const IncidentEvent& event, int32_t period, int sign, bool late,
             Date now, std::vector<Signal>& out);
  // Raises a provisional signal if the running count of the open `period`
  // is an alarm (early alarms, above).
  void check_early_alarm(std::string_view key, Series& s, int32_t period, Date now,
                         std::vector<Signal>& out);
  // Fills window_ with the key's counts of the periods period - history .. period.
  void fill_window(const Series& s, int32_t period);
  void close_period(int32_t period, Date stream_time, std::vector<Signal>& out);
  Signal make_signal(std::string_view key, const Series& s, SignalType type, int32_t period,
                     const SeriesPoint& point, int64_t observed, Date stream_time,
                     Detection detection) const;
  // The verdict on a period from its method point: an alarm needs a
  // threshold and at least min_observed reports.
  bool is_alarm(const SeriesPoint& point, int64_t observed) const;
  SignalSeries make_series(const Series& s, int32_t period, const SeriesPoint& judged) const;
  void trim(Series& s) const;
  static void encode_series(const Series& s, std::string& out);
  static bool decode_series(std::string_view in, Series& s);

  CountDetectorConfig config_;
  std::unique_ptr<CountMethod> method_;
  StrataLayout strata_;
  // The stream position (nothing is known before its first period; every
  // period up to closed_through is closed) and the series of every key.
  KeyedState<Series> state_;

  // Reused buffers: the hot path allocates nothing once they are warm.
  KeyBuilderState key_state_;
  std::vector<double> window_;
};

}  // namespace vigil

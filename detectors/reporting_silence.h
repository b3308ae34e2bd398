// Reporting silence: an organisation that has stopped reporting, found
// within days. A trust that usually submits thirty reports a day and has
// submitted none for three days is an overwhelming signal long before its
// weekly volume (volume_drop.h) can show it.
//
// Reports are counted per key (organisation by default) per day of
// *submission* (reported_on): silence is about reports not arriving. A day D
// is judged once, when the stream time has passed D + grace_days. For each
// key, k is the number of consecutive days ending at D on which it submitted
// nothing. When a silent run starts (its first day judged silent), the key's
// own `baseline_days` before the run are summarised once and kept with the
// run: z of those days had no report, and they held n reports. The chance of
// a silent day is estimated as
//   p0 = (z + 0.5) / (baseline_days + 1)
// and of a run of k silent days as p0^k. An alarm is raised when
//   p0^k < alpha, n / baseline_days ≥ min_daily_mean, and the key was
//   already counted on the baseline's first day (a whole baseline).
//
// Why the frequency of silent days and not a Poisson rate: under a Poisson
// model a trust averaging 30 a day would have P(0) = e^-30 and one silent
// day would alarm. Real reporting is lumpy: weekend lulls, batch uploads,
// a system down for an afternoon. Counting how often the key itself had a
// day with nothing makes a batch uploader, or a practice often silent, its
// own yardstick: with 20 silent days in 56 its p0 is 0.36 and only 14 silent
// days in a row alarm. The 0.5 (a Jeffreys-like correction) keeps p0 above 0
// for a key never silent: with 56 baseline days p0 = 1/114, and 3 silent
// days (p = 6.7e-7) alarm at alpha 1e-6.
//
// Independence: p0^k treats silent days as independent. Silences cluster
// (a weekend, a holiday, an outage), so for a key whose own silent days come
// in runs p0^k is optimistic; alpha is set far below the usual levels (1e-6
// a key-day) so that the bound on false alarms survives the assumption being
// wrong by orders of magnitude, and the 0.5 correction errs towards p0
// larger. The baseline is fixed when the run starts, so the silent days do
// not dilute it.
//
// Late reports. A report counts on the day it was submitted, never the day
// its incident occurred: a report about an incident inside the silent run,
// submitted after the run, ends the run on its submission day and does not
// fill in the silent days (the silence was real). "Late" in the pipeline's
// sense (ApplyOutcome::late) is a report whose *submission* day was already
// judged when it reached the detector, a delivery delay: it is counted on
// its day (later baselines see it), verdicts already given stand, and if it
// falls inside the current silent run the key counts as reporting at the
// next judgement (the run ends; an open signal resolves).
//
// Signals: one episode (signal_episode.h) per silent run that alarms,
// raised the day p0^k first falls below alpha, updated as the run grows by
// lifecycle.update_growth, resolved after lifecycle.resolve_after_quiet
// judged days with reports (default 1: the first day it reports again).
//
// State (keyed_state.h): per key, its daily counts over the last
// baseline_days + 1 days judged (plus any days not yet judged), the day it
// was first counted, the current silent run and its baseline summary, and
// its episode. A key with nothing in its window, no open signal and no run
// that could still alarm is dropped.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/detector.h"
#include "detectors/event_filter.h"
#include "detectors/key_dimension.h"
#include "detectors/keyed_state.h"
#include "detectors/signal_episode.h"

namespace vigil {

class ReportingSilenceDetector;

struct ReportingSilenceConfig : DetectorKind<ReportingSilenceDetector, "reporting_silence"> {
  std::string name;
  std::vector<Dimension> unit = {Dimension::kOrg};
  EventFilter filter;  // which reports count; default all
  int32_t baseline_days = 56;
  // A day is judged when the stream time has passed it by this many days.
  // The stream arrives in submission order, so 0 suffices unless sources
  // deliver out of order.
  int32_t grace_days = 0;
  double alpha = 1e-6;
  double min_daily_mean = 5;
  Severity severity = Severity::kMedium;
  LifecyclePolicy lifecycle{1.5, 1};
};

class ReportingSilenceDetector final : public Detector {
 public:
  static Result<std::unique_ptr<ReportingSilenceDetector>> create(ReportingSilenceConfig config,
                                                                  int32_t partition,
                                                                  ColumnFamilyId cf);

  const std::string& name() const override { return config_.name; }
  Status restore(const StateStore& store) override;
  ApplyOutcome apply(const IncidentEvent& event, int sign, std::vector<Signal>& out) override;
  void advance(Date stream_time, std::vector<Signal>& out) override;
  void save(StateBatch& batch) override;
  size_t key_count() const override { return state_.records().size(); }
  size_t open_signals() const override { return state_.open_episodes(); }

 private:
  // The baseline of a silent run, summarised when the run starts.
  struct Baseline {
    uint32_t zero_days = 0;
    uint64_t reports = 0;
    bool complete = false;  // the key was counted on the baseline's first day
  };
  struct Record {
    int32_t born = 0;              // first day the key was counted
    int32_t first_day = 0;         // day of counts[0]
    std::vector<uint32_t> counts;  // reports per submission day from first_day
    bool in_run = false;           // the last day judged was silent
    int32_t run_start = 0;         // first silent day of the last run
    Baseline baseline;             // of the last run
    bool reported_late = false;    // a late report fell inside the current run
    Episode episode;
    bool dirty = false;
    bool erased = false;
  };

  ReportingSilenceDetector(ReportingSilenceConfig config, int32_t partition, ColumnFamilyId cf);
  void count(std::string_view key, int32_t day, int sign, bool late);
  void judge(int32_t day, Date stream_time, std::vector<Signal>& out);
  // Counts older than this are read by no later judgement.
  int32_t keep_from() const { return state_.closed_through() + 1 - config_.baseline_days; }
  uint32_t count_at(const Record& r, int32_t day) const;
  Baseline summarise_baseline(const Record& r, int32_t run_start) const;
  bool can_alarm(const Baseline& b) const;
  Signal make_signal(std::string_view key, const Record& r, SignalType type, int32_t day,
                     Date stream_time) const;
  void trim(Record& r) const;
  void sweep();
  static void encode_record(const Record& r, std::string& out);
  static bool decode_record(std::string_view in, Record& r);

  ReportingSilenceConfig config_;
  KeyedState<Record> state_;
  KeyBuilderState key_state_;
};

// log(p0^k): the log-probability of `silent_days` silent days in a row for a
// key with `zero_days` silent days in `baseline_days`. Exposed for tests.
double silent_run_log_probability(uint32_t zero_days, int32_t baseline_days, int32_t silent_days);

}  // namespace vigil

// What the report-level detectors (disproportionality, funnel, inequality,
// volume drop) share: their common settings, the weekly judging schedule of a
// rolling window, and the skeleton of the signals they emit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/signal.h"
#include "detectors/detector.h"
#include "detectors/event_filter.h"
#include "detectors/period.h"
#include "detectors/rolling_table.h"
#include "detectors/signal_episode.h"

namespace vigil {

struct WindowSettings {
  int32_t window_weeks = 13;  // a quarter: the span every judgement looks at
  // A week is judged this many days after it ends, when its late reports are in.
  int32_t grace_days = 14;
  Severity severity = Severity::kMedium;
  LifecyclePolicy lifecycle;
};

// A detector whose whole state is one RollingTable, judged weekly: restore,
// save and the sizes the pipeline asks for are the table's; apply() starts
// the table's stream at the first event's week and counts events with
// count_event(); advance() closes the weeks that are due (close_due_weeks)
// and judges each whose window the stream covers whole.
class WindowedDetector : public Detector {
 public:
  Status restore(const StateStore& store) override { return table_.restore(store); }
  ApplyOutcome apply(const IncidentEvent& event, int sign, std::vector<Signal>& out) final;
  void advance(Date stream_time, std::vector<Signal>& out) final;
  void save(StateBatch& batch) override { table_.save(batch); }
  size_t key_count() const override { return table_.size(); }
  size_t open_signals() const override { return table_.open_episodes(); }

 protected:
  // A week closes `grace_days` after it ends, when its late reports are in.
  WindowedDetector(std::string name, int32_t partition, ColumnFamilyId cf, size_t measures,
                   int32_t window, int32_t grace_days)
      : table_(std::move(name), partition, cf, measures, window), grace_days_(grace_days) {}

  // The date whose week an event counts in: its event time by default.
  virtual Date counted_on(const IncidentEvent& event) const { return event_time(event); }
  // Adds (sign +1) or takes back (-1) `event` in `week`; false when the
  // detector does not count the event at all (it is then never late).
  virtual bool count_event(const IncidentEvent& event, int32_t week, int sign) = 0;
  // Judges the window that ends with `week`, which has just closed.
  virtual void judge(int32_t week, Date stream_time, std::vector<Signal>& out) = 0;

  RollingTable table_;

 private:
  int32_t grace_days_;
};

// The detectors that judge an outcome among a population of reports
// (disproportionality, funnel, inequality) count two measures per key and
// week: measure 0 the population's reports, measure 1 those with the
// outcome, which are also the key's evidence.
inline constexpr size_t kOutcomeMeasures = 2;
struct OutcomeCount {
  uint32_t mask = 0;                        // the measures the report counts in
  const IncidentEvent* evidence = nullptr;  // the report, if it has the outcome
};
// How `event` counts; nullopt when it is not in `population`.
std::optional<OutcomeCount> count_outcome(const IncidentEvent& event,
                                          const EventFilter& population,
                                          const EventFilter& outcome);

// A key as one window judges it: its reports in the window (population),
// those with the outcome (observed), and the outcome count expected of it.
struct JudgedKey {
  std::string_view key;
  RollingTable::Row* row = nullptr;
  double population = 0;
  double observed = 0;
  double expected = 0;
};
// Every live key of an outcome table (kOutcomeMeasures) in key order, with
// its population and outcome counts over weeks [from, to]; expected is 0.
std::vector<JudgedKey> judged_keys(RollingTable& table, int32_t from, int32_t to);

// Closes every week whose end + grace_days the stream time has passed, in
// order, calling judge(week) for each; sweeps the table every few weeks.
template <typename Judge>
void close_due_weeks(RollingTable& table, int32_t grace_days, Date stream_time, Judge&& judge) {
  if (!table.started()) return;
  while (week_end(table.closed_through() + 1).days + grace_days < stream_time.days) {
    const int32_t week = table.closed_through() + 1;
    table.set_closed_through(week);
    judge(week);
    if (week % 4 == 0) table.sweep();
  }
}

// Whether the stream covers the whole window ending with `week`: before
// that, a judgement would compare against periods nobody has seen.
inline bool window_complete(const RollingTable& table, int32_t week) {
  return week - table.window() + 1 >= table.first_period();
}

// A signal with everything but the detector's numbers and words filled in:
// id from detector + key + the week the episode started, the window's dates.
Signal window_signal(std::string_view detector, std::string_view method,
                     std::vector<KeyPart> key, const Episode& episode, SignalType type,
                     int32_t first_week, int32_t last_week, Date fired_at, Severity severity);

// The evidence of a signal on `row` judged over weeks [from, to]: the
// organisations and the newest report ids of those weeks.
void add_window_evidence(Signal& s, const RollingTable& table, const RollingTable::Row& row,
                         int32_t from, int32_t to);

// The series a signal on `row` carries (data.series): the row's judgements,
// oldest first, each point covering the `span_weeks` weeks that end with its
// judged week (the same span as the signal's period).
SignalSeries judged_series(std::string measure, const RollingTable::Row& row, int32_t span_weeks);

// "%.2f"-style number for summaries ("n/a" for NaN).
std::string format_ratio(double v, int decimals = 2);

}  // namespace vigil

#include "detectors/report_window.h"

#include <cmath>
#include <cstdio>

namespace vigil {

ApplyOutcome WindowedDetector::apply(const IncidentEvent& event, int sign, std::vector<Signal>&) {
  const int32_t week = week_of(counted_on(event));
  if (!table_.started()) table_.start(week);
  if (!count_event(event, week, sign)) return {};
  return ApplyOutcome{week <= table_.closed_through()};
}

std::optional<OutcomeCount> count_outcome(const IncidentEvent& event,
                                          const EventFilter& population,
                                          const EventFilter& outcome) {
  constexpr uint32_t kPopulation = 1u << 0;
  constexpr uint32_t kOutcome = 1u << 1;
  if (!population.matches(event)) return std::nullopt;
  if (!outcome.matches(event)) return OutcomeCount{kPopulation, nullptr};
  return OutcomeCount{kPopulation | kOutcome, &event};
}

std::vector<JudgedKey> judged_keys(RollingTable& table, int32_t from, int32_t to) {
  std::vector<JudgedKey> keys;
  int64_t sums[kOutcomeMeasures];
  for (auto& [key, row] : table.rows_in_order()) {
    table.sum(*row, from, to, sums);
    keys.push_back(
        JudgedKey{key, row, static_cast<double>(sums[0]), static_cast<double>(sums[1]), 0});
  }
  return keys;
}

void WindowedDetector::advance(Date stream_time, std::vector<Signal>& out) {
  close_due_weeks(table_, grace_days_, stream_time, [&](int32_t week) {
    if (window_complete(table_, week)) judge(week, stream_time, out);
  });
}

Signal window_signal(std::string_view detector, std::string_view method,
                     std::vector<KeyPart> key, const Episode& episode, SignalType type,
                     int32_t first_week, int32_t last_week, Date fired_at, Severity severity) {
  Signal s;
  s.type = type;
  s.key = std::move(key);
  s.signal_id = make_signal_id(detector, s.key, format_date(week_start(episode.start_period)));
  s.sequence = episode.sequence;
  s.detector = std::string(detector);
  s.method = std::string(method);
  s.period_start = week_start(first_week);
  s.period_end = week_end(last_week);
  s.fired_at = fired_at;
  s.severity = severity;
  return s;
}

SignalSeries judged_series(std::string measure, const RollingTable::Row& row,
                           int32_t span_weeks) {
  SignalSeries series;
  series.measure = std::move(measure);
  series.points.reserve(row.judged.size());
  for (const RollingTable::Judgement& j : row.judged) {
    series.points.push_back(PeriodPoint{week_start(j.period - span_weeks + 1), week_end(j.period),
                                        j.value, j.expected, j.threshold, j.flagged});
  }
  return series;
}

void add_window_evidence(Signal& s, const RollingTable& table, const RollingTable::Row& row,
                         int32_t from, int32_t to) {
  s.evidence_orgs = table.evidence_orgs(row, from);
  s.event_ids = table.evidence_ids(row, from, to);
}

std::string format_ratio(double v, int decimals) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return v > 0 ? "infinite" : "-infinite";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace vigil

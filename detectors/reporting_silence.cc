#include "detectors/reporting_silence.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <utility>

#include "state/key_encoding.h"

namespace vigil {
namespace {

// A sweep of keys with nothing left to say every this many judged days.
constexpr int32_t kSweepEveryDays = 7;

std::string format_number(double v, const char* format) {
  char buf[48];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string days_text(int64_t n) { return std::to_string(n) + (n == 1 ? " day" : " days"); }

}  // namespace

double silent_run_log_probability(uint32_t zero_days, int32_t baseline_days, int32_t silent_days) {
  const double p0 = (zero_days + 0.5) / (baseline_days + 1.0);
  return silent_days * std::log(p0);
}

Result<std::unique_ptr<ReportingSilenceDetector>> ReportingSilenceDetector::create(
    ReportingSilenceConfig config, int32_t partition, ColumnFamilyId cf) {
  if (config.unit.empty()) return config_error(config.name, "needs at least one unit dimension");
  if (config.baseline_days < 14 || config.baseline_days > 366) {
    return config_error(config.name, "baseline_days must be 14..366");
  }
  if (config.grace_days < 0 || config.grace_days > 30) {
    return config_error(config.name, "grace_days must be 0..30");
  }
  if (!(config.alpha > 0 && config.alpha < 0.5)) {
    return config_error(config.name, "alpha must be in (0, 0.5)");
  }
  if (!(config.min_daily_mean > 0 && std::isfinite(config.min_daily_mean))) {
    return config_error(config.name, "min_daily_mean must be a positive number");
  }
  if (!(config.lifecycle.update_growth > 1) || config.lifecycle.resolve_after_quiet < 1) {
    return config_error(config.name,
                        "lifecycle needs update_growth > 1 and resolve_after_quiet at least 1");
  }
  return std::unique_ptr<ReportingSilenceDetector>(
      new ReportingSilenceDetector(std::move(config), partition, cf));
}

ReportingSilenceDetector::ReportingSilenceDetector(ReportingSilenceConfig config,
                                                   int32_t partition, ColumnFamilyId cf)
    : config_(std::move(config)), state_(config_.name, partition, cf) {}

Status ReportingSilenceDetector::restore(const StateStore& store) {
  return state_.restore(store,
                        [](std::string_view in, Record& r) { return decode_record(in, r); });
}

void ReportingSilenceDetector::save(StateBatch& batch) {
  state_.save(batch, [&](Record& r, std::string& out) {
    trim(r);
    encode_record(r, out);
  });
}

ApplyOutcome ReportingSilenceDetector::apply(const IncidentEvent& event, int sign,
                                             std::vector<Signal>&) {
  // Silence is about submissions: a report counts on the day it was sent.
  const int32_t day = event.reported_on.days;
  if (!state_.started()) state_.start(day);
  if (!config_.filter.matches(event)) return {};
  const bool late = day <= state_.closed_through();
  for_each_key(event, config_.unit, key_state_,
               [&](std::string_view key) { count(key, day, sign, late); });
  return ApplyOutcome{late};
}

void ReportingSilenceDetector::count(std::string_view key, int32_t day, int sign, bool late) {
  if (day < keep_from()) return;  // no judgement reads that day any more
  auto& records = state_.records();
  auto it = records.find(key);
  if (it == records.end()) {
    if (sign < 0) return;
    it = records.emplace(std::string(key), Record{}).first;
    it->second.erased = true;  // made fresh below
  }
  Record& r = it->second;
  if (r.erased) {
    r = Record{};
    r.born = day;
    r.first_day = day;
  }
  r.born = std::min(r.born, day);
  trim(r);
  if (r.counts.empty()) r.first_day = day;
  if (day < r.first_day) {
    r.counts.insert(r.counts.begin(), static_cast<size_t>(r.first_day - day), 0u);
    r.first_day = day;
  }
  const auto index = static_cast<size_t>(day - r.first_day);
  if (index >= r.counts.size()) r.counts.resize(index + 1, 0u);
  if (sign > 0) {
    ++r.counts[index];
    // A delivery-delayed report inside the run being judged: the key was
    // not silent after all, which the next judgement takes into account.
    if (late && r.in_run && day >= r.run_start) r.reported_late = true;
  } else if (r.counts[index] > 0) {
    --r.counts[index];
  }
  state_.mark_dirty(it->first, r);
}

uint32_t ReportingSilenceDetector::count_at(const Record& r, int32_t day) const {
  if (day < r.first_day) return 0;
  const auto index = static_cast<size_t>(day - r.first_day);
  return index < r.counts.size() ? r.counts[index] : 0;
}

ReportingSilenceDetector::Baseline ReportingSilenceDetector::summarise_baseline(
    const Record& r, int32_t run_start) const {
  Baseline b;
  const int32_t from = run_start - config_.baseline_days;
  for (int32_t d = from; d < run_start; ++d) {
    const uint32_t n = count_at(r, d);
    b.reports += n;
    b.zero_days += n == 0 ? 1 : 0;
  }
  b.complete = r.born <= from;
  return b;
}

bool ReportingSilenceDetector::can_alarm(const Baseline& b) const {
  return b.complete &&
         static_cast<double>(b.reports) >= config_.min_daily_mean * config_.baseline_days;
}

void ReportingSilenceDetector::advance(Date stream_time, std::vector<Signal>& out) {
  if (!state_.started()) return;
  // Day D is judged once the stream time has passed D + grace_days: the
  // stream arrives in submission order, and the stream time is the newest
  // event time, which is never after its report's submission.
  while (state_.closed_through() < stream_time.days - 1 - config_.grace_days) {
    judge(state_.closed_through() + 1, stream_time, out);
  }
}

void ReportingSilenceDetector::judge(int32_t day, Date stream_time, std::vector<Signal>& out) {
  const double log_alpha = std::log(config_.alpha);
  std::vector<std::pair<std::string_view, Record*>> rows;
  rows.reserve(state_.records().size());
  for (auto& [key, r] : state_.records()) {
    if (!r.erased && r.born <= day) rows.emplace_back(key, &r);
  }
  // Key order: the same events give the same signals in the same order.
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [key, r] : rows) {
    const bool reported = count_at(*r, day) > 0 || r->reported_late;
    std::optional<SignalType> transition;
    if (reported) {
      if (r->in_run || r->reported_late) {
        r->in_run = false;
        r->reported_late = false;
        state_.mark_dirty(key, *r);
      }
      if (r->episode.open) {
        transition = r->episode.step(false, 0, day, config_.lifecycle);
        state_.mark_dirty(key, *r);
      }
    } else {
      if (!r->in_run) {
        r->in_run = true;
        r->run_start = day;
        r->baseline = summarise_baseline(*r, day);
        state_.mark_dirty(key, *r);
      }
      const int32_t silent = day - r->run_start + 1;
      // An open episode stays alarmed for as long as the silence lasts.
      const bool alarm =
          r->episode.open ||
          (can_alarm(r->baseline) &&
           silent_run_log_probability(r->baseline.zero_days, config_.baseline_days, silent) <
               log_alpha);
      if (alarm) {
        transition = r->episode.step(true, silent, day, config_.lifecycle);
        state_.mark_dirty(key, *r);
      }
    }
    if (transition) out.push_back(make_signal(key, *r, *transition, day, stream_time));
  }
  // Closed only now: while judging, keep_from() still covers the day's baseline.
  state_.set_closed_through(day);
  if (day % kSweepEveryDays == 0) sweep();
}

Signal ReportingSilenceDetector::make_signal(std::string_view key, const Record& r,
                                             SignalType type, int32_t day,
                                             Date stream_time) const {
  const int32_t baseline_days = config_.baseline_days;
  const double mean = static_cast<double>(r.baseline.reports) / baseline_days;
  // The silent days: up to today while silent; up to yesterday when it
  // reports again.
  const int32_t silent = day - r.run_start + (type == SignalType::kResolved ? 0 : 1);
  const double log_p = silent_run_log_probability(r.baseline.zero_days, baseline_days, silent);
  const double p0 = (r.baseline.zero_days + 0.5) / (baseline_days + 1.0);
  int64_t reports = 0;
  for (int32_t d = r.run_start; d <= day; ++d) reports += count_at(r, d);

  Signal s;
  s.type = type;
  s.key = key_parts(config_.unit, key);
  s.signal_id = make_signal_id(config_.name, s.key, format_date(Date{r.episode.start_period}));
  s.sequence = r.episode.sequence;
  s.detector = config_.name;
  s.method = std::string(ReportingSilenceConfig::kType);
  s.period_start = Date{r.run_start};
  s.period_end = Date{day};
  s.fired_at = stream_time;
  s.severity = config_.severity;
  s.observed = reports;
  s.expected = mean * (day - r.run_start + 1);
  s.threshold = 0;  // an alarm needs no report at all
  s.score = -log_p / std::log(10.0);  // orders of magnitude below chance
  s.evidence_count = reports;
  s.evidence_orgs = 1;
  s.statistics = {{"silent_days", silent},
                  {"zero_day_probability", p0},
                  {"p_value", std::exp(log_p)},
                  {"baseline_daily_mean", mean},
                  {"baseline_zero_days", r.baseline.zero_days},
                  {"baseline_days", baseline_days}};
  // The days behind the verdict, oldest first: each baseline day's reports
  // against the baseline's daily mean, then the judged run itself, exactly
  // as the signal states it. Only days every judgement of `day` still holds
  // (from day - baseline_days), so a restart cannot change the series.
  SignalSeries series;
  series.measure = "count";
  const int32_t from = std::max(
      {r.run_start - static_cast<int32_t>(kMaxSeriesPoints) + 1, day - baseline_days, r.born});
  for (int32_t d = from; d < r.run_start; ++d) {
    series.points.push_back(PeriodPoint{Date{d}, Date{d}, static_cast<double>(count_at(r, d)),
                                        mean, std::numeric_limits<double>::quiet_NaN(), false});
  }
  series.points.push_back(PeriodPoint{s.period_start, s.period_end,
                                      static_cast<double>(s.observed), s.expected, s.threshold,
                                      type != SignalType::kResolved});
  s.series = std::move(series);

  std::string where;
  for (const auto& [k, v] : s.key) where += (where.empty() ? "" : ", ") + k + " " + v;
  const std::string since = format_date(Date{r.run_start});
  const std::string history = "its previous " + days_text(baseline_days) + " averaged " +
                              format_number(mean, "%.1f") + " reports a day with " +
                              days_text(r.baseline.zero_days) + " without any";
  switch (type) {
    case SignalType::kResolved:
      s.summary = "Reporting from " + where + " has resumed on " + format_date(Date{day}) +
                  " after " + days_text(silent) + " without a report since " + since + ".";
      break;
    case SignalType::kRaised:
    case SignalType::kUpdated:
      s.summary = "No report from " + where + " since " + since + ": " + days_text(silent) +
                  " in a row without a report submitted, where " + history +
                  "; a silence this long would occur by chance with probability about " +
                  format_number(std::exp(log_p), "%.1e") +
                  " (silent days taken as independent). A trust that stops reporting may be "
                  "missing harm.";
      break;
  }
  return s;
}

void ReportingSilenceDetector::trim(Record& r) const {
  const int32_t from = keep_from();
  if (r.first_day >= from) return;
  const auto drop = static_cast<size_t>(static_cast<int64_t>(from) - r.first_day);
  if (drop >= r.counts.size()) {
    r.counts.clear();
  } else {
    r.counts.erase(r.counts.begin(), r.counts.begin() + static_cast<std::ptrdiff_t>(drop));
  }
  r.first_day = from;
}

void ReportingSilenceDetector::sweep() {
  for (auto& [key, r] : state_.records()) {
    if (r.erased || r.episode.open || r.reported_late) continue;
    // A run that may still alarm keeps its baseline summary.
    if (r.in_run && can_alarm(r.baseline)) continue;
    trim(r);
    if (std::all_of(r.counts.begin(), r.counts.end(), [](uint32_t c) { return c == 0; })) {
      r.erased = true;
      state_.mark_dirty(key, r);
    }
  }
}

// Record: zigzag born, zigzag first_day, the counts, a flags byte (bit 0 in
// a run, bit 1 reported late, bit 2 baseline complete), zigzag run_start,
// the baseline's zero days and reports, then the episode.
void ReportingSilenceDetector::encode_record(const Record& r, std::string& out) {
  append_varint(out, zigzag_encode(r.born));
  append_varint(out, zigzag_encode(r.first_day));
  append_varints(out, r.counts);
  out.push_back(static_cast<char>((r.in_run ? 1 : 0) | (r.reported_late ? 2 : 0) |
                                  (r.baseline.complete ? 4 : 0)));
  append_varint(out, zigzag_encode(r.run_start));
  append_varint(out, r.baseline.zero_days);
  append_varint(out, r.baseline.reports);
  r.episode.encode(out);
}

bool ReportingSilenceDetector::decode_record(std::string_view in, Record& r) {
  const auto as_day = [](uint64_t v) { return static_cast<int32_t>(zigzag_decode(v)); };
  const auto born = read_varint(in);
  const auto first = born ? read_varint(in) : std::nullopt;
  if (!first || !read_varints(in, r.counts) || in.empty()) return false;
  const auto flags = static_cast<unsigned char>(in.front());
  in.remove_prefix(1);
  if (flags > 7) return false;
  const auto run_start = read_varint(in);
  const auto zero_days = run_start ? read_varint(in) : std::nullopt;
  const auto reports = zero_days ? read_varint(in) : std::nullopt;
  if (!reports || !r.episode.decode(in) || !in.empty()) return false;
  r.born = as_day(*born);
  r.first_day = as_day(*first);
  r.in_run = (flags & 1) != 0;
  r.reported_late = (flags & 2) != 0;
  r.baseline.complete = (flags & 4) != 0;
  r.run_start = as_day(*run_start);
  r.baseline.zero_days = static_cast<uint32_t>(*zero_days);
  r.baseline.reports = *reports;
  return true;
}

}  // namespace vigil

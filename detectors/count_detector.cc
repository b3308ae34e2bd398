#include "detectors/count_detector.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "detectors/multiplicity.h"
#include "detectors/rolling_table.h"
#include "state/key_encoding.h"

namespace vigil {
namespace {

constexpr size_t kMaxDistinctOrgs = 4096;
// How often (in closed periods) keys with nothing left to say are dropped.
constexpr int32_t kSweepEvery = 8;

uint32_t count_at(const std::vector<uint32_t>& counts, int32_t first, int32_t period) {
  const int64_t idx = static_cast<int64_t>(period) - first;
  if (idx < 0 || idx >= static_cast<int64_t>(counts.size())) return 0;
  return counts[static_cast<size_t>(idx)];
}

Severity raise_one(Severity s) {
  switch (s) {
    case Severity::kLow: return Severity::kMedium;
    case Severity::kMedium: return Severity::kHigh;
    case Severity::kHigh: return Severity::kCritical;
    case Severity::kCritical: return Severity::kCritical;
  }
  return s;
}

std::string format_number(double v) {
  if (std::isnan(v)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

}  // namespace

Result<std::unique_ptr<CountDetector>> CountDetector::create(CountDetectorConfig config,
                                                             int32_t partition, ColumnFamilyId cf) {
  if (config.dimensions.empty()) {
    return config_error(config.name, "needs at least one dimension");
  }
  if (config.grace_days < 0) {
    return config_error(config.name, "grace_days < 0");
  }
  if (!(config.fdr >= 0 && config.fdr < 1)) {
    return config_error(config.name, "fdr must be in [0, 1)");
  }
  auto method =
      make_count_method(config.method, config.params, periods_per_year(config.period));
  if (!method) {
    return config_error(config.name, method.error().message);
  }
  // Every configured stratum must be a patient dimension, even one the
  // detector is keyed by (and so leaves out of the breakdown).
  if (auto all = StrataLayout::create(config.strata); !all) {
    return config_error(config.name, all.error().message);
  }
  std::vector<Dimension> strata;
  for (Dimension d : config.strata) {
    if (std::find(config.dimensions.begin(), config.dimensions.end(), d) == config.dimensions.end()) {
      strata.push_back(d);
    }
  }
  auto layout = StrataLayout::create(std::move(strata));
  if (!layout) {
    return config_error(config.name, layout.error().message);
  }
  return std::unique_ptr<CountDetector>(new CountDetector(
      std::move(config), partition, cf, std::move(method).value(), std::move(layout).value()));
}

CountDetector::CountDetector(CountDetectorConfig config, int32_t partition, ColumnFamilyId cf,
                             std::unique_ptr<CountMethod> method, StrataLayout strata)
    : config_(std::move(config)),
      method_(std::move(method)),
      strata_(std::move(strata)),
      state_(config_.name, partition, cf) {
  window_.resize(method_->history_length() + 1);
}

Status CountDetector::restore(const StateStore& store) {
  return state_.restore(store, decode_series);
}

ApplyOutcome CountDetector::apply(const IncidentEvent& event, int sign, std::vector<Signal>& out) {
  const int32_t period = period_of(config_.period, event_time(event));
  // Every event, matching or not, proves the stream covers its period.
  if (!state_.started()) state_.start(period);
  if (!config_.filter.matches(event)) return {};
  const bool late = period <= state_.closed_through();
  // The stream time as far as this detector knows it while the event is
  // applied (its task advances after every detector has applied it).
  const Date now = std::max(state_.stream_time().value_or(event_time(event)), event_time(event));
  for_each_key(event, config_.dimensions, key_state_, [&](std::string_view key) {
    count(key, event, period, sign, late, now, out);
  });
  return ApplyOutcome{late};
}

void CountDetector::fill_window(const Series& s, int32_t period) {
  const int32_t history = static_cast<int32_t>(method_->history_length());
  for (int32_t i = 0; i <= history; ++i) {
    window_[static_cast<size_t>(i)] = count_at(s.counts, s.first_period, period - history + i);
  }
}

void CountDetector::check_early_alarm(std::string_view key, Series& s, int32_t period, Date now,
                                      std::vector<Signal>& out) {
  if (s.episode.open) return;
  const int64_t observed = count_at(s.counts, s.first_period, period);
  if (observed < config_.min_observed) return;
  if (period - static_cast<int32_t>(method_->history_length()) < state_.first_period()) return;
  // Below a bound that depends on the history alone, nothing can alarm.
  if (s.bound_period == period && static_cast<double>(observed) <= s.bound) return;
  fill_window(s, period);
  const SeriesPoint point = method_->evaluate(window_);
  if (!method_->bound_uses_current_count() && !std::isnan(point.upperbound)) {
    s.bound_period = period;
    s.bound = point.upperbound;
  }
  if (!is_alarm(point, observed)) return;
  if (config_.fdr > 0) {
    // Live keys only: dropped ones stay in memory until the next save, and
    // commit timing must not change a verdict.
    const auto live = std::count_if(state_.records().begin(), state_.records().end(),
                                    [](const auto& kv) { return !kv.second.erased; });
    const double keys = static_cast<double>(std::max<std::ptrdiff_t>(live, 1));
    if (std::isnan(point.p_value) || point.p_value > config_.fdr / keys) return;
  }
  s.episode.raise_provisional(observed, period);
  out.push_back(make_signal(key, s, SignalType::kRaised, period, point, observed, now,
                            Detection{true, DetectionReason::kEarly}));
}

void CountDetector::count(std::string_view key, const IncidentEvent& event, int32_t period, int sign,
                          bool late, Date now, std::vector<Signal>& out) {
  const int32_t history = static_cast<int32_t>(method_->history_length());
  // A period no future window reaches back to cannot change any verdict.
  const int32_t oldest_useful = state_.closed_through() + 1 - history;
  if (period < oldest_useful) return;

  auto& series = state_.records();
  auto it = series.find(key);
  if (it == series.end()) {
    if (sign < 0) return;  // its history has already aged out
    it = series.emplace(std::string(key), Series{}).first;
    it->second.first_period = period;
  }
  Series& s = it->second;
  if (s.erased) {
    s = Series{};
    s.first_period = period;
  }
  // A late report changes the history an open period's bound was fitted on.
  if (s.bound_period != kNoBound &&
      period < s.bound_period - static_cast<int32_t>(method_->bound_ignores_recent())) {
    s.bound_period = kNoBound;
  }
  trim(s);
  if (s.counts.empty()) s.first_period = period;
  if (period < s.first_period) {
    s.counts.insert(s.counts.begin(), static_cast<size_t>(s.first_period - period), 0u);
    s.first_period = period;
  }
  const size_t idx = static_cast<size_t>(period - s.first_period);
  if (idx >= s.counts.size()) s.counts.resize(idx + 1, 0u);
  if (sign > 0) {
    ++s.counts[idx];
  } else if (s.counts[idx] > 0) {
    --s.counts[idx];
  }

  if (!late) {
    PeriodEvidence* ev = nullptr;
    for (auto& e : s.evidence) {
      if (e.period == period) ev = &e;
    }
    if (ev == nullptr && sign > 0) {
      for (auto& e : s.evidence) {
        if (e.period <= state_.closed_through()) {  // recycle a closed period's slot and its capacity
          ev = &e;
          ev->id_count = 0;
          ev->ids.clear();
          ev->orgs.clear();
          std::fill(ev->strata.begin(), ev->strata.end(), 0u);
          break;
        }
      }
      if (ev == nullptr) ev = &s.evidence.emplace_back();
      ev->period = period;
    }
    if (ev != nullptr) {
      if (!strata_.empty()) {
        ev->strata.resize(strata_.size(), 0u);
        strata_.count(event, sign, ev->strata);
      }
      if (sign > 0) {
        if (ev->id_count < kMaxEvidenceIds) {
          ev->ids.append(event.id);
          ev->ids.push_back('\n');
          ++ev->id_count;
        }
        const uint32_t h = org_code_hash(event.org);
        auto pos = std::lower_bound(ev->orgs.begin(), ev->orgs.end(), h);
        if ((pos == ev->orgs.end() || *pos != h) && ev->orgs.size() < kMaxDistinctOrgs) {
          ev->orgs.insert(pos, h);
        }
      } else {
        // Take the id back out; its organisation may still have other reports
        // in the period, so the organisation set is left as it is.
        std::string needle(event.id);
        needle.push_back('\n');
        size_t at = 0;
        while ((at = ev->ids.find(needle, at)) != std::string::npos) {
          if (at == 0 || ev->ids[at - 1] == '\n') {
            ev->ids.erase(at, needle.size());
            --ev->id_count;
            break;
          }
          ++at;
        }
      }
    }
  }
  if (!late && sign > 0 && config_.early_alarms) check_early_alarm(it->first, s, period, now, out);
  state_.mark_dirty(it->first, s);
}

void CountDetector::trim(Series& s) const {
  // The next period judged needs history_length periods before it, and its
  // series the windows of the kMaxSeriesPoints - 1 periods before that.
  const int32_t keep_from = state_.closed_through() + 1 -
                            static_cast<int32_t>(method_->history_length()) -
                            static_cast<int32_t>(kMaxSeriesPoints - 1);
  if (s.first_period >= keep_from) return;
  const int64_t drop = static_cast<int64_t>(keep_from) - s.first_period;
  if (drop >= static_cast<int64_t>(s.counts.size())) {
    s.counts.clear();
  } else {
    s.counts.erase(s.counts.begin(), s.counts.begin() + drop);
  }
  s.first_period = keep_from;
}

void CountDetector::advance(Date stream_time, std::vector<Signal>& out) {
  if (!state_.started()) return;
  state_.set_stream_time(stream_time);
  while (period_end(config_.period, state_.closed_through() + 1).days + config_.grace_days <
         stream_time.days) {
    close_period(state_.closed_through() + 1, stream_time, out);
  }
}

void CountDetector::close_period(int32_t period, Date stream_time, std::vector<Signal>& out) {
  state_.set_closed_through(period);
  const int32_t history = static_cast<int32_t>(method_->history_length());
  const bool enough_history = period - history >= state_.first_period();

  // Only keys that could alarm, or that have an episode to continue, are
  // evaluated; visiting them in key order keeps the output deterministic.
  std::vector<std::pair<std::string_view, Series*>> candidates;
  for (auto& [key, s] : state_.records()) {
    if (s.erased) continue;
    const int64_t observed = count_at(s.counts, s.first_period, period);
    if (observed >= config_.min_observed || s.episode.open) candidates.emplace_back(key, &s);
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });

  if (!enough_history) candidates.clear();
  struct Judged {
    SeriesPoint point;
    int64_t observed = 0;
    bool alarm = false;
  };
  std::vector<Judged> judged(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    Series& s = *candidates[i].second;
    fill_window(s, period);
    judged[i].observed = count_at(s.counts, s.first_period, period);
    judged[i].point = method_->evaluate(window_);
    judged[i].alarm = is_alarm(judged[i].point, judged[i].observed);
  }
  if (config_.fdr > 0) {
    // Every series judged with at least min_observed reports is one test.
    std::vector<double> p_values;
    for (const Judged& j : judged) {
      if (j.observed >= config_.min_observed && !std::isnan(j.point.upperbound)) {
        p_values.push_back(j.point.p_value);
      }
    }
    const double cutoff = benjamini_hochberg_cutoff(std::move(p_values), config_.fdr);
    for (Judged& j : judged) {
      j.alarm = j.observed >= config_.min_observed && !std::isnan(j.point.upperbound) &&
                !std::isnan(j.point.p_value) && j.point.p_value <= cutoff;
    }
  }

  for (size_t i = 0; i < candidates.size(); ++i) {
    const std::string_view key = candidates[i].first;
    Series& s = *candidates[i].second;
    const Judged& j = judged[i];
    std::optional<SignalType> transition;
    DetectionReason reason = DetectionReason::kClosed;
    if (s.episode.provisional) {
      // Only the provisional period's own verdict settles it.
      if (period != s.episode.start_period) continue;
      transition = s.episode.settle_provisional(j.alarm, j.observed);
      reason = j.alarm ? DetectionReason::kConfirmed : DetectionReason::kWithdrawn;
    } else {
      transition = s.episode.step(j.alarm, j.observed, period, config_.lifecycle);
      if (transition == SignalType::kResolved) reason = DetectionReason::kQuiet;
    }
    if (transition) {
      out.push_back(make_signal(key, s, *transition, period, j.point, j.observed, stream_time,
                                Detection{false, reason}));
    }
    // An open episode changes on every evaluation, transition or not (its
    // quiet count), and that change must reach the store: a restart would
    // otherwise forget quiet periods and resolve late.
    if (transition || s.episode.open) state_.mark_dirty(key, s);
  }

  if (period % kSweepEvery == 0) {
    for (auto& [key, s] : state_.records()) {
      if (s.erased || s.episode.open) continue;
      trim(s);
      const bool silent = std::all_of(s.counts.begin(), s.counts.end(), [](uint32_t c) { return c == 0; });
      if (silent) {
        s.erased = true;
        state_.mark_dirty(key, s);
      }
    }
  }
}

bool CountDetector::is_alarm(const SeriesPoint& point, int64_t observed) const {
  return point.alarm && !std::isnan(point.upperbound) && observed >= config_.min_observed;
}

SignalSeries CountDetector::make_series(const Series& s, int32_t period,
                                        const SeriesPoint& judged) const {
  const int32_t history = static_cast<int32_t>(method_->history_length());
  const int32_t first =
      std::max(period - static_cast<int32_t>(kMaxSeriesPoints) + 1, state_.first_period());
  SignalSeries series;
  series.measure = "count";
  series.points.reserve(static_cast<size_t>(period - first + 1));
  std::vector<double> window(static_cast<size_t>(history) + 1);
  for (int32_t p = first; p <= period; ++p) {
    PeriodPoint point;
    point.start = period_start(config_.period, p);
    point.end = period_end(config_.period, p);
    const int64_t observed = count_at(s.counts, s.first_period, p);
    point.value = static_cast<double>(observed);
    // A period whose window reaches before the stream was never judged.
    if (p - history >= state_.first_period()) {
      SeriesPoint verdict = judged;
      if (p != period) {
        for (int32_t i = 0; i <= history; ++i) {
          window[static_cast<size_t>(i)] = count_at(s.counts, s.first_period, p - history + i);
        }
        verdict = method_->evaluate(window);
      }
      point.expected = verdict.expected;
      point.threshold = verdict.upperbound;
      point.flagged = is_alarm(verdict, observed);
    }
    series.points.push_back(point);
  }
  return series;
}

Signal CountDetector::make_signal(std::string_view key, const Series& s, SignalType type,
                                  int32_t period, const SeriesPoint& point, int64_t observed,
                                  Date stream_time, Detection detection) const {
  Signal sig;
  sig.type = type;
  sig.key = key_parts(config_.dimensions, key);
  sig.signal_id = make_signal_id(config_.name, sig.key,
                                 format_date(period_start(config_.period, s.episode.start_period)));
  sig.sequence = s.episode.sequence;
  sig.detector = config_.name;
  sig.method = std::string(method_->name());
  sig.period_start = period_start(config_.period, period);
  sig.period_end = period_end(config_.period, period);
  sig.fired_at = stream_time;
  sig.observed = observed;
  sig.expected = point.expected;
  sig.threshold = point.upperbound;
  sig.score = point.score;
  sig.severity = config_.severity;
  sig.detection = detection;
  if (type != SignalType::kResolved && !std::isnan(point.upperbound) &&
      static_cast<double>(observed) >= 2.0 * point.upperbound && point.upperbound > 0) {
    sig.severity = raise_one(sig.severity);
  }
  sig.evidence_count = observed;
  for (const auto& ev : s.evidence) {
    if (ev.period != period) continue;
    sig.evidence_orgs = static_cast<int64_t>(ev.orgs.size());
    if (type != SignalType::kResolved) sig.strata = strata_.breakdown(ev.strata);
    std::string_view ids = ev.ids;
    while (!ids.empty()) {
      const size_t nl = ids.find('\n');
      sig.event_ids.emplace_back(ids.substr(0, nl));
      ids.remove_prefix(nl == std::string_view::npos ? ids.size() : nl + 1);
    }
  }
  std::sort(sig.event_ids.begin(), sig.event_ids.end());
  sig.series = make_series(s, period, point);

  const std::string unit = config_.period == PeriodUnit::kWeek ? "week" : "day";
  const std::string when = unit + " of " + format_date(sig.period_start);
  std::string where;
  for (const auto& [k, v] : sig.key) {
    if (!where.empty()) where += ", ";
    where += k + " " + v;
  }
  const std::string above = " above the " + sig.method + " threshold of " +
                            format_number(point.upperbound) + " (expected " +
                            format_number(point.expected) + ")";
  const std::string counted = std::to_string(observed) + " " + config_.filter.describe() + " for " +
                              where + " in the " + when;
  switch (detection.reason) {
    case DetectionReason::kEarly:
      sig.summary = "Provisional: " + counted + " so far (the " + unit +
                    " is still open)," + above + ".";
      break;
    case DetectionReason::kConfirmed:
      sig.summary = "Confirmed now the " + unit + " has closed: " + counted + "," + above + ".";
      break;
    case DetectionReason::kWithdrawn:
      sig.summary = "Withdrawn: the provisional alarm for " + where + " in the " + when +
                    " was not confirmed when the " + unit + " closed (" + std::to_string(observed) +
                    " " + config_.filter.describe() + ", threshold " +
                    format_number(point.upperbound) + ").";
      break;
    case DetectionReason::kClosed:
      sig.summary = counted + "," + above + (type == SignalType::kUpdated ? "; still rising" : "") + ".";
      break;
    case DetectionReason::kQuiet:
      sig.summary = "Back within the expected range for " + where + ": " + std::to_string(observed) +
                    " " + config_.filter.describe() + " in the " + when + " (threshold " +
                    format_number(point.upperbound) + ").";
      break;
  }
  return sig;
}

void CountDetector::save(StateBatch& batch) {
  state_.save(batch, [&](Series& s, std::string& out) {
    trim(s);
    encode_series(s, out);
  });
}

void CountDetector::encode_series(const Series& s, std::string& out) {
  append_varint(out, static_cast<uint32_t>(s.first_period));
  append_varints(out, s.counts);
  s.episode.encode(out);
  append_varint(out, s.evidence.size());
  for (const auto& e : s.evidence) {
    append_varint(out, static_cast<uint32_t>(e.period));
    append_varint(out, e.id_count);
    append_bytes(out, e.ids);
    append_varints(out, e.orgs);
  }
  // Strata counters last, so state written before they existed still reads.
  for (const auto& e : s.evidence) append_varints(out, e.strata);
}

bool CountDetector::decode_series(std::string_view in, Series& s) {
  auto first = read_varint(in);
  if (!first || !read_varints(in, s.counts)) return false;
  s.first_period = static_cast<int32_t>(static_cast<uint32_t>(*first));
  const bool evidence =
      s.episode.decode(in) && read_list(in, s.evidence, [](std::string_view& rest, auto& e) {
        const auto period = read_varint(rest);
        const auto count = period ? read_varint(rest) : std::nullopt;
        const auto ids = count ? read_bytes(rest) : std::nullopt;
        if (!ids || !read_varints(rest, e.orgs)) return false;
        e.period = static_cast<int32_t>(static_cast<uint32_t>(*period));
        e.id_count = static_cast<uint32_t>(*count);
        e.ids.assign(*ids);
        return true;
      });
  if (!evidence) return false;
  if (in.empty()) return true;
  for (auto& e : s.evidence) {
    if (!read_varints(in, e.strata)) return false;
  }
  return in.empty();
}

}  // namespace vigil

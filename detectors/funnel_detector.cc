#include "detectors/funnel_detector.h"

#include <algorithm>
#include <cmath>

#include "detectors/funnel_limits.h"

namespace vigil {

Result<std::unique_ptr<FunnelDetector>> FunnelDetector::create(FunnelConfig config,
                                                               int32_t partition,
                                                               ColumnFamilyId cf) {
  if (config.unit.empty()) return config_error(config.name, "needs at least one unit dimension");
  if (config.adjust_by && !config.denominators.empty()) {
    return config_error(config.name, "adjust_by and denominators cannot be combined");
  }
  if (!(config.coverage > 0.5 && config.coverage < 1)) {
    return config_error(config.name, "coverage must be in (0.5, 1)");
  }
  if (!(config.min_expected > 0)) return config_error(config.name, "min_expected must be positive");
  if (config.window.window_weeks < 1 || config.window.window_weeks > 104) {
    return config_error(config.name, "window_weeks must be 1..104");
  }
  for (const auto& [unit, d] : config.denominators) {
    if (!(d > 0) || !std::isfinite(d)) {
      return config_error(config.name, "denominator of " + unit + " must be positive");
    }
  }
  return std::unique_ptr<FunnelDetector>(new FunnelDetector(std::move(config), partition, cf));
}

FunnelDetector::FunnelDetector(FunnelConfig config, int32_t partition, ColumnFamilyId cf)
    : WindowedDetector(config.name, partition, cf, kOutcomeMeasures, config.window.window_weeks,
                       config.window.grace_days),
      config_(std::move(config)) {}

bool FunnelDetector::count_event(const IncidentEvent& event, int32_t week, int sign) {
  const auto counted = count_outcome(event, config_.population, config_.outcome);
  if (!counted) return false;
  if (config_.adjust_by) {
    strata_.clear();
    stratum_scratch_.clear();
    dimension_values(event, *config_.adjust_by, strata_, stratum_scratch_);
  }
  for_each_key(event, config_.unit, key_state_, [&](std::string_view key) {
    table_.add(key, week, counted->mask, sign, counted->evidence);
    if (!config_.adjust_by || strata_.empty()) return;
    // Case mix: the unit's counts per stratum, for its expected count. A
    // multi-valued stratum dimension is counted under its first value only,
    // so each report is counted once.
    stratum_key_.assign(key);
    stratum_key_.push_back(kStratumSeparator);
    stratum_key_.append(strata_.front());
    table_.add(stratum_key_, week, counted->mask, sign, nullptr);
  });
  return true;
}

FunnelPlot funnel_plot(std::span<const JudgedKey> units, std::span<const size_t> by_expected,
                       size_t own, const FunnelJudge& judge, double coverage,
                       const std::vector<Dimension>& unit_dimensions) {
  std::vector<size_t> shown;
  shown.reserve(std::min(by_expected.size(), kMaxFunnelPoints) + 1);
  shown.push_back(own);
  for (size_t i : by_expected) {
    if (shown.size() >= kMaxFunnelPoints) break;
    if (i != own) shown.push_back(i);
  }
  std::sort(shown.begin(), shown.end());  // unit order
  FunnelPlot plot;
  plot.coverage = coverage;
  plot.points.reserve(shown.size());
  for (size_t i : shown) {
    const JudgedKey& u = units[i];
    FunnelPoint point;
    for (const auto& [dimension, value] : key_parts(unit_dimensions, u.key)) {
      if (!point.unit.empty()) point.unit += ',';
      point.unit += value;
    }
    point.observed = static_cast<int64_t>(u.observed);
    point.expected = u.expected;
    const RatioLimits limits = judge.limits(u.expected);
    point.lower = limits.lower;
    point.upper = limits.upper;
    plot.points.push_back(std::move(point));
  }
  return plot;
}

void FunnelDetector::judge(int32_t week, Date stream_time, std::vector<Signal>& out) {
  const int32_t from = week - table_.window() + 1;

  // Units and their case-mix strata, in key order.
  std::vector<JudgedKey> units;
  std::map<std::string_view, std::pair<double, double>> strata_totals;  // stratum -> (n, O)
  std::vector<std::tuple<size_t, std::string_view, double>> unit_strata;  // (unit, stratum, n)
  for (const JudgedKey& k : judged_keys(table_, from, week)) {
    const size_t sep = k.key.find(kStratumSeparator);
    if (sep == std::string_view::npos) {
      units.push_back(k);
      continue;
    }
    const std::string_view stratum = k.key.substr(sep + 1);
    auto& totals = strata_totals[stratum];
    totals.first += k.population;
    totals.second += k.observed;
    // Keys sort unit first, then "unit\x1e..." right after it.
    if (!units.empty() && units.back().key == k.key.substr(0, sep)) {
      unit_strata.emplace_back(units.size() - 1, stratum, k.population);
    }
  }

  if (!config_.denominators.empty()) {
    double total_o = 0;
    double total_d = 0;
    for (const JudgedKey& u : units) {
      auto d = config_.denominators.find(u.key);
      if (d == config_.denominators.end()) continue;
      total_o += u.observed;
      total_d += d->second;
    }
    for (JudgedKey& u : units) {
      auto d = config_.denominators.find(u.key);
      u.expected = d == config_.denominators.end() || total_d == 0 ? 0 : d->second * total_o / total_d;
    }
  } else if (config_.adjust_by) {
    for (const auto& [unit, stratum, n] : unit_strata) {
      const auto& [sn, so] = strata_totals[stratum];
      if (sn > 0) units[unit].expected += n * so / sn;
    }
  } else {
    double total_n = 0;
    double total_o = 0;
    for (const JudgedKey& u : units) {
      total_n += u.population;
      total_o += u.observed;
    }
    for (JudgedKey& u : units) u.expected = total_n > 0 ? u.population * total_o / total_n : 0;
  }

  const FunnelJudge funnel(units, config_.min_expected, config_.coverage, config_.overdispersion);
  const double tau2 = funnel.tau2();
  // The units a signal's funnel plot shows (data.funnel), largest expected
  // first, made when the first signal of the week needs them.
  std::vector<size_t> plotted;
  const auto make_plot = [&](size_t own) {
    if (plotted.empty()) {
      for (size_t i = 0; i < units.size(); ++i) {
        if (funnel.judged(units[i].expected)) plotted.push_back(i);
      }
      std::stable_sort(plotted.begin(), plotted.end(), [&](size_t a, size_t b) {
        return units[a].expected > units[b].expected;
      });
    }
    return funnel_plot(units, plotted, own, funnel, config_.coverage, config_.unit);
  };
  for (size_t index = 0; index < units.size(); ++index) {
    JudgedKey& u = units[index];
    RollingTable::Row& row = *u.row;
    const bool judged = funnel.judged(u.expected);
    if (!judged && !row.episode.open) continue;
    const auto [lower, upper] = funnel.limits(u.expected);
    const double ratio = u.expected > 0 ? u.observed / u.expected : 0;
    const bool high = judged && ratio > upper &&
                      (config_.sides == FunnelSides::kHigh || config_.sides == FunnelSides::kBoth);
    const bool low = judged && ratio < lower &&
                     (config_.sides == FunnelSides::kLow || config_.sides == FunnelSides::kBoth);
    const auto observed = static_cast<int64_t>(u.observed);
    const auto transition =
        row.episode.step(high || low, observed, week, config_.window.lifecycle);
    if (transition || row.episode.open) table_.mark_dirty(u.key, row);
    if (!transition) continue;

    Signal s = window_signal(config_.name, "funnel", key_parts(config_.unit, u.key), row.episode,
                             *transition, from, week, stream_time, config_.window.severity);
    s.observed = observed;
    s.expected = u.expected;
    s.threshold = (low ? lower : upper) * u.expected;
    s.score = ratio;
    s.evidence_count = observed;
    add_window_evidence(s, table_, row, from, week);
    s.statistics = {{"ratio", ratio}, {"lower_limit", lower}, {"upper_limit", upper},
                    {"tau2", tau2}, {"population", u.population}};
    s.funnel = make_plot(index);
    std::string where;
    for (const auto& [k, v] : s.key) where += (where.empty() ? "" : ", ") + k + " " + v;
    const std::string span = std::to_string(table_.window()) + " weeks to " +
                             format_date(week_end(week));
    const std::string what = config_.outcome.describe();
    if (*transition == SignalType::kResolved) {
      s.summary = where + " is back within the funnel: " + std::to_string(observed) + " " + what +
                  " in the " + span + ", " + format_ratio(ratio) + " times the " +
                  format_ratio(u.expected, 1) + " expected.";
    } else {
      s.summary = where + ": " + std::to_string(observed) + " " + what + " in the " + span +
                  ", " + format_ratio(ratio) + " times the " + format_ratio(u.expected, 1) +
                  " expected from its volume, " + (low ? "below" : "above") + " the " +
                  format_ratio(config_.coverage * 100, 1) + "% funnel limit of " +
                  format_ratio(low ? lower : upper) + ".";
    }
    out.push_back(std::move(s));
  }
}

}  // namespace vigil

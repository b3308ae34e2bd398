#include "detectors/inequality_detector.h"

#include <cmath>
#include <map>

#include "detectors/funnel_limits.h"

namespace vigil {
namespace {

// The group of a cell's key: every key part but the last, the stratum value.
std::string_view group_of(std::string_view key) {
  const size_t sep = key.rfind(kKeySeparator);
  return sep == std::string_view::npos ? std::string_view{} : key.substr(0, sep);
}

}  // namespace

Result<std::unique_ptr<InequalityDetector>> InequalityDetector::create(InequalityConfig config,
                                                                       int32_t partition,
                                                                       ColumnFamilyId cf) {
  if (is_multi_valued(config.stratum)) {
    return config_error(config.name,
                        "stratum must be a single-valued dimension (ethnicity, imd_quintile, age_band, sex, ...)");
  }
  for (Dimension d : config.group_by) {
    if (d == config.stratum) {
      return config_error(config.name, "stratum cannot also be a group_by dimension");
    }
  }
  if (!(config.coverage > 0.5 && config.coverage < 1)) {
    return config_error(config.name, "coverage must be in (0.5, 1)");
  }
  if (config.min_observed < 1) return config_error(config.name, "min_observed must be at least 1");
  if (!(config.min_expected > 0)) return config_error(config.name, "min_expected must be positive");
  if (config.window.window_weeks < 1 || config.window.window_weeks > 104) {
    return config_error(config.name, "window_weeks must be 1..104");
  }
  return std::unique_ptr<InequalityDetector>(
      new InequalityDetector(std::move(config), partition, cf));
}

InequalityDetector::InequalityDetector(InequalityConfig config, int32_t partition,
                                       ColumnFamilyId cf)
    : WindowedDetector(config.name, partition, cf, kOutcomeMeasures, config.window.window_weeks,
                       config.window.grace_days),
      config_(std::move(config)) {
  dimensions_ = config_.group_by;
  dimensions_.push_back(config_.stratum);
}

bool InequalityDetector::count_event(const IncidentEvent& event, int32_t week, int sign) {
  const auto counted = count_outcome(event, config_.population, config_.outcome);
  if (!counted) return false;
  for_each_key(event, dimensions_, key_state_, [&](std::string_view key) {
    table_.add(key, week, counted->mask, sign, counted->evidence);
  });
  return true;
}

void InequalityDetector::judge(int32_t week, Date stream_time, std::vector<Signal>& out) {
  const int32_t from = week - table_.window() + 1;
  std::vector<JudgedKey> cells = judged_keys(table_, from, week);
  std::map<std::string_view, std::pair<double, double>> groups;  // group -> (n, O)
  for (const JudgedKey& c : cells) {
    auto& g = groups[group_of(c.key)];
    g.first += c.population;
    g.second += c.observed;
  }
  for (JudgedKey& c : cells) {
    const auto& [group_n, group_o] = groups[group_of(c.key)];
    const double rest_n = group_n - c.population;
    const double rest_o = group_o - c.observed;
    c.expected = rest_n > 0 ? c.population * rest_o / rest_n : 0;
  }
  const FunnelJudge funnel(cells, config_.min_expected, config_.coverage, config_.overdispersion);
  const double tau2 = funnel.tau2();
  for (JudgedKey& c : cells) {
    RollingTable::Row& row = *c.row;
    const bool judged = funnel.judged(c.expected);
    if (!judged && !row.episode.open) continue;
    const double upper = funnel.limits(c.expected).upper;
    const double ratio = c.expected > 0 ? c.observed / c.expected : 0;
    const auto observed = static_cast<int64_t>(c.observed);
    const bool alarm = judged && ratio > upper && observed >= config_.min_observed;
    const auto transition = row.episode.step(alarm, observed, week, config_.window.lifecycle);
    // The cell's series (data.series): its ratio to the rest of its group
    // against the funnel's upper limit, week by week.
    table_.record_judgement(c.key, row, {week, ratio, NAN, upper, alarm});
    if (!transition) continue;

    Signal s = window_signal(config_.name, "inequality", key_parts(dimensions_, c.key),
                             row.episode, *transition, from, week, stream_time,
                             config_.window.severity);
    s.observed = observed;
    s.expected = c.expected;
    s.threshold = upper * c.expected;
    s.score = ratio;
    s.evidence_count = observed;
    add_window_evidence(s, table_, row, from, week);
    s.series = judged_series("ratio", row, table_.window());
    const auto& [group_n, group_o] = groups[group_of(c.key)];
    const double n = c.population;
    const double rate = n > 0 ? c.observed / n : 0;
    const double rest_rate = group_n > n ? (group_o - c.observed) / (group_n - n) : 0;
    s.statistics = {{"ratio", ratio},       {"upper_limit", upper}, {"tau2", tau2},
                    {"stratum_reports", n}, {"stratum_rate", rate}, {"rest_rate", rest_rate}};
    std::string stratum;
    std::string group;
    for (size_t i = 0; i < s.key.size(); ++i) {
      const auto& [k, v] = s.key[i];
      if (i + 1 == s.key.size()) {
        stratum = k + " " + v;
      } else {
        group += (group.empty() ? "" : ", ") + k + " " + v;
      }
    }
    const std::string span = std::to_string(table_.window()) + " weeks to " +
                             format_date(week_end(week));
    const std::string what = config_.outcome.describe();
    if (*transition == SignalType::kResolved) {
      s.summary = "Patients of " + stratum + (group.empty() ? "" : " in " + group) +
                  " are back within the funnel: " + std::to_string(observed) + " " + what +
                  " in the " + span + ", " + format_ratio(ratio) + " times the rate of the rest.";
    } else {
      s.summary = std::to_string(observed) + " " + what + " among patients of " + stratum +
                  (group.empty() ? "" : " in " + group) + " in the " + span + ": " +
                  format_ratio(100 * rate, 1) + "% of their reports against " +
                  format_ratio(100 * rest_rate, 1) + "% for everyone else (" +
                  format_ratio(ratio) + " times, above the " +
                  format_ratio(config_.coverage * 100, 1) + "% funnel limit of " +
                  format_ratio(upper) + ").";
    }
    out.push_back(std::move(s));
  }
}

}  // namespace vigil

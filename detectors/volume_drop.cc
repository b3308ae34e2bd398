#include "detectors/volume_drop.h"

#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <cmath>

namespace vigil {

double volume_lower_tail(double observed, double weekly_mean, double weekly_variance,
                         int32_t weeks) {
  const double mu = weekly_mean * weeks;
  const double var = weekly_variance * weeks;
  if (mu <= 0) return 1.0;
  const double y = std::floor(observed);
  if (var <= mu * (1 + 1e-9)) return boost::math::cdf(boost::math::poisson(mu), y);
  // Mean mu, variance mu + mu^2/r: r = mu^2 / (var - mu), success probability r / (r + mu).
  const double r = mu * mu / (var - mu);
  return boost::math::cdf(boost::math::negative_binomial(r, r / (r + mu)), y);
}

Result<std::unique_ptr<VolumeDropDetector>> VolumeDropDetector::create(VolumeDropConfig config,
                                                                       int32_t partition,
                                                                       ColumnFamilyId cf) {
  if (config.unit.empty()) return config_error(config.name, "needs at least one unit dimension");
  if (config.baseline_weeks < 4 || config.baseline_weeks > 156) {
    return config_error(config.name, "baseline_weeks must be 4..156");
  }
  if (config.recent_weeks < 1 || config.recent_weeks > 26) {
    return config_error(config.name, "recent_weeks must be 1..26");
  }
  if (config.grace_days < 0 || config.grace_days > 366) {
    return config_error(config.name, "grace_days must be 0..366");
  }
  if (!(config.alpha > 0 && config.alpha < 0.5)) {
    return config_error(config.name, "alpha must be in (0, 0.5)");
  }
  if (!(config.max_ratio > 0 && config.max_ratio < 1)) {
    return config_error(config.name, "max_ratio must be in (0, 1)");
  }
  if (!(config.min_expected >= 1)) {
    return config_error(config.name, "min_expected must be at least 1");
  }
  return std::unique_ptr<VolumeDropDetector>(
      new VolumeDropDetector(std::move(config), partition, cf));
}

VolumeDropDetector::VolumeDropDetector(VolumeDropConfig config, int32_t partition,
                                       ColumnFamilyId cf)
    : WindowedDetector(config.name, partition, cf, 1, config.baseline_weeks + config.recent_weeks,
                       config.grace_days),
      config_(std::move(config)) {}

bool VolumeDropDetector::count_event(const IncidentEvent& event, int32_t week, int sign) {
  if (!config_.filter.matches(event)) return false;
  // A revision moves its report to the week it was resubmitted; volume is
  // about submissions, and the two cancel within a week.
  for_each_key(event, config_.unit, key_state_,
               [&](std::string_view key) { table_.add(key, week, 1u, sign, nullptr); });
  return true;
}

void VolumeDropDetector::judge(int32_t week, Date stream_time, std::vector<Signal>& out) {
  const int32_t window = table_.window();
  const int32_t baseline_from = week - window + 1;
  const int32_t recent_from = week - config_.recent_weeks + 1;
  for (auto& [key, row] : table_.rows_in_order()) {
    // A unit is judged only against a whole baseline of its own: a new
    // organisation, or one merged in, is not "dropping" from nothing.
    if (row->born > baseline_from && !row->episode.open) continue;
    double mean = 0;
    for (int32_t w = baseline_from; w < recent_from; ++w) mean += table_.count_at(*row, w, 0);
    mean /= config_.baseline_weeks;
    double variance = 0;
    for (int32_t w = baseline_from; w < recent_from; ++w) {
      const double d = table_.count_at(*row, w, 0) - mean;
      variance += d * d;
    }
    variance /= config_.baseline_weeks - 1;
    int64_t recent = 0;
    for (int32_t w = recent_from; w <= week; ++w) recent += table_.count_at(*row, w, 0);
    const double expected = mean * config_.recent_weeks;
    const double tail = volume_lower_tail(static_cast<double>(recent), mean, variance,
                                          config_.recent_weeks);
    bool alarm = false;
    if (row->episode.open) {
      alarm = static_cast<double>(recent) < config_.max_ratio * row->reference;
    } else {
      alarm = expected >= config_.min_expected &&
              static_cast<double>(recent) <= config_.max_ratio * expected && tail < config_.alpha;
    }
    const double reference = row->episode.open ? row->reference : expected;
    // Episodes grow with the shortfall: an update when the missing reports
    // have grown by the lifecycle's factor.
    const auto shortfall = static_cast<int64_t>(std::llround(std::max(0.0, reference - recent)));
    const auto transition = row->episode.step(alarm, shortfall, week, config_.lifecycle);
    if (transition == SignalType::kRaised) row->reference = expected;
    // The week's point of the unit's series: the recent total against the
    // expected volume it was judged by (the raised reference while open).
    table_.record_judgement(key, *row,
                            {week, static_cast<double>(recent), reference,
                             config_.max_ratio * reference, alarm});
    if (!transition) continue;

    Signal s = window_signal(config_.name, "volume_drop", key_parts(config_.unit, key),
                             row->episode, *transition, recent_from, week, stream_time,
                             config_.severity);
    s.observed = recent;
    s.expected = row->reference;
    s.threshold = config_.max_ratio * row->reference;
    s.score = row->reference > 0 ? static_cast<double>(recent) / row->reference : 0.0;
    s.evidence_count = recent;
    s.evidence_orgs = 1;
    s.series = judged_series("count", *row, config_.recent_weeks);
    std::string where;
    for (const auto& [k, v] : s.key) where += (where.empty() ? "" : ", ") + k + " " + v;
    const std::string span = std::to_string(config_.recent_weeks) + " weeks to " +
                             format_date(week_end(week));
    if (*transition == SignalType::kResolved) {
      s.summary = "Reporting from " + where + " has recovered: " + std::to_string(recent) +
                  " reports in the " + span + " (about " + format_ratio(row->reference, 0) +
                  " expected before the drop).";
    } else {
      s.summary = "Reporting from " + where + " fell to " + std::to_string(recent) +
                  " reports in the " + span + ", against about " +
                  format_ratio(row->reference, 0) + " expected from its previous " +
                  std::to_string(config_.baseline_weeks) + " weeks (P = " +
                  format_ratio(tail, 6) + "); a trust that stops reporting may be missing harm.";
    }
    out.push_back(std::move(s));
  }
}

}  // namespace vigil

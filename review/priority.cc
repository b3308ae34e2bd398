#include "review/priority.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string_view>

namespace vigil {
namespace {

// The weights (README, "Signal review: the priority score"). Every part but
// recency is capped, so no one kind of evidence outranks all the others.
constexpr double kStrengthPointsPerDoubling = 10;      // per doubling beyond the threshold
constexpr double kStrengthMaxDoublings = 4;            // 16 times: 40 points at most
constexpr double kSeverityPoints[] = {0, 10, 20, 30};  // low, medium, high, critical
constexpr double kSpreadPointsPerDoubling = 4;         // per doubling of (1 + organisations)
constexpr double kSpreadOrgsMax = 20;                  // reached at 31 organisations
constexpr double kSpreadNationalKey = 8;               // key names no region, ICB or organisation
constexpr double kSpreadRegionalKey = 4;               // key names a region or ICB, no organisation
constexpr double kTrendPointsPerUpdate = 3;            // per updated transition of the episode
constexpr double kTrendUpdatesMax = 3;
constexpr double kTrendPointsPerDoubling = 3;  // rise of its series' last periods
constexpr double kTrendSeriesMaxDoublings = 2;
constexpr size_t kTrendRecentPeriods = 2;   // the last periods, against
constexpr size_t kTrendEarlierPeriods = 4;  // the periods before them

double clamp_points(double doublings, double max_doublings, double points_per_doubling) {
  if (!std::isfinite(doublings)) return doublings > 0 ? max_doublings * points_per_doubling : 0;
  return std::clamp(doublings, 0.0, max_doublings) * points_per_doubling;
}

std::optional<double> statistic(const Signal& s, std::string_view name) {
  for (const auto& [n, v] : s.statistics) {
    if (n == name && std::isfinite(v)) return v;
  }
  return std::nullopt;
}

// Doublings of a disproportionality's lower bound above 1 (no association):
// EB05 for EBGM, else IC025 (already on the log2 scale, and reported by every
// disproportionality method), else the lower 95% limits of ROR or PRR.
double disproportionality_doublings(const Signal& s) {
  if (s.method == "ebgm") {
    if (auto eb05 = statistic(s, "eb05"); eb05 && *eb05 > 0) return std::log2(*eb05);
  }
  if (auto ic025 = statistic(s, "ic025")) return *ic025;
  for (std::string_view name : {"ror_lo95", "prr_lo95", "eb05"}) {
    if (auto v = statistic(s, name); v && *v > 0) return std::log2(*v);
  }
  return 0;
}

bool is_disproportionality(std::string_view method) {
  return method == "prr" || method == "ror" || method == "ic" || method == "ebgm";
}

// Doublings beyond the threshold. A threshold above expected is an upper
// limit (counts, funnel high side): observed/threshold. One below it is a
// lower limit (volume drop, funnel low side): threshold/observed.
double count_doublings(const Signal& s) {
  const double observed = static_cast<double>(s.observed);
  if (!std::isfinite(s.threshold) || s.threshold <= 0) return 0;
  const bool lower_limit = std::isfinite(s.expected) && s.threshold < s.expected;
  if (lower_limit) {
    return std::log2(s.threshold / std::max(observed, 0.5));  // no reports: as if half of one
  }
  return observed > 0 ? std::log2(observed / s.threshold) : 0;
}

double strength_points(const Signal& s) {
  const double doublings =
      is_disproportionality(s.method) ? disproportionality_doublings(s) : count_doublings(s);
  return clamp_points(doublings, kStrengthMaxDoublings, kStrengthPointsPerDoubling);
}

double severity_points(Severity severity) {
  switch (severity) {
    case Severity::kLow:
      return kSeverityPoints[0];
    case Severity::kMedium:
      return kSeverityPoints[1];
    case Severity::kHigh:
      return kSeverityPoints[2];
    case Severity::kCritical:
      return kSeverityPoints[3];
  }
  return 0;
}

double spread_points(const Signal& s) {
  const double orgs = static_cast<double>(std::max<int64_t>(s.evidence_orgs, 0));
  double points = std::min(kSpreadOrgsMax, kSpreadPointsPerDoubling * std::log2(1 + orgs));
  bool org = false;
  bool area = false;
  for (const auto& [dimension, value] : s.key) {
    org = org || dimension == "org";
    area = area || dimension == "region" || dimension == "icb";
  }
  if (!org) points += area ? kSpreadRegionalKey : kSpreadNationalKey;
  return points;
}

// How much the last periods of the series rose over the ones before, in
// doublings. Counts compare means; a log2-scale statistic (IC) compares
// differences; other statistics compare means when both are positive.
double series_rise(const SignalSeries& series) {
  const auto& p = series.points;
  if (p.size() < kTrendRecentPeriods + kTrendEarlierPeriods) return 0;
  const size_t recent_from = p.size() - kTrendRecentPeriods;
  const size_t earlier_from = recent_from - kTrendEarlierPeriods;
  double recent = 0;
  double earlier = 0;
  for (size_t i = earlier_from; i < recent_from; ++i) earlier += p[i].value;
  for (size_t i = recent_from; i < p.size(); ++i) recent += p[i].value;
  recent /= kTrendRecentPeriods;
  earlier /= kTrendEarlierPeriods;
  if (!std::isfinite(recent) || !std::isfinite(earlier)) return 0;
  if (series.measure.starts_with("ic")) return recent - earlier;
  if (recent <= 0) return 0;
  // A count rising from nothing: as if from half a report per period.
  return std::log2(recent / std::max(earlier, series.measure == "count" ? 0.5 : 1e-9));
}

double trend_points(const Signal& s) {
  if (s.type == SignalType::kResolved) return 0;  // nothing is rising any more
  const double updates = s.sequence > 1 ? static_cast<double>(s.sequence - 1) : 0;
  double points = std::min(updates, kTrendUpdatesMax) * kTrendPointsPerUpdate;
  if (s.series) {
    points +=
        clamp_points(series_rise(*s.series), kTrendSeriesMaxDoublings, kTrendPointsPerDoubling);
  }
  return points;
}

}  // namespace

PriorityParts priority_of(const Signal& s, Date as_of) {
  PriorityParts p;
  p.strength = strength_points(s);
  p.severity = severity_points(s.severity);
  p.spread = spread_points(s);
  p.trend = trend_points(s);
  p.recency = -kRecencyPointsPerDay * static_cast<double>(as_of.days - s.fired_at.days);
  p.total = p.strength + p.severity + p.spread + p.trend + p.recency;
  return p;
}

double rank_key(const Signal& s) {
  // priority_of(s, as_of).total + kRecencyPointsPerDay * as_of.days, with
  // as_of = fired_at: the recency terms cancel for every as_of.
  return priority_of(s, s.fired_at).total + kRecencyPointsPerDay * s.fired_at.days;
}

}  // namespace vigil

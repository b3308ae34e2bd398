#include "config/record_retention_config.h"

#include <algorithm>

#include "detectors/count_method.h"
#include "detectors/period.h"

namespace vigil {
namespace {

constexpr int32_t kDaysPerWeek = 7;

int32_t reach(const CountDetectorConfig& c) {
  const int32_t period_days = c.period == PeriodUnit::kDay ? 1 : kDaysPerWeek;
  auto method = make_count_method(c.method, c.params, periods_per_year(c.period));
  // An invalid method is refused by validation; its reach does not matter.
  const int32_t history = method ? static_cast<int32_t>(method.value()->history_length()) : 0;
  // The detector ignores periods before closed_through + 1 - history
  // (count_detector.cc); closed_through trails stream time by grace_days
  // and up to a period. One more period for the partial current one.
  return (history + 2) * period_days + c.grace_days;
}

int32_t reach(const SeverityRuleConfig& c) {
  return c.retain_days + c.group_days + c.resolve_after_days;
}

int32_t reach(const VolumeDropConfig& c) {
  return (c.baseline_weeks + c.recent_weeks + 2) * kDaysPerWeek + c.grace_days;
}

// Days before closed_through + 1 - baseline_days are ignored, and
// closed_through trails stream time by 1 + grace_days (reporting_silence.cc).
int32_t reach(const ReportingSilenceConfig& c) { return c.baseline_days + c.grace_days + 1; }

int32_t reach(const WindowSettings& w) { return (w.window_weeks + 2) * kDaysPerWeek + w.grace_days; }
int32_t reach(const FunnelConfig& c) { return reach(c.window); }
int32_t reach(const InequalityConfig& c) { return reach(c.window); }
int32_t reach(const DisproportionalityConfig& c) { return reach(c.window); }

int32_t reach(const TreeScanConfig& c) { return c.study_days + c.lag_days + 1; }
int32_t reach(const SpaceTimeScanConfig& c) { return c.study_days + c.lag_days + 1; }
// Days before closed_through + 2 - window - baseline are ignored, and
// closed_through trails stream time by a day (text_cluster.cc).
int32_t reach(const TextClusterConfig& c) { return c.window_days + c.baseline_days + 1; }

}  // namespace

int32_t detector_reach_days(const DetectorConfig& detector) {
  return std::visit([](const auto& c) { return reach(c); }, detector);
}

int32_t longest_detector_reach_days(const std::vector<DetectorConfig>& detectors) {
  int32_t longest = 0;
  for (const auto& d : detectors) longest = std::max(longest, detector_reach_days(d));
  return longest;
}

int32_t derived_record_retention_days(const std::vector<DetectorConfig>& detectors) {
  return longest_detector_reach_days(detectors) + kRecordRetentionGraceDays;
}

}  // namespace vigil

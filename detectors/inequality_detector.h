// Inequality: harm falling harder on one group of patients. Within each group
// (e.g. service area maternity, or a category), the outcome rate of every
// stratum of a patient dimension (ethnicity, IMD quintile, age band, sex) is
// compared with the rate of the rest of that group over a rolling window:
//   E = n_s × O_rest / n_rest, O = the stratum's outcome reports,
// and O/E is judged against funnel limits (exact Poisson, widened by the
// between-unit variance tau² estimated across every group × stratum, as in
// funnel_limits.h). Reports without the patient value form their own
// "unknown" stratum: missing data is a group, never dropped.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/detector.h"
#include "detectors/event_filter.h"
#include "detectors/key_dimension.h"
#include "detectors/report_window.h"

namespace vigil {

class InequalityDetector;

struct InequalityConfig : DetectorKind<InequalityDetector, "inequality"> {

  std::string name;
  std::vector<Dimension> group_by = {Dimension::kServiceArea};
  Dimension stratum = Dimension::kEthnicity;
  EventFilter population;
  EventFilter outcome;
  double coverage = 0.998;
  bool overdispersion = true;
  int64_t min_observed = 5;
  double min_expected = 2;
  WindowSettings window;
};

class InequalityDetector final : public WindowedDetector {
 public:
  static Result<std::unique_ptr<InequalityDetector>> create(InequalityConfig config,
                                                            int32_t partition, ColumnFamilyId cf);

  const std::string& name() const override { return config_.name; }

 private:
  InequalityDetector(InequalityConfig config, int32_t partition, ColumnFamilyId cf);
  bool count_event(const IncidentEvent& event, int32_t week, int sign) override;
  void judge(int32_t week, Date stream_time, std::vector<Signal>& out) override;

  InequalityConfig config_;
  std::vector<Dimension> dimensions_;  // group_by then the stratum
  KeyBuilderState key_state_;
};

}  // namespace vigil

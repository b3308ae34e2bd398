// Volume drop: an organisation whose reporting falls far below its own
// history. A trust that stops reporting (a failed system switch, a backlog,
// a culture problem) is itself a patient-safety signal.
//
// Reports are counted per key (organisation by default) per ISO week of
// *submission* (reported_at): reporting volume is about when reports arrive,
// and organisations that upload in batches are judged on what they upload.
// Each closed week, the last `recent_weeks` are compared with the
// `baseline_weeks` before them: with baseline mean m and variance v per week,
// the recent total Y is modelled as negative binomial with mean k·m and
// variance k·v (Poisson when v ≤ m), so a batch uploader's lumpy weeks do not
// look like a drop. A drop is signalled when
//   k·m ≥ min_expected, Y ≤ max_ratio · k·m, and P(Y' ≤ Y) < alpha.
// An open signal stays open while Y < max_ratio × the expected volume at the
// time it was raised (the baseline itself fills with silent weeks), and
// resolves when reporting has come back above that.
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

class VolumeDropDetector;

struct VolumeDropConfig : DetectorKind<VolumeDropDetector, "volume_drop"> {

  std::string name;
  std::vector<Dimension> unit = {Dimension::kOrg};
  EventFilter filter;  // which reports count as volume; default all
  int32_t baseline_weeks = 26;
  int32_t recent_weeks = 3;
  int32_t grace_days = 3;
  double alpha = 0.001;
  double max_ratio = 0.5;
  double min_expected = 30;
  Severity severity = Severity::kMedium;
  LifecyclePolicy lifecycle;
};

class VolumeDropDetector final : public WindowedDetector {
 public:
  static Result<std::unique_ptr<VolumeDropDetector>> create(VolumeDropConfig config,
                                                            int32_t partition, ColumnFamilyId cf);

  const std::string& name() const override { return config_.name; }

 private:
  VolumeDropDetector(VolumeDropConfig config, int32_t partition, ColumnFamilyId cf);
  // Volume is about when reports arrive: a report counts in its week of
  // submission (reported_at).
  Date counted_on(const IncidentEvent& event) const override { return event.reported_on; }
  bool count_event(const IncidentEvent& event, int32_t week, int sign) override;
  void judge(int32_t week, Date stream_time, std::vector<Signal>& out) override;

  VolumeDropConfig config_;
  KeyBuilderState key_state_;
};

// P(Y ≤ observed) for the recent total under the baseline's mean and
// variance per week over `weeks` weeks (negative binomial, or Poisson when
// the baseline is not overdispersed). Exposed for tests.
double volume_lower_tail(double observed, double weekly_mean, double weekly_variance, int32_t weeks);

}  // namespace vigil

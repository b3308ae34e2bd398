// Funnel plot per organisation (Spiegelhalter 2005, with the SHMI
// overdispersion adjustment): each week, over a rolling window, every unit's
// observed count of outcome reports O (e.g. moderate-or-worse harm) is
// compared with the count E expected from its own volume:
//   - E = n_i × p, p the national proportion (n = the unit's population
//     reports), or, with `adjust_by`, indirectly standardised:
//     E = Σ_s n_is × p_s over the strata s of that dimension (case mix);
//   - or, with `denominators` (e.g. bed days per organisation),
//     E = d_i × ΣO/Σd over the units that have one.
// The ratio O/E is judged against exact Poisson limits, widened by the
// between-unit variance tau² estimated from all units each week
// (funnel_limits.h). A unit outside the limits on a configured side
// (high by default) is a signal.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/detector.h"
#include "detectors/event_filter.h"
#include "detectors/key_dimension.h"
#include "detectors/report_window.h"

namespace vigil {

enum class FunnelSides : uint8_t { kHigh, kLow, kBoth };

class FunnelDetector;

struct FunnelConfig : DetectorKind<FunnelDetector, "funnel"> {

  std::string name;
  std::vector<Dimension> unit = {Dimension::kOrg};
  EventFilter population;  // the reports a unit is judged on (the denominator)
  EventFilter outcome;     // the subset counted as O (only its harm, record type,
                           // category and agent conditions apply, on top of population)
  std::optional<Dimension> adjust_by;
  std::map<std::string, double, std::less<>> denominators;  // unit key -> denominator
  double coverage = 0.998;
  bool overdispersion = true;
  double min_expected = 10;
  FunnelSides sides = FunnelSides::kHigh;
  WindowSettings window;
};

class FunnelDetector final : public WindowedDetector {
 public:
  static Result<std::unique_ptr<FunnelDetector>> create(FunnelConfig config, int32_t partition,
                                                        ColumnFamilyId cf);

  const std::string& name() const override { return config_.name; }

 private:
  FunnelDetector(FunnelConfig config, int32_t partition, ColumnFamilyId cf);
  bool count_event(const IncidentEvent& event, int32_t week, int sign) override;
  void judge(int32_t week, Date stream_time, std::vector<Signal>& out) override;

  FunnelConfig config_;
  KeyBuilderState key_state_;
  std::vector<std::string_view> strata_;
  std::string stratum_scratch_;
  std::string stratum_key_;
};

class FunnelJudge;

// The funnel plot a signal on units[own] carries (data.funnel): that unit
// and the units of `by_expected` (the judged ones, largest expected first)
// up to kMaxFunnelPoints in all, in unit order, each with the ratio limits
// at its expected count. Exposed for tests.
FunnelPlot funnel_plot(std::span<const JudgedKey> units, std::span<const size_t> by_expected,
                       size_t own, const FunnelJudge& judge, double coverage,
                       const std::vector<Dimension>& unit_dimensions);

// Separates a unit key from its case-mix stratum in the table's keys.
inline constexpr char kStratumSeparator = '\x1e';

}  // namespace vigil

// Disproportionality screening of (item × outcome) pairs, as pharmacovigilance
// does for drugs and adverse reactions: items are dm+d medicine codes or
// devices, the outcome is e.g. moderate-or-worse harm. Each week, over a
// rolling window, every item's 2x2 table is built from the reports of the
// population that name at least one item of that kind:
//   a = reports naming the item with the outcome,  b = naming it without,
//   c = reports naming other items only, with the outcome,  d = the rest,
// reports counted once each however many items they name. A pair is judged by
// one configured method:
//   prr   Evans et al.: a ≥ min_count, PRR ≥ prr, chi²(Yates) ≥ chi2
//   ror   a ≥ min_count and the ROR's lower 95% limit > ror_lower
//   ic    a ≥ min_count and IC025 > ic025 (BCPNN, WHO-UMC)
//   ebgm  a ≥ min_count, EB05 ≥ eb05 and EBGM ≥ ebgm (MGPS; MHRA thresholds
//         1.8 / 2.5); prior fixed in the configuration, or estimated from all
//         pairs each week starting from the configured start.
// A signal is raised when a pair *newly* meets its criterion. Pairs that
// already meet it in the first complete window are known associations: they
// are not raised until they have stopped meeting it for resolve_after_quiet
// weeks. Evidence: the 2x2 table, every statistic, and the newest ids of
// the pair's reports; the signal's series is the decisive statistic of the
// pair's last 52 weekly judgements, which its stored row keeps.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/detector.h"
#include "detectors/ebgm.h"
#include "detectors/event_filter.h"
#include "detectors/key_dimension.h"
#include "detectors/report_window.h"

namespace vigil {

enum class DisproportionalityMethod : uint8_t { kPrr, kRor, kIc, kEbgm };
std::string_view to_string(DisproportionalityMethod m);
std::optional<DisproportionalityMethod> parse_disproportionality_method(std::string_view name);
// The statistic a method's criterion compares with its threshold, as named
// in the signal's statistics: the signal's score and its series' measure
// (prr, ror_lo95, ic025, eb05).
std::string_view decisive_statistic(DisproportionalityMethod m);

class DisproportionalityDetector;

struct DisproportionalityConfig : DetectorKind<DisproportionalityDetector, "disproportionality"> {
  // The method signals carry: "prr", "ror", "ic" or "ebgm".
  std::string signal_method() const { return std::string(to_string(method)); }

  std::string name;
  Dimension item = Dimension::kMedication;
  EventFilter population;
  EventFilter outcome;
  DisproportionalityMethod method = DisproportionalityMethod::kEbgm;
  int64_t min_count = 3;
  double prr = 2;
  double chi2 = 4;
  double ror_lower = 1;
  double ic025 = 0;
  double eb05 = 1.8;
  double ebgm = 2.5;
  // EBGM prior: fixed when set, else estimated each week from prior_start.
  std::optional<GammaMixturePrior> prior;
  GammaMixturePrior prior_start{0.2, 0.1, 2.0, 4.0, 1.0 / 3.0};
  WindowSettings window;
};

class DisproportionalityDetector final : public WindowedDetector {
 public:
  static Result<std::unique_ptr<DisproportionalityDetector>> create(
      DisproportionalityConfig config, int32_t partition, ColumnFamilyId cf);

  const std::string& name() const override { return config_.name; }

 private:
  DisproportionalityDetector(DisproportionalityConfig config, int32_t partition,
                             ColumnFamilyId cf);
  bool count_event(const IncidentEvent& event, int32_t week, int sign) override;
  void judge(int32_t week, Date stream_time, std::vector<Signal>& out) override;

  DisproportionalityConfig config_;
  std::vector<Dimension> dimensions_;
  KeyBuilderState key_state_;
};

}  // namespace vigil

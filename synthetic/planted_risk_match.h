// Whether a signal points at a risk planted in the synthetic stream, and the
// detection report built on that: which planted risk each detector found,
// how many days after onset, and which raised signals nothing explains.
// Used by `vigil demo` and `vigil evaluate`.
#pragma once

#include <ostream>
#include <vector>

#include "core/signal.h"
#include "synthetic/stream.h"

namespace vigil {

// A raised signal explains a planted risk when it fired between the risk's
// onset and 120 days after its end (a quarter's window plus the grace), names
// at least one of the risk's identifying values (medicine, device model,
// organisation, patient ethnic group) and no key part contradicts the risk
// (another category, service area, region, organisation, ...). A
// text_cluster signal's key parts after the cluster id are the fields its
// reports share: one the risk leaves undefined is neither for nor against
// it (the fields the risk defines must still match). Never-event
// clusters are the severity rule's to find; every other risk must be found by
// the statistics, not by one death that happens to match.
bool signal_finds(const Signal& s, const PlantedRisk& risk);

struct RiskFinding {
  const PlantedRisk* risk = nullptr;
  const Signal* first = nullptr;  // the earliest raised signal that finds it
};

// For each risk, the earliest raised signal in `raised` that finds it.
std::vector<RiskFinding> find_planted_risks(const std::vector<PlantedRisk>& risks,
                                            const std::vector<Signal>& raised);

// "planted risks:" and one line per risk: found by which detector, at which
// stream time, how many days after onset; or not found.
void report_planted_risks(const std::vector<PlantedRisk>& risks, const std::vector<Signal>& raised,
                          std::ostream& err);

// The detection table: for each risk, every detector that found it and the
// days from onset to its first raised signal (provisional ones marked), then
// how many risks were found and the median and latest first detection.
void report_detection_table(const std::vector<PlantedRisk>& risks,
                            const std::vector<Signal>& raised, std::ostream& out);

}  // namespace vigil

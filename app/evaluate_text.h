// The text section of `vigil evaluate`: which planted wording clusters the
// text_cluster detectors found, and how often they fire for nothing.
//
// A text signal carries no key a planted risk can be matched on (its key is
// a cluster id and whatever fields its reports share), so it is matched by
// its evidence: a raised text_cluster signal explains the planted risk that
// planted most of its report ids (at least half of them), if it fired
// between the risk's onset and 120 days after its end.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/signal.h"
#include "synthetic/stream.h"

namespace vigil {

class TextEvaluation {
 public:
  // Notes the line just generated: `risk` is the planted risk whose wording
  // it carries (SyntheticStream::last_line_wording), empty for routine text.
  void note_line(std::string_view line, std::string_view risk);

  // The planted risk a raised text signal explains, or nullptr.
  const PlantedRisk* explains(const Signal& s, const std::vector<PlantedRisk>& risks) const;

  // "text clusters:" then, per planted wording risk, found (detector, days
  // after onset, reports, organisations, top terms) or not found; then the
  // unexplained text signals per week over the stream and from `half`.
  void report(const std::vector<PlantedRisk>& risks, const std::vector<Signal>& raised, Date half,
              double weeks, double second_half_weeks, std::ostream& out) const;

 private:
  std::unordered_map<std::string, std::string> planted_ids_;  // report id -> risk name
  std::vector<std::string> wording_risks_;                    // in order first seen
};

}  // namespace vigil

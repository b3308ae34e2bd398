// The breakdown of a signal's evidence by patient strata (ethnicity, IMD
// quintile, age band, sex): a flat array of counters per open period, one
// slot per possible value of each dimension plus "unknown" (a missing value
// is a stratum of its own, never dropped).
//
// Disclosure control: a breakdown leaves the process only as aggregate
// counts, after core/disclosure_control.h's rule: values with fewer than
// kMinDisclosedCount reports are pooled into one "other" entry, a pool
// that is itself under 5 takes in the smallest named value too, and a
// dimension with 1..4 reports in all is withheld, so no published cell is
// between 1 and 4.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/disclosure_control.h"
#include "core/incident_event.h"
#include "core/result.h"
#include "core/signal.h"
#include "detectors/key_dimension.h"

namespace vigil {

class StrataLayout {
 public:
  // Only patient dimensions can form strata: ethnicity, imd_quintile,
  // age_band, sex. Anything else is an InvalidArgument error.
  static Result<StrataLayout> create(std::vector<Dimension> dimensions);
  StrataLayout() = default;

  // Counters a period needs (0 when there are no strata).
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Adds `sign` to the event's slot of every dimension.
  void count(const IncidentEvent& event, int sign, std::span<uint32_t> counters) const;

  // The breakdown for a signal, dimension by dimension in configured order,
  // values in their natural order, small cells pooled and dimensions of
  // fewer than 5 reports left out (see above).
  std::vector<StratumCounts> breakdown(std::span<const uint32_t> counters) const;

 private:
  struct Part {
    Dimension dimension;
    size_t offset = 0;
    std::vector<std::string_view> values;  // the last is kUnknownValue
  };
  size_t slot(const Part& part, const IncidentEvent& event) const;

  std::vector<Part> parts_;
  size_t size_ = 0;
};

}  // namespace vigil

// A count-series method (EARS, Farrington, ...) as the streaming count
// detector uses it: evaluate one time point from a fixed-length window of
// counts that ends with the point itself.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "detectors/count_series.h"

namespace vigil {

// One method instance belongs to one detector and is used by one thread:
// evaluate() may reuse internal buffers.
class CountMethod {
 public:
  virtual ~CountMethod() = default;
  // The R surveillance name, e.g. "earsC2".
  virtual std::string_view name() const = 0;
  // How many periods before the evaluated one the window holds.
  virtual size_t history_length() const = 0;
  // `window` has history_length() + 1 counts, oldest first, the evaluated
  // period last. A point the method cannot evaluate has a NaN upperbound and
  // no alarm. EARS never allocates; farringtonFlexible fits 3-5 GLMs of about
  // b(2w+1) to 52b rows and allocates for them (it runs once per key and
  // closed period).
  virtual SeriesPoint evaluate(std::span<const double> window) const = 0;
  // Whether the bound of a point depends on the point's own count (R's
  // earsC3 bound does). Where it does not, the bound is a function of the
  // history alone, so a detector may compute it once per open period and
  // compare the running count with it (early alarms, count_detector.h).
  virtual bool bound_uses_current_count() const { return false; }
  // How many periods just before the evaluated one its bound never reads
  // (a guard band: 2 for earsC2, pastWeeksNotIncluded for farringtonFlexible,
  // whose limit54 reads them only to withhold a bound): a late report there
  // leaves a computed bound as it was.
  virtual size_t bound_ignores_recent() const { return 0; }
};

// Builds a method from its R name (earsC1, earsC2, earsC3, farringtonFlexible)
// and control parameters (contract §3 names); `freq` is the number of periods
// per year (52 weekly, 365 daily; see periods_per_year), which
// farringtonFlexible needs to find the same period in past years. An unknown
// method or parameter, an invalid value, or a window the streaming detector
// cannot hold is an InvalidArgument error naming it.
Result<std::unique_ptr<CountMethod>> make_count_method(std::string_view method,
                                                       const MethodParams& params, int freq = 52);

}  // namespace vigil

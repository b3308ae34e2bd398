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

class CountMethod {
 public:
  virtual ~CountMethod() = default;
  // The R surveillance name, e.g. "earsC2".
  virtual std::string_view name() const = 0;
  // How many periods before the evaluated one the window holds.
  virtual size_t history_length() const = 0;
  // `window` has history_length() + 1 counts, oldest first, the evaluated
  // period last. Never allocates on the steady path.
  virtual SeriesPoint evaluate(std::span<const double> window) const = 0;
};

// Builds a method from its R name and control parameters (contract §3 names);
// an unknown method or parameter is an error naming it.
Result<std::unique_ptr<CountMethod>> make_count_method(std::string_view method,
                                                       const MethodParams& params);

}  // namespace vigil

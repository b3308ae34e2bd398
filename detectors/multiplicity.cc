#include "detectors/multiplicity.h"

#include <algorithm>
#include <cmath>

namespace vigil {

double benjamini_hochberg_cutoff(std::vector<double> p_values, double fdr) {
  std::erase_if(p_values, [](double p) { return std::isnan(p); });
  std::sort(p_values.begin(), p_values.end());
  const double m = static_cast<double>(p_values.size());
  double cutoff = 0;
  for (size_t k = 1; k <= p_values.size(); ++k) {
    if (p_values[k - 1] <= static_cast<double>(k) * fdr / m) cutoff = p_values[k - 1];
  }
  return cutoff;
}

}  // namespace vigil

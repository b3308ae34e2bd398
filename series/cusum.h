// The approximate CUSUM of Rossi et al. (1999) exactly as R surveillance
// 1.20.3 computes it in `algo.cusum` (`cusum`).
//
// With in-control mean m(t) and a transform z(t) of the counts,
// C(t) = max(0, C(t-1) + z(t) - k) from C = 0 before the range, alarm when
// C(t) >= h. There is no reset after an alarm: C keeps its value, so alarms
// persist until the sum falls below h again (R's documented behaviour).
// upperbound is the count that would bring C(t) to h given C(t-1), e.g.
// ceiling(sqrt(m) (h + k - C(t-1)) + m) for `standard`; NaN and negative
// bounds become 0 as in R.
//
// m: a number (`m=`), the mean of all counts before the range (R's default,
// m=NULL), a per-point known mean (the CSV's mu0 column, as R's numeric
// vector m), or `m=glm`: a Poisson GLM log m(t) = b0 + b1 cos(2 pi t / freq)
// + b2 sin(2 pi t / freq) fitted to the counts before the range, t the index
// (R's t = start[2] + index - 1 with an sts' default start week 1).
// Transforms (`trans`): standard (x - m) / sqrt(m); rossi
// (x - 3m + 2 sqrt(x m)) / (2 sqrt(m)); anscombe; anscombe2nd;
// pearsonNegBin (x - m) / sqrt(m + alpha m^2); none (x itself).
// R's anscombeNegBin is not implemented.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "core/result.h"
#include "detectors/count_series.h"

namespace vigil {

enum class CusumTransform { kStandard, kRossi, kAnscombe, kAnscombe2nd, kPearsonNegBin, kNone };

struct CusumParams {
  double k = 1.04;
  double h = 2.26;
  std::optional<double> m;  // fixed in-control mean; unset: mu0 column or mean before range
  bool m_glm = false;       // m=glm
  CusumTransform trans = CusumTransform::kStandard;
  double alpha = 0.1;  // NB dispersion for pearsonNegBin (R's default 0.1)
};

// Parses R's control names k, h, m (a number, NULL or glm), trans, alpha.
// InvalidArgument for unknown names or bad values.
Result<CusumParams> parse_cusum_params(const MethodParams& params);

// The chart over counts `x` with in-control means `m` (same length).
// expected = m, score = C(t).
Result<std::vector<SeriesPoint>> cusum_chart(std::span<const double> x, std::span<const double> m,
                                             const CusumParams& params);

// cusum over the 1-based inclusive range, choosing m as described above.
// InvalidArgument when m must be estimated and the range starts at t = 1, or
// when an estimated or given m is not > 0.
Result<std::vector<SeriesPoint>> cusum_range(const CountSeries& series, SeriesRange range,
                                             const CusumParams& params);

}  // namespace vigil

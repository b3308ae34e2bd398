// EARS C1, C2 and C3 (Hutwagner et al. 2003) exactly as R `surveillance`
// 1.20.3 computes them in `earsC`.
//
// With z = qnorm(1 - alpha), and for a time point s its baseline B(s) of
// `baseline` counts, mean m(s) and sample sd (n - 1) sd(s), sigma(s) =
// max(sd(s), minSigma):
//   C1: B(t) = y[t-baseline .. t-1];   U(t) = m(t) + z * sigma(t)
//   C2: B(t) = y[t-baseline-2 .. t-3]; U(t) = m(t) + z * sigma(t)
//   C3: with the C2 baseline and C2(s) = (y[s] - m(s)) / sigma(s),
//       U(t) = max(0, y[t] + sigma(t) * (z - max(0, C2(t-1) - 1)
//                                          - max(0, C2(t-2) - 1)))
// and alarm = y[t] > U(t).
//
// How R's C3 (implemented here as `earsC3`, because R is the reference oracle)
// differs from the CDC definition: the CDC statistic is
// C3(t) = sum over i = 0..2 of max(0, C2(t-i) - 1), alarm when C3(t) > z, so
// the current week's own excess counts. R's bound is y[t] plus a margin built
// from the two previous weeks only, so its alarm is "lag-1 + lag-2 parts > z
// and y[t] > 0": the size of the current count is ignored (METHODS.md §1.3:
// y[t] = 1000 gives no alarm when the two previous weeks were quiet). The
// man page's Ybar2(t) in place of y[t] is a third variant; neither is what
// this function computes.
//
// Where R gives NA (an sd of 0 with minSigma = 0 makes C3's C2 terms 0/0 or
// Inf, so U = NaN) the point has upperbound NaN and alarm false; R's alarm is
// NA there.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "detectors/count_series.h"

namespace vigil {

enum class EarsVariant { kC1, kC2, kC3 };

struct EarsParams {
  EarsVariant variant = EarsVariant::kC1;
  int baseline = 7;        // number of baseline counts, >= 3 as R requires
  double min_sigma = 0.0;  // floor on the baseline sd (Burkom), >= 0
  double alpha = 0.001;    // one-sided; R's default is 0.001 for C1/C2, 0.025 for C3
};

// "C1", "C2", "C3".
std::string_view ears_variant_name(EarsVariant variant);

// Parses the method name (`earsC1`, `earsC2`, `earsC3`) and R control-list
// parameters `method` (C1|C2|C3, must agree with the name), `baseline`,
// `minSigma`, `alpha`, with R's defaults for those absent. Returns an
// InvalidArgument error for an unknown method or parameter name, a value that
// does not parse, baseline < 3 or minSigma < 0 (R's checks), or alpha outside
// (0, 1).
Result<EarsParams> parse_ears_params(std::string_view method_name, const MethodParams& params);

// How many counts before the current one a point needs: baseline (C1),
// baseline + 2 (C2), baseline + 4 (C3).
std::size_t ears_required_history(const EarsParams& params);

// Evaluates the current point, the last element of `history_then_current`,
// using only the last ears_required_history(params) counts before it (older
// ones are ignored, so a streaming detector can pass any longer window).
// Returns an InvalidArgument error when the window is shorter than
// ears_required_history(params) + 1. expected = m(t); score = C1/C2 statistic
// (y[t] - m(t)) / sigma(t), and for C3 the lag part
// max(0, C2(t-1) - 1) + max(0, C2(t-2) - 1) that R compares with z.
// O(baseline) time, no allocation.
Result<SeriesPoint> ears_point(std::span<const double> history_then_current,
                               const EarsParams& params);

// Evaluates the 1-based inclusive `range` of `observed`, as R's
// earsC(sts, control = list(range = first:last, ...)). Returns an
// InvalidArgument error when range.first <= ears_required_history(params)
// (R: "The vector of observed is too short!") or the range is empty or ends
// past the series.
Result<std::vector<SeriesPoint>> ears_range(std::span<const double> observed, SeriesRange range,
                                            const EarsParams& params);

}  // namespace vigil

// The improved Farrington method (Noufaily et al. 2013) as R surveillance
// 1.20.3 computes it in `farringtonFlexible`, for one count series.
//
// At each time point k: the counts chosen by farrington_design are fitted
// with a quasi-Poisson log-linear GLM `response ~ 1 [+ wtime] [+ seasgroups]`
// (glm_fit.h). If that fit does not converge it is refitted without trend; if
// that fails too the point has no bound. Dispersion phi = max(Pearson
// dispersion, 1). With `reweight`, Anscombe residuals
// s = 3/2 (y^(2/3) mu^(-1/6) - mu^(1/2)) / sqrt(phi (1 - h)) give weights
// gamma * s^-2 where s > weightsThreshold, gamma elsewhere (gamma makes them
// sum to n), the model is refitted with them and phi recomputed. The trend is
// kept only if b >= 3, its t-test p-value < pThresholdTrend and the fitted
// mean at k does not exceed the largest baseline count; otherwise the model
// is refitted without it. The bound at k is then
//   delta:    U = (mu0^e + z se)^(1/e) with e from powertrans (2/3, 1/2, 1),
//             z = qnorm(1 - alpha), se from tau = phi + Var(mu0) / mu0;
//   nbPlugin: U = qnbinom(1 - alpha, size mu0 / (phi - 1), prob 1 / phi)
//             (qpois when phi = 1), mu0 = exp(eta0);
//   muan:     the same with mu0 = exp(qnorm(1 - alpha, eta0, se(eta0))).
// An alarm needs limit54: at least limit54[0] cases in the last limit54[1]
// points including k (else upperbound NA), a score X = (y - f) / (U - f) > 1
// with f = mu0 (delta) or eta0 (nbPlugin, muan) exactly as R computes it,
// and y > 0.
//
// Two behaviours of R's code are reproduced because R is the oracle: after
// reweighting, R overwrites the model's working weights with the prior
// weights, so the dispersion used for the trend p-value and for se(eta0) is
// sum(omega (y - mu)^2 / mu^2) / df, not phi; and predictions use that
// unfloored dispersion while the threshold uses phi.
#pragma once

#include <cstddef>
#include <vector>

#include "core/result.h"
#include "detectors/count_series.h"
#include "detectors/farrington_design.h"

namespace vigil {

enum class PowerTransform { kTwoThirds, kHalf, kNone };
enum class FarringtonThreshold { kDelta, kNbPlugin, kMuan };

struct FarringtonParams {
  FarringtonWindow window;  // b, w, noPeriods, pastWeeksNotIncluded
  bool reweight = true;
  double weights_threshold = 2.58;
  double alpha = 0.05;  // one-sided
  bool trend = true;
  double p_threshold_trend = 0.05;
  int limit54_cases = 5;
  int limit54_weeks = 4;
  PowerTransform powertrans = PowerTransform::kTwoThirds;
  FarringtonThreshold threshold = FarringtonThreshold::kDelta;
};

// Parses R's farringtonFlexible control names: b, w, reweight,
// weightsThreshold, alpha, trend, pThresholdTrend, limit54 (`5,4`),
// powertrans (2/3, 1/2, none), noPeriods, pastWeeksNotIncluded (a count, or
// NULL for w), thresholdMethod (delta, nbPlugin, muan). Absent names take
// R 1.20.3's defaults (b=5, w=3, reweight=TRUE, weightsThreshold=2.58,
// alpha=0.05, trend=TRUE, pThresholdTrend=0.05, limit54=5,4, powertrans=2/3,
// noPeriods=1, pastWeeksNotIncluded=w, thresholdMethod=delta).
// InvalidArgument errors for unknown names and invalid values.
Result<FarringtonParams> parse_farrington_params(const MethodParams& params);

// Evaluates time point k (1-based) of `series`. expected = mu0 (NaN without
// a bound); score = R's exceedance score X. InvalidArgument errors when the
// history is too short for b years of reference points; Fatal when a GLM
// cannot be fitted at all (R stops with an error there too). About 3-5 GLM
// fits of b(2w+1) (noPeriods 1) to ~52b rows; 2 with b < 3 and trend, where
// R's trend model is always discarded and so not fitted (the one difference:
// R stops with an error when that discarded fit fails, this goes on). Storage
// is reused per thread: a point allocates nothing once its shapes are seen.
Result<SeriesPoint> farrington_point(const CountSeries& series, std::size_t k,
                                     const FarringtonParams& params);

// Whether farrington_range fills SeriesPoint::p_value. Skipping it saves the
// upper-tail probability (a long-double incomplete beta or gamma under
// nbPlugin, about a tenth of a point's time) for callers that never read it,
// such as `vigil series`, whose output has no p-value; every other field is
// the same either way.
enum class FarringtonPValues { kComputed, kSkipped };

// farrington_point over the 1-based inclusive range; p_value NaN throughout
// with FarringtonPValues::kSkipped.
Result<std::vector<SeriesPoint>> farrington_range(
    const CountSeries& series, SeriesRange range, const FarringtonParams& params,
    FarringtonPValues p_values = FarringtonPValues::kComputed);

}  // namespace vigil

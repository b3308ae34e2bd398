// Count-data GLR and LR CUSUM charts for an intercept change (Höhle and Paul
// 2008) exactly as R surveillance 1.20.3 computes them in `algo.glrnb`
// (`glrnb`), including its C code (surveillance.c: glr_cusum,
// glr_cusum_window, glr_nb_window, lr_cusum, lr_cusum_nb).
//
// In-control mean mu0: a known mean per time point (the CSV's mu0 column), or
// estimated as R's estimateGLRNbHook does from the points before the range:
// log mu0(t) = b0 [+ b1 t] + sum over s = 1..S of cos(2 s pi t / freq) and
// sin(2 s pi t / freq) terms, fitted by MASS::glm.nb (theta estimated, then
// alpha = 1 / theta) when alpha is not given, by a Poisson GLM when alpha = 0,
// and by a negative binomial GLM with theta = 1 / alpha otherwise.
//
// The chart: for each n, GLR(n) = max over change points k of the
// log-likelihood ratio of an intercept shift kappa >= 0 (dir=inc) or <= 0
// (dir=dec) estimated from x[k..n] (Poisson: closed form; NB with Var = mu +
// alpha mu^2: Newton-Raphson from R's starting values). An alarm when
// GLR(n) >= c.ARL; the chart then restarts after the alarm (mu0 is not
// refitted). With `theta` given, the known-shift LR CUSUM instead, alarm when
// the statistic > c.ARL (strictly, as R's C code).
// upperbound: ret=value the statistic; ret=cases the number of cases at n
// that would give (or keep) the alarm. For the NB GLR R finds cases by brute
// force, and two of its quirks are reproduced: a count of 0 at a point
// without alarm gives 1e99, and an alarm that no count >= 1 can remove gives
// NA, printed as 0 (R sets NA and negative bounds to 0).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "core/result.h"
#include "detectors/count_series.h"

namespace vigil {

enum class GlrDirection { kIncrease, kDecrease };
enum class GlrReturn { kValue, kCases };

struct GlrnbParams {
  double c_arl = 5;                             // c.ARL: alarm threshold
  int mtilde = 1;                               // Mtilde: points needed to estimate a change
  int m = -1;                                   // M: window of change points, -1 all
  GlrDirection dir = GlrDirection::kIncrease;   // dir: inc | dec
  GlrReturn ret = GlrReturn::kValue;            // ret: value | cases (R's default value)
  std::optional<double> alpha;                  // NB dispersion, 0 Poisson; unset: estimate
  std::optional<double> theta;                  // known log-change: LR CUSUM instead of GLR
  int s = 1;                                    // S: harmonics of the mu0 model
  bool trend = false;                           // trend: linear time in the mu0 model
  double x_max = 1e4;                           // xMax: brute-force limit for NB cases
};

// Parses R's control names c.ARL, Mtilde, M, dir, ret, alpha, theta, xMax,
// change (only `intercept`; `epi` is rejected as not implemented), and the
// mu0 model's S and trend. InvalidArgument for unknown names or bad values
// (R: theta must not be 1).
Result<GlrnbParams> parse_glrnb_params(const MethodParams& params);

// The in-control means over `range` and the NB dispersion used with them.
struct InControlMean {
  std::vector<double> mu0;  // one per point of the range
  double alpha = 0;         // 0: Poisson
};

// estimateGLRNbHook: fits the mu0 model to points 1..range.first-1 (t = the
// index) and predicts over the range. Fatal error when the fit fails.
Result<InControlMean> estimate_glrnb_mu0(std::span<const double> observed, SeriesRange range,
                                         int freq, const GlrnbParams& params);

// The chart over counts `x` with in-control means `mu0` (same length) as
// algo.glrnb's loop does, restarting after each alarm.
Result<std::vector<SeriesPoint>> glrnb_chart(std::span<const double> x,
                                             std::span<const double> mu0, double alpha,
                                             const GlrnbParams& params);

// glrnb over the 1-based inclusive range: mu0 from the series' mu0 column
// when present (then alpha defaults to 0), else estimated.
Result<std::vector<SeriesPoint>> glrnb_range(const CountSeries& series, SeriesRange range,
                                             const GlrnbParams& params);

}  // namespace vigil

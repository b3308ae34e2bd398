// A day-of-week-adjusted baseline for daily counts: a log-linear regression
// with day-of-week factors and a linear trend on a sliding baseline, the
// approach ESSENCE uses for daily syndromic counts (Burkom, Murphy & Shmueli
// 2007, "Automated time series forecasting for biosurveillance", Stat Med
// 26:4202-4218; Xing, Burkom & Tokars 2011, "Method selection and adaptation
// for distributed monitoring of infectious diseases for syndromic
// surveillance", J Biomed Inform 44:1093-1101), with an overdispersed count
// threshold in place of ESSENCE's normal one (as Noufaily et al. 2013 do for
// Farrington).
//
// For the judged day t with count y, the baseline is the `baseline` days
// y[t-guard-baseline .. t-guard-1] (the guard band keeps the first days of an
// emerging risk out of its own baseline, as EARS C2 does). On it a Poisson
// GLM with log link is fitted:
//   log mu_j = b0 + b1 * j + sum_{k=1..6} c_k [ (t - j) mod 7 == k ],
// j the day's index in the window; the weekday of t is the reference level,
// so the prediction for t is mu0 = exp(b0 + b1 * t). The dispersion is
// phi = max(1, Pearson X^2 / (n - p)). Under the in-control model the count
// of day t is Poisson(mu0) when phi = 1 and otherwise negative binomial with
// mean mu0 and variance phi * mu0 (size mu0 / (phi - 1)). The threshold is
// its upper (1 - alpha) quantile (the smallest u with P(Y <= u) >= 1 - alpha)
// and the day alarms when y > u; the p-value is P(Y >= y). Parameter
// uncertainty is ignored (a plug-in threshold, like nbPlugin).
//
// Safeguards, each from the cited practice:
// - the trend is dropped when it extrapolates beyond the baseline's largest
//   count (Farrington et al. 1996) or the fit with it does not converge;
// - the day-of-week factors are dropped when some weekday has no count at
//   all in the baseline (its factor would be -infinity, and any count on
//   that weekday would alarm);
// - a baseline without a single count gives no verdict (NaN threshold).
#pragma once

#include <cstddef>
#include <span>

#include "core/result.h"
#include "detectors/count_series.h"

namespace vigil {

struct DowRegressionParams {
  int baseline = 56;     // days in the baseline, >= 14 (each weekday twice)
  int guard = 2;         // days between the baseline and the judged day, >= 0
  double alpha = 0.001;  // one-sided
  bool trend = true;     // fit a linear trend
};

// Parses `baseline`, `guard`, `alpha`, `trend` (R logical spellings);
// InvalidArgument naming an unknown parameter or a bad value.
Result<DowRegressionParams> parse_dow_regression_params(const MethodParams& params);

// Counts before the judged one that a point reads: baseline + guard.
std::size_t dow_regression_history(const DowRegressionParams& params);

// Evaluates the last count of `history_then_current` (which must hold at
// least dow_regression_history(params) + 1 counts; older ones are ignored).
// expected = mu0, upperbound = the quantile, score = (y - mu0) / sqrt(phi mu0),
// p_value = P(Y >= y). A window too short is an InvalidArgument error.
Result<SeriesPoint> dow_regression_point(std::span<const double> history_then_current,
                                         const DowRegressionParams& params);

}  // namespace vigil

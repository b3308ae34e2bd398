// Which past counts farringtonFlexible fits at a time point, as R
// surveillance 1.20.3 chooses them (algo.farrington.referencetimepoints,
// blocks, algo.farrington.data.glm).
//
// Reference points: the current point k and the same point 1..b years back.
// For a dated weekly series (freq 52) that is the date minus j calendar years
// (a 29 February becomes 1 March, as R's seq.Date does) moved to the nearest
// date with the current weekday (at most 3 days away); for a dated monthly
// (12) or daily (365) series the date minus j years unadjusted; for an
// undated series index k - j * freq. Every reference point must be an epoch
// of the series.
//
// Season blocks: the window of 2w+1 points around each past reference point,
// and the current point's w preceding points, form block noPeriods; with
// noPeriods > 1 the gap between consecutive windows is cut into noPeriods - 1
// blocks numbered 1..noPeriods-1, the first `gap % (noPeriods - 1)` one point
// longer. Then points k - pastWeeksNotIncluded .. k are dropped.
#pragma once

#include <cstddef>
#include <vector>

#include "core/result.h"
#include "detectors/count_series.h"

namespace vigil {

struct FarringtonWindow {
  int b = 5;                        // years back
  int w = 3;                        // half-width of the window around reference points
  int no_periods = 1;               // seasonal blocks per year (1: windows only)
  int past_weeks_not_included = 3;  // points before k left out of the fit
};

// The data of one fit, rows in time order.
struct FarringtonDesign {
  std::vector<std::size_t> rows;  // 1-based time points fitted
  std::vector<double> response;   // observed counts at `rows`
  std::vector<double> wtime;      // time covariate at `rows`
  std::vector<int> block;         // season block (1..no_periods) at `rows`
  double wtime_now = 0;           // time covariate at k
};

// The reference points of k, 1-based, k first then one per past year, or an
// InvalidArgument error "some reference time points did not exist" (R's
// error, asking to decrease b or postpone the range), or when a dated series
// has a freq other than 12, 52 or 365.
Result<std::vector<std::size_t>> farrington_reference_points(const CountSeries& series,
                                                             std::size_t k, int b);

// The design of the fit at k. The time covariate is, as in R, the index for
// an undated series and, for a dated one, the number of first-epoch spacings
// (date[2] - date[1]) since the first fitted point. InvalidArgument errors
// for missing reference points, windows reaching before the first point, and
// R's "Number of factors too big!" (gap shorter than noPeriods - 2w - 1).
Result<FarringtonDesign> farrington_design(const CountSeries& series, std::size_t k,
                                           const FarringtonWindow& window);

// Storage farrington_design_into reuses from one time point to the next.
struct FarringtonDesignScratch {
  std::vector<std::size_t> reference;  // reference points of k
  std::vector<int> blocks;             // season block of every point, 1-based
};

// farrington_design into `design`, reusing its storage and `scratch`'s: the
// same design, without allocating once the sizes have been seen. On error
// `design` is unspecified.
Status farrington_design_into(const CountSeries& series, std::size_t k,
                              const FarringtonWindow& window, FarringtonDesignScratch& scratch,
                              FarringtonDesign& design);

}  // namespace vigil

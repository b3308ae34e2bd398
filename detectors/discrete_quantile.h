// R's qnbinom and qpois (nmath, R 4.2) for farringtonFlexible's nbPlugin and
// muan bounds: the smallest y >= 0 with cdf(y) >= p (1 - 8 DBL_EPSILON).
//
// The reference arithmetic is R's search from a Cornish-Fisher start over
// Boost's cdf (an incomplete beta or gamma evaluated in long double), several
// evaluations a quantile. The answer is an integer, so these first sum the
// probability mass function in double precision (pmf(0) once, then the
// ratio recurrence) up to the first y whose sum reaches p, and accept it only
// when the sums at y and y - 1 are both further from p than a bound on their
// rounding error (a generous multiple of it): then Boost's cdf falls on the
// same sides of p and its search returns the same y. Otherwise (a sum within
// the margin, pmf(0) too small to carry full precision, a quantile beyond
// kMaxSummedQuantile, parameters Boost rejects) they take the reference path.
// The result is the reference one in every case, only cheaper.
#pragma once

namespace vigil {

// R: qnorm(p), remembered for the last p per thread: a series asks for the
// same 1 - alpha at every point, and Boost's inverse erfc (in long double)
// is not cheap.
double standard_normal_quantile(double p);

// Quantiles beyond this are found by the reference search, whose cost does
// not grow with y.
inline constexpr double kMaxSummedQuantile = 20000;

// R: qnbinom(p, size, prob); NaN when Boost cannot evaluate the cdf.
double qnbinom(double p, double size, double prob);

// R: qpois(p, lambda); NaN when Boost cannot evaluate the cdf.
double qpois(double p, double lambda);

// The same by the reference search alone (Boost's cdf at every step), for
// tests that check the summed path against it.
double qnbinom_reference(double p, double size, double prob);
double qpois_reference(double p, double lambda);

}  // namespace vigil

#include "detectors/disproportionality.h"

#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <exception>
#include <limits>

namespace vigil {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// The reference tables' normal quantile for a two-sided 95% interval (see the
// header: qnorm(0.975) rounded to six decimals).
constexpr double kZ95 = 1.959964;

// x / y for x, y >= 0 with the header's convention spelled out, so no
// division by zero is ever evaluated: x/0 is +Inf for x > 0, NaN for x = 0.
double ratio(double x, double y) {
  if (y == 0) return x > 0 ? kInf : kNaN;
  return x / y;
}

// Lower limit of a Wald interval on the log scale; NaN when the standard
// error is infinite (a zero cell) or the estimate itself is undefined.
double wald_lower95(double estimate, double se) {
  if (!std::isfinite(se) || !(estimate > 0) || !std::isfinite(estimate)) return kNaN;
  return std::exp(std::log(estimate) - kZ95 * se);
}

// 1/x for a count, +Inf for 0: the Wald variance of a log ratio with an empty
// cell is unbounded.
double inverse_count(double x) { return x > 0 ? 1 / x : kInf; }

DisproportionalityStats all_nan() {
  return {kNaN, kNaN, kNaN, kNaN, false, kNaN, kNaN, kNaN, kNaN, kNaN};
}

bool in_range(int64_t x) { return x >= 0 && x <= kMaxTableCount; }

// log2 of the p-quantile of Gamma(shape, rate). The upper tail is inverted
// from Q = 1 - P, where it is accurate. Boost 1.74's incomplete gamma gives up
// (throws) for shapes beyond ~2e10, i.e. more reports than any real database
// holds; the limit is then NaN like any other statistic we cannot vouch for.
double log2_gamma_quantile(double shape, double rate, double p) {
  try {
    const double unit_rate =
        p <= 0.5 ? boost::math::gamma_p_inv(shape, p) : boost::math::gamma_q_inv(shape, 1 - p);
    return std::log2(unit_rate / rate);
  } catch (const std::exception&) {
    return kNaN;
  }
}

}  // namespace

// __builtin_add_overflow (GCC, Clang) because a signed overflow is undefined.
int64_t TwoByTwo::n() const {
  int64_t total = 0;
  for (int64_t x : {a, b, c, d}) {
    if (__builtin_add_overflow(total, x, &total)) return std::numeric_limits<int64_t>::max();
  }
  return total;
}

DisproportionalityStats disproportionality(const TwoByTwo& t) {
  if (!in_range(t.a) || !in_range(t.b) || !in_range(t.c) || !in_range(t.d) || t.n() == 0) {
    return all_nan();
  }
  // Counts <= 2^53 are exact as doubles; N (<= 2^55) may lose its last bits,
  // a relative error of 1e-16 no statistic here notices.
  const double a = static_cast<double>(t.a), b = static_cast<double>(t.b);
  const double c = static_cast<double>(t.c), d = static_cast<double>(t.d);
  const double n = static_cast<double>(t.n());
  const double item = a + b, outcome = a + c, other = c + d, not_outcome = b + d;

  DisproportionalityStats s{};
  s.expected = item * outcome / n;

  s.prr = ratio(ratio(a, item), ratio(c, other));
  // a > 0 and c > 0 imply non-empty rows, so every term here is finite.
  const double prr_se = a > 0 && c > 0 ? std::sqrt(1 / a - 1 / item + 1 / c - 1 / other) : kInf;
  s.prr_lo95 = wald_lower95(s.prr, prr_se);

  const double margins = item * other * outcome * not_outcome;
  if (margins == 0) {
    s.chi2_yates = kNaN;
  } else {
    // ad - bc cancels badly for near-independent tables; long double (64-bit
    // mantissa on x86-64) keeps it exact while ad and bc stay below 2^64.
    const long double cross = static_cast<long double>(a) * d - static_cast<long double>(b) * c;
    const long double excess = std::fabs(cross) - static_cast<long double>(n) / 2;
    const long double corrected = excess > 0 ? excess : 0;
    s.chi2_yates = static_cast<double>(static_cast<long double>(n) * corrected * corrected /
                                       static_cast<long double>(margins));
  }
  // NaN compares false, so an undefined PRR or chi-square is never a signal.
  s.evans = t.a >= 3 && s.prr >= 2 && s.chi2_yates >= 4;

  s.ror = ratio(a * d, b * c);
  const double ror_se =
      std::sqrt(inverse_count(a) + inverse_count(b) + inverse_count(c) + inverse_count(d));
  s.ror_lo95 = wald_lower95(s.ror, ror_se);

  const double shape = a + 0.5, rate = s.expected + 0.5;
  s.ic = std::log2(shape / rate);
  s.ic025 = log2_gamma_quantile(shape, rate, 0.025);
  s.ic975 = log2_gamma_quantile(shape, rate, 0.975);
  return s;
}

}  // namespace vigil

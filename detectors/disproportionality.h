// Frequentist and BCPNN disproportionality statistics of one 2x2 table
// (METHODS.md §1.6): PRR with Evans et al. (2001) criteria, ROR, and the
// WHO-UMC information component. These are the per-pair numbers a
// category x category screen (medication x incident type) reports; the
// empirical-Bayes shrinkage estimate is in detectors/ebgm.h.
//
// Formulas, checked against shared/reference/disproportionality_reference.csv
// to ~1e-15 relative:
//   E          = (a+b)(a+c)/N
//   PRR        = [a/(a+b)] / [c/(c+d)]
//   PRR_lo95   = exp(ln PRR - 1.959964 se),  se^2 = 1/a - 1/(a+b) + 1/c - 1/(c+d)
//   chi2_yates = N max(0, |ad-bc| - N/2)^2 / [(a+b)(c+d)(a+c)(b+d)]
//   ROR        = ad/(bc)
//   ROR_lo95   = exp(ln ROR - 1.959964 se),  se^2 = 1/a + 1/b + 1/c + 1/d
//   IC         = log2((a+0.5)/(E+0.5)),  IC025/IC975 = log2 of the 2.5%/97.5%
//                quantiles of Gamma(shape a+0.5, rate E+0.5)
// The reference confidence limits use z = 1.959964 (qnorm(0.975) rounded to
// six decimals, as pharmacovigilance tools print it): the exact quantile
// misses the reference by up to 1.6e-8 relative, the rounded one by 1e-15.
// The Yates statistic is R's chisq.test(correct = TRUE): the correction never
// exceeds |ad-bc|, so a table closer to independence than N/2 gives 0.
//
// Degenerate tables never fail; what is undefined comes back NaN:
//   - a count < 0 or > kMaxTableCount, or N = 0: every field NaN, evans false.
//   - a ratio x/0 is +Inf when x > 0 and NaN when x = 0 (so c = 0 with a > 0
//     gives PRR = +Inf, b = 0 or c = 0 with ad > 0 gives ROR = +Inf, as the
//     reference's zero_b row and openEBGM's "division by zero -> Inf").
//   - a lower 95% limit is NaN whenever its Wald standard error is infinite
//     (a zero cell in the se formula: a or c for PRR, any cell for ROR):
//     the log-normal approximation says nothing there. This is the reference's
//     b = 0 convention (ROR_lo95 NA) applied to every zero cell; plain IEEE
//     arithmetic would instead give 0 for a = 0, which reads as a real bound.
//   - chi2_yates is NaN when a margin is 0 (R's chisq.test gives NaN too).
//   - IC and its limits stay defined for every N > 0 (the +0.5 shrinkage is
//     exactly what makes them so), e.g. IC = 0 for an item with no reports.
//     Only beyond a ~ 2e10 reports, where Boost 1.74's incomplete gamma gives
//     up, are IC025/IC975 NaN.
#pragma once

#include <cstdint>

namespace vigil {

// Counts above 2^53 are no longer exact in a double, which every statistic
// here is computed in; tables beyond it are rejected (NaN) rather than
// silently rounded.
inline constexpr int64_t kMaxTableCount = int64_t{1} << 53;

// The 2x2 table of one (item, outcome) pair: a = item & outcome, b = item &
// not outcome, c = other items & outcome, d = other items & not outcome.
struct TwoByTwo {
  int64_t a = 0, b = 0, c = 0, d = 0;
  // a + b + c + d, saturating at INT64_MAX instead of overflowing.
  int64_t n() const;
};

struct DisproportionalityStats {
  double expected;                   // E = (a+b)(a+c)/N
  double prr, prr_lo95, chi2_yates;  // see the file comment
  bool evans;                        // a >= 3, PRR >= 2, chi2_yates >= 4
  double ror, ror_lo95;              // ROR = ad/(bc); lo95 from se(ln ROR)
  double ic, ic025, ic975;           // BCPNN information component
};

// All statistics of one table. Pure and cheap (two gamma quantiles dominate);
// never fails: see the file comment for the NaN/Inf conventions.
DisproportionalityStats disproportionality(const TwoByTwo& t);

}  // namespace vigil

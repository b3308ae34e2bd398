// Disproportionality statistics (detectors/disproportionality.h): every row
// and column of shared/reference/disproportionality_reference.csv (R 4.2.2),
// the NaN/Inf conventions for degenerate tables, and invariants of the
// formulas that a wrong implementation would break.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "detectors/disproportionality.h"
#include "tests/reference_table.h"

namespace {

using vigil::DisproportionalityStats;
using vigil::TwoByTwo;
using vigil::testing::check_reference_value;

constexpr double kInf = std::numeric_limits<double>::infinity();

DisproportionalityStats stats(int64_t a, int64_t b, int64_t c, int64_t d) {
  return vigil::disproportionality(TwoByTwo{a, b, c, d});
}

bool all_nan(const DisproportionalityStats& s) {
  return std::isnan(s.expected) && std::isnan(s.prr) && std::isnan(s.prr_lo95) &&
         std::isnan(s.chi2_yates) && !s.evans && std::isnan(s.ror) && std::isnan(s.ror_lo95) &&
         std::isnan(s.ic) && std::isnan(s.ic025) && std::isnan(s.ic975);
}

double relative_difference(double x, double y) { return std::abs(x - y) / std::abs(y); }

}  // namespace

BOOST_AUTO_TEST_SUITE(disproportionality_test)

BOOST_AUTO_TEST_CASE(matches_every_reference_row) {
  const auto rows = vigil::testing::read_reference_table(
      std::string(VIGIL_SHARED_DIR "/reference/disproportionality_reference.csv"));
  BOOST_TEST(rows.size() == 5U);
  constexpr double kTolerance = 1e-9;  // the formulas agree to ~1e-15; 1e-6 is the contract
  for (const auto& row : rows) {
    const std::string& name = row.at("case");
    const TwoByTwo table{std::stoll(row.at("a")), std::stoll(row.at("b")), std::stoll(row.at("c")),
                         std::stoll(row.at("d"))};
    BOOST_TEST(table.n() == std::stoll(row.at("N")), name);
    const DisproportionalityStats s = vigil::disproportionality(table);
    check_reference_value(name + " E", s.expected, row.at("E"), kTolerance);
    check_reference_value(name + " PRR", s.prr, row.at("PRR"), kTolerance);
    check_reference_value(name + " PRR_lo95", s.prr_lo95, row.at("PRR_lo95"), kTolerance);
    check_reference_value(name + " chi2_yates", s.chi2_yates, row.at("chi2_yates"), kTolerance);
    BOOST_TEST(s.evans == (row.at("evans_signal") == "1"), name << " evans_signal");
    check_reference_value(name + " ROR", s.ror, row.at("ROR"), kTolerance);
    check_reference_value(name + " ROR_lo95", s.ror_lo95, row.at("ROR_lo95"), kTolerance);
    check_reference_value(name + " IC", s.ic, row.at("IC"), kTolerance);
    check_reference_value(name + " IC025", s.ic025, row.at("IC025"), kTolerance);
    check_reference_value(name + " IC975", s.ic975, row.at("IC975"), kTolerance);
  }
}

BOOST_AUTO_TEST_CASE(hand_computed_table) {
  // a=10, b=20, c=30, d=40, N=100: E = 30*40/100; PRR = (10/30)/(30/70);
  // ROR = 400/600; Yates: 100 (|400-600| - 50)^2 / (30*70*40*60).
  const auto s = stats(10, 20, 30, 40);
  BOOST_TEST(s.expected == 12.0, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(s.prr == 7.0 / 9.0, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(s.ror == 2.0 / 3.0, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(s.chi2_yates == 2250000.0 / 5040000.0, boost::test_tools::tolerance(1e-15));
  const double ror_se = std::sqrt(1 / 10.0 + 1 / 20.0 + 1 / 30.0 + 1 / 40.0);
  BOOST_TEST(s.ror_lo95 == std::exp(std::log(2.0 / 3.0) - 1.959964 * ror_se),
             boost::test_tools::tolerance(1e-14));
  BOOST_TEST(s.ic == std::log2(10.5 / 12.5), boost::test_tools::tolerance(1e-14));
  BOOST_TEST(!s.evans);
}

BOOST_AUTO_TEST_CASE(yates_correction_never_exceeds_the_deviation) {
  // |ad - bc| = 1 < N/2: R's chisq.test gives 0, not the uncorrected
  // formula's (N/2 - 1)^2 N / margins.
  BOOST_TEST(stats(5, 5, 5, 6).chi2_yates == 0.0);
  BOOST_TEST(stats(1, 1, 1, 1).chi2_yates == 0.0);
  // Independence: PRR = ROR = 1 exactly.
  const auto independent = stats(20, 80, 200, 800);
  BOOST_TEST(independent.prr == 1.0);
  BOOST_TEST(independent.ror == 1.0);
  BOOST_TEST(independent.chi2_yates == 0.0);
  BOOST_TEST(independent.expected == 20.0);
  BOOST_TEST(independent.ic == 0.0);  // O = E
}

BOOST_AUTO_TEST_CASE(evans_criteria_need_all_three) {
  // small_n3 from the reference signals; one report fewer does not, however
  // large the PRR.
  BOOST_TEST(stats(3, 47, 200, 99750).evans);
  const auto two = stats(2, 0, 1, 99997);
  BOOST_TEST(two.prr >= 2);
  BOOST_TEST(two.chi2_yates >= 4);
  BOOST_TEST(!two.evans);
  // PRR just below 2 with plenty of reports and a large chi-square.
  const auto weak = stats(190, 810, 1000, 9000);
  BOOST_TEST(weak.prr < 2);
  BOOST_TEST(weak.chi2_yates >= 4);
  BOOST_TEST(!weak.evans);
  // chi-square just below 4: the reference's "rare" row, a = 1.
  const auto rare = stats(3, 997, 50, 998950);
  BOOST_TEST(rare.prr >= 2);
  BOOST_TEST(rare.evans == (rare.chi2_yates >= 4));
}

BOOST_AUTO_TEST_CASE(empty_and_invalid_tables_are_all_nan) {
  BOOST_TEST(all_nan(stats(0, 0, 0, 0)));
  BOOST_TEST(all_nan(stats(-1, 5, 5, 5)));
  BOOST_TEST(all_nan(stats(5, 5, 5, -1)));
  BOOST_TEST(all_nan(stats(vigil::kMaxTableCount + 1, 1, 1, 1)));
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  BOOST_TEST(all_nan(stats(kMax, kMax, kMax, kMax)));  // n() saturates instead of overflowing
  BOOST_TEST((TwoByTwo{kMax, kMax, 0, 0}.n() == kMax));
  BOOST_TEST((TwoByTwo{1, 2, 3, 4}.n() == 10));
}

BOOST_AUTO_TEST_CASE(huge_counts_neither_overflow_nor_throw) {
  // The largest accepted counts give finite ratios and no exception; Boost
  // cannot invert a gamma of shape 2^53, so the IC limits are NaN there.
  const int64_t big = vigil::kMaxTableCount;
  const auto s = stats(big, big / 2, big / 4, big);
  BOOST_TEST(s.prr == (1.0 / 1.5) / (0.25 / 1.25), boost::test_tools::tolerance(1e-14));
  BOOST_TEST(std::isfinite(s.chi2_yates));
  BOOST_TEST(std::isfinite(s.ic));
  BOOST_TEST(std::isnan(s.ic975));
  // A billion reports is still fine.
  const auto billion = stats(1'000'000'000, 2'000'000'000, 3'000'000'000, 4'000'000'000);
  BOOST_TEST(billion.ic025 < billion.ic);
  BOOST_TEST(billion.ic < billion.ic975);
  BOOST_TEST(billion.ic975 - billion.ic025 < 2e-4);
}

BOOST_AUTO_TEST_CASE(zero_cells_follow_the_documented_conventions) {
  // c = 0: no other item has the outcome. PRR and ROR are +Inf, the limits
  // NaN (infinite se), chi-square and IC stay defined.
  const auto c0 = stats(5, 95, 0, 9900);
  BOOST_TEST(c0.prr == kInf);
  BOOST_TEST(std::isnan(c0.prr_lo95));
  BOOST_TEST(c0.ror == kInf);
  BOOST_TEST(std::isnan(c0.ror_lo95));
  BOOST_TEST(std::isfinite(c0.chi2_yates));
  BOOST_TEST(c0.evans);  // a >= 3, PRR = Inf >= 2, large chi-square
  BOOST_TEST(std::isfinite(c0.ic));

  // a = 0: the pair never occurred. Ratios are 0, limits NaN (not 0), IC negative.
  const auto a0 = stats(0, 100, 50, 9850);
  BOOST_TEST(a0.prr == 0.0);
  BOOST_TEST(std::isnan(a0.prr_lo95));
  BOOST_TEST(a0.ror == 0.0);
  BOOST_TEST(std::isnan(a0.ror_lo95));
  BOOST_TEST(a0.ic < 0);
  BOOST_TEST(a0.ic025 < a0.ic);
  BOOST_TEST(!a0.evans);

  // a = 0 and c = 0: nobody has the outcome. PRR 0/0, ROR 0/0, chi-square
  // margin 0: all NaN; IC = log2(0.5 / 0.5) = 0.
  const auto no_outcome = stats(0, 100, 0, 9900);
  BOOST_TEST(std::isnan(no_outcome.prr));
  BOOST_TEST(std::isnan(no_outcome.ror));
  BOOST_TEST(std::isnan(no_outcome.chi2_yates));
  BOOST_TEST(no_outcome.ic == 0.0);

  // a + b = 0: the item was never reported. E = 0; PRR and ROR NaN; IC 0.
  const auto no_item = stats(0, 0, 40, 960);
  BOOST_TEST(no_item.expected == 0.0);
  BOOST_TEST(std::isnan(no_item.prr));
  BOOST_TEST(std::isnan(no_item.prr_lo95));
  BOOST_TEST(std::isnan(no_item.ror));
  BOOST_TEST(std::isnan(no_item.chi2_yates));
  BOOST_TEST(no_item.ic == 0.0);
  BOOST_TEST(no_item.ic025 < 0);
  BOOST_TEST(no_item.ic975 > 0);

  // c + d = 0: the item is the whole database; no comparator.
  const auto no_other = stats(7, 3, 0, 0);
  BOOST_TEST(std::isnan(no_other.prr));
  BOOST_TEST(std::isnan(no_other.chi2_yates));
  BOOST_TEST(!no_other.evans);

  // d = 0: ROR = 0, its limit NaN; PRR's se has no d term and stays finite.
  const auto d0 = stats(5, 5, 5, 0);
  BOOST_TEST(d0.ror == 0.0);
  BOOST_TEST(std::isnan(d0.ror_lo95));
  BOOST_TEST(std::isfinite(d0.prr_lo95));
}

BOOST_AUTO_TEST_CASE(symmetries_of_the_formulas) {
  for (const auto& [a, b, c, d] : {TwoByTwo{20, 180, 400, 99400}, TwoByTwo{3, 47, 200, 99750},
                                   TwoByTwo{150, 9850, 3000, 987000}, TwoByTwo{7, 13, 11, 5}}) {
    const auto s = stats(a, b, c, d);
    // Transposing the table (item <-> outcome) swaps b and c: ROR, its limit,
    // E, chi-square and IC do not change.
    const auto transposed = stats(a, c, b, d);
    BOOST_TEST(relative_difference(transposed.ror, s.ror) < 1e-14);
    BOOST_TEST(relative_difference(transposed.ror_lo95, s.ror_lo95) < 1e-14);
    BOOST_TEST(relative_difference(transposed.expected, s.expected) < 1e-14);
    BOOST_TEST(relative_difference(transposed.chi2_yates, s.chi2_yates) < 1e-14);
    BOOST_TEST(relative_difference(transposed.ic, s.ic) < 1e-14);
    // Swapping outcome and non-outcome inverts the odds ratio.
    BOOST_TEST(relative_difference(stats(b, a, d, c).ror, 1 / s.ror) < 1e-14);
    // Swapping item and the other items inverts PRR and ROR.
    BOOST_TEST(relative_difference(stats(c, d, a, b).prr, 1 / s.prr) < 1e-14);
    BOOST_TEST(relative_difference(stats(c, d, a, b).ror, 1 / s.ror) < 1e-14);
    // Scaling every cell keeps the ratios and narrows the intervals.
    const auto scaled = stats(10 * a, 10 * b, 10 * c, 10 * d);
    BOOST_TEST(relative_difference(scaled.prr, s.prr) < 1e-14);
    BOOST_TEST(relative_difference(scaled.ror, s.ror) < 1e-14);
    BOOST_TEST(scaled.prr_lo95 > s.prr_lo95);
    BOOST_TEST(scaled.ror_lo95 > s.ror_lo95);
    BOOST_TEST(scaled.ic975 - scaled.ic025 < s.ic975 - s.ic025);
    // Ordering of estimates and limits.
    BOOST_TEST(s.prr_lo95 < s.prr);
    BOOST_TEST(s.ror_lo95 < s.ror);
    BOOST_TEST(s.ic025 < s.ic);
    BOOST_TEST(s.ic < s.ic975);
  }
}

BOOST_AUTO_TEST_CASE(ic_shrinks_towards_zero) {
  // log2((a + 0.5) / (E + 0.5)) lies between 0 and log2(a / E).
  for (const auto& t :
       {TwoByTwo{20, 180, 400, 99400}, TwoByTwo{3, 47, 200, 99750}, TwoByTwo{1, 5, 900, 9000}}) {
    const auto s = vigil::disproportionality(t);
    const double raw = std::log2(static_cast<double>(t.a) / s.expected);
    BOOST_TEST(std::abs(s.ic) < std::abs(raw));
    BOOST_TEST(s.ic * raw > 0);
  }
}

BOOST_AUTO_TEST_CASE(ic025_needs_three_reports) {
  // METHODS.md §1.6: as E -> 0, IC025 > 0 is impossible with 2 reports and
  // reached with 3 (R: -0.27 and +0.75).
  const auto two = stats(2, 0, 0, 1'000'000'000);
  const auto three = stats(3, 0, 0, 1'000'000'000);
  BOOST_TEST(two.ic025 == -0.27, boost::test_tools::tolerance(0.02));
  BOOST_TEST(three.ic025 == 0.75, boost::test_tools::tolerance(0.01));
}

BOOST_AUTO_TEST_SUITE_END()

// The day-of-week-adjusted regression (detectors/dow_regression.h) on
// windows whose fits have closed forms, with the arithmetic in comments
// (Poisson and negative binomial tails summed by hand from their pmfs).
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "detectors/count_method.h"
#include "detectors/dow_regression.h"

namespace {

using vigil::DowRegressionParams;
using vigil::MethodParams;

// Defaults: baseline 56, guard 2, so the window has 59 days and the judged
// day is index 58. Day j's weekday relative to it is (58 - j) mod 7; the
// judged weekday (level 0) falls on j = 2, 9, 16, 23, 30, 37, 44, 51.
constexpr int kWindow = 59;
int level(int j) { return (58 - j) % 7; }

DowRegressionParams no_trend() {
  DowRegressionParams p;
  p.trend = false;
  return p;
}

vigil::SeriesPoint point(const std::vector<double>& window, const DowRegressionParams& p) {
  auto made = vigil::dow_regression_point(window, p);
  BOOST_REQUIRE_MESSAGE(made.is_ok(), (made.is_ok() ? "" : made.error().message));
  return made.value();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dow_regression_test)

BOOST_AUTO_TEST_CASE(weekday_factors_give_each_weekday_its_own_mean) {
  // Level 0 alternates 2, 4 (mean 3); level k is always 5 + k. Without a
  // trend the Poisson GLM with a weekday factor is saturated per weekday, so
  // its fitted means are the weekday means: mu0 = 3. Pearson X^2 = 8 * 1^2 / 3
  // = 2.667 on 56 - 7 = 49 df, phi = max(1, 0.054) = 1: Poisson(3).
  // P(Y <= 9) = 0.998898 < 0.999 <= P(Y <= 10) = 0.999708, so the threshold
  // is 10; P(Y >= 11) = 1 - 0.999708 = 0.00029234.
  std::vector<double> y(kWindow);
  int zero_seen = 0;
  for (int j = 0; j < 56; ++j) y[j] = level(j) == 0 ? (zero_seen++ % 2 == 0 ? 2 : 4) : 5 + level(j);
  y[56] = y[57] = 100;  // the guard band: never in the baseline
  y[58] = 11;
  const auto p = point(y, no_trend());
  BOOST_TEST(p.expected == 3.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(p.upperbound == 10.0);
  BOOST_TEST(p.alarm);
  BOOST_TEST(p.p_value == 0.00029233695064723175, boost::test_tools::tolerance(1e-7));
  BOOST_TEST(p.score == 8.0 / std::sqrt(3.0), boost::test_tools::tolerance(1e-9));
  y[58] = 10;
  BOOST_TEST(!point(y, no_trend()).alarm);
  y[58] = 0;
  BOOST_TEST(point(y, no_trend()).p_value == 1.0);
}

BOOST_AUTO_TEST_CASE(overdispersed_counts_get_a_negative_binomial_threshold) {
  // Every weekday alternates 2, 18: means 10, Pearson X^2 = 7 weekdays * 8 *
  // 8^2 / 10 = 358.4, phi = 358.4 / 49 = 7.3143. In control the day is NB with
  // mean 10 and variance phi * 10: size = 10 / (phi - 1) = 1.58371, prob =
  // size / (size + 10). Summing its pmf: P(Y <= 55) = 0.998953 < 0.999 <=
  // P(Y <= 56) = 0.999088, threshold 56; P(Y >= 60) = 0.00060291.
  std::vector<double> y(kWindow);
  for (int j = 0; j < 56; ++j) y[j] = (j / 7) % 2 == 0 ? 2 : 18;
  y[56] = y[57] = 0;
  y[58] = 60;
  // The IRLS stops at glm.fit's relative-deviance criterion (1e-8), so the
  // fitted means, and phi with them, are exact only to about 1e-6.
  const auto p = point(y, no_trend());
  BOOST_TEST(p.expected == 10.0, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(p.upperbound == 56.0);
  BOOST_TEST(p.alarm);
  BOOST_TEST(p.p_value == 0.0006029116301913273, boost::test_tools::tolerance(1e-4));
  BOOST_TEST(p.score == 50.0 / std::sqrt(358.4 / 49 * 10), boost::test_tools::tolerance(1e-5));
}

BOOST_AUTO_TEST_CASE(a_log_linear_trend_is_extrapolated_to_the_judged_day) {
  // y_j = 4 exp(0.01 j) f(level): the model holds exactly, so the fit is exact
  // and mu0 = 4 exp(0.01 * 58) = 7.144154 (the judged weekday's f is 1),
  // below the baseline's largest count (4 exp(0.01 * 54) * 2 = 13.7), so the
  // trend stays. X^2 = 0: Poisson(7.144).
  const double f[7] = {1, 1.5, 2, 1.2, 0.8, 1, 1.1};
  std::vector<double> y(kWindow);
  for (int j = 0; j < 56; ++j) y[j] = 4 * std::exp(0.01 * j) * f[level(j)];
  y[58] = 7;
  const auto p = point(y, DowRegressionParams{});
  BOOST_TEST(p.expected == 7.144153723000294, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(!p.alarm);
  BOOST_TEST(p.upperbound > 7.0);
}

BOOST_AUTO_TEST_CASE(a_trend_that_extrapolates_beyond_the_baseline_is_dropped) {
  // y_j = exp(0.05 j): with the trend mu0 = exp(0.05 * 58) = 18.17, above the
  // largest baseline count exp(0.05 * 55) = 15.64 (Farrington's rule), so the
  // weekday-only fit is used: mu0 = mean of the judged weekday's counts,
  // exp(0.05 j) over j = 2, 9, ..., 51 = 5.091355.
  std::vector<double> y(kWindow);
  for (int j = 0; j < 56; ++j) y[j] = std::exp(0.05 * j);
  const auto p = point(y, DowRegressionParams{});
  BOOST_TEST(p.expected == 5.091355352098138, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(empty_weekdays_drop_the_weekday_factor_and_an_empty_baseline_has_no_verdict) {
  // Weekends without a report (levels 5 and 6 empty): no weekday factor, and
  // without the trend mu0 is the mean of all 56 days: (40 * 7 + 16 * 0) / 56 = 5.
  std::vector<double> y(kWindow);
  for (int j = 0; j < 56; ++j) y[j] = level(j) >= 5 ? 0 : 7;
  y[58] = 3;
  const auto p = point(y, no_trend());
  BOOST_TEST(p.expected == 5.0, boost::test_tools::tolerance(1e-9));

  std::vector<double> none(kWindow, 0.0);
  none[58] = 4;
  const auto q = point(none, DowRegressionParams{});
  BOOST_TEST(std::isnan(q.upperbound));
  BOOST_TEST(std::isnan(q.p_value));
  BOOST_TEST(!q.alarm);
}

BOOST_AUTO_TEST_CASE(the_count_method_reads_baseline_plus_guard_days_of_daily_series) {
  auto made = vigil::make_count_method("dowRegression", {}, 365);
  BOOST_REQUIRE(made.is_ok());
  BOOST_TEST(made.value()->name() == "dowRegression");
  BOOST_TEST(made.value()->history_length() == 58u);
  auto longer = vigil::make_count_method("dowRegression", {{"baseline", "28"}, {"guard", "1"}}, 365);
  BOOST_REQUIRE(longer.is_ok());
  BOOST_TEST(longer.value()->history_length() == 29u);
  // Only the last history_length() + 1 counts matter.
  std::vector<double> y(kWindow);
  for (int j = 0; j < 56; ++j) y[j] = 5 + level(j);
  y[58] = 30;
  std::vector<double> padded(40, 1000.0);
  padded.insert(padded.end(), y.begin(), y.end());
  const auto a = made.value()->evaluate(y);
  BOOST_TEST(made.value()->evaluate(padded).upperbound == a.upperbound);
  BOOST_TEST(a.alarm);

  const auto error = [](const std::string& method, const MethodParams& params, int freq) {
    auto bad = vigil::make_count_method(method, params, freq);
    BOOST_REQUIRE(!bad.is_ok());
    return bad.error().message;
  };
  BOOST_TEST(error("dowRegression", {}, 52).find("daily") != std::string::npos);
  BOOST_TEST(error("dowRegression", {{"baseline", "13"}}, 365).find("baseline") != std::string::npos);
  BOOST_TEST(error("dowRegression", {{"guard", "-1"}}, 365).find("guard") != std::string::npos);
  BOOST_TEST(error("dowRegression", {{"alpha", "0.5"}}, 365).find("alpha") != std::string::npos);
  BOOST_TEST(error("dowRegression", {{"trend", "maybe"}}, 365).find("trend") != std::string::npos);
  BOOST_TEST(error("dowRegression", {{"b", "3"}}, 365).find("unknown") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

// farringtonFlexible (detectors/farrington_flexible.h, farrington_design.h):
// parameters, reference weeks, and variants beyond cases.tsv checked against
// R 4.2.2 / surveillance 1.20.3 (values printed by R with 15 digits; the
// cases.tsv runs themselves are in series_reference_test).
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "detectors/farrington_design.h"
#include "detectors/farrington_flexible.h"
#include "series/series_csv.h"

namespace {

using vigil::kNa;
using vigil::MethodParams;

vigil::CountSeries load(const std::string& name) {
  auto series = vigil::read_series_csv(
      std::string(VIGIL_SHARED_DIR "/reference/surveillance/") + name, 52);
  BOOST_REQUIRE_MESSAGE(series.is_ok(), (series.is_ok() ? "" : series.error().message));
  return std::move(series).value();
}

// Runs farringtonFlexible and compares with R's upperbounds and alarm positions
// (1-based within the range).
void expect_r(const std::string& file, vigil::SeriesRange range, const MethodParams& params,
              const std::vector<double>& upper, const std::vector<std::size_t>& alarms) {
  const auto series = load(file);
  auto parsed = vigil::parse_farrington_params(params);
  BOOST_REQUIRE(parsed.is_ok());
  auto points = vigil::farrington_range(series, range, parsed.value());
  BOOST_REQUIRE_MESSAGE(points.is_ok(), (points.is_ok() ? "" : points.error().message));
  BOOST_REQUIRE_EQUAL(points.value().size(), upper.size());
  for (std::size_t i = 0; i < upper.size(); ++i) {
    BOOST_TEST_CONTEXT("t=" << range.first + i) {
      const auto& p = points.value()[i];
      if (std::isnan(upper[i])) {
        BOOST_TEST(std::isnan(p.upperbound));
      } else {
        BOOST_TEST(p.upperbound == upper[i], boost::test_tools::tolerance(1e-12));
      }
      const bool want_alarm = std::find(alarms.begin(), alarms.end(), i + 1) != alarms.end();
      BOOST_TEST(p.alarm == want_alarm);
    }
  }
}

const MethodParams kBase = {{"b", "3"}, {"w", "3"}, {"alpha", "0.05"}, {"limit54", "5,4"}};

MethodParams with(MethodParams params, const MethodParams& more) {
  for (const auto& [k, v] : more) params[k] = v;
  return params;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(farrington_flexible_test)

BOOST_AUTO_TEST_CASE(defaults_are_those_of_surveillance_1_20_3) {
  auto p = vigil::parse_farrington_params({});
  BOOST_REQUIRE(p.is_ok());
  BOOST_TEST(p.value().window.b == 5);
  BOOST_TEST(p.value().window.w == 3);
  BOOST_TEST(p.value().window.no_periods == 1);
  BOOST_TEST(p.value().window.past_weeks_not_included == 3);  // NULL -> w
  BOOST_TEST(p.value().reweight);
  BOOST_TEST(p.value().weights_threshold == 2.58);
  BOOST_TEST(p.value().alpha == 0.05);
  BOOST_TEST(p.value().trend);
  BOOST_TEST(p.value().p_threshold_trend == 0.05);
  BOOST_TEST(p.value().limit54_cases == 5);
  BOOST_TEST(p.value().limit54_weeks == 4);
  BOOST_TEST((p.value().powertrans == vigil::PowerTransform::kTwoThirds));
  BOOST_TEST((p.value().threshold == vigil::FarringtonThreshold::kDelta));
  auto w5 = vigil::parse_farrington_params({{"w", "5"}, {"pastWeeksNotIncluded", "NULL"}});
  BOOST_REQUIRE(w5.is_ok());
  BOOST_TEST(w5.value().window.past_weeks_not_included == 5);
}

BOOST_AUTO_TEST_CASE(bad_parameters_are_rejected) {
  for (const MethodParams& bad : std::vector<MethodParams>{
           {{"populationOffset", "TRUE"}},
           {{"b", "0"}},
           {{"limit54", "5"}},
           {{"limit54", "5,0"}},  // R: period > 0
           {{"powertrans", "1/3"}},
           {{"thresholdMethod", "poisson"}},
           {{"alpha", "1.5"}},
           {{"reweight", "yes"}},
       }) {
    auto p = vigil::parse_farrington_params(bad);
    BOOST_TEST_CONTEXT(bad.begin()->first) {
      BOOST_REQUIRE(!p.is_ok());
      BOOST_TEST(p.error().message.find(bad.begin()->first) != std::string::npos);
    }
  }
}

// algo.farrington.referencetimepoints on the dated Newport series: the same
// Monday 1..3 years back, moved to the nearest Monday.
BOOST_AUTO_TEST_CASE(reference_weeks_by_calendar_and_by_index) {
  const auto newport = load("salmNewport_DE.csv");
  auto dated = vigil::farrington_reference_points(newport, 366, 3);
  BOOST_REQUIRE(dated.is_ok());
  // R: 2011-01-03 -> 2010-01-04, 2009-01-05, 2007-12-31 (2008-01-03 is a
  // Thursday: the Monday 3 days before is nearer than the one 4 days after).
  BOOST_TEST(dated.value() == (std::vector<std::size_t>{366, 314, 262, 209}),
             boost::test_tools::per_element());
  const auto agona = load("salmonella_agona.csv");
  auto indexed = vigil::farrington_reference_points(agona, 209, 3);
  BOOST_REQUIRE(indexed.is_ok());
  BOOST_TEST(indexed.value() == (std::vector<std::size_t>{209, 157, 105, 53}),
             boost::test_tools::per_element());
  // R: "Some reference time points did not exist; decrease 'b' or postpone 'range'."
  auto too_early =
      vigil::farrington_point(agona, 100, vigil::parse_farrington_params(kBase).value());
  BOOST_REQUIRE(!too_early.is_ok());
  BOOST_TEST((too_early.error().kind == vigil::ErrorKind::kInvalidArgument));
  BOOST_TEST(too_early.error().message.find("reference time points") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(noufaily_blocks_cover_the_years_between_windows) {
  const auto agona = load("salmonella_agona.csv");
  vigil::FarringtonWindow window{3, 3, 10, 26};
  auto design = vigil::farrington_design(agona, 260, window);
  BOOST_REQUIRE(design.is_ok());
  const auto& d = design.value();
  // From the window around t = 260 - 156 (start 101) up to t - 27 = 233.
  BOOST_TEST(d.rows.front() == 101u);
  BOOST_TEST(d.rows.back() == 233u);
  BOOST_TEST(d.rows.size() == 133u);
  BOOST_TEST(d.wtime_now == 260.0);
}

BOOST_AUTO_TEST_CASE(muan_threshold_matches_r) {
  expect_r("salmonella_agona.csv", {250, 256},
           with(kBase, {{"thresholdMethod", "muan"}, {"noPeriods", "10"},
                        {"pastWeeksNotIncluded", "26"}}),
           {8, 8, 7, 6, 6, 6, 5}, {});
}

// Skipping p-values (as `vigil series` does) leaves every other field as it
// was, bit for bit, and only p_value NaN.
BOOST_AUTO_TEST_CASE(skipped_p_values_change_nothing_else) {
  const auto agona = load("salmonella_agona.csv");
  for (const char* threshold : {"nbPlugin", "delta"}) {
    BOOST_TEST_CONTEXT(threshold) {
      auto params = vigil::parse_farrington_params(
          with(kBase, {{"thresholdMethod", threshold}, {"noPeriods", "10"},
                       {"pastWeeksNotIncluded", "26"}, {"alpha", "0.005"}}));
      BOOST_REQUIRE(params.is_ok());
      auto with_p = vigil::farrington_range(agona, {240, 260}, params.value());
      auto without_p = vigil::farrington_range(agona, {240, 260}, params.value(),
                                               vigil::FarringtonPValues::kSkipped);
      BOOST_REQUIRE(with_p.is_ok());
      BOOST_REQUIRE(without_p.is_ok());
      BOOST_REQUIRE_EQUAL(with_p.value().size(), without_p.value().size());
      for (std::size_t i = 0; i < with_p.value().size(); ++i) {
        const auto& a = with_p.value()[i];
        const auto& b = without_p.value()[i];
        BOOST_TEST(a.upperbound == b.upperbound);
        BOOST_TEST(a.alarm == b.alarm);
        BOOST_TEST(a.expected == b.expected);
        BOOST_TEST(a.score == b.score);
        BOOST_TEST(a.p_value >= 0);
        BOOST_TEST(a.p_value <= 1);
        BOOST_TEST(std::isnan(b.p_value));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(square_root_transform_without_reweighting_matches_r) {
  expect_r("salmonella_agona.csv", {250, 256},
           with(kBase, {{"powertrans", "1/2"}, {"reweight", "FALSE"}}),
           {3.94687750265658, 3.60225529009653, 3.50769295841588, 3.02711893336005,
            2.49747821518842, 2.72193293372175, 2.81311948901869},
           {1, 5, 6});
}

BOOST_AUTO_TEST_CASE(no_transform_without_trend_matches_r) {
  expect_r("salmonella_agona.csv", {250, 256},
           with(kBase, {{"powertrans", "none"}, {"trend", "FALSE"}}),
           {8.0814524087751, 7.53304359036001, 7.3684564818731, 6.64949011483612,
            6.64572153478647, 6.03851472910292, 4.12874249242256},
           {});
}

BOOST_AUTO_TEST_CASE(package_defaults_on_a_dated_series_match_r) {
  expect_r("salmNewport_DE.csv", {400, 406}, {},
           {4.59651504346102, 3.89617145884312, 3.94457161816791, 4.21539586325872,
            4.50588687086663, 5.62147968103894, 7.36920711901272},
           {1});
}

BOOST_AUTO_TEST_CASE(four_periods_narrow_window_match_r) {
  expect_r("salmNewport_DE.csv", {400, 406},
           {{"noPeriods", "4"}, {"w", "2"}, {"b", "4"}, {"pastWeeksNotIncluded", "8"},
            {"limit54", "0,4"}},
           {5.05826031508552, 5.15848090428815, 4.91013105909617, 4.88875562205325,
            4.53234792856125, 5.0977041780292, 5.5778037302584},
           {1});
}

// limit54: without 5 cases in the last 4 weeks R gives no bound and no alarm.
BOOST_AUTO_TEST_CASE(limit54_suppresses_bound_and_alarm) {
  auto series = load("salmonella_agona.csv");
  for (std::size_t t = 247; t <= 250; ++t) series.observed[t - 1] = 1;  // 4 cases
  auto params = vigil::parse_farrington_params(kBase).value();
  auto point = vigil::farrington_point(series, 250, params);
  BOOST_REQUIRE(point.is_ok());
  BOOST_TEST(std::isnan(point.value().upperbound));
  BOOST_TEST(!point.value().alarm);
  series.observed[249] = 2;  // 5 cases
  point = vigil::farrington_point(series, 250, params);
  BOOST_REQUIRE(point.is_ok());
  BOOST_TEST(!std::isnan(point.value().upperbound));
}

BOOST_AUTO_TEST_SUITE_END()

// glrnb (series/glrnb.h): parameters, the mu0 model (MASS::glm.nb) and
// the chart variants beyond cases.tsv, checked against R 4.2.2 /
// surveillance 1.20.3 on ha_aggregated, range 209:290 (R values printed with
// 15 digits; the cases.tsv run itself is in series_reference_test).
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "series/glrnb.h"
#include "series/series_csv.h"

namespace {

using vigil::MethodParams;

vigil::CountSeries ha() {
  auto series = vigil::read_series_csv(
      std::string(VIGIL_SHARED_DIR "/reference/surveillance/ha_aggregated.csv"), 52);
  BOOST_REQUIRE(series.is_ok());
  return std::move(series).value();
}

std::vector<vigil::SeriesPoint> run(const MethodParams& params) {
  auto parsed = vigil::parse_glrnb_params(params);
  BOOST_REQUIRE(parsed.is_ok());
  auto points = vigil::glrnb_range(ha(), {209, 290}, parsed.value());
  BOOST_REQUIRE_MESSAGE(points.is_ok(), (points.is_ok() ? "" : points.error().message));
  BOOST_REQUIRE_EQUAL(points.value().size(), 82u);
  return std::move(points).value();
}

// The first upperbounds and every alarm position (1-based in the range).
void expect_r(const std::vector<vigil::SeriesPoint>& points, const std::vector<double>& first,
              const std::vector<std::size_t>& alarms, double tolerance = 1e-9) {
  for (std::size_t i = 0; i < first.size(); ++i) {
    BOOST_TEST_CONTEXT("point " << i + 1) {
      BOOST_TEST(points[i].upperbound == first[i], boost::test_tools::tolerance(tolerance));
    }
  }
  std::vector<std::size_t> got;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].alarm) got.push_back(i + 1);
  }
  BOOST_TEST(got == alarms, boost::test_tools::per_element());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(glrnb_test)

BOOST_AUTO_TEST_CASE(defaults_and_bad_parameters) {
  auto p = vigil::parse_glrnb_params({});
  BOOST_REQUIRE(p.is_ok());
  BOOST_TEST(p.value().c_arl == 5.0);
  BOOST_TEST(p.value().mtilde == 1);
  BOOST_TEST(p.value().m == -1);
  BOOST_TEST((p.value().ret == vigil::GlrReturn::kValue));  // algo.glrnb's default
  BOOST_TEST((p.value().dir == vigil::GlrDirection::kIncrease));
  BOOST_TEST(!p.value().alpha.has_value());
  BOOST_TEST(p.value().s == 1);
  BOOST_TEST(!p.value().trend);
  for (const MethodParams& bad : std::vector<MethodParams>{
           {{"change", "epi"}}, {{"theta", "1"}}, {{"dir", "up"}}, {{"ret", "both"}},
           {{"alpha", "-1"}}, {{"c.arl", "5"}}, {{"M", "0"}}}) {
    BOOST_TEST_CONTEXT(bad.begin()->first) {
      BOOST_TEST(!vigil::parse_glrnb_params(bad).is_ok());
    }
  }
}

// R: glm.nb(y ~ 1 + cos(2*pi/52*t) + sin(2*pi/52*t)) on t = 1..208 gives
// theta 5.51281445943092, coefficients 0.0461049880290675, 0.015798909984557,
// -0.0558036106563271.
BOOST_AUTO_TEST_CASE(mu0_model_is_mass_glm_nb) {
  auto params = vigil::parse_glrnb_params({}).value();
  auto mu0 = vigil::estimate_glrnb_mu0(ha().observed, {209, 290}, 52, params);
  BOOST_REQUIRE(mu0.is_ok());
  BOOST_TEST(mu0.value().alpha == 1 / 5.51281445943092, boost::test_tools::tolerance(1e-9));
  const double angle = 2 * std::numbers::pi / 52 * 209;
  const double expected =
      std::exp(0.0461049880290675 + 0.015798909984557 * std::cos(angle) -
               0.0558036106563271 * std::sin(angle));
  BOOST_TEST(mu0.value().mu0.front() == expected, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(poisson_glr_value_matches_r) {
  expect_r(run({{"alpha", "0"}, {"ret", "value"}}),
           {0.332774768554172, 1.42954626405678, 1.01838293694149, 0.347824073647346,
            0.277518361478199, 0.230496255666895, 0.0380938295789883, 0},
           {76, 78, 80});
}

BOOST_AUTO_TEST_CASE(windowed_poisson_glr_cases_with_trend_and_two_harmonics_match_r) {
  const auto points = run({{"c.ARL", "4"}, {"S", "2"}, {"trend", "TRUE"}, {"alpha", "0"},
                           {"ret", "cases"}, {"M", "20"}});
  expect_r(points,
           {0, 4, 2, 2, 3, 3, 3, 4, 5, 4, 5, 6, 6, 6, 6, 5, 6, 6, 4, 6, 5, 4, 4, 4, 5, 5, 5,
            6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 6, 6, 7, 7, 6, 6, 5, 6, 5, 6, 6, 6, 6, 4, 5,
            5, 5, 4, 5, 5, 4, 4, 6, 5, 5, 5, 4, 5, 5, 5, 3, 2, 0, 3, 3, 0, 4, 2, 2, 0, 0, 0, 3},
           {71, 74, 78, 80});
}

BOOST_AUTO_TEST_CASE(negative_binomial_glr_value_with_given_alpha_matches_r) {
  expect_r(run({{"alpha", "0.2"}, {"ret", "value"}}),
           {0.262846346865118, 1.10870139335691, 0.804102670014337, 0.279322908504085,
            0.223599191142995, 0.186034104965525, 0.030240708364585, 0},
           {78}, 1e-8);
}

BOOST_AUTO_TEST_CASE(known_shift_lr_cusums_match_r) {
  expect_r(run({{"alpha", "0"}, {"theta", "0.69314718055994529"}, {"ret", "cases"}}),
           {8.73783838795852, 8.2514668224602, 6.75439439079838, 7.24680972242561,
            8.69571572884063, 8.68601932927484, 8.67693289253006, 8.66857721745298},
           {76, 79});
  expect_r(run({{"alpha", "0.3"}, {"theta", "0.69314718055994529"}, {"ret", "value"}}),
           {0.23607411450768, 0.956082257757449, 0.723513442341908, 0.0147823186465341, 0, 0,
            0, 0},
           {78});
}

// With a known mu0 the chart needs no history; alarms restart the chart.
BOOST_AUTO_TEST_CASE(known_mu0_and_restart_after_alarm) {
  const std::vector<double> x = {1, 1, 9, 1, 1, 1, 1, 9};
  const std::vector<double> mu0(x.size(), 1.0);
  auto params = vigil::parse_glrnb_params({{"alpha", "0"}, {"ret", "value"}}).value();
  auto points = vigil::glrnb_chart(x, mu0, 0.0, params);
  BOOST_REQUIRE(points.is_ok());
  // GLR at t=3: kappa = log(9), 9 log 9 - 8 = 11.78 >= 5.
  BOOST_TEST(points.value()[2].alarm);
  BOOST_TEST(points.value()[2].upperbound == 9 * std::log(9.0) - 8,
             boost::test_tools::tolerance(1e-12));
  // After the restart the history before t=4 no longer counts.
  BOOST_TEST(points.value()[3].upperbound == 0.0);
  BOOST_TEST(points.value()[7].alarm);
  for (std::size_t i : {0u, 1u, 3u, 4u, 5u, 6u}) BOOST_TEST(!points.value()[i].alarm);
}

BOOST_AUTO_TEST_SUITE_END()

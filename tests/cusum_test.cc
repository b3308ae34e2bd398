// cusum (series/cusum.h): parameters and every implemented transform
// checked against R 4.2.2 / surveillance 1.20.3 algo.cusum on ha_aggregated,
// range 209:290 (R values printed with 15 digits; the cases.tsv rossi run is
// in series_reference_test).
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "series/cusum.h"
#include "series/series_csv.h"

namespace {

using vigil::MethodParams;

vigil::CountSeries ha() {
  auto series = vigil::read_series_csv(
      std::string(VIGIL_SHARED_DIR "/reference/surveillance/ha_aggregated.csv"), 52);
  BOOST_REQUIRE(series.is_ok());
  return std::move(series).value();
}

// Compares the first upperbounds and all alarm positions (1-based in range).
void expect_r(const MethodParams& params, const std::vector<double>& first,
              const std::vector<std::size_t>& alarms) {
  auto parsed = vigil::parse_cusum_params(params);
  BOOST_REQUIRE(parsed.is_ok());
  auto points = vigil::cusum_range(ha(), {209, 290}, parsed.value());
  BOOST_REQUIRE(points.is_ok());
  for (std::size_t i = 0; i < first.size(); ++i) {
    BOOST_TEST_CONTEXT("point " << i + 1) {
      BOOST_TEST(points.value()[i].upperbound == first[i], boost::test_tools::tolerance(1e-12));
    }
  }
  std::vector<std::size_t> got;
  for (std::size_t i = 0; i < points.value().size(); ++i) {
    if (points.value()[i].alarm) got.push_back(i + 1);
  }
  BOOST_TEST(got == alarms, boost::test_tools::per_element());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cusum_test)

BOOST_AUTO_TEST_CASE(defaults_and_bad_parameters) {
  auto p = vigil::parse_cusum_params({});
  BOOST_REQUIRE(p.is_ok());
  BOOST_TEST(p.value().k == 1.04);
  BOOST_TEST(p.value().h == 2.26);
  BOOST_TEST(!p.value().m.has_value());
  BOOST_TEST((p.value().trans == vigil::CusumTransform::kStandard));
  for (const MethodParams& bad : std::vector<MethodParams>{
           {{"trans", "anscombeNegBin"}}, {{"m", "-1"}}, {{"k", "x"}}, {{"reset", "TRUE"}}}) {
    BOOST_TEST_CONTEXT(bad.begin()->first) {
      BOOST_TEST(!vigil::parse_cusum_params(bad).is_ok());
    }
  }
}

BOOST_AUTO_TEST_CASE(standard_matches_r_and_alarms_persist_without_reset) {
  expect_r({}, {5, 5, 4, 5, 5, 5, 5, 5}, {72, 74, 78, 79, 80, 81, 82});
}

BOOST_AUTO_TEST_CASE(glm_mean_matches_r) {
  expect_r({{"m", "glm"}}, {5, 5, 4, 5, 5, 5, 5, 5}, {72, 74, 76, 78, 79, 80, 81, 82});
}

BOOST_AUTO_TEST_CASE(anscombe_transforms_match_r) {
  expect_r({{"trans", "anscombe"}, {"m", "2"}}, {8.17105654340206, 8.17105654340206}, {});
  expect_r({{"trans", "anscombe2nd"}},
           {5.55405250862174, 5.55405250862174, 4.38079965978005, 5.55405250862174},
           {78, 79, 80, 81, 82});
}

BOOST_AUTO_TEST_CASE(pearson_negbin_and_none_match_r) {
  expect_r({{"trans", "pearsonNegBin"}, {"alpha", "0.2"}},
           {4.76372154787767, 4.76372154787767, 3.98278950422513}, {78, 79, 80, 81, 82});
  expect_r({{"trans", "none"}, {"k", "0.5"}, {"h", "6"}}, {4.5, 2, 1.5, 2, 1.5, 1, 1.5, 2},
           {22, 23, 24, 25, 26, 27, 28, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82});
}

// A mu0 column is R's numeric-vector m; a zero count never pushes the sum up.
BOOST_AUTO_TEST_CASE(known_mean_per_point) {
  const std::vector<double> x = {0, 0, 6, 0};
  const std::vector<double> m = {1, 1, 1, 1};
  auto params = vigil::parse_cusum_params({}).value();
  auto points = vigil::cusum_chart(x, m, params);
  BOOST_REQUIRE(points.is_ok());
  BOOST_TEST(!points.value()[0].alarm);
  BOOST_TEST(points.value()[0].upperbound == std::ceil(1 * (2.26 + 1.04) + 1));
  BOOST_TEST(points.value()[2].alarm);  // (6 - 1) / 1 - 1.04 = 3.96 >= 2.26
  BOOST_TEST(points.value()[2].score == 3.96, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(!points.value()[3].alarm);  // 3.96 + (-1 - 1.04) = 1.92 < 2.26
  BOOST_TEST(points.value()[3].score == 1.92, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_SUITE_END()

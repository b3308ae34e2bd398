// Funnel-plot limits (detectors/funnel_limits.h) against the R reference run
// in ../shared/reference/funnel_reference.csv: exact Poisson limits at 95% and
// 99.8%, z-scores, the SHMI overdispersion estimate (phi, tau^2) and the
// overdispersed 99.8% limits with the outliers they mark.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <vector>

#include "detectors/funnel_limits.h"
#include "tests/reference_table.h"

namespace {

using vigil::FunnelUnit;
using vigil::testing::check_reference_value;
using vigil::testing::reference_number;

constexpr double kTolerance = 1e-9;  // relative

std::vector<vigil::testing::ReferenceRow> reference() {
  return vigil::testing::read_reference_table(std::string(VIGIL_SHARED_DIR) +
                                              "/reference/funnel_reference.csv");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(funnel_limits_test)

BOOST_AUTO_TEST_CASE(exact_poisson_limits_match_r) {
  const auto rows = reference();
  BOOST_TEST_REQUIRE(rows.size() == 10u);
  for (const auto& row : rows) {
    const double e = reference_number(row.at("E"));
    const auto l95 = vigil::exact_poisson_ratio_limits(e, vigil::kFunnel95);
    const auto l998 = vigil::exact_poisson_ratio_limits(e, vigil::kFunnel998);
    check_reference_value("lo95 at E=" + row.at("E"), l95.lower, row.at("lo95"), kTolerance);
    check_reference_value("hi95 at E=" + row.at("E"), l95.upper, row.at("hi95"), kTolerance);
    check_reference_value("lo998 at E=" + row.at("E"), l998.lower, row.at("lo998"), kTolerance);
    check_reference_value("hi998 at E=" + row.at("E"), l998.upper, row.at("hi998"), kTolerance);
    check_reference_value("z", vigil::log_ratio_z(reference_number(row.at("O")), e), row.at("z"), kTolerance);
  }
}

BOOST_AUTO_TEST_CASE(shmi_overdispersion_matches_r) {
  const auto rows = reference();
  std::vector<FunnelUnit> units;
  for (const auto& row : rows) units.push_back({reference_number(row.at("O")), reference_number(row.at("E"))});
  const auto od = vigil::shmi_overdispersion(units);
  BOOST_TEST(od.units == 10u);
    BOOST_TEST(std::abs(od.phi - 2.673368681) < 1e-9);
  BOOST_TEST(std::abs(od.tau2 - 0.005205583212) < 1e-12);
  for (const auto& row : rows) {
    const double e = reference_number(row.at("E"));
    const auto lim = vigil::overdispersed_ratio_limits(e, od.tau2, 0.998);
    check_reference_value("od_lo998 at E=" + row.at("E"), lim.lower, row.at("od_lo998"), kTolerance);
    check_reference_value("od_hi998 at E=" + row.at("E"), lim.upper, row.at("od_hi998"), kTolerance);
    const double ratio = reference_number(row.at("ratio"));
    const bool outlier = ratio < lim.lower || ratio > lim.upper;
    BOOST_TEST(outlier == (row.at("outlier998_od") == "1"), "outlier at E=" << row.at("E"));
  }
}

BOOST_AUTO_TEST_CASE(no_overdispersion_when_units_agree_with_poisson) {
  // Every unit exactly on its expectation: phi = 0 < (n-1)/n, so tau^2 = 0
  // and the adjusted limits are the plain normal approximation.
  std::vector<FunnelUnit> units{{10, 10}, {20, 20}, {40, 40}, {80, 80}};
  const auto od = vigil::shmi_overdispersion(units);
  BOOST_TEST(od.phi == 0.0);
  BOOST_TEST(od.tau2 == 0.0);
  const auto lim = vigil::overdispersed_ratio_limits(25, 0.0, 0.998);
  BOOST_TEST(std::abs(std::log(lim.upper) - 3.090232 / 5) < 1e-12);
}

BOOST_AUTO_TEST_CASE(units_without_events_do_not_enter_the_estimate) {
  std::vector<FunnelUnit> units{{0, 50}, {12, 10}, {0, 0}};
  const auto od = vigil::shmi_overdispersion(units);
  BOOST_TEST(od.units == 1u);
  BOOST_TEST(od.tau2 == 0.0);  // fewer than two usable units: no adjustment
  BOOST_TEST(od.phi == 1.0);
}

BOOST_AUTO_TEST_CASE(limits_narrow_as_expected_grows) {
  double previous_width = INFINITY;
  for (double e : {1.0, 5.0, 25.0, 125.0, 625.0}) {
    const auto lim = vigil::exact_poisson_ratio_limits(e, vigil::kFunnel998);
    BOOST_TEST(lim.lower < 1.0);
    BOOST_TEST(lim.upper > 1.0);
    BOOST_TEST(lim.upper - lim.lower < previous_width);
    previous_width = lim.upper - lim.lower;
  }
}

BOOST_AUTO_TEST_SUITE_END()

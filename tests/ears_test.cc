// EARS C1/C2/C3 (detectors/ears.h): parameters as R earsC checks them, the
// arithmetic on hand-computed windows, R's C3 quirk, and the invariants of R
// surveillance's test suite. The R reference runs are in series_reference_test.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <random>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "detectors/ears.h"
#include "series/series_csv.h"

namespace {

using vigil::EarsParams;
using vigil::EarsVariant;
using vigil::ErrorKind;
using vigil::MethodParams;

constexpr double kZ001 = 3.090232306167813;   // R: qnorm(1 - 0.001)
constexpr double kZ0025 = 1.959963984540054;  // R: qnorm(1 - 0.025)

EarsParams params_for(EarsVariant variant, double min_sigma = 0) {
  EarsParams p;
  p.variant = variant;
  p.min_sigma = min_sigma;
  p.alpha = variant == EarsVariant::kC3 ? 0.025 : 0.001;
  return p;
}

double sample_sd(const std::vector<double>& v) {
  double mean = 0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ears_test)

BOOST_AUTO_TEST_CASE(defaults_follow_r_earsc) {
  for (const auto& [name, variant, alpha] :
       {std::tuple{"earsC1", EarsVariant::kC1, 0.001},
        std::tuple{"earsC2", EarsVariant::kC2, 0.001},
        std::tuple{"earsC3", EarsVariant::kC3, 0.025}}) {
    auto p = vigil::parse_ears_params(name, {});
    BOOST_REQUIRE(p.is_ok());
    BOOST_TEST((p.value().variant == variant));
    BOOST_TEST(p.value().baseline == 7);
    BOOST_TEST(p.value().min_sigma == 0.0);
    BOOST_TEST(p.value().alpha == alpha);
  }
  auto p = vigil::parse_ears_params(
      "earsC2", {{"method", "C2"}, {"baseline", "10"}, {"minSigma", "0.5"}, {"alpha", "0.01"}});
  BOOST_REQUIRE(p.is_ok());
  BOOST_TEST(p.value().baseline == 10);
  BOOST_TEST(p.value().min_sigma == 0.5);
  BOOST_TEST(p.value().alpha == 0.01);
  BOOST_TEST(vigil::ears_required_history(p.value()) == 12u);
}

BOOST_AUTO_TEST_CASE(bad_parameters_are_rejected_with_their_name) {
  const std::vector<std::pair<std::string, MethodParams>> bad = {
      {"earsC4", {}},
      {"earsC1", {{"baselin", "7"}}},
      {"earsC1", {{"method", "C2"}}},
      {"earsC1", {{"baseline", "2"}}},  // R: "Minimum baseline to use is 3."
      {"earsC1", {{"baseline", "7.5"}}},
      {"earsC1", {{"minSigma", "-1"}}},  // R: minSigma "needs to be positive"
      {"earsC1", {{"alpha", "0"}}},
      {"earsC1", {{"alpha", "1"}}},
      {"earsC1", {{"alpha", "abc"}}},
      {"earsC1", {{"alpha", "0.05x"}}},
  };
  for (const auto& [name, params] : bad) {
    auto p = vigil::parse_ears_params(name, params);
    BOOST_TEST_CONTEXT(name << " " << (params.empty() ? "" : params.begin()->first)) {
      BOOST_REQUIRE(!p.is_ok());
      BOOST_TEST((p.error().kind == ErrorKind::kInvalidArgument));
      if (!params.empty()) {
        BOOST_TEST(p.error().message.find(params.begin()->first) != std::string::npos);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(c1_and_c2_match_hand_computation) {
  // C1 baseline is the 7 counts before t; C2 skips two weeks.
  const std::vector<double> y = {9, 9, 1, 2, 3, 4, 5, 6, 7, 20};
  auto c1 = vigil::ears_point(y, params_for(EarsVariant::kC1));
  BOOST_REQUIRE(c1.is_ok());
  // y.back() is the current point; baseline = y[2..8] = 1..7.
  const std::vector<double> base = {1, 2, 3, 4, 5, 6, 7};
  BOOST_TEST(c1.value().expected == 4.0, boost::test_tools::tolerance(1e-14));
  BOOST_TEST(c1.value().upperbound == 4.0 + kZ001 * sample_sd(base),
             boost::test_tools::tolerance(1e-13));
  BOOST_TEST(c1.value().alarm);
  BOOST_TEST(c1.value().score == (20.0 - 4.0) / sample_sd(base),
             boost::test_tools::tolerance(1e-13));
  // 1 - Phi(16 / 2.160247) = 1 - Phi(7.4066): about 6.5e-14, below 1e-13.
  BOOST_TEST(c1.value().p_value > 0.0);
  BOOST_TEST(c1.value().p_value < 1e-13);

  // C2: baseline = y[0..6] = 9,9,1,2,3,4,5.
  auto c2 = vigil::ears_point(y, params_for(EarsVariant::kC2));
  BOOST_REQUIRE(c2.is_ok());
  const std::vector<double> base2 = {9, 9, 1, 2, 3, 4, 5};
  BOOST_TEST(c2.value().expected == 33.0 / 7.0, boost::test_tools::tolerance(1e-14));
  BOOST_TEST(c2.value().upperbound == 33.0 / 7.0 + kZ001 * sample_sd(base2),
             boost::test_tools::tolerance(1e-13));
}

BOOST_AUTO_TEST_CASE(min_sigma_floors_a_flat_baseline) {
  const std::vector<double> flat = {2, 2, 2, 2, 2, 2, 2, 3};
  auto no_floor = vigil::ears_point(flat, params_for(EarsVariant::kC1));
  BOOST_REQUIRE(no_floor.is_ok());
  BOOST_TEST(no_floor.value().upperbound == 2.0);
  BOOST_TEST(no_floor.value().alarm);
  auto floored = vigil::ears_point(flat, params_for(EarsVariant::kC1, 0.5));
  BOOST_REQUIRE(floored.is_ok());
  BOOST_TEST(floored.value().upperbound == 2.0 + 0.5 * kZ001, boost::test_tools::tolerance(1e-14));
  BOOST_TEST(!floored.value().alarm);
  // p-value: 1 - Phi((y - m) / sigma). Without the floor sigma is 0 and the
  // normal model undefined (NaN); with it, 1 - Phi((3 - 2) / 0.5) = 1 - Phi(2)
  // = 0.022750131948179.
  BOOST_TEST(std::isnan(no_floor.value().p_value));
  BOOST_TEST(floored.value().p_value == 0.022750131948179195, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(point_uses_only_the_needed_tail) {
  std::vector<double> y = {100, 50, 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8};
  for (const auto variant : {EarsVariant::kC1, EarsVariant::kC2, EarsVariant::kC3}) {
    const EarsParams p = params_for(variant);
    const std::size_t n = vigil::ears_required_history(p) + 1;
    auto full = vigil::ears_point(y, p);
    auto tail = vigil::ears_point(std::span<const double>(y).last(n), p);
    BOOST_REQUIRE(full.is_ok());
    BOOST_REQUIRE(tail.is_ok());
    BOOST_TEST(full.value().upperbound == tail.value().upperbound);
    auto short_window = vigil::ears_point(std::span<const double>(y).last(n - 1), p);
    BOOST_REQUIRE(!short_window.is_ok());
    BOOST_TEST((short_window.error().kind == ErrorKind::kInvalidArgument));
  }
}

BOOST_AUTO_TEST_CASE(range_too_early_for_the_baseline_is_an_error) {
  const std::vector<double> y(40, 1.0);
  // R: "The vector of observed is too short!" when range[1] - maxLag < 1.
  BOOST_TEST(!vigil::ears_range(y, {7, 40}, params_for(EarsVariant::kC1)).is_ok());
  BOOST_TEST(vigil::ears_range(y, {8, 40}, params_for(EarsVariant::kC1)).is_ok());
  BOOST_TEST(!vigil::ears_range(y, {9, 40}, params_for(EarsVariant::kC2)).is_ok());
  BOOST_TEST(vigil::ears_range(y, {10, 40}, params_for(EarsVariant::kC2)).is_ok());
  BOOST_TEST(!vigil::ears_range(y, {11, 40}, params_for(EarsVariant::kC3)).is_ok());
  BOOST_TEST(vigil::ears_range(y, {12, 40}, params_for(EarsVariant::kC3)).is_ok());
  BOOST_TEST(!vigil::ears_range(y, {12, 41}, params_for(EarsVariant::kC3)).is_ok());
  BOOST_TEST(!vigil::ears_range(y, {20, 19}, params_for(EarsVariant::kC1)).is_ok());
}

// METHODS.md §1.3: R's C3 bound is y[t] plus a margin from the two previous
// weeks, so a huge current count alone never alarms. salmNewport with
// y[375] = 1000, earsC(method = "C3", range = 366:417) in R 4.2.2 /
// surveillance 1.20.3 gives upperbound 1002.738611150 and no alarm (METHODS.md
// quotes 1002.298, which R does not reproduce).
BOOST_AUTO_TEST_CASE(c3_reproduces_r_ignoring_the_current_count) {
  auto series = vigil::read_series_csv(
      std::string(VIGIL_SHARED_DIR "/reference/surveillance/salmNewport_DE.csv"), 52);
  BOOST_REQUIRE(series.is_ok());
  std::vector<double> y = series.value().observed;
  y[374] = 1000;
  auto point = vigil::ears_point(std::span<const double>(y).first(375),
                                 params_for(EarsVariant::kC3));
  BOOST_REQUIRE(point.is_ok());
  BOOST_TEST(point.value().upperbound == 1002.738611150, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(!point.value().alarm);
}

// With minSigma = 0 a flat C2 baseline makes R's C3 terms 0/0: R gives NA.
BOOST_AUTO_TEST_CASE(c3_flat_baseline_without_min_sigma_has_no_bound) {
  const std::vector<double> zeros(12, 0.0);
  auto point = vigil::ears_point(zeros, params_for(EarsVariant::kC3));
  BOOST_REQUIRE(point.is_ok());
  BOOST_TEST(std::isnan(point.value().upperbound));
  BOOST_TEST(!point.value().alarm);
  auto floored = vigil::ears_point(zeros, params_for(EarsVariant::kC3, 1.0));
  BOOST_REQUIRE(floored.is_ok());
  BOOST_TEST(floored.value().upperbound == kZ0025, boost::test_tools::tolerance(1e-14));
}

// R's test suite: no alarm when y = 0, and alarm exactly when y > U.
BOOST_AUTO_TEST_CASE(alarm_invariants_on_random_series) {
  std::mt19937 rng(20240601);
  std::poisson_distribution<int> counts(3.0);
  std::bernoulli_distribution zero(0.3);
  std::vector<double> y(300);
  for (double& v : y) v = zero(rng) ? 0 : counts(rng);
  for (const auto variant : {EarsVariant::kC1, EarsVariant::kC2, EarsVariant::kC3}) {
    for (const double min_sigma : {0.0, 0.5}) {
      const EarsParams p = params_for(variant, min_sigma);
      auto points = vigil::ears_range(y, {20, y.size()}, p);
      BOOST_REQUIRE(points.is_ok());
      for (std::size_t i = 0; i < points.value().size(); ++i) {
        const double yt = y[19 + i];
        const auto& point = points.value()[i];
        BOOST_TEST_CONTEXT("variant " << vigil::ears_variant_name(variant) << " t=" << 20 + i) {
          if (yt == 0) BOOST_TEST(!point.alarm);
          BOOST_TEST(point.alarm == (!std::isnan(point.upperbound) && yt > point.upperbound));
          if (variant == EarsVariant::kC3 && !std::isnan(point.upperbound)) {
            BOOST_TEST(point.upperbound >= 0.0);
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

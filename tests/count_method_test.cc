// The count methods of the streaming detector (detectors/count_method.h): on a
// window ending at t they give what the whole-series functions give at t.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "detectors/count_method.h"
#include "detectors/ears.h"
#include "detectors/farrington_flexible.h"
#include "series/series_csv.h"

namespace {

using vigil::CountMethod;
using vigil::MethodParams;
using vigil::SeriesPoint;

vigil::CountSeries load(const std::string& name) {
  auto series = vigil::read_series_csv(
      std::string(VIGIL_SHARED_DIR "/reference/surveillance/") + name, 52);
  BOOST_REQUIRE_MESSAGE(series.is_ok(), (series.is_ok() ? "" : series.error().message));
  return std::move(series).value();
}

std::unique_ptr<CountMethod> make(const std::string& method, const MethodParams& params,
                                  int freq = 52) {
  auto made = vigil::make_count_method(method, params, freq);
  BOOST_REQUIRE_MESSAGE(made.is_ok(), (made.is_ok() ? "" : made.error().message));
  return std::move(made).value();
}

// The history_length() + 1 counts ending at the 1-based point t.
std::span<const double> window_at(const vigil::CountSeries& series, const CountMethod& method,
                                  std::size_t t) {
  const std::size_t length = method.history_length() + 1;
  BOOST_REQUIRE(t >= length && t <= series.size());
  return std::span<const double>(series.observed).subspan(t - length, length);
}

bool same_number(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

std::string error_of(const std::string& method, const MethodParams& params, int freq = 52) {
  auto made = vigil::make_count_method(method, params, freq);
  BOOST_REQUIRE(!made.is_ok());
  BOOST_TEST((made.error().kind == vigil::ErrorKind::kInvalidArgument));
  return made.error().message;
}

// cases.tsv's ff_agona_noufaily: the Noufaily et al. (2013) settings.
const MethodParams kNoufaily = {{"b", "3"},
                                {"w", "3"},
                                {"reweight", "TRUE"},
                                {"weightsThreshold", "2.58"},
                                {"alpha", "0.05"},
                                {"trend", "TRUE"},
                                {"pThresholdTrend", "1"},
                                {"limit54", "5,4"},
                                {"powertrans", "2/3"},
                                {"noPeriods", "10"},
                                {"pastWeeksNotIncluded", "26"},
                                {"thresholdMethod", "nbPlugin"}};

}  // namespace

BOOST_AUTO_TEST_SUITE(count_method_test)

BOOST_AUTO_TEST_CASE(farrington_history_is_the_oldest_reference_window) {
  const auto method = make("farringtonFlexible", kNoufaily);
  BOOST_TEST(method->name() == "farringtonFlexible");
  BOOST_TEST(method->history_length() == 3u * 52 + 3);  // b * freq + w
  // Minimal: on the whole series the first point farrington_point can
  // evaluate is history_length() + 1.
  const auto series = load("salmonella_agona.csv");
  auto params = vigil::parse_farrington_params(kNoufaily);
  BOOST_TEST_REQUIRE(params.is_ok());
  const std::size_t history = method->history_length();
  BOOST_TEST(!vigil::farrington_point(series, history, params.value()).is_ok());
  BOOST_TEST(vigil::farrington_point(series, history + 1, params.value()).is_ok());

  // Daily periods: a year is 365 of them.
  BOOST_TEST(make("farringtonFlexible", {{"b", "2"}, {"w", "3"}}, 365)->history_length() ==
             2u * 365 + 3);
  // limit54 counts the last 60 points including the current one.
  BOOST_TEST(make("farringtonFlexible", {{"b", "1"}, {"w", "0"}, {"limit54", "5,60"}})
                 ->history_length() == 59u);
}

BOOST_AUTO_TEST_CASE(farrington_window_matches_the_whole_series_by_index) {
  const auto series = load("salmonella_agona.csv");
  BOOST_TEST_REQUIRE(!series.dated());
  auto params = vigil::parse_farrington_params(kNoufaily);
  BOOST_TEST_REQUIRE(params.is_ok());
  const auto method = make("farringtonFlexible", kNoufaily);
  int alarms = 0, bounds = 0;
  // The first evaluable point, and R's range 209:312 of cases.tsv.
  std::vector<std::size_t> points = {method->history_length() + 1};
  for (std::size_t t = 209; t <= series.size(); ++t) points.push_back(t);
  for (const std::size_t t : points) {
    BOOST_TEST_CONTEXT("t=" << t) {
      auto whole = vigil::farrington_point(series, t, params.value());
      BOOST_TEST_REQUIRE(whole.is_ok());
      const SeriesPoint want = whole.value();
      const SeriesPoint got = method->evaluate(window_at(series, *method, t));
      BOOST_TEST(same_number(got.upperbound, want.upperbound),
                 got.upperbound << " vs " << want.upperbound);
      BOOST_TEST(got.alarm == want.alarm);
      // The trend's time covariate starts at 1 in the window, at 1 of the
      // series there: the same fit up to rounding.
      BOOST_TEST(std::isnan(got.expected) == std::isnan(want.expected));
      if (!std::isnan(want.expected)) {
        BOOST_TEST(got.expected == want.expected, boost::test_tools::tolerance(1e-9));
      }
      BOOST_TEST(got.score == want.score, boost::test_tools::tolerance(1e-9));
      alarms += want.alarm ? 1 : 0;
      bounds += std::isnan(want.upperbound) ? 0 : 1;
    }
  }
  // The comparison means something: bounds and alarms both occur.
  BOOST_TEST(alarms > 0);
  BOOST_TEST(bounds > 0);
}

BOOST_AUTO_TEST_CASE(ears_windows_match_ears_point_and_range) {
  const auto series = load("salmNewport_DE.csv");
  for (const std::string name : {"earsC1", "earsC2"}) {
    BOOST_TEST_CONTEXT(name) {
      const MethodParams params = {{"baseline", "7"}, {"minSigma", "0"}, {"alpha", "0.001"}};
      const auto method = make(name, params, 52);
      auto parsed = vigil::parse_ears_params(name, params);
      BOOST_TEST_REQUIRE(parsed.is_ok());
      const vigil::SeriesRange range{366, 417};
      auto whole = vigil::ears_range(series.observed, range, parsed.value());
      BOOST_TEST_REQUIRE(whole.is_ok());
      for (std::size_t t = range.first; t <= range.last; ++t) {
        BOOST_TEST_CONTEXT("t=" << t) {
          const auto window = window_at(series, *method, t);
          const SeriesPoint got = method->evaluate(window);
          auto direct = vigil::ears_point(window, parsed.value());
          BOOST_TEST_REQUIRE(direct.is_ok());
          const SeriesPoint& ranged = whole.value()[t - range.first];
          for (const SeriesPoint& want : {direct.value(), ranged}) {
            BOOST_TEST(same_number(got.upperbound, want.upperbound));
            BOOST_TEST(got.alarm == want.alarm);
            BOOST_TEST(same_number(got.expected, want.expected));
            BOOST_TEST(same_number(got.score, want.score));
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(errors_name_the_method_or_parameter) {
  BOOST_TEST(error_of("farringtonFlexibleX", {}).find("farringtonFlexibleX") != std::string::npos);
  BOOST_TEST(error_of("glrnb", {}).find("glrnb") != std::string::npos);
  BOOST_TEST(error_of("farringtonFlexible", {{"baseline", "7"}}).find("baseline") !=
             std::string::npos);
  BOOST_TEST(error_of("farringtonFlexible", {{"b", "three"}}).find("b=three") !=
             std::string::npos);
  BOOST_TEST(error_of("farringtonFlexible", {{"alpha", "1.5"}}).find("alpha=1.5") !=
             std::string::npos);
  BOOST_TEST(error_of("farringtonFlexible", {{"thresholdMethod", "nb"}})
                 .find("thresholdMethod=nb") != std::string::npos);
  BOOST_TEST(error_of("farringtonFlexible", {{"limit54", "5"}}).find("limit54=5") !=
             std::string::npos);
  BOOST_TEST(error_of("farringtonFlexible", {{"b", "25"}}).find("b=25") != std::string::npos);
  BOOST_TEST(error_of("earsC1", {{"b", "3"}}).find("b") != std::string::npos);
  BOOST_TEST(error_of("earsC2", {{"baseline", "2"}}).find("baseline") != std::string::npos);
  // Windows that cannot be laid out, whatever the counts: a window around
  // last year's week that reaches past the current one, more season blocks
  // than the gap between windows holds, every baseline count excluded.
  BOOST_TEST(error_of("farringtonFlexible", {{"b", "1"}, {"w", "60"}}).find("w=60") !=
             std::string::npos);
  BOOST_TEST(error_of("farringtonFlexible", {{"b", "1"}, {"w", "3"}, {"noPeriods", "60"}})
                 .find("noPeriods") != std::string::npos);
  BOOST_TEST(error_of("farringtonFlexible",
                      {{"b", "1"}, {"w", "3"}, {"pastWeeksNotIncluded", "60"}})
                 .find("pastWeeksNotIncluded=60") != std::string::npos);
  BOOST_TEST(error_of("earsC1", {}, 0).find("periods per year") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

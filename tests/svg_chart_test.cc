// The server-rendered charts (web/svg_chart.h): one element of class
// "point" per period or unit, "flagged" exactly where the detector (or the
// funnel's limits) says so, the signal's own unit highlighted, lines broken
// where a method gives no number, and every text escaped.
#include "web/svg_chart.h"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>
#include <regex>
#include <string>

#include "core/civil_date.h"
#include "core/signal.h"

namespace vigil {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Elements whose class attribute holds `css_class` as a whole word.
size_t count_class(const std::string& svg, const std::string& css_class) {
  const std::regex pattern("class=\"([^\"]* )?" + css_class + "( [^\"]*)?\"");
  return static_cast<size_t>(
      std::distance(std::sregex_iterator(svg.begin(), svg.end(), pattern), std::sregex_iterator()));
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// `n` weekly periods from 2024-01-01; the listed ones flagged.
SignalSeries weekly_series(size_t n, std::initializer_list<size_t> flagged) {
  SignalSeries series;
  series.measure = "count";
  const Date first = *parse_date("2024-01-01");
  for (size_t i = 0; i < n; ++i) {
    PeriodPoint p;
    p.start = Date{first.days + static_cast<int32_t>(7 * i)};
    p.end = Date{p.start.days + 6};
    p.value = static_cast<double>(i % 9);
    p.expected = 4.0;
    p.threshold = 8.5;
    series.points.push_back(p);
  }
  for (const size_t i : flagged) series.points[i].flagged = true;
  return series;
}

FunnelPoint unit(std::string name, int64_t observed, double expected) {
  return FunnelPoint{std::move(name), observed, expected, 0.5, 1.6};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(svg_chart_test)

BOOST_AUTO_TEST_CASE(one_point_per_period_and_the_flagged_ones_marked) {
  const std::string svg = render_series_chart(weekly_series(60, {57, 58, 59}));
  BOOST_TEST(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  BOOST_TEST(svg.ends_with("</svg>"));
  BOOST_TEST(count_class(svg, "point") == 60u);
  BOOST_TEST(count_class(svg, "flagged") == 3u);
  BOOST_TEST(count(svg, "class=\"point flagged\"") == 3u);
  BOOST_TEST(count_class(svg, "expected") == 1u);
  BOOST_TEST(count_class(svg, "threshold") == 1u);
  BOOST_TEST(count_class(svg, "observed") == 1u);
  // Each point's tooltip gives its period and numbers.
  BOOST_TEST(
      count(svg,
            "<title>2024-01-01 to 2024-01-07: observed 0, expected 4, threshold 8.50</title>") ==
      1u);
  BOOST_TEST(count(svg, ", flagged</title>") == 3u);
}

BOOST_AUTO_TEST_CASE(lines_break_where_the_method_gave_no_number) {
  SignalSeries series = weekly_series(10, {});
  series.points[4].expected = kNaN;
  series.points[4].threshold = kNaN;
  series.points[5].threshold = kNaN;
  const std::string svg = render_series_chart(series);
  const std::regex expected_path("class=\"expected\" d=\"([^\"]*)\"");
  std::smatch m;
  BOOST_REQUIRE(std::regex_search(svg, m, expected_path));
  BOOST_TEST(count(m[1].str(), "M") == 2u);  // two runs: periods 0-3 and 5-9
  BOOST_TEST(count(m[1].str(), "L") == 7u);
  const std::regex threshold_path("class=\"threshold\" d=\"([^\"]*)\"");
  BOOST_REQUIRE(std::regex_search(svg, m, threshold_path));
  BOOST_TEST(count(m[1].str(), "M") == 2u);  // periods 0-3 and 6-9
  BOOST_TEST(count(m[1].str(), "L") == 6u);
}

BOOST_AUTO_TEST_CASE(a_statistic_series_with_a_missing_value_keeps_one_element_per_period) {
  SignalSeries series = weekly_series(8, {7});
  series.measure = "ic025";
  for (PeriodPoint& p : series.points) {
    p.value -= 2.0;  // a statistic may be negative
    p.expected = kNaN;
  }
  series.points[2].value = kNaN;
  const std::string svg = render_series_chart(series);
  BOOST_TEST(count_class(svg, "point") == 8u);
  BOOST_TEST(count_class(svg, "missing") == 1u);
  BOOST_TEST(count_class(svg, "flagged") == 1u);
  BOOST_TEST(count_class(svg, "expected") == 0u);  // no expected values at all: no line
  BOOST_TEST(svg.find("ic025 no value") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_empty_series_draws_nothing) {
  BOOST_TEST(render_series_chart(SignalSeries{}).empty());
  BOOST_TEST(render_funnel_chart(FunnelPlot{}, "RXX", [](std::string_view u) {
               return std::string(u);
             }).empty());
}

BOOST_AUTO_TEST_CASE(text_from_the_signal_is_escaped) {
  SignalSeries series = weekly_series(3, {1});
  series.measure = "<script>alert(1)</script>";
  const std::string svg = render_series_chart(series);
  BOOST_TEST(svg.find("<script") == std::string::npos);
  BOOST_TEST(svg.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);

  FunnelPlot funnel;
  funnel.coverage = 0.998;
  funnel.points = {unit("\"><img src=x onerror=alert(1)>", 3, 2.0), unit("RXX", 9, 3.0)};
  const std::string plot = render_funnel_chart(
      funnel, "RXX", [](std::string_view u) { return "Trust '" + std::string(u) + "' & co"; });
  BOOST_TEST(plot.find("<img") == std::string::npos);
  BOOST_TEST(plot.find("Trust &#39;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&#39; &amp; co") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(funnel_has_every_unit_the_own_one_highlighted_and_outliers_flagged) {
  FunnelPlot funnel;
  funnel.coverage = 0.998;
  // Ratios 1.0, 0.2 (below 0.5), 3.0 (above 1.6), 1.2, and nothing expected.
  funnel.points = {unit("RAA", 10, 10.0), unit("RBB", 2, 10.0), unit("RXX", 30, 10.0),
                   unit("RCC", 12, 10.0), unit("RDD", 0, 0.0)};
  const std::string svg =
      render_funnel_chart(funnel, "RXX", [](std::string_view u) { return std::string(u); });
  BOOST_TEST(count_class(svg, "point") == 5u);
  BOOST_TEST(count_class(svg, "highlighted") == 1u);
  BOOST_TEST(count(svg, "class=\"point flagged highlighted\"") == 1u);
  BOOST_TEST(count_class(svg, "flagged") == 2u);
  BOOST_TEST(count_class(svg, "limit") == 2u);
  BOOST_TEST(count_class(svg, "target") == 1u);
  BOOST_TEST(svg.find("RDD: observed 0, expected 0, ratio none (nothing expected)") !=
             std::string::npos);
  BOOST_TEST(svg.find("RXX: observed 30, expected 10, ratio 3.00, limits 0.50 to 1.60") !=
             std::string::npos);
  // The own unit is drawn last, over the others.
  BOOST_TEST(svg.rfind("<circle") == svg.find("<circle class=\"point flagged highlighted\""));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace vigil

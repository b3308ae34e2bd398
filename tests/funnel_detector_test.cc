// Funnel detector (detectors/funnel_detector.h): each organisation's count
// of harm reports against the count its volume predicts, judged against
// Spiegelhalter funnel limits. Scenarios put every report in one 4-week
// window, so each unit's O, n and E can be counted by hand; the limits are
// recomputed here with the functions of funnel_limits.h.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "detectors/funnel_detector.h"
#include "detectors/funnel_limits.h"
#include "tests/detector_feeds.h"
#include "tests/detector_harness.h"

namespace vigil {
namespace {

using testing::day_in_week;
using testing::describe;
using testing::fingerprints;
using testing::monday;
using testing::near;
using testing::statistic;
using testing::sunday;
using testing::TestEvent;

using Harness = testing::DetectorHarness<FunnelDetector, FunnelConfig>;

using testing::funnel_feed::funnel_config;

// n reports of one organisation (and service area), `harmful` of them with
// moderate harm, spread over weeks first_week .. first_week + 3.
struct UnitSpec {
  std::string org;
  int n;
  int harmful;
  std::string area = "surgery";
};

std::vector<TestEvent> reports(const std::vector<UnitSpec>& units, int first_week = 0) {
  std::vector<TestEvent> out;
  for (const auto& u : units) {
    for (int i = 0; i < u.n; ++i) {
      TestEvent e(u.org + "-" + u.area + "-" + std::to_string(first_week) + "-" + std::to_string(i));
      e.on(day_in_week(first_week + i % 4, (i / 4) % 7))
          .org(u.org)
          .service_area(u.area)
          .harm(i < u.harmful ? PhysicalHarm::kModerate : PhysicalHarm::kNone);
      out.push_back(std::move(e));
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const TestEvent& a, const TestEvent& b) {
    return a.event().occurred_on < b.event().occurred_on;
  });
  return out;
}

// Feeds a one-window scenario and closes its last week (3).
std::vector<Signal> run(const FunnelConfig& config, const std::vector<UnitSpec>& units) {
  Harness h(config);
  for (const auto& e : reports(units)) h.feed(e);
  h.move_clock(monday(4));
  return h.signals;
}

std::set<std::string> orgs_of(const std::vector<Signal>& signals) {
  std::set<std::string> out;
  for (const auto& s : signals) out.insert(s.key.at(0).second);
  return out;
}

const Signal& signal_of(const std::vector<Signal>& signals, const std::string& org) {
  for (const auto& s : signals) {
    if (s.key.at(0).second == org) return s;
  }
  BOOST_FAIL("no signal for " << org << ": " << describe(signals));
  throw 0;  // unreachable
}

// The limits the detector should use for a unit with expected count `e`:
// exact Poisson limits with (1 - coverage)/2 in each tail, widened (never
// narrowed) by the overdispersed limits.
RatioLimits expected_limits(double e, double tau2, double coverage = 0.998, bool od = true) {
  const double tail = (1 - coverage) / 2;
  const RatioLimits exact = exact_poisson_ratio_limits(e, FunnelTails{tail, tail});
  if (!od) return exact;
  const RatioLimits wide = overdispersed_ratio_limits(e, tau2, coverage);
  return {std::min(exact.lower, wide.lower), std::max(exact.upper, wide.upper)};
}

// Ten ordinary organisations (12 harm reports in 100), one with 40 in 100
// and one with none.
std::vector<UnitSpec> high_and_low() {
  std::vector<UnitSpec> units;
  for (int i = 0; i < 10; ++i) units.push_back({"RN" + std::to_string(i), 100, 12});
  units.push_back({"RHI", 100, 40});
  units.push_back({"RLO", 100, 0});
  return units;
}

// --- Judging against the funnel ---------------------------------------------------

BOOST_AUTO_TEST_SUITE(funnel_detector_test)

BOOST_AUTO_TEST_CASE(a_unit_above_the_funnel_raises_and_units_inside_do_not) {
  const auto signals = run(funnel_config(), high_and_low());
  BOOST_TEST_REQUIRE(signals.size() == 1u, describe(signals));
  const Signal& s = signals[0];

  // By hand: 1200 reports, 160 with harm; every unit has 100 reports, so
  // E = 100 x 160/1200 = 13.33. The SHMI z-scores are -0.385 for the ten
  // (sqrt(E) ln(12/E)) and 4.01 for RHI, winsorised down to -0.385 (RLO has
  // no finite z and is left out): phi = 0.15 < 1, so tau2 = 0.
  const double e = 100.0 * 160 / 1200;
  std::vector<FunnelUnit> eligible(10, FunnelUnit{12, e});
  eligible.push_back({40, e});
  eligible.push_back({0, e});
  const Overdispersion od = shmi_overdispersion(eligible);
  BOOST_TEST_REQUIRE(od.tau2 == 0.0);
  const RatioLimits lim = expected_limits(e, od.tau2);
  BOOST_TEST_REQUIRE(40 / e > lim.upper);                       // RHI is outside
  BOOST_TEST_REQUIRE((12 / e < lim.upper && 12 / e > lim.lower));  // the ten are inside

  BOOST_TEST(s.type == SignalType::kRaised);
  BOOST_TEST(s.detector == "harm_funnel");
  BOOST_TEST(s.method == "funnel");
  BOOST_TEST((s.key == std::vector<KeyPart>{{"org", "RHI"}}));
  BOOST_TEST(s.observed == 40);
  BOOST_TEST(near(s.expected, e));
  BOOST_TEST(near(s.score, 40 / e));
  BOOST_TEST(near(s.threshold, lim.upper * e));
  BOOST_TEST(near(statistic(s, "upper_limit"), lim.upper));
  BOOST_TEST(near(statistic(s, "lower_limit"), lim.lower));
  BOOST_TEST(statistic(s, "tau2") == 0.0);
  BOOST_TEST(statistic(s, "population") == 100.0);
  BOOST_TEST(near(statistic(s, "ratio"), 40 / e));
  BOOST_TEST(s.period_start == monday(0));
  BOOST_TEST(s.period_end == sunday(3));
  BOOST_TEST(s.fired_at == monday(4));
  BOOST_TEST(s.signal_id == make_signal_id("harm_funnel", s.key, format_date(monday(3))));
  BOOST_TEST(s.severity == Severity::kMedium);
  // Evidence: RHI's 40 harm reports (ids RHI-surgery-0-0 .. -39), sorted.
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) ids.push_back("RHI-surgery-0-" + std::to_string(i));
  std::sort(ids.begin(), ids.end());
  BOOST_TEST(s.event_ids == ids);
  BOOST_TEST(s.evidence_count == 40);
  BOOST_TEST(s.evidence_orgs == 1);
  BOOST_TEST(s.summary.find("above") != std::string::npos, s.summary);
}

BOOST_AUTO_TEST_CASE(sides_choose_which_tail_alarms) {
  const double e = 100.0 * 160 / 1200;
  const RatioLimits lim = expected_limits(e, 0);
  BOOST_TEST_REQUIRE(0 < lim.lower);  // no harm at all is below the funnel

  FunnelConfig low = funnel_config();
  low.sides = FunnelSides::kLow;
  const auto low_signals = run(low, high_and_low());
  BOOST_TEST((orgs_of(low_signals) == std::set<std::string>{"RLO"}), describe(low_signals));
  const Signal& under = signal_of(low_signals, "RLO");
  BOOST_TEST(under.observed == 0);
  BOOST_TEST(under.score == 0.0);
  BOOST_TEST(near(under.threshold, lim.lower * e));  // the low side's limit
  BOOST_TEST(under.event_ids.empty());
  BOOST_TEST(under.summary.find("below") != std::string::npos, under.summary);

  FunnelConfig both = funnel_config();
  both.sides = FunnelSides::kBoth;
  const auto both_signals = run(both, high_and_low());
  BOOST_TEST((orgs_of(both_signals) == std::set<std::string>{"RHI", "RLO"}), describe(both_signals));
  BOOST_TEST(near(signal_of(both_signals, "RHI").threshold, lim.upper * e));
  BOOST_TEST(near(signal_of(both_signals, "RLO").threshold, lim.lower * e));
}

BOOST_AUTO_TEST_CASE(overdispersion_widens_the_limits_by_the_shmi_tau2) {
  // Twenty ordinary units whose harm counts scatter more than Poisson allows
  // (7, 9, 10, 11, 13 in 100), one moderately high (32), one far out (60),
  // and one too small to judge (E < min_expected), whose z-score of 2.3
  // must not enter the estimate of tau2 either.
  std::vector<UnitSpec> units;
  const int scatter[] = {7, 9, 10, 11, 13};
  for (int i = 0; i < 20; ++i) units.push_back({"RS" + std::to_string(10 + i), 100, scatter[i % 5]});
  units.push_back({"RMID", 100, 32});
  units.push_back({"RFAR", 100, 60});
  units.push_back({"RTINY", 10, 10});
  double total_n = 0;
  double total_o = 0;
  for (const auto& u : units) {
    total_n += u.n;
    total_o += u.harmful;
  }
  std::vector<FunnelUnit> eligible;
  for (const auto& u : units) {
    const double e = u.n * total_o / total_n;
    if (e >= 10) eligible.push_back({static_cast<double>(u.harmful), e});
  }
  BOOST_TEST_REQUIRE(eligible.size() == 22u);  // RTINY is not
  const double tau2 = shmi_overdispersion(eligible).tau2;
  BOOST_TEST_REQUIRE(tau2 > 0.0);
  const double e = 100 * total_o / total_n;
  const RatioLimits exact = expected_limits(e, tau2, 0.998, false);
  const RatioLimits wide = expected_limits(e, tau2);
  // RMID is outside the Poisson funnel but inside the overdispersed one.
  BOOST_TEST_REQUIRE((32 / e > exact.upper && 32 / e < wide.upper));
  BOOST_TEST_REQUIRE(60 / e > wide.upper);

  FunnelConfig poisson = funnel_config();
  poisson.overdispersion = false;
  const auto narrow = run(poisson, units);
  BOOST_TEST((orgs_of(narrow) == std::set<std::string>{"RFAR", "RMID"}), describe(narrow));
  BOOST_TEST(statistic(signal_of(narrow, "RMID"), "tau2") == 0.0);
  BOOST_TEST(near(signal_of(narrow, "RMID").threshold, exact.upper * e));

  const auto widened = run(funnel_config(), units);
  BOOST_TEST_REQUIRE((orgs_of(widened) == std::set<std::string>{"RFAR"}), describe(widened));
  const Signal& far = widened[0];
  BOOST_TEST(near(statistic(far, "tau2"), tau2));
  BOOST_TEST(near(statistic(far, "upper_limit"), wide.upper));
  BOOST_TEST(near(far.threshold, wide.upper * e));
  BOOST_TEST(near(far.expected, e));
}

BOOST_AUTO_TEST_CASE(adjust_by_compares_each_unit_with_its_own_case_mix) {
  // Maternity reports carry harm far more often than surgery ones. RMAT is
  // all maternity and exactly at the maternity rate; RMIX is mostly surgery
  // with a surgery rate well above everyone else's.
  const std::vector<UnitSpec> units = {
      {"RMAT", 200, 100, "maternity"}, {"RS1", 100, 10},           {"RS2", 100, 10},
      {"RS3", 100, 10},                {"RS4", 100, 10},           {"RMIX", 20, 10, "maternity"},
      {"RMIX", 100, 40},
  };
  FunnelConfig crude = funnel_config();
  crude.overdispersion = false;  // exact limits: every number below is by hand
  FunnelConfig adjusted = crude;
  adjusted.adjust_by = Dimension::kServiceArea;

  // Crude: 720 reports, 190 with harm. E(RMAT) = 200 x 190/720 = 52.78 and
  // 100 observed is far above; E(RMIX) = 120 x 190/720 = 31.67, 50 observed
  // is inside.
  const auto crude_signals = run(crude, units);
  BOOST_TEST_REQUIRE((orgs_of(crude_signals) == std::set<std::string>{"RMAT"}), describe(crude_signals));
  BOOST_TEST(near(crude_signals[0].expected, 200.0 * 190 / 720));
  BOOST_TEST(crude_signals[0].observed == 100);

  // Adjusted: maternity 110 of 220 (0.5), surgery 80 of 500 (0.16).
  // E(RMAT) = 200 x 0.5 = 100 = O; E(RMIX) = 20 x 0.5 + 100 x 0.16 = 26.
  const auto adjusted_signals = run(adjusted, units);
  BOOST_TEST_REQUIRE((orgs_of(adjusted_signals) == std::set<std::string>{"RMIX"}),
                     describe(adjusted_signals));
  const Signal& mix = adjusted_signals[0];
  BOOST_TEST((mix.key == std::vector<KeyPart>{{"org", "RMIX"}}));  // never a stratum row
  BOOST_TEST(near(mix.expected, 26.0));
  BOOST_TEST(mix.observed == 50);
  BOOST_TEST(statistic(mix, "population") == 120.0);
  const RatioLimits lim = expected_limits(26.0, 0, 0.998, false);
  BOOST_TEST(near(mix.threshold, lim.upper * 26.0));
  BOOST_TEST(near(mix.score, 50.0 / 26.0));
}

BOOST_AUTO_TEST_CASE(denominators_set_the_expected_count) {
  // Bed days: RA 1000, RB 1000, RC 2000. RD has none, so it is neither
  // judged nor part of the rate, however many harm reports it sends.
  FunnelConfig c = funnel_config();
  c.overdispersion = false;
  c.denominators = {{"RA", 1000}, {"RB", 1000}, {"RC", 2000}};
  const std::vector<UnitSpec> units = {{"RA", 200, 10}, {"RB", 200, 10}, {"RC", 300, 100}, {"RD", 50, 45}};
  const auto signals = run(c, units);
  // 120 harm reports over 4000 bed days: E(RC) = 2000 x 120/4000 = 60, and
  // E does not depend on the reports' volume.
  BOOST_TEST_REQUIRE(signals.size() == 1u, describe(signals));
  const Signal& s = signals[0];
  BOOST_TEST(s.key.at(0).second == "RC");
  BOOST_TEST(s.expected == 60.0);
  BOOST_TEST(s.observed == 100);
  BOOST_TEST(statistic(s, "population") == 300.0);
  const RatioLimits lim = expected_limits(60.0, 0, 0.998, false);
  BOOST_TEST(near(s.threshold, lim.upper * 60.0));
  // Had RD counted, E(RC) would be 2000 x 165/4000 = 82.5 and RC inside.
  BOOST_TEST_REQUIRE(100 / 82.5 < expected_limits(82.5, 0, 0.998, false).upper);
}

BOOST_AUTO_TEST_CASE(min_expected_keeps_small_units_out) {
  FunnelConfig c = funnel_config();
  c.min_expected = 14;  // E = 13.33 for every unit of high_and_low()
  const auto signals = run(c, high_and_low());
  BOOST_TEST(signals.empty(), describe(signals));
}

// --- Over time ---------------------------------------------------------------------

// Ten weeks of 25 reports a week per unit: 3 harm reports a week, but RHI's
// 10 a week until week 5 (tests/detector_feeds.h).
using testing::funnel_feed::ten_weeks;

BOOST_AUTO_TEST_CASE(an_episode_resolves_when_the_unit_is_back_inside) {
  Harness h(funnel_config());
  for (const auto& e : ten_weeks()) h.feed(e);
  h.move_clock(monday(10));
  // RHI's 4-week harm counts: weeks 3..5: 40, 6: 33, 7: 26, 8: 19, 9: 12.
  // Recompute when it is outside, week by week.
  std::vector<int> outside;
  const int rhi[] = {0, 0, 0, 40, 40, 40, 33, 26, 19, 12};
  for (int w = 3; w <= 9; ++w) {
    const double total_o = 10 * 12 + rhi[w];
    const double e = 100 * total_o / 1100;
    std::vector<FunnelUnit> units(10, FunnelUnit{12, e});
    units.push_back({static_cast<double>(rhi[w]), e});
    const RatioLimits lim = expected_limits(e, shmi_overdispersion(units).tau2);
    if (rhi[w] / e > lim.upper) outside.push_back(w);
  }
  BOOST_TEST_REQUIRE((outside == std::vector<int>{3, 4, 5, 6}));
  // Raised at week 3, quiet at 7 and 8: resolved at 8 (resolve_after_quiet 2).
  BOOST_TEST_REQUIRE(h.signals.size() == 2u, describe(h.signals));
  BOOST_TEST(h.signals[0].type == SignalType::kRaised);
  BOOST_TEST(h.signals[0].period_end == sunday(3));
  // Week 3 is judged when the first report of week 4 arrives; that report
  // (RHI's, with harm) is counted first but is not evidence of weeks 0..3.
  BOOST_TEST(h.signals[0].observed == 40);
  BOOST_TEST(h.signals[0].event_ids.size() == 40u);
  for (const auto& id : h.signals[0].event_ids) {
    BOOST_TEST((id.starts_with("RHI-") && std::stoi(id.substr(4, id.find('-', 4) - 4)) <= 3), id);
  }
  BOOST_TEST(h.signals[1].type == SignalType::kResolved);
  BOOST_TEST(h.signals[1].sequence == 2u);
  BOOST_TEST(h.signals[1].signal_id == h.signals[0].signal_id);
  BOOST_TEST(h.signals[1].period_start == monday(5));
  BOOST_TEST(h.signals[1].period_end == sunday(8));
  BOOST_TEST(h.signals[1].observed == 19);
  BOOST_TEST(h.signals[1].summary.find("back within") != std::string::npos, h.signals[1].summary);
}

BOOST_AUTO_TEST_CASE(revisions_move_reports_into_and_out_of_the_outcome) {
  // RHI sends an ordinary 12 harm reports in 100; 28 of its other reports
  // are then revised to moderate harm, and one harm report of RN0 is revised
  // to another organisation. The result must be the same as if the final
  // contents had arrived in the first place.
  auto units = high_and_low();
  units[10].harmful = 12;  // RHI
  Harness revised(funnel_config());
  std::vector<TestEvent> originals = reports(units);
  std::vector<TestEvent> corrections;
  for (const auto& e : originals) {
    revised.feed(e);
    const std::string id(e.event().id);
    const int i = std::stoi(id.substr(id.rfind('-') + 1));
    if (e.event().org == "RHI" && i >= 12 && i < 40) {
      TestEvent r(id);
      r.on(e.event().occurred_on).org("RHI").service_area("surgery").harm(PhysicalHarm::kModerate).revision(1);
      revised.revise(e, r);
      corrections.push_back(std::move(r));
    }
    if (e.event().org == "RN0" && i == 0) {
      TestEvent r(id);
      r.on(e.event().occurred_on).org("RN9").service_area("surgery").harm(PhysicalHarm::kModerate).revision(1);
      revised.revise(e, r);
      corrections.push_back(std::move(r));
    }
  }
  revised.move_clock(monday(4));

  auto final_units = high_and_low();  // RHI: 40 of 100
  Harness direct(funnel_config());
  std::vector<TestEvent> final_events = reports(final_units);
  for (auto& e : final_events) {
    if (e.event().id == "RN0-surgery-0-0") e.org("RN9");
    direct.feed(e);
  }
  direct.move_clock(monday(4));
  BOOST_TEST_REQUIRE(direct.signals.size() == 1u, describe(direct.signals));
  BOOST_TEST(direct.signals[0].observed == 40);
  BOOST_TEST(fingerprints(revised.signals) == fingerprints(direct.signals), describe(revised.signals));
}

BOOST_AUTO_TEST_CASE(a_signal_carries_the_funnel_of_its_week) {
  // The feed's RHI is raised in week 3: its funnel shows the 11 units of
  // the week, each with the limits at its expected count, RHI among them.
  Harness h(funnel_config());
  for (const auto& e : testing::funnel_feed::ten_weeks()) h.feed(e);
  h.move_clock(monday(10));
  BOOST_TEST_REQUIRE(!h.signals.empty());
  const Signal& s = h.signals.front();
  BOOST_TEST_REQUIRE(s.funnel.has_value());
  BOOST_TEST(s.funnel->coverage == 0.998);
  BOOST_TEST_REQUIRE(s.funnel->points.size() == 11u);
  std::vector<std::string> units;
  for (const FunnelPoint& p : s.funnel->points) units.push_back(p.unit);
  BOOST_TEST(std::is_sorted(units.begin(), units.end()));
  const FunnelPoint& own = s.funnel->points.front();  // "RHI" sorts first
  BOOST_TEST(own.unit == "RHI");
  BOOST_TEST(own.observed == s.observed);
  BOOST_TEST(own.expected == s.expected);
  BOOST_TEST(own.lower == statistic(s, "lower_limit"));
  BOOST_TEST(own.upper == statistic(s, "upper_limit"));
  BOOST_TEST(!s.series.has_value());
}

BOOST_AUTO_TEST_CASE(a_funnel_plot_keeps_its_own_unit_and_the_largest_others) {
  // 400 units, unit i expecting 10 + i: the plot of the smallest one holds
  // it and the 299 largest, in unit order.
  std::vector<std::string> keys;
  for (int i = 0; i < 400; ++i) {
    char key[8];
    std::snprintf(key, sizeof key, "U%03d", i);
    keys.emplace_back(key);
  }
  std::vector<JudgedKey> units;
  for (int i = 0; i < 400; ++i) units.push_back(JudgedKey{keys[i], nullptr, 100, 20, 10.0 + i});
  std::vector<size_t> by_expected;
  for (size_t i = 400; i-- > 0;) by_expected.push_back(i);
  const FunnelJudge judge(units, 10, 0.998, false);
  const FunnelPlot plot = funnel_plot(units, by_expected, 0, judge, 0.998, {Dimension::kOrg});
  BOOST_TEST_REQUIRE(plot.points.size() == kMaxFunnelPoints);
  BOOST_TEST(plot.points[0].unit == "U000");
  BOOST_TEST(plot.points[1].unit == "U101");
  BOOST_TEST(plot.points.back().unit == "U399");
  BOOST_TEST(plot.points[1].expected == 111.0);
  const RatioLimits limits = judge.limits(111.0);
  BOOST_TEST(plot.points[1].lower == limits.lower);
  BOOST_TEST(plot.points[1].upper == limits.upper);
  // A unit of the top 300 is not listed twice.
  BOOST_TEST(funnel_plot(units, by_expected, 399, judge, 0.998, {Dimension::kOrg}).points.front().unit ==
             "U100");
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil

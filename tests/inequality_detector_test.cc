// Inequality detector (detectors/inequality_detector.h): within each group
// (service area), each patient stratum's harm rate against the rest of the
// group, judged against funnel limits. Scenarios are tables of reports per
// (service area, ethnicity) cell; an oracle in this file recomputes every
// cell's E, the between-cell tau2 and the limits (with funnel_limits.h), and
// the detector must agree with it.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "detectors/funnel_limits.h"
#include "detectors/inequality_detector.h"
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

using Harness = testing::DetectorHarness<InequalityDetector, InequalityConfig>;

using testing::inequality_feed::inequality_config;

// Scenarios are cells of (service area, ethnicity) reports
// (tests/detector_feeds.h).
using testing::sort_by_time;
using testing::inequality_feed::add_reports;
using testing::inequality_feed::CellSpec;
using testing::inequality_feed::fair_areas;
using testing::inequality_feed::key_stratum;
using testing::inequality_feed::maternity;
using testing::inequality_feed::ten_weeks;

// --- The oracle -----------------------------------------------------------------------

struct Verdict {
  double n = 0, observed = 0, expected = 0, upper = 0, tau2 = 0, rest_rate = 0;
  bool outside = false;
};
using CellKey = std::pair<std::string, std::string>;  // (service area, stratum)

std::map<CellKey, Verdict> oracle(const std::vector<CellSpec>& cells, const InequalityConfig& c) {
  std::map<CellKey, Verdict> v;
  for (const auto& cell : cells) {
    Verdict& x = v[{cell.area, key_stratum(cell.stratum)}];
    x.n += cell.n;
    x.observed += cell.harmful;
  }
  std::map<std::string, std::pair<double, double>> groups;
  for (const auto& [k, x] : v) {
    groups[k.first].first += x.n;
    groups[k.first].second += x.observed;
  }
  std::vector<FunnelUnit> eligible;
  for (auto& [k, x] : v) {
    const double rest_n = groups[k.first].first - x.n;
    const double rest_o = groups[k.first].second - x.observed;
    x.rest_rate = rest_o / rest_n;
    x.expected = x.n * rest_o / rest_n;
    if (x.expected >= c.min_expected) eligible.push_back({x.observed, x.expected});
  }
  const double tau2 = c.overdispersion ? shmi_overdispersion(eligible).tau2 : 0.0;
  const double tail = (1 - c.coverage) / 2;
  for (auto& [k, x] : v) {
    x.tau2 = tau2;
    if (x.expected < c.min_expected) continue;
    x.upper = exact_poisson_ratio_limits(x.expected, {tail, tail}).upper;
    if (c.overdispersion) x.upper = std::max(x.upper, overdispersed_ratio_limits(x.expected, tau2, c.coverage).upper);
    x.outside = x.observed / x.expected > x.upper && x.observed >= static_cast<double>(c.min_observed);
  }
  return v;
}

std::set<CellKey> outside(const std::map<CellKey, Verdict>& v) {
  std::set<CellKey> out;
  for (const auto& [k, x] : v) {
    if (x.outside) out.insert(k);
  }
  return out;
}

std::set<CellKey> keys_of(const std::vector<Signal>& signals) {
  std::set<CellKey> out;
  for (const auto& s : signals) {
    BOOST_TEST_REQUIRE(s.key.size() == 2u);
    out.insert({s.key[0].second, s.key[1].second});
  }
  return out;
}

std::vector<Signal> run(const InequalityConfig& config, const std::vector<CellSpec>& cells) {
  Harness h(config);
  std::vector<TestEvent> events;
  add_reports(events, cells, 0);
  sort_by_time(events);
  for (const auto& e : events) h.feed(e);
  h.move_clock(monday(4));
  return h.signals;
}

// --- Judging ------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(inequality_detector_test)

BOOST_AUTO_TEST_CASE(an_elevated_stratum_in_one_area_raises_with_its_group_and_stratum) {
  const InequalityConfig config = inequality_config();
  const auto cells = maternity("M", 40);
  const auto expected = oracle(cells, config);
  // By hand: maternity M has 40 harm reports in 100; the rest of maternity
  // 40 in 400 (A 20/200, C 10/100, unknown 10/100), so E = 100 x 0.1 = 10.
  // The 24 fair cells have z = 0, which keeps tau2 at 0 (the oracle agrees).
  const Verdict& m = expected.at({"maternity", "M"});
  BOOST_TEST_REQUIRE(m.expected == 10.0);
  BOOST_TEST_REQUIRE(m.tau2 == 0.0);
  BOOST_TEST_REQUIRE((outside(expected) == std::set<CellKey>{{"maternity", "M"}}));

  const auto signals = run(config, cells);
  BOOST_TEST_REQUIRE(signals.size() == 1u, describe(signals));
  const Signal& s = signals[0];
  const std::vector<KeyPart> key = {{"service_area", "maternity"}, {"ethnicity", "M"}};
  BOOST_TEST((s.key == key));
  BOOST_TEST(s.type == SignalType::kRaised);
  BOOST_TEST(s.method == "inequality");
  BOOST_TEST(s.detector == "ethnic_inequality");
  BOOST_TEST(s.signal_id == make_signal_id("ethnic_inequality", key, format_date(monday(3))));
  BOOST_TEST(s.observed == 40);
  BOOST_TEST(s.expected == 10.0);
  BOOST_TEST(s.score == 4.0);
  // With tau2 = 0 the overdispersed limit is exp(3.090232 / sqrt(E)) = 2.66,
  // the log-normal approximation, which at E = 10 is wider than the exact
  // Poisson limit (2.41); the wider of the two applies.
  const double exact = exact_poisson_ratio_limits(10.0, {0.001, 0.001}).upper;
  const double upper = std::exp(3.090232 / std::sqrt(10.0));
  BOOST_TEST_REQUIRE(upper > exact);
  BOOST_TEST(near(overdispersed_ratio_limits(10.0, 0, 0.998).upper, upper));
  BOOST_TEST(near(m.upper, upper));
  BOOST_TEST(near(s.threshold, upper * 10));
  BOOST_TEST(near(statistic(s, "upper_limit"), upper));
  BOOST_TEST(statistic(s, "tau2") == 0.0);
  BOOST_TEST(statistic(s, "stratum_reports") == 100.0);
  BOOST_TEST(statistic(s, "stratum_rate") == 0.4);
  BOOST_TEST(statistic(s, "rest_rate") == 0.1);
  BOOST_TEST(s.period_start == monday(0));
  BOOST_TEST(s.period_end == sunday(3));
  BOOST_TEST(s.fired_at == monday(4));
  BOOST_TEST(s.evidence_count == 40);
  BOOST_TEST(s.evidence_orgs == 3);
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) ids.push_back("maternity-M-0-" + std::to_string(i));
  std::sort(ids.begin(), ids.end());
  BOOST_TEST(s.event_ids == ids);
  BOOST_TEST(s.summary.find("40.0% of their reports against 10.0%") != std::string::npos, s.summary);

  // The same stratum at the same rate is not an inequality where the whole
  // group shares it: M's 10% elsewhere raises nothing.
  for (const auto& sig : signals) BOOST_TEST(sig.key[0].second == "maternity");
}

BOOST_AUTO_TEST_CASE(missing_ethnicity_is_the_unknown_stratum) {
  // Maternity reports without an ethnicity (half with no patient details at
  // all, half with a patient whose ethnicity is blank) carry the harm.
  std::vector<CellSpec> cells = fair_areas();
  cells.push_back({"maternity", "A", 200, 20});
  cells.push_back({"maternity", "C", 100, 10});
  cells.push_back({"maternity", "M", 100, 10});
  cells.push_back({"maternity", "none", 50, 20});
  cells.push_back({"maternity", "blank", 50, 20});
  const InequalityConfig config = inequality_config();
  const auto expected = oracle(cells, config);
  BOOST_TEST_REQUIRE((outside(expected) == std::set<CellKey>{{"maternity", "unknown"}}));
  const auto signals = run(config, cells);
  BOOST_TEST_REQUIRE(signals.size() == 1u, describe(signals));
  BOOST_TEST((signals[0].key == std::vector<KeyPart>{{"service_area", "maternity"}, {"ethnicity", "unknown"}}));
  BOOST_TEST(signals[0].observed == 40);
  BOOST_TEST(statistic(signals[0], "stratum_reports") == 100.0);  // both kinds of missing, together
  BOOST_TEST(signals[0].expected == 10.0);
}

BOOST_AUTO_TEST_CASE(min_observed_and_min_expected_gate_small_strata) {
  // Stratum R: 30 maternity reports, 20 with harm, against 10% for the rest
  // of maternity (50 in 500): E = 30 x 0.1 = 3, ratio 6.67, above the 99.8%
  // limit for E = 3 (exp(3.090232 / sqrt(3)) = 5.95).
  std::vector<CellSpec> cells = maternity("none", 10);
  cells.push_back({"maternity", "R", 30, 20});
  InequalityConfig config = inequality_config();
  auto expected = oracle(cells, config);
  BOOST_TEST_REQUIRE(expected.at({"maternity", "R"}).expected == 3.0);
  BOOST_TEST_REQUIRE((outside(expected) == std::set<CellKey>{{"maternity", "R"}}));
  const auto raised = run(config, cells);
  BOOST_TEST((keys_of(raised) == std::set<CellKey>{{"maternity", "R"}}), describe(raised));
  BOOST_TEST_REQUIRE(raised.size() == 1u);
  BOOST_TEST(raised[0].expected == 3.0);
  BOOST_TEST(raised[0].observed == 20);

  InequalityConfig more_reports = config;
  more_reports.min_observed = 21;  // 20 harm reports are too few to speak of a pattern
  const auto gated = run(more_reports, cells);
  BOOST_TEST(gated.empty(), describe(gated));
  more_reports.min_observed = 20;
  BOOST_TEST(run(more_reports, cells).size() == 1u);

  InequalityConfig more_expected = config;
  more_expected.min_expected = 3.5;
  const auto small = run(more_expected, cells);
  BOOST_TEST(small.empty(), describe(small));
}

BOOST_AUTO_TEST_CASE(other_stratum_dimensions_and_groups) {
  // IMD quintiles within categories: deciles 9 and 10 are quintile 5.
  InequalityConfig c = inequality_config();
  c.group_by = {Dimension::kCategory};
  c.stratum = Dimension::kImdQuintile;
  c.overdispersion = false;
  Harness h(c);
  std::vector<TestEvent> events;
  int next = 0;
  const auto add = [&](std::string_view category, uint8_t decile, int n, int harmful) {
    for (int i = 0; i < n; ++i) {
      TestEvent e("e" + std::to_string(next++));
      e.on(day_in_week(i % 4, i % 7)).category(category).patient("18-25", "male", 'A', decile);
      e.harm(i < harmful ? PhysicalHarm::kModerate : PhysicalHarm::kLow);
      events.push_back(std::move(e));
    }
  };
  add("medication", 1, 100, 10);
  add("medication", 4, 100, 10);
  add("medication", 9, 50, 20);
  add("medication", 10, 50, 20);
  add("fall", 10, 100, 10);
  add("fall", 1, 100, 10);
  sort_by_time(events);
  for (const auto& e : events) h.feed(e);
  h.move_clock(monday(4));
  // Quintile 5 of medication: 40 of 100 against 20 of 200: E = 10.
  BOOST_TEST_REQUIRE(h.signals.size() == 1u, describe(h.signals));
  BOOST_TEST((h.signals[0].key == std::vector<KeyPart>{{"category", "medication"}, {"imd_quintile", "5"}}));
  BOOST_TEST(h.signals[0].expected == 10.0);
  BOOST_TEST(h.signals[0].observed == 40);
}

// --- Over time ----------------------------------------------------------------------------

// ten_weeks(): a quarter of the maternity scenario each week; maternity M
// has 10 harm reports a week until week 5 and 3 a week after.
BOOST_AUTO_TEST_CASE(an_episode_resolves_when_the_stratum_is_back_inside) {
  Harness h(inequality_config());
  for (const auto& e : ten_weeks()) h.feed(e);
  h.move_clock(monday(10));
  // M's 4-week counts: weeks 3..5: 40, 6: 33, 7: 26, 8: 19, 9: 12; the
  // oracle says which are outside.
  const int m4[] = {0, 0, 0, 40, 40, 40, 33, 26, 19, 12};
  std::vector<int> alarms;
  for (int w = 3; w <= 9; ++w) {
    std::vector<CellSpec> window = maternity("M", m4[w]);
    if (outside(oracle(window, inequality_config())).count({"maternity", "M"})) alarms.push_back(w);
  }
  BOOST_TEST_REQUIRE((alarms == std::vector<int>{3, 4, 5, 6}));
  BOOST_TEST_REQUIRE(h.signals.size() == 2u, describe(h.signals));
  BOOST_TEST(h.signals[0].type == SignalType::kRaised);
  BOOST_TEST(h.signals[0].period_end == sunday(3));
  // Judged when the first report of week 4 arrives: the evidence is the 40
  // harm reports of weeks 0..3 only (ids maternity-M-<week>-<i>).
  BOOST_TEST(h.signals[0].event_ids.size() == 40u);
  for (const auto& id : h.signals[0].event_ids) {
    BOOST_TEST((id.starts_with("maternity-M-") && std::stoi(id.substr(12)) <= 3), id);
  }
  BOOST_TEST(h.signals[1].type == SignalType::kResolved);
  BOOST_TEST(h.signals[1].signal_id == h.signals[0].signal_id);
  BOOST_TEST(h.signals[1].period_end == sunday(8));  // quiet at 7 and 8
  BOOST_TEST(h.signals[1].observed == 19);
  BOOST_TEST(h.signals[1].summary.find("back within") != std::string::npos, h.signals[1].summary);
}

BOOST_AUTO_TEST_CASE(a_revision_of_ethnicity_moves_the_report_between_strata) {
  // 30 of maternity A's harm reports were recorded against the wrong
  // patient: their revisions say ethnicity M. The outcome equals reports
  // that were right first time.
  std::vector<CellSpec> first = fair_areas();
  first.push_back({"maternity", "A", 200, 50});
  first.push_back({"maternity", "C", 100, 10});
  first.push_back({"maternity", "M", 100, 10});
  first.push_back({"maternity", "none", 100, 10});
  std::vector<TestEvent> events;
  add_reports(events, first, 0);
  sort_by_time(events);
  Harness revised(inequality_config());
  std::vector<TestEvent> corrections;
  for (const auto& e : events) {
    revised.feed(e);
    const std::string id(e.event().id);
    if (id.starts_with("maternity-A-") && std::stoi(id.substr(id.rfind('-') + 1)) >= 20 &&
        e.event().physical_harm == PhysicalHarm::kSevere) {
      TestEvent r(id);
      r.on(e.event().occurred_on).service_area("maternity").org(e.event().org).harm(PhysicalHarm::kSevere);
      r.patient("26-45", "female", 'M', 3).revision(1);
      revised.revise(e, r);
      corrections.push_back(std::move(r));
    }
  }
  BOOST_TEST_REQUIRE(corrections.size() == 30u);
  revised.move_clock(monday(4));

  // Right first time: A 170 reports / 20 harm, M 130 / 40.
  Harness direct(inequality_config());
  std::vector<TestEvent> right;
  for (const auto& e : events) {
    const std::string id(e.event().id);
    TestEvent copy(id);
    copy.on(e.event().occurred_on).service_area(e.event().service_area).org(e.event().org);
    copy.harm(e.event().physical_harm);
    const bool moved = id.starts_with("maternity-A-") && std::stoi(id.substr(id.rfind('-') + 1)) >= 20 &&
                       e.event().physical_harm == PhysicalHarm::kSevere;
    if (e.event().has_patient) copy.patient("26-45", "female", moved ? 'M' : e.event().patient.ethnicity, 3);
    right.push_back(std::move(copy));
  }
  for (const auto& e : right) direct.feed(e);
  direct.move_clock(monday(4));
  BOOST_TEST_REQUIRE(direct.signals.size() == 1u, describe(direct.signals));
  BOOST_TEST(direct.signals[0].key[1].second == "M");
  BOOST_TEST(direct.signals[0].observed == 40);
  BOOST_TEST(statistic(direct.signals[0], "stratum_reports") == 130.0);
  BOOST_TEST(fingerprints(revised.signals) == fingerprints(direct.signals), describe(revised.signals));
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil

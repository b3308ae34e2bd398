// Tree-temporal scan (detectors/tree_scan_statistic.h, detectors/tree_scan.h):
// the LLR and the most likely cut of a small tree worked out by hand, the
// Monte Carlo's determinism, its size under the null (many simulated
// datasets with fixed seeds: the fraction with p <= 0.05 is compared with the
// nominal level), its power on a planted branch excess, the detector over a
// stream (raise, evidence, revisions, restore equivalence) and the
// configuration's errors.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "config/pipeline_config.h"
#include "detectors/tree_scan.h"
#include "detectors/tree_scan_statistic.h"
#include "tests/detector_harness.h"

namespace vigil {
namespace {

using testing::fingerprints;
using testing::near;
using testing::statistic;
using testing::TestEvent;

// --- The statistic ------------------------------------------------------------------

TreeScanData::CaseClass case_class(std::vector<uint32_t> nodes, int64_t total,
                                   std::vector<int64_t> recent) {
  return TreeScanData::CaseClass{std::move(nodes), total, std::move(recent)};
}

// Root → A → {A1, A2}, root → B → B1; windows of the last 1 or 2 days.
//   node  n   day 0  day 1
//   A1    20    6      1
//   A2    20    1      1
//   B1    60    2      1
// C = 100 cases; the tree has C_1 = 9 on day 0 and C_2 = 12 over both days.
TreeScanData small_tree() {
  TreeScanData d;
  d.max_window = 2;
  d.parent = {kNoParent, 0, 0, kNoParent, 3};  // 0 A, 1 A1, 2 A2, 3 B, 4 B1
  d.classes = {case_class({0, 1}, 20, {6, 1}), case_class({0, 2}, 20, {1, 1}),
               case_class({3, 4}, 60, {2, 1})};
  return d;
}

BOOST_AUTO_TEST_SUITE(tree_scan_test)

BOOST_AUTO_TEST_CASE(llr_by_hand) {
  // 6 of 10 where 2 were expected: 6 ln(6/2) + 4 ln(4/8) = 6.591674 - 2.772589.
  BOOST_TEST(near(tree_llr(6, 10, 2.0), 3.819085009768877));
  // All of a node's cases in the window: only the first term.
  BOOST_TEST(near(tree_llr(4, 4, 1.0), 4 * std::log(4.0)));
  // No excess, no evidence against the null.
  BOOST_TEST(tree_llr(2, 10, 2.0) == 0.0);
  BOOST_TEST(tree_llr(1, 10, 2.0) == 0.0);
  BOOST_TEST(tree_llr(0, 0, 0.0) == 0.0);
}

BOOST_AUTO_TEST_CASE(most_likely_cut_of_a_small_tree_by_hand) {
  // E = n * C_w / C:
  //   A1 (n 20):  w1 c 6 E 1.8: 6 ln(6/1.8) + 14 ln(14/18.2) = 3.550737
  //               w2 c 7 E 2.4: 7 ln(7/2.4) + 13 ln(13/17.6) = 3.554746  <- largest
  //   A  (n 40):  w1 c 7 E 3.6: 1.418814;   w2 c 9 E 4.8: 1.718653
  //   A2 (n 20):  w1 c 1 E 1.8, w2 c 2 E 2.4: no excess (0)
  //   B, B1 (n 60): w1 c 2 E 5.4, w2 c 3 E 7.2: 0
  TreeScanSettings s;
  s.replicates = 99;
  s.alpha = 0.05;
  s.min_cases = 1;
  s.max_cuts = 3;
  s.seed = 7;
  const TreeScanResult r = tree_scan(small_tree(), s);
  BOOST_TEST_REQUIRE(r.cuts.size() == 1u);  // A is A1's ancestor; nothing else is in excess
  const TreeCut& mlc = r.cuts[0];
  BOOST_TEST(mlc.node == 1u);
  BOOST_TEST(mlc.window_days == 2);
  BOOST_TEST(mlc.observed == 7);
  BOOST_TEST(near(mlc.expected, 2.4));
  BOOST_TEST(mlc.node_total == 20);
  BOOST_TEST(near(mlc.llr, 3.55474580233649));
  BOOST_TEST(near(r.best_by_node[0].llr, 1.7186527131153047));
  BOOST_TEST(r.best_by_node[0].window_days == 2);
  BOOST_TEST(near(r.best_by_node[1].llr, mlc.llr));
  BOOST_TEST(r.best_by_node[2].llr == 0.0);
  BOOST_TEST(r.best_by_node[4].llr == 0.0);
  BOOST_TEST(mlc.p_value > 0.0);
  BOOST_TEST(mlc.p_value <= 1.0);

  // With min_cases 8 the cuts of A1 (6, 7 cases) do not count: A's 9 in two
  // days is the most likely cut.
  s.min_cases = 8;
  const TreeScanResult r8 = tree_scan(small_tree(), s);
  BOOST_TEST_REQUIRE(r8.cuts.size() == 1u);
  BOOST_TEST(r8.cuts[0].node == 0u);
  BOOST_TEST(near(r8.cuts[0].llr, 1.7186527131153047));
  // Nothing with 10 cases: no cut, no Monte Carlo.
  s.min_cases = 10;
  const TreeScanResult r10 = tree_scan(small_tree(), s);
  BOOST_TEST(r10.cuts.empty());
  BOOST_TEST(r10.replicates_run == 0);
}

BOOST_AUTO_TEST_CASE(binomial_draws_have_the_right_mean_and_are_fixed_by_the_seed) {
  TreeScanRandom a(42), b(42);
  for (int i = 0; i < 100; ++i) BOOST_TEST(a.binomial(1000, 0.3) == b.binomial(1000, 0.3));
  // Means over 20000 draws, small n·p (one inversion) and large (a sum over chunks).
  for (const auto& [n, p] : std::vector<std::pair<int64_t, double>>{{20, 0.1}, {5000, 0.04}}) {
    TreeScanRandom rng(5);
    double sum = 0;
    for (int i = 0; i < 20000; ++i) sum += static_cast<double>(rng.binomial(n, p));
    const double mean = static_cast<double>(n) * p;
    const double sd_of_mean = std::sqrt(mean * (1 - p) / 20000);
    BOOST_TEST(std::fabs(sum / 20000 - mean) < 4 * sd_of_mean, n << " " << p << ": " << sum / 20000);
  }
  TreeScanRandom rng(1);
  BOOST_TEST(rng.binomial(0, 0.5) == 0);
  BOOST_TEST(rng.binomial(10, 0.0) == 0);
  BOOST_TEST(rng.binomial(10, 1.0) == 10);
}

// The draws are those of plain inversion over chunks of mean at most 30, the
// pmf at 0 recomputed for every chunk: precomputing it changes no number.
BOOST_AUTO_TEST_CASE(binomial_draws_are_plain_inversion) {
  const auto plain = [](TreeScanRandom& rng, int64_t n, double p) {
    const auto chunk = std::max<int64_t>(1, static_cast<int64_t>(30.0 / p));
    const double odds = p / (1 - p);
    int64_t drawn = 0;
    for (int64_t left = n; left > 0;) {
      const int64_t m = std::min(left, chunk);
      left -= m;
      const double u = rng.uniform();
      double pmf = std::exp(static_cast<double>(m) * std::log1p(-p));
      double cdf = pmf;
      int64_t k = 0;
      while (cdf < u && k < m) {
        pmf *= static_cast<double>(m - k) / static_cast<double>(k + 1) * odds;
        ++k;
        cdf += pmf;
      }
      drawn += k;
    }
    return drawn;
  };
  for (const auto& [n, p] : std::vector<std::pair<int64_t, double>>{
           {1, 0.5}, {20, 0.1}, {300, 0.1}, {301, 0.1}, {5000, 0.04}, {77, 0.93}}) {
    TreeScanRandom a(11), b(11);
    for (int i = 0; i < 500; ++i) BOOST_TEST(a.binomial(n, p) == plain(b, n, p), n << " " << p);
  }
}

// A tree of 3 branches of 4 leaves (nodes 0-2 the branches, 3-14 the
// leaves), one class per leaf with 40 + 25 i cases, plus classes of cases
// counted at two leaves (two medicines in one report), over 56 days with
// quieter weekends; each case's day drawn independently from the days'
// weights (the null). `extra` cases of leaf 8 are added on the last 5 days.
TreeScanData simulated(uint64_t seed, int64_t extra) {
  constexpr int32_t kDays = 56;
  TreeScanData d;
  d.max_window = 7;
  d.parent = {kNoParent, kNoParent, kNoParent};
  for (uint32_t leaf = 0; leaf < 12; ++leaf) d.parent.push_back(leaf / 4);
  std::vector<double> cumulative(kDays);
  double sum = 0;
  for (int32_t day = 0; day < kDays; ++day) {
    sum += day % 7 >= 5 ? 0.6 : 1.0;
    cumulative[static_cast<size_t>(day)] = sum;
  }
  TreeScanRandom rng(seed);
  const auto fill = [&](std::vector<uint32_t> nodes, int64_t total) {
    auto cls = case_class(std::move(nodes), total, std::vector<int64_t>(7, 0));
    for (int64_t i = 0; i < total; ++i) {
      const double u = rng.uniform() * sum;
      const auto day = std::lower_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin();
      // recent[0] is the last day of the study period.
      const auto back = kDays - 1 - day;
      if (back < 7) ++cls.recent[static_cast<size_t>(back)];
    }
    d.classes.push_back(std::move(cls));
  };
  for (uint32_t leaf = 0; leaf < 12; ++leaf) fill({leaf / 4, 3 + leaf}, 40 + 25 * leaf);
  fill({0, 3, 4}, 30);     // two leaves of branch 0
  fill({1, 2, 7, 13}, 30);  // leaves of two branches
  for (int64_t i = 0; i < extra; ++i) {
    auto& cls = d.classes[5];  // leaf 5 = node 8, 165 cases
    ++cls.total;
    ++cls.recent[static_cast<size_t>(i % 5)];
  }
  return d;
}

BOOST_AUTO_TEST_CASE(same_data_and_seed_same_result) {
  TreeScanSettings s;
  s.replicates = 199;
  s.alpha = 0.05;
  s.seed = 99;
  const TreeScanData d = simulated(3, 0);
  const TreeScanResult a = tree_scan(d, s);
  const TreeScanResult b = tree_scan(d, s);
  BOOST_TEST_REQUIRE(!a.cuts.empty());
  BOOST_TEST_REQUIRE(a.cuts.size() == b.cuts.size());
  BOOST_TEST(a.replicates_run == b.replicates_run);
  for (size_t i = 0; i < a.cuts.size(); ++i) {
    BOOST_TEST(a.cuts[i].node == b.cuts[i].node);
    BOOST_TEST(a.cuts[i].llr == b.cuts[i].llr);
    BOOST_TEST(a.cuts[i].p_value == b.cuts[i].p_value);
  }
}

BOOST_AUTO_TEST_CASE(false_alarm_rate_under_the_null_is_nominal) {
  // 1000 null datasets, each tested at 0.05 with 99 replicates. The test is
  // exact for a statistic without ties, so the alarms are Binomial(1000,
  // 0.05): mean 50, sd 6.9. Fixed seeds make the count a fixed number (51 when
  // written); the bounds are the 99.9% interval of that binomial, [29, 74].
  TreeScanSettings s;
  s.replicates = 99;
  s.alpha = 0.05;
  s.min_cases = 3;
  int alarms = 0;
  int64_t replicates = 0;
  for (uint64_t k = 0; k < 1000; ++k) {
    s.seed = 1000 + k;
    const TreeScanResult r = tree_scan(simulated(k, 0), s);
    if (!r.cuts.empty() && r.cuts[0].p_value <= s.alpha) ++alarms;
    replicates += r.replicates_run;
  }
  BOOST_TEST_MESSAGE("null: " << alarms << " of 1000 at p <= 0.05; mean replicates "
                              << static_cast<double>(replicates) / 1000);
  BOOST_TEST(alarms >= 29);
  BOOST_TEST(alarms <= 74);
  // Sequential stopping: most null days stop long before 99 replicates.
  BOOST_TEST(replicates < 1000 * 40);
}

BOOST_AUTO_TEST_CASE(power_on_a_planted_branch_excess) {
  // Leaf 8 (165 cases, about 3 a weekday) gets 30 more over its last 5 days,
  // about 3 times its rate there. At alpha 0.01 with 999 replicates the scan
  // finds it in nearly every dataset, as the most likely cut.
  TreeScanSettings s;
  s.replicates = 999;
  s.alpha = 0.01;
  s.min_cases = 3;
  int alarms = 0;
  int at_leaf = 0;
  for (uint64_t k = 0; k < 60; ++k) {
    s.seed = 5000 + k;
    const TreeScanResult r = tree_scan(simulated(k, 30), s);
    if (!r.cuts.empty() && r.cuts[0].p_value <= s.alpha) {
      ++alarms;
      if (r.cuts[0].node == 8u) ++at_leaf;
    }
  }
  BOOST_TEST_MESSAGE("power: " << alarms << " of 60 alarmed, " << at_leaf << " at the planted leaf");
  BOOST_TEST(alarms >= 54);
  BOOST_TEST(at_leaf >= 50);
}

// --- The detector ---------------------------------------------------------------------

using Harness = testing::DetectorHarness<TreeScanDetector, TreeScanConfig>;

const Date kStart = testing::date("2024-01-01");

TreeScanConfig medication_tree() {
  TreeScanConfig c;
  c.name = "medication_tree";
  c.levels = {Dimension::kCategory, Dimension::kMedication};
  c.study_days = 56;
  c.max_window_days = 7;
  c.replicates = 199;
  c.alpha = 0.01;
  c.min_cases = 5;
  c.max_cuts = 3;
  c.lifecycle = {1.5, 3};
  return c;
}

// 120 days: medicines M1-M5 in the medication category and T1-T2 in
// treatment, 2 to 4 reports a day each, from 3 organisations; from day 90
// medicine X9 (otherwise 1 a day) has 6 a day. One report in fifty names
// two medicines.
std::vector<TestEvent> medication_stream(int planted_from = 90) {
  std::vector<TestEvent> out;
  int id = 0;
  const auto add = [&](int day, const std::string& category, const std::string& code,
                       const std::string& second) {
    TestEvent e("R" + std::to_string(id), Date{kStart.days + day});
    e.category(category).org(std::string("RX") + std::to_string(id % 3)).medication(code);
    if (!second.empty()) e.medication(second);
    ++id;
    out.push_back(std::move(e));
  };
  for (int day = 0; day < 120; ++day) {
    for (int m = 1; m <= 5; ++m) {
      const int n = 2 + (day * 7 + m * 3) % 3;
      for (int i = 0; i < n; ++i) {
        add(day, "medication", "M" + std::to_string(m), id % 50 == 0 ? "M" + std::to_string(m % 5 + 1) : "");
      }
    }
    for (int t = 1; t <= 2; ++t) {
      for (int i = 0; i < 2 + (day + t) % 3; ++i) add(day, "treatment", "T" + std::to_string(t), "");
    }
    for (int i = 0; i < (day >= planted_from ? 6 : 1); ++i) add(day, "medication", "X9", "");
  }
  return out;
}

std::vector<Signal> raised(const std::vector<Signal>& all) {
  std::vector<Signal> out;
  for (const auto& s : all) {
    if (s.type == SignalType::kRaised) out.push_back(s);
  }
  return out;
}

BOOST_AUTO_TEST_CASE(finds_the_planted_medicine_within_days) {
  Harness h(medication_tree());
  for (const auto& e : medication_stream()) h.feed(e);
  const auto r = raised(h.signals);
  BOOST_TEST_REQUIRE(!r.empty(), testing::describe(h.signals));
  const Signal& s = r.front();
  const std::vector<KeyPart> key = {{"category", "medication"}, {"medication", "X9"}};
  BOOST_TEST((s.key == key), testing::describe(h.signals));
  BOOST_TEST(s.method == "tree_scan");
  BOOST_TEST(s.detector == "medication_tree");
  // Day 90 is the onset; it is analysed when stream time reaches day 91.
  BOOST_TEST(s.fired_at.days >= kStart.days + 91);
  BOOST_TEST(s.fired_at.days <= kStart.days + 93, testing::describe(s));
  BOOST_TEST(s.period_end.days == s.fired_at.days - 1);
  BOOST_TEST(s.signal_id == make_signal_id("medication_tree", key, format_date(s.period_end)));
  const double window = statistic(s, "window_days");
  BOOST_TEST(s.period_start.days == s.period_end.days - static_cast<int32_t>(window) + 1);
  BOOST_TEST(statistic(s, "p_value") <= 0.01);
  BOOST_TEST(near(statistic(s, "recurrence_interval_days"), 1.0 / statistic(s, "p_value")));
  BOOST_TEST(statistic(s, "llr") == s.score);
  BOOST_TEST(s.observed >= 5);
  BOOST_TEST(static_cast<double>(s.observed) > s.expected);
  // E = n * C_w / C: the node's share of the window at the tree's rate.
  BOOST_TEST(statistic(s, "node_total") > static_cast<double>(s.observed));
  BOOST_TEST(s.evidence_orgs == 3);
  BOOST_TEST(s.event_ids.size() == static_cast<size_t>(s.observed));
  BOOST_TEST(s.summary.find("medication X9") != std::string::npos, s.summary);
  BOOST_TEST(s.summary.find("recurrence interval") != std::string::npos, s.summary);
  // Nothing else in the stream is an excess: every raised signal is X9's.
  for (const auto& other : r) BOOST_TEST((other.key == key), testing::describe(other));
}

BOOST_AUTO_TEST_CASE(quiet_stream_raises_nothing) {
  Harness h(medication_tree());
  for (const auto& e : medication_stream(1000)) h.feed(e);
  BOOST_TEST(h.signals.empty(), testing::describe(h.signals));
  // 120 - 56 analysis days; the sequential Monte Carlo stops early on
  // almost all of them.
  BOOST_TEST(h.det->replicates_run() < 64 * 60);
}

BOOST_AUTO_TEST_CASE(revisions_take_cases_back) {
  // Every X9 report from day 90 on is revised the same day to name no
  // medicine: the excess is taken back and nothing is raised.
  Harness h(medication_tree());
  for (const auto& e : medication_stream()) {
    h.feed(e);
    const IncidentEvent& ev = e;
    if (ev.occurred_on.days >= kStart.days + 90 && ev.medications.size() == 1 &&
        ev.medications[0].code == "X9" && ev.id.back() != '0') {
      TestEvent revised{ev.id, ev.occurred_on};
      revised.category("medication").org(ev.org).revision(1);
      h.revise(ev, revised);
    }
  }
  BOOST_TEST(raised(h.signals).empty(), testing::describe(h.signals));
}

BOOST_AUTO_TEST_CASE(restored_detector_gives_the_same_signals) {
  const auto events = medication_stream();
  Harness straight(medication_tree());
  for (const auto& e : events) straight.feed(e);
  BOOST_TEST_REQUIRE(!straight.signals.empty());

  Harness restarted(medication_tree());
  for (size_t i = 0; i < events.size(); ++i) {
    restarted.feed(events[i]);
    if (i % 997 == 0) restarted.reload();
    if (i == events.size() / 2) restarted.reopen_store();
  }
  BOOST_TEST(fingerprints(restarted.signals) == fingerprints(straight.signals),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(resolves_after_quiet_days) {
  // X9 back to 1 a day after day 100: the episode resolves after 3 quiet
  // analysis days, with the same signal id.
  auto events = medication_stream();
  std::vector<TestEvent> kept;
  for (auto& e : events) {
    const IncidentEvent& ev = e;
    const bool excess = ev.medications.size() == 1 && ev.medications[0].code == "X9" &&
                        ev.occurred_on.days > kStart.days + 100 && std::stoi(std::string(ev.id.substr(1))) % 6 != 0;
    if (!excess) kept.push_back(std::move(e));
  }
  Harness h(medication_tree());
  for (const auto& e : kept) h.feed(e);
  BOOST_TEST_REQUIRE(!h.signals.empty());
  const Signal& last = h.signals.back();
  BOOST_TEST(last.type == SignalType::kResolved, testing::describe(h.signals));
  BOOST_TEST(last.signal_id == h.signals.front().signal_id);
  BOOST_TEST(last.summary.find("No longer an excess") != std::string::npos, last.summary);
}

BOOST_AUTO_TEST_CASE(configuration_keys_and_errors) {
  auto parsed = parse_pipeline_config(R"(
detectors:
  - name: medication_tree
    type: tree_scan
    levels: [category, medication]
    filter: {record_types: [incident], min_physical_harm: moderate}
    study_days: 120
    max_window_days: 10
    lag_days: 1
    replicates: 499
    alpha: 0.02
    min_cases: 4
    max_cuts: 2
    seed: 17
    severity: medium
    lifecycle: {update_growth: 2, resolve_after_quiet: 5}
)",
                                      "test.yaml");
  BOOST_TEST_REQUIRE(parsed.is_ok(), (parsed ? "" : parsed.error().message));
  const auto& c = std::get<TreeScanConfig>(parsed.value().detectors.at(0));
  BOOST_TEST((c.levels == std::vector<Dimension>{Dimension::kCategory, Dimension::kMedication}));
  BOOST_TEST((c.filter.min_physical_harm == PhysicalHarm::kModerate));
  BOOST_TEST(c.study_days == 120);
  BOOST_TEST(c.max_window_days == 10);
  BOOST_TEST(c.lag_days == 1);
  BOOST_TEST(c.replicates == 499);
  BOOST_TEST(c.alpha == 0.02);
  BOOST_TEST(c.min_cases == 4);
  BOOST_TEST(c.max_cuts == 2);
  BOOST_TEST(c.seed == 17u);
  BOOST_TEST((c.severity == Severity::kMedium));
  BOOST_TEST(c.lifecycle.resolve_after_quiet == 5u);

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"{name: t, type: tree_scan}", "detectors[0].levels: is required"},
      {"{name: t, type: tree_scan, levels: []}", "levels must list 1 to 4 dimensions"},
      {"{name: t, type: tree_scan, levels: [category, category]}", "levels lists category twice"},
      {"{name: t, type: tree_scan, levels: [drug]}", "detectors[0].levels[0]: unknown dimension 'drug'"},
      {"{name: t, type: tree_scan, levels: [category], study_days: 7}", "study_days must be 28..730"},
      {"{name: t, type: tree_scan, levels: [category], max_window_days: 100}",
       "max_window_days must be 1..study_days/2"},
      {"{name: t, type: tree_scan, levels: [category], lag_days: -1}", "lag_days must be 0..60"},
      {"{name: t, type: tree_scan, levels: [category], replicates: 5}", "replicates must be 9..99999"},
      {"{name: t, type: tree_scan, levels: [category], alpha: 1.5}", "detectors[0].alpha: must be between 0 and 1"},
      {"{name: t, type: tree_scan, levels: [category], alpha: 0.0005}", "can never alarm"},
      {"{name: t, type: tree_scan, levels: [category], min_cases: 0}", "detectors[0].min_cases: must be at least 1"},
      {"{name: t, type: tree_scan, levels: [category], max_cuts: 0}", "max_cuts must be 1..20"},
      {"{name: t, type: tree_scan, levels: [category], window: 3}", "detectors[0].window: unknown key"},
  };
  for (const auto& [yaml, expected] : bad) {
    auto result = parse_pipeline_config("detectors:\n  - " + yaml + "\n", "test.yaml");
    BOOST_TEST_REQUIRE(!result.is_ok(), yaml);
    BOOST_TEST(result.error().message.find(expected) != std::string::npos,
               yaml << "\n  gave: " << result.error().message);
  }
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil

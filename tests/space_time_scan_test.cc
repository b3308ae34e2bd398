// The prospective space-time permutation scan (detectors/space_time_scan*.h):
// the statistic against hand-computed numbers and an exact permutation
// distribution, determinism, the false-alarm rate under the null and power
// on planted clusters by simulation (fixed seeds, so every figure below is
// exact and the tests cannot flake), the neighbourhoods, the detector's
// signals, restore equivalence, and configuration errors.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "config/pipeline_config.h"
#include "detectors/space_time_scan.h"
#include "tests/detector_harness.h"

namespace vigil {
namespace {

using testing::DetectorHarness;
using testing::TestEvent;

// A small deterministic generator for the simulations (std::mt19937's raw
// output is specified; the standard distributions are not).
struct Rng {
  std::mt19937_64 engine;
  explicit Rng(uint64_t seed) : engine(seed) {}
  double uniform() { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }
  // Poisson by inversion (small means only).
  uint32_t poisson(double mean) {
    const double u = uniform();
    double p = std::exp(-mean), cdf = p;
    uint32_t k = 0;
    while (u > cdf && k < 1000) {
      ++k;
      p *= mean / k;
      cdf += p;
    }
    return k;
  }
};

ZoneChain single(uint32_t z) { return ZoneChain{{z}, {1}}; }

// 20 zones with shares 1..20 (of 210), 60 days whose weights follow a
// weekly pattern; Poisson counts with mean total × zone share × day share,
// i.e. no space-time interaction. `extra` adds a planted cluster: zone 7
// (share 8/210) at `rr` times its rate over the last `extra_days` days.
ScanTable simulate(Rng& rng, double per_day, double rr = 1, uint32_t extra_days = 0) {
  ScanTable t;
  t.zones = 20;
  t.days = 60;
  t.counts.assign(t.zones * t.days, 0);
  for (uint32_t z = 0; z < t.zones; ++z) {
    for (uint32_t d = 0; d < t.days; ++d) {
      const double week = (d % 7 >= 5) ? 0.6 : 1.1;
      double mean = per_day * week * (z + 1) / 210.0;
      if (z == 7 && d >= t.days - extra_days) mean *= rr;
      t.at(z, d) = rng.poisson(mean);
    }
  }
  return t;
}

// Every organisation alone and four "ICBs" of five.
std::vector<ZoneChain> simulation_chains() {
  std::vector<ZoneChain> chains;
  for (uint32_t z = 0; z < 20; ++z) chains.push_back(single(z));
  for (uint32_t g = 0; g < 4; ++g) {
    ZoneChain c;
    for (uint32_t z = 0; z < 5; ++z) c.zones.push_back(g * 5 + z);
    c.sizes = {5};
    chains.push_back(c);
  }
  return chains;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(space_time_scan_test)

// --- The statistic -------------------------------------------------------------------------

// Zones A, B, C over 4 days (day 3 the analysis day):
//   A: 5 5 5 5  (20)     day totals 20 20 20 30, C = 90
//   B: 5 5 5 15 (30)
//   C: 10 10 10 10 (40)
// Cylinders of {A}, {B}, {C}, {A,B} × the last 1 or 2 days; mu = C_zones·C_days/C:
//   B, 1 day:   c = 15, mu = 30·30/90 = 10
//               llr = 15 ln(15/10) + 75 ln(75/80) = 6.0819766 − 4.8403891 = 1.2415875363
//   B, 2 days:  c = 20, mu = 30·50/90 = 16.667, llr = 20 ln 1.2 + 70 ln(70/73.333) = 0.3900300414
//   AB, 1 day:  c = 20, mu = 50·30/90 = 16.667, llr = 0.3900300414 (the same numbers)
//   AB, 2 days: c = 30, mu = 50·50/90 = 27.778, llr = 0.1267725838
//   A and C have fewer cases than expected in both windows (llr 0).
// The most likely cluster: B over the analysis day alone.
BOOST_AUTO_TEST_CASE(hand_computed_cylinders) {
  BOOST_TEST(scan_llr(15, 10, 90) == 1.2415875363, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(scan_llr(20, 50.0 / 3, 90) == 0.3900300414, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(scan_llr(30, 2500.0 / 90, 90) == 0.1267725838, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(scan_llr(5, 20.0 / 3, 90) == 0.0);  // a deficit is no cluster
  ScanTable t{3, 4, {5, 5, 5, 5, 5, 5, 5, 15, 10, 10, 10, 10}};
  std::vector<ZoneChain> chains = {single(0), single(1), single(2), ZoneChain{{0, 1}, {2}}};
  const ScanResult r = space_time_scan(t, chains, ScanSettings{2, 999, 0, 7}, 1);
  BOOST_TEST_REQUIRE(r.found);
  BOOST_TEST(r.best.chain == 1u);
  BOOST_TEST(r.best.size == 1u);
  BOOST_TEST(r.best.window_days == 1);
  BOOST_TEST(r.best.observed == 15);
  BOOST_TEST(r.best.expected == 10.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(r.best.llr == 1.2415875363, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(r.replicates_run == 999);
  BOOST_TEST(r.p_value == (r.hits + 1) / 1000.0);
  // No excess anywhere: nothing found, p = 1.
  ScanTable flat{2, 4, {1, 1, 1, 1, 1, 1, 1, 1}};
  const ScanResult none = space_time_scan(flat, {single(0), single(1)}, ScanSettings{2, 99, 0, 7}, 1);
  BOOST_TEST(!none.found);
  BOOST_TEST(none.p_value == 1.0);
}

// Two zones X, Y over three days: X 1 0 3, Y 2 2 0 (C = 8; day totals 3 2 3).
// Under the permutation null X's cases take days (x0, x1, x2) with
// hypergeometric probability C(3,x0)·C(2,x1)·C(3,x2)/C(8,4); the exact
// p-value is the probability that the largest llr reaches the observed one.
// The Monte Carlo p-value with 19,999 replicates is within 4 standard errors.
BOOST_AUTO_TEST_CASE(monte_carlo_p_matches_the_exact_permutation_distribution) {
  const ScanTable t{2, 3, {1, 0, 3, 2, 2, 0}};
  const std::vector<ZoneChain> chains = {single(0), single(1)};
  const ScanSettings settings{2, 19999, 0, 11};
  const ScanResult r = space_time_scan(t, chains, settings, 5);
  BOOST_TEST_REQUIRE(r.found);
  const auto choose = [](int n, int k) {
    double v = 1;
    for (int i = 1; i <= k; ++i) v = v * (n - k + i) / i;
    return v;
  };
  double exact = 0;
  for (uint32_t x0 = 0; x0 <= 3; ++x0) {
    for (uint32_t x1 = 0; x1 <= 2; ++x1) {
      if (x0 + x1 > 4 || 4 - x0 - x1 > 3) continue;
      const uint32_t x2 = 4 - x0 - x1;
      const ScanTable perm{2, 3, {x0, x1, x2, 3 - x0, 2 - x1, 3 - x2}};
      const ScanResult p = space_time_scan(perm, chains, ScanSettings{2, 0, 0, 0}, 0);
      if (p.found && p.best.llr >= r.best.llr * (1 - 1e-12)) {
        exact += choose(3, static_cast<int>(x0)) * choose(2, static_cast<int>(x1)) *
                 choose(3, static_cast<int>(x2)) / choose(8, 4);
      }
    }
  }
  const double se = std::sqrt(exact * (1 - exact) / settings.replicates);
  BOOST_TEST_MESSAGE("exact p " << exact << ", Monte Carlo p " << r.p_value);
  BOOST_TEST(std::abs(r.p_value - exact) < 4 * se + 1e-4);
}

BOOST_AUTO_TEST_CASE(the_seed_makes_it_deterministic) {
  Rng rng(3);
  const ScanTable t = simulate(rng, 30, 2.0, 4);
  const auto chains = simulation_chains();
  const ScanResult a = space_time_scan(t, chains, ScanSettings{7, 999, 0, 42}, 9);
  const ScanResult b = space_time_scan(t, chains, ScanSettings{7, 999, 0, 42}, 9);
  BOOST_TEST(a.hits == b.hits);
  BOOST_TEST(a.p_value == b.p_value);
  BOOST_TEST(a.best.llr == b.best.llr);
  // Another seed draws other replicates (the same observed cluster).
  const ScanResult c = space_time_scan(t, chains, ScanSettings{7, 999, 0, 43}, 9);
  BOOST_TEST(c.best.llr == a.best.llr);
  BOOST_TEST(c.hits != a.hits);
}

// 1,000 datasets without a cluster (30 cases a day over 20 zones and 60 days,
// zone and day effects only), 99 replicates: p ≤ 0.05 means at most 4 hits,
// which happens with probability exactly 5/100 under the permutation null
// (ties only lower it). Binomial(1000, 0.05): mean 50, sd 6.9; accepted
// within 3 sd. Measured: 47 of 1,000.
// With sequential stopping at 50 hits the same datasets reject: stopping
// only ever cuts short a p-value above 0.5.
BOOST_AUTO_TEST_CASE(null_false_alarm_rate_is_nominal) {
  const auto chains = simulation_chains();
  int rejected = 0, rejected_sequential = 0, rejected_01 = 0;
  int64_t replicates = 0, replicates_sequential = 0;
  constexpr int kDatasets = 1000;
  for (int i = 0; i < kDatasets; ++i) {
    Rng rng(1000 + static_cast<uint64_t>(i));
    const ScanTable t = simulate(rng, 30);
    const ScanResult full = space_time_scan(t, chains, ScanSettings{7, 99, 0, 20050301}, i);
    const ScanResult seq = space_time_scan(t, chains, ScanSettings{7, 99, 50, 20050301}, i);
    rejected += full.p_value <= 0.05 ? 1 : 0;
    rejected_01 += full.p_value <= 0.01 ? 1 : 0;
    rejected_sequential += seq.p_value <= 0.05 ? 1 : 0;
    replicates += full.replicates_run;
    replicates_sequential += seq.replicates_run;
  }
  BOOST_TEST_MESSAGE("null: " << rejected << "/" << kDatasets << " with p <= 0.05, " << rejected_01
                              << " with p <= 0.01; replicates " << replicates << " full, "
                              << replicates_sequential << " sequential");
  BOOST_TEST(std::abs(rejected - 50) <= 21);
  BOOST_TEST(rejected_sequential == rejected);
  BOOST_TEST(replicates_sequential < replicates);
}

// Power: zone 7 (3.8% of cases, about 1.1 a day) at 4 times its rate over the
// last 4 days (about 18 cases against 4.4 expected), 200 datasets, 999
// replicates with sequential stopping. Found: p ≤ 0.05 (or RI ≥ 365 days)
// and the most likely cluster contains zone 7. Measured 182/200 (91%) and
// 136/200 (68%); at 3 times 126 and 58, at 5 times 197 and 187.
BOOST_AUTO_TEST_CASE(power_on_a_planted_cluster) {
  const auto chains = simulation_chains();
  int found = 0, found_ri = 0;
  constexpr int kDatasets = 200;
  for (int i = 0; i < kDatasets; ++i) {
    Rng rng(5000 + static_cast<uint64_t>(i));
    const ScanTable t = simulate(rng, 30, 4.0, 4);
    const ScanResult r = space_time_scan(t, chains, ScanSettings{7, 999, 50, 20050301}, i);
    const ZoneChain& c = chains[r.best.chain];
    const bool right = r.found && std::find(c.zones.begin(), c.zones.begin() + r.best.size, 7u) !=
                                      c.zones.begin() + r.best.size;
    found += right && r.p_value <= 0.05 ? 1 : 0;
    found_ri += right && recurrence_interval_days(r.p_value) >= 365 ? 1 : 0;
  }
  BOOST_TEST_MESSAGE("power: " << found << "/" << kDatasets << " at p <= 0.05, " << found_ri
                               << " at RI >= 365 days");
  BOOST_TEST(found >= 175);
  BOOST_TEST(found_ri >= 125);
}

// A secondary cluster (one chain's own most likely cylinder) is compared with
// the same replicates' overall maxima: for the most likely cluster's chain it
// is the most likely cluster itself; for another chain its p is no smaller.
BOOST_AUTO_TEST_CASE(secondary_clusters_use_the_same_replicates) {
  const auto chains = simulation_chains();
  Rng rng(5000);
  const ScanTable t = simulate(rng, 30, 4.0, 4);
  const ScanSettings settings{7, 999, 50, 20050301};
  const ScanResult best = space_time_scan(t, chains, settings, 0);
  BOOST_TEST_REQUIRE(best.found);
  const ScanResult same = space_time_scan(t, chains, settings, 0, best.best.chain);
  BOOST_TEST(same.best.llr == best.best.llr);
  BOOST_TEST(same.p_value == best.p_value);
  for (uint32_t c = 0; c < chains.size(); ++c) {
    const ScanResult other = space_time_scan(t, chains, settings, 0, c);
    if (!other.found) continue;
    BOOST_TEST(other.best.chain == c);
    BOOST_TEST(other.best.llr <= best.best.llr);
    BOOST_TEST(other.p_value >= best.p_value);
  }
}

// With the caller's verdict given (alarm at RI >= 999 days and >= 5 cases),
// the Monte Carlo stops once no outcome of the remaining replicates could
// alarm: over null and planted datasets every verdict is the full run's, an
// alarm's p-value is the full run's exactly, and far fewer replicates run.
BOOST_AUTO_TEST_CASE(verdict_only_runs_give_the_full_runs_verdicts) {
  const auto chains = simulation_chains();
  int alarms = 0;
  int64_t replicates = 0, replicates_verdict = 0;
  for (int i = 0; i < 120; ++i) {
    Rng rng(7000 + static_cast<uint64_t>(i));
    const ScanTable t = i % 2 ? simulate(rng, 30, 5.0, 3) : simulate(rng, 30);
    const ScanSettings full{7, 999, 50, 20050301};
    ScanSettings verdict = full;
    verdict.alarm_recurrence_days = 999;
    verdict.alarm_min_cases = 5;
    for (const std::optional<uint32_t> only : {std::optional<uint32_t>{}, std::optional<uint32_t>{7u}}) {
      const ScanResult a = space_time_scan(t, chains, full, i, only);
      const ScanResult b = space_time_scan(t, chains, verdict, i, only);
      const auto alarm = [](const ScanResult& r) {
        return r.found && recurrence_interval_days(r.p_value) >= 999 && r.best.observed >= 5;
      };
      BOOST_TEST(alarm(a) == alarm(b));
      BOOST_TEST(a.best.llr == b.best.llr);
      if (alarm(a)) {
        ++alarms;
        BOOST_TEST(!b.p_bound);
        BOOST_TEST(a.p_value == b.p_value);
      }
      replicates += a.replicates_run;
      replicates_verdict += b.replicates_run;
    }
  }
  BOOST_TEST_MESSAGE("verdicts: " << alarms << " alarms; replicates " << replicates << " sequential, "
                                  << replicates_verdict << " verdict-only");
  BOOST_TEST(alarms > 0);
  BOOST_TEST(replicates_verdict < replicates);
  // Too few cases: no Monte Carlo at all.
  ScanTable t{3, 4, {5, 5, 5, 5, 5, 5, 5, 15, 10, 10, 10, 10}};
  ScanSettings settings{2, 999, 0, 7, 999, 16};
  const ScanResult r = space_time_scan(t, {single(0), single(1), single(2)}, settings, 1);
  BOOST_TEST(r.found);
  BOOST_TEST(r.replicates_run == 0);
  BOOST_TEST(r.p_bound);
}

// --- Neighbourhoods ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(hierarchy_lists_orgs_icbs_and_regions_once_within_the_size_bound) {
  const std::vector<ScanZone> zones = {{"A1", "I1", "R1", 10}, {"A2", "I1", "R1", 20},
                                       {"B1", "I2", "R1", 30}, {"C1", "", "", 200}};
  const Neighbourhoods nb = hierarchy_neighbourhoods(zones, 100);
  // A1, A2, B1 alone (C1 is over the bound), ICB I1 = {A1, A2}; ICB I2 is
  // B1 alone (listed already); region R1 = {A1, A2, B1} (60 cases).
  BOOST_TEST_REQUIRE(nb.chains.size() == 5u);
  BOOST_TEST(nb.names[3].code == "I1");
  BOOST_TEST((nb.names[3].kind == NeighbourhoodKind::kIcb));
  BOOST_TEST((nb.chains[3].zones == std::vector<uint32_t>{0, 1}));
  BOOST_TEST(nb.names[4].code == "R1");
  BOOST_TEST((nb.chains[4].sizes == std::vector<uint32_t>{3}));
  BOOST_TEST(hierarchy_neighbourhoods(zones, 50).chains.size() == 4u);  // the region is too big
}

BOOST_AUTO_TEST_CASE(coordinates_grow_circles_by_distance_ties_by_code) {
  // P at the origin; Q and R 1 degree of latitude away, north and south (a
  // tie, broken by code); S 2 degrees east; T has no coordinates.
  const CoordinateNeighbours nb({{"S", 0, 2}, {"R", -1, 0}, {"Q", 1, 0}, {"P", 0, 0}});
  BOOST_TEST(great_circle_km(0, 0, 1, 0) == 111.19, boost::test_tools::tolerance(1e-3));
  const std::vector<ScanZone> zones = {
      {"P", "", "", 10}, {"Q", "", "", 10}, {"R", "", "", 10}, {"S", "", "", 10}, {"T", "", "", 5}};
  const Neighbourhoods n = nb.build(zones, 30);
  BOOST_TEST_REQUIRE(n.chains.size() == 5u);
  // P's circle: P, Q, R (S would make 40 > 30).
  BOOST_TEST((n.chains[0].zones == std::vector<uint32_t>{0, 1, 2}));
  BOOST_TEST((n.chains[0].sizes == std::vector<uint32_t>{1, 2, 3}));
  // Q's: Q, P, then R (2 degrees) and S (2.24 degrees) — R first.
  BOOST_TEST((n.chains[1].zones == std::vector<uint32_t>{1, 0, 2}));
  BOOST_TEST((n.chains[4].zones == std::vector<uint32_t>{4}));  // T alone
  BOOST_TEST(n.names[4].code == "T");
}

// --- The detector --------------------------------------------------------------------------

namespace {

SpaceTimeScanConfig detector_config() {
  SpaceTimeScanConfig c;
  c.name = "fall_clusters";
  c.filter.categories = {"fall"};
  c.group_by = {Dimension::kCategory};
  c.study_days = 42;
  c.max_window_days = 5;
  c.max_cluster_fraction = 0.3;
  c.replicates = 499;
  c.min_recurrence_days = 250;
  c.min_cases = 5;
  return c;
}

// Ten organisations R00..R09 in ICBs QA (R00-R04) and QB (R05-R09), region
// Y60; about 2 falls a day each (plus medication reports that are not
// cases) for 70 days from 2024-01-01, and R03 at 4 times its rate on days
// 55-58.
std::vector<testing::FeedStep> detector_stream() {
  std::vector<testing::FeedStep> steps;
  Rng rng(77);
  int id = 0;
  const Date start = testing::date("2024-01-01");
  for (int d = 0; d < 70; ++d) {
    for (int o = 0; o < 10; ++o) {
      const double mean = (o == 3 && d >= 55 && d <= 58) ? 8.0 : 2.0;
      const uint32_t n = rng.poisson(mean);
      for (uint32_t k = 0; k <= n; ++k) {
        const std::string org = "R0" + std::to_string(o);
        TestEvent e("id-" + std::to_string(id++), Date{start.days + d});
        e.org(org).icb(o < 5 ? "QA" : "QB").region("Y60").category(k == n ? "medication" : "fall");
        steps.push_back({std::move(e), -1});
        // Now and then a report is revised to another category: a case taken back.
        if (id % 97 == 0 && k < n) {
          TestEvent revised("id-" + std::to_string(id - 1), Date{start.days + d});
          revised.org(org).icb(o < 5 ? "QA" : "QB").region("Y60").category("medication").revision(2);
          steps.push_back({std::move(revised), static_cast<int>(steps.size()) - 1});
        }
      }
    }
  }
  return steps;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_detector_raises_and_resolves_a_cluster_at_one_organisation) {
  DetectorHarness<SpaceTimeScanDetector, SpaceTimeScanConfig> h(detector_config());
  const auto steps = detector_stream();
  for (size_t i = 0; i < steps.size(); ++i) h.play(steps, i);
  BOOST_TEST_REQUIRE(!h.signals.empty());
  for (const Signal& s : h.signals) BOOST_TEST_MESSAGE(s.summary);
  const Signal& raised = h.signals.front();
  BOOST_TEST(raised.type == SignalType::kRaised);
  BOOST_TEST(raised.method == "space_time_scan");
  BOOST_TEST((raised.key == std::vector<KeyPart>{{"category", "fall"}, {"org", "R03"}}));
  BOOST_TEST(raised.period_end >= testing::date("2024-02-25"));  // day 55
  BOOST_TEST(raised.period_end <= testing::date("2024-02-28"));  // day 58
  BOOST_TEST(raised.fired_at == raised.period_end);              // lag_days 0
  BOOST_TEST(raised.observed > raised.expected);
  BOOST_TEST(raised.evidence_orgs == 1);
  BOOST_TEST(!raised.event_ids.empty());
  BOOST_TEST_REQUIRE(raised.statistics.size() == 5u);
  BOOST_TEST(raised.statistics[0].first == "llr");
  BOOST_TEST(raised.statistics[0].second == raised.score);
  BOOST_TEST(raised.statistics[1].first == "p_value");
  BOOST_TEST(raised.statistics[2].first == "recurrence_interval_days");
  BOOST_TEST(raised.statistics[2].second >= 250.0);
  BOOST_TEST(raised.statistics[3].first == "window_days");
  BOOST_TEST(raised.statistics[3].second ==
             static_cast<double>(raised.period_end.days - raised.period_start.days + 1));
  BOOST_TEST(raised.statistics[4].first == "zones");
  BOOST_TEST(raised.statistics[4].second == 1.0);
  BOOST_TEST(raised.summary.find("organisation R03") != std::string::npos);
  // Resolved after three analyses without it; nothing else raised.
  const Signal& last = h.signals.back();
  BOOST_TEST(last.type == SignalType::kResolved);
  BOOST_TEST(last.signal_id == raised.signal_id);
  for (const Signal& s : h.signals) BOOST_TEST(s.signal_id == raised.signal_id);
}

BOOST_AUTO_TEST_CASE(a_restored_detector_gives_the_same_signals) {
  const auto steps = detector_stream();
  DetectorHarness<SpaceTimeScanDetector, SpaceTimeScanConfig> straight(detector_config());
  for (size_t i = 0; i < steps.size(); ++i) straight.play(steps, i);
  DetectorHarness<SpaceTimeScanDetector, SpaceTimeScanConfig> restarted(detector_config());
  for (size_t i = 0; i < steps.size(); ++i) {
    restarted.play(steps, i);
    if (i % 173 == 0) restarted.reload();
    if (i % 1009 == 0) restarted.reopen_store();
  }
  BOOST_TEST_REQUIRE(!straight.signals.empty());
  BOOST_TEST(testing::fingerprints(restarted.signals) == testing::fingerprints(straight.signals),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(revisions_take_cases_back) {
  // The same stream without its revised reports' first contents gives the
  // same signals as with them taken back.
  const auto steps = detector_stream();
  DetectorHarness<SpaceTimeScanDetector, SpaceTimeScanConfig> with(detector_config());
  for (size_t i = 0; i < steps.size(); ++i) with.play(steps, i);
  std::vector<bool> replaced(steps.size(), false);
  for (const auto& s : steps) {
    if (s.previous >= 0) replaced[static_cast<size_t>(s.previous)] = true;
  }
  DetectorHarness<SpaceTimeScanDetector, SpaceTimeScanConfig> without(detector_config());
  for (size_t i = 0; i < steps.size(); ++i) {
    if (!replaced[i]) without.feed(steps[i].event.event());
  }
  BOOST_TEST(testing::fingerprints(with.signals) == testing::fingerprints(without.signals),
             boost::test_tools::per_element());
}

// --- Configuration -------------------------------------------------------------------------

namespace {

std::string config_error_of(const std::string& detector_yaml) {
  auto parsed = parse_pipeline_config("detectors:\n  - " + detector_yaml + "\n", "test.yaml");
  BOOST_TEST_REQUIRE(!parsed.is_ok(), "parsed, but should not have: " << detector_yaml);
  return parsed.error().message;
}

}  // namespace

BOOST_AUTO_TEST_CASE(configuration_keys_and_errors) {
  testing::TempDir dir;
  const std::string coords = dir.sub("orgs.csv");
  std::ofstream(coords) << "org,latitude,longitude\nRXX,51.5,-0.12\nRYY,53.48,-2.24\n";
  auto parsed = parse_pipeline_config(
      "detectors:\n  - name: falls_scan\n    type: space_time_scan\n"
      "    filter: {categories: [fall], min_physical_harm: low}\n    group_by: [category]\n"
      "    study_days: 182\n    max_window_days: 10\n    lag_days: 1\n"
      "    neighbourhoods: {coordinates: " + coords + "}\n    max_cluster_fraction: 0.05\n"
      "    replicates: 499\n    early_stop_hits: 20\n    seed: 7\n    min_recurrence_days: 100\n"
      "    min_cases: 4\n    severity: high\n",
      "test.yaml");
  BOOST_TEST_REQUIRE(parsed.is_ok(), (parsed ? "" : parsed.error().message));
  const auto& c = std::get<SpaceTimeScanConfig>(parsed.value().detectors.front());
  BOOST_TEST(c.study_days == 182);
  BOOST_TEST(c.max_window_days == 10);
  BOOST_TEST(c.lag_days == 1);
  BOOST_TEST_REQUIRE(c.coordinates.size() == 2u);
  BOOST_TEST(c.coordinates[1].org == "RYY");
  BOOST_TEST(c.coordinates[1].longitude == -2.24);
  BOOST_TEST(c.max_cluster_fraction == 0.05);
  BOOST_TEST(c.replicates == 499);
  BOOST_TEST(c.early_stop_hits == 20);
  BOOST_TEST(c.seed == 7u);
  BOOST_TEST(c.min_recurrence_days == 100.0);
  BOOST_TEST(c.min_cases == 4);
  BOOST_TEST(c.severity == Severity::kHigh);
  BOOST_TEST((c.group_by == std::vector<Dimension>{Dimension::kCategory}));

  const std::string base = "name: s\n    type: space_time_scan\n    ";
  BOOST_TEST(config_error_of(base + "neighbourhoods: circles").find("neighbourhoods") != std::string::npos);
  BOOST_TEST(config_error_of(base + "neighbourhoods: {coordinates: /nonexistent.csv}")
                 .find("cannot read") != std::string::npos);
  std::ofstream(dir.sub("bad.csv")) << "RXX,north,1\n";
  BOOST_TEST(config_error_of(base + "neighbourhoods: {coordinates: " + dir.sub("bad.csv") + "}")
                 .find("not a number") != std::string::npos);
  BOOST_TEST(config_error_of(base + "max_window_days: 200").find("max_window_days") != std::string::npos);
  BOOST_TEST(config_error_of(base + "max_cluster_fraction: 0.7").find("max_cluster_fraction") != std::string::npos);
  BOOST_TEST(config_error_of(base + "replicates: 99\n    min_recurrence_days: 365")
                 .find("min_recurrence_days") != std::string::npos);
  BOOST_TEST(config_error_of(base + "group_by: [org]").find("group_by") != std::string::npos);
  BOOST_TEST(config_error_of(base + "windows: 3").find("windows") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace vigil

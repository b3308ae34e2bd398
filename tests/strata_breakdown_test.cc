// Breakdowns of a signal's evidence by patient strata
// (detectors/strata_breakdown.h): the slot layout, the "unknown" stratum,
// disclosure control (cells under 5 pooled into "other", an "other" under 5
// taking in the smallest named cell, a dimension of 1..4 reports withheld),
// and the counts a count detector's raised signals carry
// (detectors/count_detector.cc).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "detectors/count_detector.h"
#include "detectors/strata_breakdown.h"
#include "tests/detector_harness.h"

namespace vigil {
namespace {

using testing::day_in_week;
using testing::describe;
using testing::monday;
using testing::TestEvent;

using Counts = std::vector<std::pair<std::string, int64_t>>;

// Printable form of a breakdown for comparisons.
std::string render(const std::vector<StratumCounts>& strata) {
  std::string out;
  for (const auto& s : strata) {
    out += s.dimension + ":";
    for (const auto& [v, n] : s.counts) out += " " + v + "=" + std::to_string(n);
    out += "\n";
  }
  return out;
}

StrataLayout layout(std::vector<Dimension> dims) {
  auto made = StrataLayout::create(std::move(dims));
  BOOST_TEST_REQUIRE(made.is_ok(), (made ? "" : made.error().message));
  return std::move(made).value();
}

TestEvent patient_event(std::string_view age, std::string_view sex, char ethnicity, uint8_t decile) {
  TestEvent e("p");
  e.patient(age, sex, ethnicity, decile);
  return e;
}

// --- The layout --------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(strata_breakdown_test)

BOOST_AUTO_TEST_CASE(only_patient_dimensions_form_strata) {
  for (Dimension d : {Dimension::kCategory, Dimension::kOrg, Dimension::kMedication, Dimension::kServiceArea}) {
    auto made = StrataLayout::create({Dimension::kEthnicity, d});
    BOOST_TEST_REQUIRE(!made.is_ok());
    BOOST_TEST((made.error().kind == ErrorKind::kInvalidArgument));
    BOOST_TEST(made.error().message.find(std::string(to_string(d))) != std::string::npos);
  }
  // A slot per value plus "unknown": 26 letters + 1, 5 quintiles + 1, 12
  // age bands + 1, and sex's 4 values, whose own "unknown" is the missing one.
  BOOST_TEST(layout({Dimension::kEthnicity}).size() == 27u);
  BOOST_TEST(layout({Dimension::kImdQuintile}).size() == 6u);
  BOOST_TEST(layout({Dimension::kAgeBand}).size() == 13u);
  BOOST_TEST(layout({Dimension::kSex}).size() == 4u);
  BOOST_TEST(layout({Dimension::kEthnicity, Dimension::kImdQuintile, Dimension::kAgeBand, Dimension::kSex}).size() ==
             50u);
  const StrataLayout none = layout({});
  BOOST_TEST(none.empty());
  BOOST_TEST(none.breakdown({}).empty());
}

BOOST_AUTO_TEST_CASE(small_cells_are_pooled_into_other) {
  const StrataLayout l = layout({Dimension::kEthnicity});
  std::vector<uint32_t> c(l.size(), 0);
  const auto add = [&](char ethnicity, int n) {
    TestEvent e = patient_event("26-45", "female", ethnicity, 3);
    for (int i = 0; i < n; ++i) l.count(e, +1, c);
  };
  add('A', 7);
  add('M', 5);  // exactly the disclosure threshold: shown
  add('C', 3);
  add('Z', 1);
  add('\0', 6);  // no ethnicity recorded
  add('a', 2);   // not an NHS ethnic category letter: unknown too
  const auto b = l.breakdown(c);
  BOOST_TEST_REQUIRE(b.size() == 1u);
  BOOST_TEST(b[0].dimension == "ethnicity");
  // Values in their natural order, "unknown" last of them, then the pool.
  // C 3 and Z 1 pool to 4, itself under 5: the smallest named cell (M 5)
  // joins them.
  BOOST_TEST((b[0].counts == Counts{{"A", 7}, {"unknown", 8}, {"other", 9}}), render(b));

  // A dimension with nothing small has no "other".
  std::fill(c.begin(), c.end(), 0u);
  add('B', 9);
  BOOST_TEST((l.breakdown(c)[0].counts == Counts{{"B", 9}}));
  // Enough small cells to make a pool of 5 or more: nothing else joins.
  std::fill(c.begin(), c.end(), 0u);
  add('B', 9);
  add('C', 3);
  add('D', 2);
  BOOST_TEST((l.breakdown(c)[0].counts == Counts{{"B", 9}, {"other", 5}}));
  // Everything small but 5 or more in all: just "other".
  std::fill(c.begin(), c.end(), 0u);
  add('B', 3);
  add('C', 3);
  BOOST_TEST((l.breakdown(c)[0].counts == Counts{{"other", 6}}));
}

BOOST_AUTO_TEST_CASE(a_pool_under_five_takes_in_the_smallest_named_cell) {
  // The pool of small cells must not itself be a small cell: with B 9 and
  // D 2, "other" = 2 would be published (and the total of 11, the signal's
  // evidence count, minus B 9 would give it anyway), so B joins the pool.
  const StrataLayout l = layout({Dimension::kEthnicity, Dimension::kSex});
  std::vector<uint32_t> c(l.size(), 0);
  const auto add = [&](char ethnicity, std::string_view sex, int n) {
    TestEvent e = patient_event("26-45", sex, ethnicity, 3);
    for (int i = 0; i < n; ++i) l.count(e, +1, c);
  };
  add('B', "female", 9);
  add('D', "male", 2);
  BOOST_TEST(render(l.breakdown(c)) == "ethnicity: other=11\nsex: other=11\n");
  // Of equal named cells the last in order joins: deterministic.
  add('A', "male", 7);
  add('C', "withheld", 7);
  add('D', "withheld", 1);
  // ethnicity A 7, B 9, C 7, D 3; sex female 9, male 9, withheld 8.
  BOOST_TEST(render(l.breakdown(c)) == "ethnicity: A=7 B=9 other=10\nsex: female=9 male=9 withheld=8\n");
}

BOOST_AUTO_TEST_CASE(a_dimension_of_fewer_than_five_reports_is_withheld) {
  const StrataLayout l = layout({Dimension::kEthnicity, Dimension::kAgeBand});
  std::vector<uint32_t> c(l.size(), 0);
  TestEvent e = patient_event("26-45", "female", 'B', 3);
  for (int i = 0; i < 4; ++i) l.count(e, +1, c);
  // B 4 and 26-45 4: there is nothing to pool with, so nothing is shown.
  BOOST_TEST(l.breakdown(c).empty(), render(l.breakdown(c)));
  l.count(e, +1, c);
  BOOST_TEST(render(l.breakdown(c)) == "ethnicity: B=5\nage_band: 26-45=5\n");
}

BOOST_AUTO_TEST_CASE(no_random_breakdown_publishes_a_cell_of_one_to_four) {
  // Many random breakdowns, most with small cells: no published cell is
  // 1..4, each published dimension adds up to the number of reports (no
  // cell is dropped, so nothing can be backed out of the evidence count),
  // the breakdown is withheld exactly when there are 1..4 reports, and the
  // same counts always give the same breakdown.
  const StrataLayout l =
      layout({Dimension::kEthnicity, Dimension::kImdQuintile, Dimension::kAgeBand, Dimension::kSex});
  static constexpr const char* kAges[] = {"0-14d", "1-4", "18-25", "26-45", "46-65", "76+", ""};
  static constexpr const char* kSexes[] = {"female", "male", "withheld", "", "unknown"};
  std::mt19937 random(20250615);
  int withheld = 0;
  for (int round = 0; round < 5000; ++round) {
    const int reports = std::uniform_int_distribution<int>(0, round % 3 == 0 ? 8 : 40)(random);
    // Skewed choices, so that a few values are common and many are rare.
    const uint32_t spread = std::uniform_int_distribution<uint32_t>(1, 6)(random);
    const auto pick = [&](size_t n) {
      const size_t any = std::uniform_int_distribution<size_t>(0, n - 1)(random);
      return random() % spread == 0 ? any : any % 2;
    };
    std::vector<uint32_t> c(l.size(), 0);
    for (int i = 0; i < reports; ++i) {
      const char ethnicity = pick(5) == 1 ? '\0' : static_cast<char>('A' + pick(26));
      l.count(patient_event(kAges[pick(7)], kSexes[pick(5)], ethnicity, static_cast<uint8_t>(pick(11))), +1,
              c);
    }
    const auto b = l.breakdown(c);
    BOOST_TEST_INFO("round " << round << ", " << reports << " reports:\n" << render(b));
    BOOST_TEST(render(l.breakdown(c)) == render(b));
    if (reports >= 1 && reports < kMinDisclosedCount) {
      BOOST_TEST(b.empty());
      ++withheld;
      continue;
    }
    BOOST_TEST_REQUIRE(b.size() == 4u);
    for (const auto& s : b) {
      int64_t total = 0;
      for (const auto& [value, n] : s.counts) {
        BOOST_TEST(n >= kMinDisclosedCount, s.dimension << " " << value << "=" << n);
        total += n;
      }
      BOOST_TEST(total == reports, s.dimension);
    }
  }
  BOOST_TEST_MESSAGE(withheld << " of 5000 random breakdowns withheld");
  BOOST_TEST(withheld > 100);
}

// --- In a count detector's signals -------------------------------------------------------

using Harness = testing::DetectorHarness<CountDetector, CountDetectorConfig>;

CountDetectorConfig count_config() {
  CountDetectorConfig c;
  c.name = "med_weekly";
  c.dimensions = {Dimension::kCategory, Dimension::kRegion};
  c.method = "earsC1";
  c.grace_days = 14;
  c.early_alarms = false;  // the breakdown of a closed week
  return c;  // strata: ethnicity, imd_quintile, age_band, sex
}

TestEvent report(const std::string& id, Date on) {
  TestEvent e(id, on);
  e.category("medication").region("Y56").org("RX1").harm(PhysicalHarm::kModerate);
  return e;
}

// Weeks 0..6 of 3 to 6 reports without patient details, a spike of 60 in
// week 7 whose patients are described below, then 4 a week to week 12.
//   ethnicity:    A 30, M 20, C 4, none 6
//   imd decile:   1 + i % 10 for the 54 with a patient: quintiles 12, 12, 10, 10, 10
//   age band:     18-25 20, 26-45 25, 76+ 7, 1-4 2, none 6
//   sex:          female 27 (even i), male 26, withheld 1 (i = 53), none 6
std::vector<TestEvent> spike_scenario() {
  std::vector<TestEvent> out;
  const int base[] = {3, 5, 4, 6, 4, 5, 3};
  for (int w = 0; w < 7; ++w) {
    for (int i = 0; i < base[w]; ++i) {
      out.push_back(report("b-" + std::to_string(w) + "-" + std::to_string(i), day_in_week(w, i % 7)));
    }
  }
  for (int i = 0; i < 60; ++i) {
    TestEvent e = report("s-" + std::to_string(i), day_in_week(7, i % 7));
    if (i < 54) {
      const char ethnicity = i < 30 ? 'A' : i < 50 ? 'M' : 'C';
      const char* age = i < 20 ? "18-25" : i < 45 ? "26-45" : i < 52 ? "76+" : "1-4";
      const char* sex = i == 53 ? "withheld" : i % 2 == 0 ? "female" : "male";
      e.patient(age, sex, ethnicity, static_cast<uint8_t>(1 + i % 10));
    }
    out.push_back(std::move(e));
  }
  for (int w = 8; w <= 12; ++w) {
    for (int i = 0; i < 4; ++i) {
      TestEvent e = report("a-" + std::to_string(w) + "-" + std::to_string(i), day_in_week(w, i));
      e.patient("26-45", "female", 'A', 5);
      out.push_back(std::move(e));
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const TestEvent& a, const TestEvent& b) {
    return a.event().occurred_on < b.event().occurred_on;
  });
  return out;
}

// Pools under 5 (C 4; 1-4 2; withheld 1) take in the smallest named cell
// (unknown 6 each time).
const char* const kSpikeStrata =
    "ethnicity: A=30 M=20 other=10\n"
    "imd_quintile: 1=12 2=12 3=10 4=10 5=10 unknown=6\n"
    "age_band: 18-25=20 26-45=25 76+=7 other=8\n"
    "sex: female=27 male=26 other=7\n";

BOOST_AUTO_TEST_CASE(a_raised_signal_carries_its_evidence_by_stratum) {
  Harness h(count_config());
  for (const auto& e : spike_scenario()) h.feed(e);
  // Raised for week 7; quiet in weeks 8 and 9: resolved for week 9.
  BOOST_TEST_REQUIRE(h.signals.size() == 2u, describe(h.signals));
  const Signal& raised = h.signals[0];
  BOOST_TEST(raised.type == SignalType::kRaised);
  BOOST_TEST(raised.period_start == monday(7));
  BOOST_TEST(raised.observed == 60);
  BOOST_TEST(render(raised.strata) == kSpikeStrata);
  // Every dimension's counts add up to the evidence: nothing dropped.
  for (const auto& s : raised.strata) {
    int64_t total = 0;
    for (const auto& [v, n] : s.counts) total += n;
    BOOST_TEST(total == raised.evidence_count, s.dimension);
  }
  // A resolution has no evidence to describe (its week's 4 reports are not a risk).
  const Signal& resolved = h.signals[1];
  BOOST_TEST(resolved.type == SignalType::kResolved);
  BOOST_TEST(resolved.strata.empty(), render(resolved.strata));
}

BOOST_AUTO_TEST_CASE(key_dimensions_are_not_strata_and_strata_can_be_configured) {
  // Keyed by sex: sex is constant within a key, so it is not broken down.
  CountDetectorConfig by_sex = count_config();
  by_sex.dimensions = {Dimension::kCategory, Dimension::kSex};
  by_sex.min_observed = 5;
  Harness h(by_sex);
  for (const auto& e : spike_scenario()) h.feed(e);
  const Signal* female = nullptr;
  for (const auto& s : h.signals) {
    if (s.type == SignalType::kRaised && s.key[1].second == "female") female = &s;
  }
  BOOST_TEST_REQUIRE(female != nullptr, describe(h.signals));
  BOOST_TEST(female->observed == 27);
  // The 27 even-numbered spike reports: A 15 (0..28), M 10 (30..48), C 2
  // (50, 52), pooled with M; odd deciles only; ages 10 (0..18), 13
  // (20..44), 3 + 1 pooled with the 10.
  BOOST_TEST(render(female->strata) ==
                 "ethnicity: A=15 other=12\n"
                 "imd_quintile: 1=6 2=6 3=5 4=5 5=5\n"
                 "age_band: 26-45=13 other=14\n",
             describe(h.signals));

  CountDetectorConfig only_ethnicity = count_config();
  only_ethnicity.strata = {Dimension::kEthnicity};
  Harness one(only_ethnicity);
  for (const auto& e : spike_scenario()) one.feed(e);
  BOOST_TEST_REQUIRE(!one.signals.empty());
  BOOST_TEST(render(one.signals[0].strata) == "ethnicity: A=30 M=20 other=10\n");

  CountDetectorConfig no_strata = count_config();
  no_strata.strata.clear();
  Harness none(no_strata);
  for (const auto& e : spike_scenario()) none.feed(e);
  BOOST_TEST_REQUIRE(!none.signals.empty());
  BOOST_TEST(none.signals[0].strata.empty());

  CountDetectorConfig bad = count_config();
  bad.strata = {Dimension::kEthnicity, Dimension::kOrg};
  auto made = CountDetector::create(bad, 0, 0);
  BOOST_TEST_REQUIRE(!made.is_ok());
  BOOST_TEST(made.error().message.find("org") != std::string::npos, made.error().message);
  BOOST_TEST(made.error().message.find("med_weekly") != std::string::npos, made.error().message);
}

BOOST_AUTO_TEST_CASE(a_revision_moves_its_report_between_strata) {
  // Five of the spike's A patients are corrected to M, and one report with
  // no patient details gains one (ethnicity M, decile 2 = quintile 1,
  // 26-45, male).
  Harness h(count_config());
  std::vector<TestEvent> corrections;
  for (const auto& e : spike_scenario()) {
    h.feed(e);
    const std::string id(e.event().id);
    if (id == "s-0" || id == "s-1" || id == "s-2" || id == "s-3" || id == "s-4" || id == "s-55") {
      TestEvent r = report(id, e.event().occurred_on);
      if (e.event().has_patient) {
        r.patient(e.event().patient.age_band, e.event().patient.sex, 'M', e.event().patient.imd_decile);
      } else {
        r.patient("26-45", "male", 'M', 2);
      }
      r.revision(1);
      BOOST_TEST(!h.revise(e, r));
      corrections.push_back(std::move(r));
    }
  }
  BOOST_TEST_REQUIRE(!h.signals.empty());
  BOOST_TEST(h.signals[0].observed == 60);
  BOOST_TEST(render(h.signals[0].strata) ==
             "ethnicity: A=25 M=26 other=9\n"
             "imd_quintile: 1=13 2=12 3=10 4=10 5=10 unknown=5\n"
             "age_band: 18-25=20 26-45=26 76+=7 other=7\n"
             "sex: female=27 male=27 other=6\n");
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil

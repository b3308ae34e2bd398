// Breakdowns of a signal's evidence by patient strata
// (detectors/strata_breakdown.h): the slot layout, the "unknown" stratum,
// disclosure control (cells under 5 pooled into "other"), and the counts a
// count detector's raised signals carry (detectors/count_detector.cc).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
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
  BOOST_TEST((b[0].counts == Counts{{"A", 7}, {"M", 5}, {"unknown", 8}, {"other", 4}}), render(b));

  // One small cell alone is still pooled (its value is never named), and a
  // dimension with nothing small has no "other".
  std::fill(c.begin(), c.end(), 0u);
  add('B', 9);
  add('D', 2);
  BOOST_TEST((l.breakdown(c)[0].counts == Counts{{"B", 9}, {"other", 2}}));
  std::fill(c.begin(), c.end(), 0u);
  add('B', 9);
  BOOST_TEST((l.breakdown(c)[0].counts == Counts{{"B", 9}}));
  // Everything small: just "other".
  std::fill(c.begin(), c.end(), 0u);
  add('B', 1);
  add('C', 1);
  BOOST_TEST((l.breakdown(c)[0].counts == Counts{{"other", 2}}));
}

BOOST_AUTO_TEST_CASE(every_dimension_has_its_unknown) {
  const StrataLayout l =
      layout({Dimension::kEthnicity, Dimension::kImdQuintile, Dimension::kAgeBand, Dimension::kSex});
  std::vector<uint32_t> c(l.size(), 0);
  const auto add = [&](const IncidentEvent& e, int n) {
    for (int i = 0; i < n; ++i) l.count(e, +1, c);
  };
  add(TestEvent("none"), 5);                                  // no patient details at all
  add(patient_event("", "", 0, 0), 5);                        // a patient with nothing recorded
  add(patient_event("adult", "other", 'b', 11), 5);           // values outside the contract
  add(patient_event("76+", "unknown", 'R', 10), 6);           // decile 10: quintile 5
  add(patient_event("0-14d", "withheld", 'R', 9), 5);         // decile 9: quintile 5 too
  const auto b = l.breakdown(c);
  BOOST_TEST_REQUIRE(b.size() == 4u);
  BOOST_TEST(b[0].dimension == "ethnicity");
  BOOST_TEST((b[0].counts == Counts{{"R", 11}, {"unknown", 15}}), render(b));
  BOOST_TEST(b[1].dimension == "imd_quintile");
  BOOST_TEST((b[1].counts == Counts{{"5", 11}, {"unknown", 15}}), render(b));
  BOOST_TEST(b[2].dimension == "age_band");
  BOOST_TEST((b[2].counts == Counts{{"0-14d", 5}, {"76+", 6}, {"unknown", 15}}), render(b));
  BOOST_TEST(b[3].dimension == "sex");
  // A recorded "unknown" and a missing sex are the same stratum.
  BOOST_TEST((b[3].counts == Counts{{"unknown", 21}, {"withheld", 5}}), render(b));
}

BOOST_AUTO_TEST_CASE(taking_back_never_goes_below_zero_and_short_counters_are_ignored) {
  const StrataLayout l = layout({Dimension::kSex, Dimension::kImdQuintile});
  std::vector<uint32_t> c(l.size(), 0);
  TestEvent female = patient_event("26-45", "female", 'A', 1);
  for (int i = 0; i < 6; ++i) l.count(female, +1, c);
  l.count(female, -1, c);
  TestEvent male = patient_event("26-45", "male", 'A', 4);
  l.count(male, -1, c);  // never counted: stays at zero
  BOOST_TEST(render(l.breakdown(c)) == "sex: female=5\nimd_quintile: 1=5\n");
  // Counters from a layout with fewer slots (state from an older version)
  // are left alone and give no breakdown.
  std::vector<uint32_t> short_counters(l.size() - 1, 7);
  l.count(female, +1, short_counters);
  BOOST_TEST((short_counters == std::vector<uint32_t>(l.size() - 1, 7)));
  BOOST_TEST(l.breakdown(short_counters).empty());
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

const char* const kSpikeStrata =
    "ethnicity: A=30 M=20 unknown=6 other=4\n"
    "imd_quintile: 1=12 2=12 3=10 4=10 5=10 unknown=6\n"
    "age_band: 18-25=20 26-45=25 76+=7 unknown=6 other=2\n"
    "sex: female=27 male=26 unknown=6 other=1\n";

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
  // (50, 52); odd deciles only; ages 10 (0..18), 13 (20..44), 3 + 1 pooled.
  BOOST_TEST(render(female->strata) ==
                 "ethnicity: A=15 M=10 other=2\n"
                 "imd_quintile: 1=6 2=6 3=5 4=5 5=5\n"
                 "age_band: 18-25=10 26-45=13 other=4\n",
             describe(h.signals));

  CountDetectorConfig only_ethnicity = count_config();
  only_ethnicity.strata = {Dimension::kEthnicity};
  Harness one(only_ethnicity);
  for (const auto& e : spike_scenario()) one.feed(e);
  BOOST_TEST_REQUIRE(!one.signals.empty());
  BOOST_TEST(render(one.signals[0].strata) == "ethnicity: A=30 M=20 unknown=6 other=4\n");

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
             "ethnicity: A=25 M=26 unknown=5 other=4\n"
             "imd_quintile: 1=13 2=12 3=10 4=10 5=10 unknown=5\n"
             "age_band: 18-25=20 26-45=26 76+=7 unknown=5 other=2\n"
             "sex: female=27 male=27 unknown=5 other=1\n");
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil

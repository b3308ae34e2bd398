#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detectors/count_detector.h"
#include "detectors/detector_factory.h"
#include "tests/detector_feeds.h"
#include "tests/detector_harness.h"
#include "tests/test_events.h"

namespace vigil {
namespace {

using testing::date;
using testing::describe;
using testing::open_test_store;
using testing::TempDir;
using testing::TestEvent;

// qnorm(1 - 0.001), the z of EARS C1/C2 at R's default alpha.
constexpr double kZ = 3.090232306;

using testing::day_in_week;
using testing::monday;
using testing::sunday;
const Date kMonday = testing::kMonday0;

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}
double sd_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}
// EARS upper bound mean + z * sd over a baseline (C1: the 7 counts before t;
// C2: the 7 counts before t - 2).
double ears_bound(const std::vector<double>& baseline) { return mean_of(baseline) + kZ * sd_of(baseline); }

// counts[t - 7 .. t - 1] (C1) or counts[t - 9 .. t - 3] (C2).
std::vector<double> c1_baseline(const std::vector<double>& counts, int t) {
  return {counts.begin() + t - 7, counts.begin() + t};
}
std::vector<double> c2_baseline(const std::vector<double>& counts, int t) {
  return {counts.begin() + t - 9, counts.begin() + t - 2};
}

bool is_lower_hex16(const std::string& s) {
  return s.size() == 16 && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
         });
}

void close_to(double actual, double expected, const std::string& what) {
  BOOST_TEST(std::fabs(actual - expected) < 1e-6 * std::max(1.0, std::fabs(expected)),
             what << ": " << actual << " vs expected " << expected);
}

using testing::count_feed::weekly_config;

const std::vector<KeyPart> kMedY56 = {{"category", "medication"}, {"region", "Y56"}};

// One count detector on a real RocksDB store, driven as the partition task
// drives it (tests/detector_harness.h).
using Harness = testing::DetectorHarness<CountDetector, CountDetectorConfig>;

using testing::count_feed::add_week;
using testing::count_feed::ev;

// Feeds events in event-time order (stable: same-day events keep their order).
void feed_in_time_order(Harness& h, std::vector<TestEvent>& events) {
  std::stable_sort(events.begin(), events.end(), [](const TestEvent& a, const TestEvent& b) {
    return a.event().occurred_on < b.event().occurred_on;
  });
  for (const auto& e : events) h.feed(e);
}

const std::vector<double> kBase = {3, 5, 4, 6, 4, 5, 3};

// --- Windows and the first alarm -------------------------------------------

BOOST_AUTO_TEST_SUITE(count_detector_test)

BOOST_AUTO_TEST_CASE(spike_after_flat_baseline_raises_exactly_one_signal) {
  Harness h(weekly_config());
  std::vector<TestEvent> events;
  for (int w = 0; w < 7; ++w) add_week(events, w, static_cast<int>(kBase[w]), "medication", "Y56", "b");
  for (int w = 0; w <= 10; ++w) add_week(events, w, 2, "fall", "Y56", "noise");  // never ≥ min_observed
  for (int w = 8; w <= 10; ++w) add_week(events, w, 4, "medication", "Y56", "after");
  // 60 spike reports from 4 organisations, arriving in a scrambled order.
  std::vector<TestEvent> spike;
  for (int i = 0; i < 60; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "spike-%02d", (i * 37) % 60);
    spike.push_back(ev(id, day_in_week(7, (i * 3) % 7), "medication", "Y56", "SP" + std::to_string(i % 4)));
  }
  for (auto& e : spike) events.push_back(std::move(e));
  feed_in_time_order(h, events);

  BOOST_TEST_REQUIRE(h.signals.size() == 1u, describe(h.signals));
  const Signal& s = h.signals[0];
  BOOST_TEST(s.type == SignalType::kRaised);
  BOOST_TEST(s.sequence == 1u);
  BOOST_TEST(s.detector == "med_weekly");
  BOOST_TEST(s.method == "earsC1");
  BOOST_TEST((s.key == kMedY56));
  BOOST_TEST(s.period_start == monday(7));
  BOOST_TEST(s.period_end == sunday(7));
  // Week 7 closes at the first stream time past its Sunday + 14 days: the
  // Monday of week 10.
  BOOST_TEST(s.fired_at == monday(10));
  BOOST_TEST(s.observed == 60);
  BOOST_TEST(s.evidence_count == 60);
  close_to(s.expected, mean_of(kBase), "expected");
  close_to(s.threshold, ears_bound(kBase), "threshold");
  close_to(s.score, (60 - mean_of(kBase)) / sd_of(kBase), "score");
  // Its series: weeks 0-7 (the stream began in week 0). Weeks 0-6 have no
  // full window before them, so no expectation; week 7 is the verdict itself.
  BOOST_TEST_REQUIRE(s.series.has_value());
  BOOST_TEST(s.series->measure == "count");
  BOOST_TEST_REQUIRE(s.series->points.size() == 8u);
  for (int w = 0; w < 7; ++w) {
    const PeriodPoint& p = s.series->points[static_cast<size_t>(w)];
    BOOST_TEST(p.start == monday(w));
    BOOST_TEST(p.end == sunday(w));
    BOOST_TEST(p.value == kBase[static_cast<size_t>(w)]);
    BOOST_TEST(std::isnan(p.expected));
    BOOST_TEST(std::isnan(p.threshold));
    BOOST_TEST(!p.flagged);
  }
  const PeriodPoint& judged = s.series->points.back();
  BOOST_TEST(judged.value == 60.0);
  BOOST_TEST(judged.expected == s.expected);
  BOOST_TEST(judged.threshold == s.threshold);
  BOOST_TEST(judged.flagged);
  BOOST_TEST(s.evidence_orgs == 4);
  // 60 ≥ 2 × threshold: one step above the configured medium.
  BOOST_TEST(s.severity == Severity::kHigh);

  // Evidence: the first 50 reports to arrive, sorted.
  std::vector<std::string> arrived;
  for (const auto& e : events) {
    if (e.event().id.starts_with("spike-")) arrived.emplace_back(e.event().id);
  }
  std::vector<std::string> expected_ids(arrived.begin(), arrived.begin() + 50);
  std::sort(expected_ids.begin(), expected_ids.end());
  BOOST_TEST(s.event_ids.size() == kMaxEvidenceIds);
  BOOST_TEST(std::is_sorted(s.event_ids.begin(), s.event_ids.end()));
  BOOST_TEST(s.event_ids == expected_ids);

  BOOST_TEST(is_lower_hex16(s.signal_id), s.signal_id);
  // Pinned naming: detector + key + the start of the episode's first period.
  // Changing it would change every id consumers have already deduplicated by.
  BOOST_TEST(s.signal_id == make_signal_id("med_weekly", kMedY56, format_date(monday(7))));
  BOOST_TEST(s.summary.find("60") != std::string::npos);
  BOOST_TEST(s.summary.find("spike-") == std::string::npos);  // no ids in free text
}

BOOST_AUTO_TEST_CASE(a_week_closes_only_when_stream_time_passes_its_end_plus_grace) {
  for (int grace : {0, 3, 14}) {
    CountDetectorConfig config = weekly_config();
    config.grace_days = grace;
    Harness h(config);
    std::vector<TestEvent> events;
    for (int w = 0; w < 7; ++w) add_week(events, w, static_cast<int>(kBase[w]), "medication", "Y56", "b");
    add_week(events, 7, 20, "medication", "Y56", "spike");
    feed_in_time_order(h, events);
    BOOST_TEST(h.signals.empty(), describe(h.signals));

    const Date last_open_day{sunday(7).days + grace};
    h.move_clock(last_open_day);
    BOOST_TEST(h.signals.empty(), "grace " << grace << ": closed too early: " << describe(h.signals));
    // Reports for week 7 that arrive within the grace are on time and count.
    for (int i = 0; i < 3; ++i) {
      BOOST_TEST(!h.feed(ev("grace-" + std::to_string(i), day_in_week(7, 2))));
    }
    BOOST_TEST(h.signals.empty());
    h.move_clock(Date{last_open_day.days + 1});
    BOOST_TEST_REQUIRE(h.signals.size() == 1u, "grace " << grace << ": " << describe(h.signals));
    BOOST_TEST(h.signals[0].observed == 23);
    BOOST_TEST(h.signals[0].fired_at == Date{last_open_day.days + 1});
    // After the close, a report for week 7 is late.
    BOOST_TEST(h.feed(ev("too-late", day_in_week(7, 2))));
    BOOST_TEST(h.late == 1u);
    BOOST_TEST(h.signals.size() == 1u);
  }
}

BOOST_AUTO_TEST_CASE(no_verdict_before_the_baseline_is_complete) {
  // A burst in the stream's first weeks cannot be judged: there is no
  // history before the stream's first period.
  Harness h(weekly_config());
  std::vector<TestEvent> events;
  add_week(events, 0, 3, "medication", "Y56", "b");
  add_week(events, 3, 50, "medication", "Y56", "early");
  for (int w = 1; w <= 10; ++w) add_week(events, w, 1, "fall", "Y56", "clock");
  feed_in_time_order(h, events);
  BOOST_TEST(h.signals.empty(), describe(h.signals));
}

// --- Lifecycle --------------------------------------------------------------

BOOST_AUTO_TEST_CASE(raised_updated_resolved_then_a_new_episode) {
  Harness h(weekly_config());
  // Weekly counts of medication/Y56, weeks 0..22.
  std::vector<double> counts = kBase;                       // 0..6
  for (double c : {24.0, 40.0, 4.0, 5.0}) counts.push_back(c);  // 7..10
  for (double c : kBase) counts.push_back(c);               // 11..17
  for (double c : {30.0, 4.0, 5.0, 4.0, 5.0, 4.0}) counts.push_back(c);  // 18..23
  std::vector<TestEvent> events;
  for (int w = 0; w < static_cast<int>(counts.size()); ++w) {
    add_week(events, w, static_cast<int>(counts[w]), "medication", "Y56", "m");
  }
  feed_in_time_order(h, events);

  // The scenario itself, checked with an independent EARS C1: alarms in
  // weeks 7, 8 and 18 only (from week 7, the first with a full baseline,
  // to week 20, the last closed by the final events of week 23).
  std::set<int> alarms;
  for (int t = 7; t <= 20; ++t) {
    if (counts[t] >= 5 && counts[t] > ears_bound(c1_baseline(counts, t))) alarms.insert(t);
  }
  BOOST_TEST_REQUIRE((alarms == std::set<int>{7, 8, 18}));
  BOOST_TEST_REQUIRE(counts[8] >= 1.5 * counts[7]);  // growth enough for an update

  BOOST_TEST_REQUIRE(h.signals.size() == 5u, describe(h.signals));
  const auto& s = h.signals;
  struct Expect {
    SignalType type;
    uint32_t sequence;
    int week;
  };
  const Expect expected[] = {{SignalType::kRaised, 1, 7},   {SignalType::kUpdated, 2, 8},
                             {SignalType::kResolved, 3, 10}, {SignalType::kRaised, 1, 18},
                             {SignalType::kResolved, 2, 20}};
  for (size_t i = 0; i < 5; ++i) {
    BOOST_TEST_CONTEXT("signal " << i << ": " << describe(s[i])) {
      BOOST_TEST(s[i].type == expected[i].type);
      BOOST_TEST(s[i].sequence == expected[i].sequence);
      BOOST_TEST(s[i].period_start == monday(expected[i].week));
      BOOST_TEST(s[i].observed == static_cast<int64_t>(counts[expected[i].week]));
      close_to(s[i].threshold, ears_bound(c1_baseline(counts, expected[i].week)), "threshold");
      close_to(s[i].expected, mean_of(c1_baseline(counts, expected[i].week)), "expected");
      BOOST_TEST(s[i].fired_at == monday(expected[i].week + 3));
      BOOST_TEST((s[i].key == kMedY56));
    }
  }
  // One id per episode, shared by all of its transitions.
  BOOST_TEST(s[0].signal_id == s[1].signal_id);
  BOOST_TEST(s[0].signal_id == s[2].signal_id);
  BOOST_TEST(s[3].signal_id == s[4].signal_id);
  BOOST_TEST(s[0].signal_id != s[3].signal_id);
  BOOST_TEST(s[3].signal_id == make_signal_id("med_weekly", kMedY56, format_date(monday(18))));
  // A resolution never raises the severity.
  BOOST_TEST(s[2].severity == Severity::kMedium);
  BOOST_TEST(s[2].summary.find("Back within") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(earsC2_threshold_uses_the_lagged_baseline) {
  Harness h(weekly_config("earsC2"));
  std::vector<double> counts = {3, 5, 4, 6, 4, 5, 3, 4, 5, 20, 4, 4, 4};
  std::vector<TestEvent> events;
  for (int w = 0; w < static_cast<int>(counts.size()); ++w) {
    add_week(events, w, static_cast<int>(counts[w]), "medication", "Y56", "m");
  }
  feed_in_time_order(h, events);
  // Week 9 is the first with 9 earlier weeks; it is closed by week 12.
  BOOST_TEST_REQUIRE(!h.signals.empty(), describe(h.signals));
  const Signal& s = h.signals[0];
  BOOST_TEST(s.type == SignalType::kRaised);
  BOOST_TEST(s.method == "earsC2");
  BOOST_TEST(s.period_start == monday(9));
  BOOST_TEST(s.observed == 20);
  close_to(s.threshold, ears_bound(c2_baseline(counts, 9)), "C2 threshold");
  close_to(s.expected, mean_of(c2_baseline(counts, 9)), "C2 expected");
  // The C1 bound differs here: the C2 baseline really skips two weeks.
  BOOST_TEST(std::fabs(ears_bound(c1_baseline(counts, 9)) - s.threshold) > 1e-3);
}

BOOST_AUTO_TEST_CASE(daily_periods) {
  CountDetectorConfig config = weekly_config();
  config.name = "daily";
  config.period = PeriodUnit::kDay;
  config.grace_days = 2;
  Harness h(config);
  const Date d0 = date("2024-05-01");
  std::vector<double> counts = kBase;
  for (double c : {20.0, 4.0, 3.0, 4.0, 5.0, 4.0}) counts.push_back(c);  // days 7..12
  for (int d = 0; d < static_cast<int>(counts.size()); ++d) {
    for (int i = 0; i < static_cast<int>(counts[d]); ++i) {
      h.feed(ev("d" + std::to_string(d) + "-" + std::to_string(i), Date{d0.days + d}));
    }
  }
  BOOST_TEST_REQUIRE(h.signals.size() == 2u, describe(h.signals));
  const Signal& raised = h.signals[0];
  BOOST_TEST(raised.type == SignalType::kRaised);
  BOOST_TEST(raised.period_start == Date{d0.days + 7});
  BOOST_TEST(raised.period_end == Date{d0.days + 7});
  BOOST_TEST(raised.fired_at == Date{d0.days + 10});  // day 7 + grace 2, passed
  BOOST_TEST(raised.observed == 20);
  close_to(raised.threshold, ears_bound(c1_baseline(counts, 7)), "daily threshold");
  BOOST_TEST(raised.signal_id == make_signal_id("daily", kMedY56, format_date(Date{d0.days + 7})));
  const Signal& resolved = h.signals[1];
  BOOST_TEST(resolved.type == SignalType::kResolved);
  BOOST_TEST(resolved.signal_id == raised.signal_id);
  BOOST_TEST(resolved.period_start == Date{d0.days + 9});  // second quiet day
  BOOST_TEST(resolved.fired_at == Date{d0.days + 12});
}

BOOST_AUTO_TEST_CASE(min_observed_suppresses_small_alarms) {
  for (int64_t min_observed : {5, 3}) {
    CountDetectorConfig config = weekly_config();
    config.min_observed = min_observed;
    Harness h(config);
    std::vector<TestEvent> events;
    const std::vector<double> quiet = {0, 1, 0, 0, 1, 0, 0};
    for (int w = 0; w < 7; ++w) {
      add_week(events, w, static_cast<int>(quiet[w]), "medication", "Y56", "a");
      add_week(events, w, static_cast<int>(quiet[w]), "medication", "Y57", "b");
    }
    add_week(events, 7, 4, "medication", "Y56", "a");
    add_week(events, 7, 5, "medication", "Y57", "b");
    for (int w = 0; w <= 10; ++w) add_week(events, w, 1, "estates", "Y00", "clock");
    feed_in_time_order(h, events);
    // Both jumps are EARS alarms; only min_observed tells them apart.
    BOOST_TEST_REQUIRE(4 > ears_bound(quiet));
    std::set<std::string> raised_regions;
    for (const auto& s : h.signals) {
      BOOST_TEST(s.type == SignalType::kRaised);
      raised_regions.insert(s.key[1].second);
    }
    if (min_observed == 5) {
      BOOST_TEST((raised_regions == std::set<std::string>{"Y57"}), describe(h.signals));
    } else {
      BOOST_TEST((raised_regions == std::set<std::string>{"Y56", "Y57"}), describe(h.signals));
    }
  }
}

// --- Late reports -------------------------------------------------------------

BOOST_AUTO_TEST_CASE(late_reports_enter_history_but_never_reopen_a_verdict) {
  Harness h(weekly_config());
  std::vector<double> counts = kBase;
  for (double c : {24.0, 4.0, 5.0, 4.0, 5.0, 4.0}) counts.push_back(c);  // weeks 7..12
  std::vector<TestEvent> events;
  for (int w = 0; w <= 10; ++w) add_week(events, w, static_cast<int>(counts[w]), "medication", "Y56", "m");
  feed_in_time_order(h, events);
  BOOST_TEST_REQUIRE(h.signals.size() == 1u, describe(h.signals));
  BOOST_TEST(h.signals[0].type == SignalType::kRaised);
  BOOST_TEST(h.signals[0].observed == 24);

  // 30 more reports of week 7 arrive after it was judged: late, and no
  // second look at week 7 (54 would be an "update" if it were re-judged).
  for (int i = 0; i < 30; ++i) {
    const bool late = h.feed(ev("late-" + std::to_string(i), day_in_week(7, i % 7)));
    BOOST_TEST(late);
  }
  BOOST_TEST(h.late == 30u);
  BOOST_TEST(h.signals.size() == 1u, describe(h.signals));

  std::vector<TestEvent> rest;
  for (int w = 11; w <= 12; ++w) add_week(rest, w, static_cast<int>(counts[w]), "medication", "Y56", "m");
  feed_in_time_order(h, rest);
  // Weeks 8 and 9 were quiet: resolved when week 9 closes, judged against a
  // baseline that does include the late reports (week 7 = 54).
  counts[7] = 54;
  BOOST_TEST_REQUIRE(h.signals.size() == 2u, describe(h.signals));
  const Signal& resolved = h.signals[1];
  BOOST_TEST(resolved.type == SignalType::kResolved);
  BOOST_TEST(resolved.signal_id == h.signals[0].signal_id);
  BOOST_TEST(resolved.period_start == monday(9));
  close_to(resolved.threshold, ears_bound(c1_baseline(counts, 9)), "threshold with late reports");
}

BOOST_AUTO_TEST_CASE(a_backlog_of_old_reports_raises_nothing) {
  Harness h(weekly_config());
  std::vector<TestEvent> events;
  // 4, 5, 4, 5, ...: every baseline bound is above 6, so nothing alarms by itself.
  for (int w = 0; w <= 30; ++w) {
    add_week(events, w, 4 + w % 2, "medication", "Y56", "m");
    add_week(events, w, 5 - w % 2, "fall", "Y57", "f");
  }
  std::stable_sort(events.begin(), events.end(), [](const TestEvent& a, const TestEvent& b) {
    return a.event().occurred_on < b.event().occurred_on;
  });
  size_t i = 0;
  for (; i < events.size() && events[i].event().occurred_on < monday(20); ++i) h.feed(events[i]);
  BOOST_TEST_REQUIRE(h.signals.empty(), describe(h.signals));

  // At once: 300 reports from three to four months ago, and 200 from three
  // weeks ago (already judged, still inside the baseline window).
  for (int k = 0; k < 300; ++k) {
    BOOST_TEST(h.feed(ev("old-" + std::to_string(k), day_in_week(3 + k % 3, k % 7))));
  }
  for (int k = 0; k < 200; ++k) {
    BOOST_TEST(h.feed(ev("recent-" + std::to_string(k), day_in_week(16, k % 7), "fall", "Y57")));
  }
  BOOST_TEST(h.late == 500u);
  for (; i < events.size(); ++i) h.feed(events[i]);
  BOOST_TEST(h.signals.empty(), describe(h.signals));
}

// --- Counting rules -----------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_revision_moves_the_count_between_keys) {
  Harness h(weekly_config());
  std::vector<TestEvent> events;
  for (int w = 0; w < 7; ++w) {
    add_week(events, w, static_cast<int>(kBase[w]), "medication", "Y56", "m");
    add_week(events, w, static_cast<int>(kBase[w]), "fall", "Y56", "f");
  }
  feed_in_time_order(h, events);
  std::vector<TestEvent> spike;
  for (int i = 0; i < 24; ++i) {
    spike.push_back(ev("s" + std::to_string(100 + i), day_in_week(7, i % 3), "medication", "Y56",
                       "ORG" + std::to_string(i % 2)));
    h.feed(spike.back());
  }
  // Revision 1 of ten of them: they were falls, not medication incidents.
  std::vector<TestEvent> revised;
  for (int i = 0; i < 10; ++i) {
    TestEvent r = ev("s" + std::to_string(100 + i), day_in_week(7, i % 3), "fall", "Y56", "ORG9");
    r.revision(1);
    revised.push_back(std::move(r));
    BOOST_TEST(!h.revise(spike[i], revised.back()));
  }
  // Revision 2 of two: medication after all.
  for (int i = 0; i < 2; ++i) {
    TestEvent r = ev("s" + std::to_string(100 + i), day_in_week(7, 4), "medication", "Y56", "ORG0");
    r.revision(2);
    BOOST_TEST(!h.revise(revised[i], r));
    revised[i] = std::move(r);
  }
  // A take-back for a key never seen is harmless.
  h.det->apply(ev("ghost", day_in_week(7, 1), "infection", "Y99"), -1, h.signals);
  h.move_clock(monday(10));

  BOOST_TEST_REQUIRE(h.signals.size() == 2u, describe(h.signals));
  std::map<std::string, const Signal*> by_category;
  for (const auto& s : h.signals) by_category[s.key[0].second] = &s;
  BOOST_TEST_REQUIRE(by_category.count("medication") == 1u);
  BOOST_TEST_REQUIRE(by_category.count("fall") == 1u);
  const Signal& med = *by_category["medication"];
  const Signal& fall = *by_category["fall"];
  BOOST_TEST(med.observed == 16);  // 24 - 10 + 2
  BOOST_TEST(fall.observed == 8);
  BOOST_TEST((med.key == kMedY56));
  std::vector<std::string> med_ids, fall_ids;
  for (int i = 0; i < 24; ++i) {
    const std::string id = "s" + std::to_string(100 + i);
    (i < 2 || i >= 10 ? med_ids : fall_ids).push_back(id);
  }
  std::sort(med_ids.begin(), med_ids.end());
  std::sort(fall_ids.begin(), fall_ids.end());
  BOOST_TEST(med.event_ids == med_ids);
  BOOST_TEST(fall.event_ids == fall_ids);
  BOOST_TEST(fall.evidence_orgs == 1);  // every fall report came from ORG9
  close_to(med.threshold, ears_bound(kBase), "medication threshold");
  close_to(fall.threshold, ears_bound(kBase), "fall threshold");
}

BOOST_AUTO_TEST_CASE(a_late_revision_is_late_and_moves_history_only) {
  Harness h(weekly_config());
  std::vector<TestEvent> events;
  for (int w = 0; w <= 10; ++w) add_week(events, w, 4, "medication", "Y56", "m");
  feed_in_time_order(h, events);
  BOOST_TEST_REQUIRE(h.signals.empty());
  // m-7-0 (week 7, closed) is revised into another key: late, no signal.
  TestEvent old_contents = ev("m-7-0", day_in_week(7, 0), "medication", "Y56", "ORG0");
  TestEvent new_contents = ev("m-7-0", day_in_week(7, 0), "fall", "Y56", "ORG0");
  new_contents.revision(1);
  BOOST_TEST(h.revise(old_contents, new_contents));
  BOOST_TEST(h.signals.empty());
}

BOOST_AUTO_TEST_CASE(the_filter_decides_what_counts) {
  CountDetectorConfig config = weekly_config();
  config.name = "harmful_incidents";
  config.filter.min_physical_harm = PhysicalHarm::kModerate;
  config.filter.record_types = {RecordType::kIncident};
  Harness h(config);
  std::vector<TestEvent> events;
  const std::vector<double> matching = {5, 4, 6, 4, 5, 3, 3, 25, 4, 4, 4};
  auto add_other = [&](int week, int n, const std::string& tag) {
    for (int i = 0; i < n; ++i) {
      TestEvent e = ev(tag + std::to_string(week) + "-" + std::to_string(i), day_in_week(week, i % 7));
      switch (i % 4) {
        case 0: e.harm(PhysicalHarm::kLow); break;
        case 1: e.harm(PhysicalHarm::kUnknown); break;
        case 2: e.harm(PhysicalHarm::kFatal).record_type(RecordType::kOutcome); break;
        case 3: e.harm(PhysicalHarm::kSevere).record_type(RecordType::kRisk); break;
      }
      events.push_back(std::move(e));
    }
  };
  for (int w = 0; w < static_cast<int>(matching.size()); ++w) {
    for (int i = 0; i < static_cast<int>(matching[w]); ++i) {
      TestEvent e = ev("h" + std::to_string(w) + "-" + std::to_string(i), day_in_week(w, i % 7));
      e.harm(i % 3 == 0 ? PhysicalHarm::kFatal : i % 3 == 1 ? PhysicalHarm::kSevere : PhysicalHarm::kModerate);
      events.push_back(std::move(e));
    }
    add_other(w, 10, "other");
  }
  add_other(6, 60, "burst");  // a burst of reports the detector must not count
  feed_in_time_order(h, events);
  BOOST_TEST_REQUIRE(h.signals.size() == 1u, describe(h.signals));
  const Signal& s = h.signals[0];
  BOOST_TEST(s.period_start == monday(7));
  BOOST_TEST(s.observed == 25);
  close_to(s.threshold, ears_bound(c1_baseline(matching, 7)), "filtered threshold");
  for (const auto& id : s.event_ids) BOOST_TEST(id.starts_with("h7-"), id);
  BOOST_TEST(s.summary.find("moderate-or-worse harm incident reports") != std::string::npos, s.summary);
}

BOOST_AUTO_TEST_CASE(multi_valued_keys_count_each_listed_value_once) {
  CountDetectorConfig config = weekly_config();
  config.name = "by_medicine";
  config.dimensions = {Dimension::kMedication};
  Harness h(config);
  std::vector<TestEvent> events;
  for (int w = 0; w <= 10; ++w) {
    const int n = w == 7 ? 20 : static_cast<int>(kBase[w % 7]);
    for (int i = 0; i < n; ++i) {
      TestEvent e = ev("x" + std::to_string(w) + "-" + std::to_string(i), day_in_week(w, i % 7));
      // Every report names paracetamol twice (two doses) and one other drug.
      e.medication("322236009").medication("111").medication("322236009");
      events.push_back(std::move(e));
    }
  }
  feed_in_time_order(h, events);
  BOOST_TEST_REQUIRE(h.signals.size() == 2u, describe(h.signals));
  std::set<std::string> medicines;
  for (const Signal& s : h.signals) {
    BOOST_TEST_REQUIRE(s.key.size() == 1u);
    BOOST_TEST(s.key[0].first == "medication");
    medicines.insert(s.key[0].second);
    BOOST_TEST(s.observed == 20);  // 20 reports, not 40 for paracetamol
    close_to(s.threshold, ears_bound(kBase), "threshold");
    BOOST_TEST(s.event_ids.size() == 20u);
    BOOST_TEST(std::set<std::string>(s.event_ids.begin(), s.event_ids.end()).size() == 20u);
  }
  BOOST_TEST((medicines == std::set<std::string>{"111", "322236009"}));
}

// --- State (tests/detector_contract_test.cc restarts every kind at any point) ---

BOOST_AUTO_TEST_CASE(an_open_episode_survives_a_restart) {
  Harness h(weekly_config());
  std::vector<double> counts = kBase;
  for (double c : {24.0, 40.0, 4.0, 5.0, 4.0, 4.0, 5.0}) counts.push_back(c);  // weeks 7..13
  std::vector<TestEvent> events;
  for (int w = 0; w < static_cast<int>(counts.size()); ++w) {
    add_week(events, w, static_cast<int>(counts[w]), "medication", "Y56", "m");
  }
  std::stable_sort(events.begin(), events.end(), [](const TestEvent& a, const TestEvent& b) {
    return a.event().occurred_on < b.event().occurred_on;
  });
  for (const auto& e : events) {
    h.feed(e);
    // Restart (whole store) right after the raise, in the middle of week 10.
    if (h.signals.size() == 1 && e.event().occurred_on == day_in_week(10, 3)) h.reopen_store();
  }
  BOOST_TEST_REQUIRE(h.signals.size() == 3u, describe(h.signals));
  BOOST_TEST(h.signals[1].type == SignalType::kUpdated);
  BOOST_TEST(h.signals[1].sequence == 2u);
  BOOST_TEST(h.signals[1].signal_id == h.signals[0].signal_id);
  BOOST_TEST(h.signals[2].type == SignalType::kResolved);
  BOOST_TEST(h.signals[2].signal_id == h.signals[0].signal_id);
}

// Past periods an earsC1 key keeps: its window's 7, and the windows of the
// 51 periods its series shows before the judged one.
constexpr int kKeptPeriods = 7 + static_cast<int>(kMaxSeriesPoints) - 1;

BOOST_AUTO_TEST_CASE(silent_keys_are_dropped_and_can_return) {
  Harness h(weekly_config());
  std::vector<TestEvent> events;
  for (int w = 0; w <= 3; ++w) add_week(events, w, 4, "medication", "Y56", "gone");
  // Week 3 leaves the kept periods once week 3 + kKeptPeriods has closed:
  // the sweep after week 64 drops the key.
  static_assert(3 + kKeptPeriods < 64);
  for (int w = 0; w <= 70; ++w) add_week(events, w, 1, "fall", "Y57", "stay");
  feed_in_time_order(h, events);
  BOOST_TEST(h.det->key_count() <= 2u);
  h.save();
  BOOST_TEST(h.det->key_count() == 1u);  // medication/Y56 has nothing left to say
  h.reload();
  BOOST_TEST(h.det->key_count() == 1u);  // and it is gone from the store too

  // It comes back like a new key: 7 quiet weeks later a spike is judged
  // against a baseline of zeros.
  std::vector<TestEvent> more;
  for (int w = 71; w <= 81; ++w) add_week(more, w, 1, "fall", "Y57", "stay");
  add_week(more, 78, 6, "medication", "Y56", "back");
  feed_in_time_order(h, more);
  BOOST_TEST(h.det->key_count() == 2u);
  BOOST_TEST_REQUIRE(h.signals.size() == 1u, describe(h.signals));
  BOOST_TEST(h.signals[0].period_start == monday(78));
  BOOST_TEST(h.signals[0].observed == 6);
  BOOST_TEST(h.signals[0].expected == 0.0);
  // Its series: 52 weeks of which only the last has reports (weeks 0-3
  // left the kept periods long ago).
  BOOST_TEST_REQUIRE(h.signals[0].series.has_value());
  const auto& points = h.signals[0].series->points;
  BOOST_TEST_REQUIRE(points.size() == kMaxSeriesPoints);
  BOOST_TEST(points.front().start == monday(27));
  for (size_t i = 0; i + 1 < points.size(); ++i) {
    BOOST_TEST(points[i].value == 0.0);
    BOOST_TEST(!points[i].flagged);
  }
}

BOOST_AUTO_TEST_CASE(a_key_dropped_twice_between_saves) {
  // Dropped by one sweep, back for a week, dropped by a later sweep, all
  // before the next save: the save must handle the key once (run under
  // AddressSanitizer: a second removal would read a freed key).
  Harness h(weekly_config());
  std::vector<TestEvent> events;
  // Week 0 leaves the kept periods at the sweep after week 64 (closed when
  // the stream reaches week 67), week 68 at the sweep after week 128.
  add_week(events, 0, 3, "medication", "Y56", "a");
  add_week(events, 68, 3, "medication", "Y56", "b");
  for (int w = 0; w <= 131; ++w) add_week(events, w, 1, "fall", "Y57", "clock");
  feed_in_time_order(h, events);
  BOOST_TEST(h.det->key_count() == 2u);  // both still in memory until the save
  h.save();
  BOOST_TEST(h.det->key_count() == 1u);
  h.reload();
  BOOST_TEST(h.det->key_count() == 1u);
  BOOST_TEST(h.signals.empty(), describe(h.signals));
}

BOOST_AUTO_TEST_CASE(quiet_periods_survive_a_restart) {
  // The evaluations that close an open episode's quiet weeks change its
  // state without any new report for the key; a restart right after each
  // one must not forget them.
  Harness h(weekly_config());
  std::vector<double> counts = kBase;
  for (double c : {24.0, 0.0, 0.0}) counts.push_back(c);  // weeks 7..9: spike, then silence
  std::vector<TestEvent> events;
  for (int w = 0; w < static_cast<int>(counts.size()); ++w) {
    add_week(events, w, static_cast<int>(counts[w]), "medication", "Y56", "m");
  }
  feed_in_time_order(h, events);
  h.move_clock(monday(10));
  BOOST_TEST_REQUIRE(h.signals.size() == 1u, describe(h.signals));  // raised for week 7
  h.save();                                                         // a commit
  h.feed(ev("clock-11", monday(11), "estates", "Y00"));             // week 8 closes: quiet 1
  h.reload();
  h.feed(ev("clock-12", monday(12), "estates", "Y00"));  // week 9 closes: quiet 2
  BOOST_TEST_REQUIRE(h.signals.size() == 2u, describe(h.signals));
  BOOST_TEST(h.signals[1].type == SignalType::kResolved);
  BOOST_TEST(h.signals[1].period_start == monday(9));
  BOOST_TEST(h.signals[1].fired_at == monday(12));
}

BOOST_AUTO_TEST_CASE(earlier_series_points_are_the_method_on_their_own_windows) {
  // Weeks 0-6 the base, weeks 7-9 four reports, week 10 a spike of 30:
  // the series of the week-10 signal recomputes weeks 7-9 with earsC1 on
  // the 7 weeks before each, and marks none (4 < min_observed 5).
  Harness h(weekly_config());
  std::vector<double> counts = kBase;
  for (double c : {4.0, 4.0, 4.0, 30.0}) counts.push_back(c);
  std::vector<TestEvent> events;
  for (int w = 0; w < static_cast<int>(counts.size()); ++w) {
    add_week(events, w, static_cast<int>(counts[w]), "medication", "Y56", "m");
  }
  feed_in_time_order(h, events);
  h.move_clock(monday(13));
  BOOST_TEST_REQUIRE(h.signals.size() == 1u, describe(h.signals));
  const auto& points = h.signals[0].series->points;
  BOOST_TEST_REQUIRE(points.size() == 11u);
  for (int w = 7; w <= 9; ++w) {
    const std::vector<double> window(counts.begin() + w - 7, counts.begin() + w);
    const PeriodPoint& p = points[static_cast<size_t>(w)];
    BOOST_TEST(p.value == 4.0);
    close_to(p.expected, mean_of(window), "expected");
    close_to(p.threshold, ears_bound(window), "threshold");
    BOOST_TEST(!p.flagged);  // within the bound, and below min_observed too
  }
  BOOST_TEST(points.back().flagged);
}

BOOST_AUTO_TEST_CASE(count_method_factory_matches_ears_history) {
  auto c1 = make_count_method("earsC1", {});
  auto c2 = make_count_method("earsC2", {{"baseline", "10"}});
  auto c3 = make_count_method("earsC3", {});
  BOOST_TEST_REQUIRE(c1.is_ok());
  BOOST_TEST_REQUIRE(c2.is_ok());
  BOOST_TEST_REQUIRE(c3.is_ok());
  BOOST_TEST(c1.value()->name() == "earsC1");
  BOOST_TEST(c1.value()->history_length() == 7u);
  BOOST_TEST(c2.value()->history_length() == 12u);
  BOOST_TEST(c3.value()->history_length() == 11u);
  BOOST_TEST(!make_count_method("glrnb_x", {}).is_ok());
  // A flat window: sd 0, bound = mean, so anything above the mean alarms.
  const std::vector<double> flat = {2, 2, 2, 2, 2, 2, 2, 3};
  const SeriesPoint p = c1.value()->evaluate(flat);
  BOOST_TEST(p.upperbound == 2.0);
  BOOST_TEST(p.alarm);
  const std::vector<double> window = {3, 5, 4, 6, 4, 5, 3, 9};
  const SeriesPoint q = c1.value()->evaluate(window);
  close_to(q.upperbound, ears_bound(kBase), "C1 evaluate");
  BOOST_TEST(q.alarm == (9 > ears_bound(kBase)));
}

BOOST_AUTO_TEST_CASE(detector_factory_builds_and_restores) {
  TempDir dir;
  auto store = open_test_store(dir.sub("db"));
  SeverityRuleConfig rule;
  rule.name = "fatal";
  const std::vector<DetectorConfig> configs = {weekly_config(), rule};
  auto made = make_detectors(configs, 2, *store);
  BOOST_TEST_REQUIRE(made.is_ok(), (made ? "" : made.error().message));
  BOOST_TEST(made.value().size() == 2u);
  BOOST_TEST(made.value()[0]->name() == "med_weekly");
  BOOST_TEST(made.value()[1]->name() == "fatal");
  BOOST_TEST(store->column_family("det.med_weekly").is_ok());
  BOOST_TEST(store->column_family("det.fatal").is_ok());
  CountDetectorConfig broken = weekly_config();
  broken.method = "nope";
  BOOST_TEST(!make_detectors({broken}, 2, *store).is_ok());
}

BOOST_AUTO_TEST_CASE(factory_refuses_two_detectors_of_one_name) {
  // Their state would share the column family det.<name>: after a restart
  // each would read the other's records (the merge task's restarts once
  // gave other signals than an uninterrupted run that way).
  TempDir dir;
  auto store = open_test_store(dir.sub("db"));
  CountDetectorConfig daily = weekly_config();
  daily.period = PeriodUnit::kDay;
  daily.grace_days = 1;
  const std::vector<DetectorConfig> configs = {weekly_config(), daily};
  auto made = make_detectors(configs, 2, *store);
  BOOST_TEST_REQUIRE(!made.is_ok());
  BOOST_TEST(made.error().message.find("med_weekly") != std::string::npos);
  daily.name = "med_daily";
  BOOST_TEST(make_detectors({weekly_config(), daily}, 2, *store).is_ok());
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil

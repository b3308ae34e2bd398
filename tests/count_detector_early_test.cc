// Early alarms and multiplicity control of the count detector
// (detectors/count_detector.h): a provisional signal the day the running
// count of an open period crosses its bound, settled when the period closes;
// Benjamini-Hochberg across the series judged in one period.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "detectors/count_detector.h"
#include "tests/detector_feeds.h"
#include "tests/detector_harness.h"
#include "tests/test_events.h"

namespace vigil {
namespace {

using testing::day_in_week;
using testing::describe;
using testing::monday;
using testing::sunday;
using testing::TestEvent;
using testing::count_feed::add_week;
using testing::count_feed::ev;
using testing::count_feed::weekly_config;
using Harness = testing::DetectorHarness<CountDetector, CountDetectorConfig>;

// Weekly medication counts of weeks 0-6 in region Y56: mean 30/7 = 4.2857,
// sample sd sqrt(7.4286 / 6) = 1.11270, so the earsC1 bound of week 7 is
// 4.2857 + 3.090232 * 1.11270 = 7.7242: the 8th report of week 7 crosses it.
const std::vector<int> kBase = {3, 5, 4, 6, 4, 5, 3};
constexpr double kBound = 4.285714285714286 + 3.090232306167813 * 1.1126972805283737;
const std::vector<KeyPart> kMedY56 = {{"category", "medication"}, {"region", "Y56"}};

CountDetectorConfig early_config() {
  CountDetectorConfig c = weekly_config();
  c.early_alarms = true;
  return c;
}

void feed_baseline(Harness& h, std::string_view region = "Y56") {
  std::vector<TestEvent> events;
  for (int w = 0; w < 7; ++w) add_week(events, w, kBase[static_cast<size_t>(w)], "medication", region, std::string(region));
  std::stable_sort(events.begin(), events.end(), [](const TestEvent& a, const TestEvent& b) {
    return a.event().occurred_on < b.event().occurred_on;
  });
  for (const auto& e : events) h.feed(e);
}

// Report i of week 7 occurs on day i / 2 of the week (0, 0, 1, 1, 2, 2, 3, 3, ...).
TestEvent week7(int i, std::string_view category = "medication") {
  return ev("w7-" + std::to_string(i), day_in_week(7, i / 2), category, "Y56", "ORG" + std::to_string(i % 3));
}

BOOST_AUTO_TEST_SUITE(count_detector_early_test)

BOOST_AUTO_TEST_CASE(raised_the_day_the_running_count_crosses_then_confirmed_at_close) {
  Harness h(early_config());
  feed_baseline(h);
  for (int i = 0; i < 7; ++i) h.feed(week7(i));
  BOOST_TEST(h.signals.empty(), describe(h.signals));  // 7 <= 7.7242
  h.feed(week7(7));
  BOOST_TEST_REQUIRE(h.signals.size() == 1u, describe(h.signals));
  const Signal raised = h.signals[0];  // a copy: more signals follow
  BOOST_TEST(raised.type == SignalType::kRaised);
  BOOST_TEST_REQUIRE(raised.detection.has_value());
  BOOST_TEST(raised.detection->provisional);
  BOOST_TEST((raised.detection->reason == DetectionReason::kEarly));
  BOOST_TEST(raised.fired_at == day_in_week(7, 3));  // the day of the 8th report
  BOOST_TEST(raised.period_start == monday(7));
  BOOST_TEST(raised.period_end == sunday(7));
  BOOST_TEST(raised.observed == 8);
  BOOST_TEST(std::fabs(raised.threshold - kBound) < 1e-9);
  BOOST_TEST(raised.signal_id == make_signal_id("med_weekly", kMedY56, format_date(monday(7))));
  BOOST_TEST(raised.summary.starts_with("Provisional: 8 "), raised.summary);
  BOOST_TEST_REQUIRE(raised.series.has_value());
  BOOST_TEST(raised.series->points.back().value == 8.0);
  BOOST_TEST(raised.series->points.back().flagged);

  // More reports of the open week raise nothing more.
  for (int i = 8; i < 12; ++i) h.feed(week7(i));
  BOOST_TEST(h.signals.size() == 1u, describe(h.signals));
  // The week closes when stream time passes Sunday + 14 days: confirmed.
  h.move_clock(Date{sunday(7).days + 14});
  BOOST_TEST(h.signals.size() == 1u, describe(h.signals));
  h.move_clock(monday(10));
  BOOST_TEST_REQUIRE(h.signals.size() == 2u, describe(h.signals));
  const Signal& confirmed = h.signals[1];
  BOOST_TEST(confirmed.type == SignalType::kUpdated);
  BOOST_TEST(confirmed.sequence == 2u);
  BOOST_TEST(confirmed.signal_id == raised.signal_id);
  BOOST_TEST_REQUIRE(confirmed.detection.has_value());
  BOOST_TEST(!confirmed.detection->provisional);
  BOOST_TEST((confirmed.detection->reason == DetectionReason::kConfirmed));
  BOOST_TEST(confirmed.fired_at == monday(10));
  BOOST_TEST(confirmed.observed == 12);
}

BOOST_AUTO_TEST_CASE(revisions_that_take_reports_back_withdraw_it_at_close) {
  Harness h(early_config());
  feed_baseline(h);
  std::vector<TestEvent> reports;
  for (int i = 0; i < 8; ++i) {
    reports.push_back(week7(i));
    h.feed(reports.back());
  }
  BOOST_TEST_REQUIRE(h.signals.size() == 1u, describe(h.signals));
  // Three turn out to be falls: 5 medication reports are left, below the bound.
  for (int i = 0; i < 3; ++i) {
    TestEvent revised = week7(i, "fall");
    revised.revision(1);
    h.revise(reports[static_cast<size_t>(i)], revised);
  }
  BOOST_TEST(h.signals.size() == 1u, describe(h.signals));
  h.move_clock(monday(10));
  BOOST_TEST_REQUIRE(h.signals.size() == 2u, describe(h.signals));
  const Signal withdrawn = h.signals[1];
  BOOST_TEST(withdrawn.type == SignalType::kResolved);
  BOOST_TEST(withdrawn.sequence == 2u);
  BOOST_TEST(withdrawn.signal_id == h.signals[0].signal_id);
  BOOST_TEST_REQUIRE(withdrawn.detection.has_value());
  BOOST_TEST((withdrawn.detection->reason == DetectionReason::kWithdrawn));
  BOOST_TEST(withdrawn.observed == 5);
  BOOST_TEST(withdrawn.summary.starts_with("Withdrawn:"), withdrawn.summary);
}

BOOST_AUTO_TEST_CASE(a_backlog_of_old_reports_raises_no_early_alarm) {
  Harness h(early_config());
  feed_baseline(h);
  h.move_clock(monday(11));  // week 7 (and 8) closed, with no medication reports
  BOOST_TEST(h.signals.empty(), describe(h.signals));
  for (int i = 0; i < 60; ++i) {  // all of week 7: late
    BOOST_TEST(h.feed(ev("old-" + std::to_string(i), day_in_week(7, i % 7))));
  }
  BOOST_TEST(h.late == 60u);
  BOOST_TEST(h.signals.empty(), describe(h.signals));
}

BOOST_AUTO_TEST_CASE(early_alarms_are_off_when_configured_off) {
  CountDetectorConfig config = early_config();
  config.early_alarms = false;
  Harness h(config);
  feed_baseline(h);
  for (int i = 0; i < 12; ++i) h.feed(week7(i));
  BOOST_TEST(h.signals.empty(), describe(h.signals));
  h.move_clock(monday(10));
  BOOST_TEST_REQUIRE(h.signals.size() == 1u, describe(h.signals));
  BOOST_TEST(h.signals[0].type == SignalType::kRaised);
  BOOST_TEST((h.signals[0].detection->reason == DetectionReason::kClosed));
  BOOST_TEST(!h.signals[0].detection->provisional);
}

BOOST_AUTO_TEST_CASE(a_restart_gives_the_same_transitions) {
  // Stream time reaches day 5 of week 7 through another key, then the
  // detector restarts; the crossing report is dated day 3, so the signal's
  // stream time must come from the stored position, not from the report.
  std::vector<Signal> uninterrupted;
  for (const bool restart : {false, true}) {
    Harness h(early_config());
    feed_baseline(h);
    for (int i = 0; i < 7; ++i) h.feed(week7(i));
    h.feed(ev("other", day_in_week(7, 5), "fall", "Y57", "ORGX"));
    if (restart) h.reload();
    h.feed(week7(7));
    if (restart) h.reload();
    for (int i = 8; i < 12; ++i) h.feed(week7(i));
    h.move_clock(monday(10));
    BOOST_TEST_REQUIRE(h.signals.size() == 2u, describe(h.signals));
    BOOST_TEST(h.signals[0].fired_at == day_in_week(7, 5));
    if (!restart) {
      uninterrupted = h.signals;
      continue;
    }
    for (size_t i = 0; i < 2; ++i) {
      BOOST_TEST(h.signals[i].signal_id == uninterrupted[i].signal_id);
      BOOST_TEST(h.signals[i].sequence == uninterrupted[i].sequence);
      BOOST_TEST(h.signals[i].fired_at == uninterrupted[i].fired_at);
      BOOST_TEST(h.signals[i].observed == uninterrupted[i].observed);
      BOOST_TEST(h.signals[i].summary == uninterrupted[i].summary);
    }
  }
}

// Twelve series of one week: Y56 with 12 reports (earsC1 p = 1 - Phi((12 -
// 4.2857) / 1.1127) = 2.1e-12), Y57 with 8 (z = 3.3381, p = 4.22e-4) and ten
// regions with 5 (z = 0.642, p = 0.26), all on the same baseline. BH with
// m = 12: the second smallest p qualifies when 4.22e-4 <= 2 q / 12, i.e.
// q >= 0.00253.
void feed_twelve_series(Harness& h) {
  std::vector<std::string> regions = {"Y56", "Y57"};
  for (int r = 0; r < 10; ++r) regions.push_back("Z" + std::to_string(r));
  std::vector<TestEvent> events;
  for (const auto& region : regions) {
    for (int w = 0; w < 7; ++w) add_week(events, w, kBase[static_cast<size_t>(w)], "medication", region, region);
    const int week7_count = region == "Y56" ? 12 : region == "Y57" ? 8 : 5;
    add_week(events, 7, week7_count, "medication", region, region + "-w7");
  }
  std::stable_sort(events.begin(), events.end(), [](const TestEvent& a, const TestEvent& b) {
    return a.event().occurred_on < b.event().occurred_on;
  });
  for (const auto& e : events) h.feed(e);
  h.move_clock(monday(10));
}

BOOST_AUTO_TEST_CASE(benjamini_hochberg_decides_the_closed_week) {
  for (const double fdr : {0.002, 0.005}) {
    CountDetectorConfig config = weekly_config();  // early alarms off
    config.fdr = fdr;
    Harness h(config);
    feed_twelve_series(h);
    std::vector<std::string> raised;
    for (const Signal& s : h.signals) {
      if (s.type == SignalType::kRaised) raised.push_back(s.key[1].second);
    }
    const std::vector<std::string> expected =
        fdr < 0.00253 ? std::vector<std::string>{"Y56"} : std::vector<std::string>{"Y56", "Y57"};
    BOOST_TEST(raised == expected, "fdr " << fdr << ": " << describe(h.signals));
  }
  // Without multiplicity control both exceed the per-series bound (alpha 0.001).
  Harness h(weekly_config());
  feed_twelve_series(h);
  BOOST_TEST(h.signals.size() == 2u, describe(h.signals));
}

BOOST_AUTO_TEST_CASE(an_early_alarm_under_fdr_needs_the_bonferroni_bound) {
  // With fdr 0.005 and 12 keys held, an early alarm needs p <= 0.005 / 12 =
  // 4.17e-4: Y57's 8 reports (p = 4.22e-4) are not enough early, Y56's 12
  // are; at close BH confirms Y56 and raises Y57 (4.22e-4 <= 2 * 0.005 / 12).
  CountDetectorConfig config = early_config();
  config.fdr = 0.005;
  Harness h(config);
  feed_twelve_series(h);
  BOOST_TEST_REQUIRE(h.signals.size() == 3u, describe(h.signals));
  BOOST_TEST(h.signals[0].key[1].second == "Y56");
  BOOST_TEST((h.signals[0].detection->reason == DetectionReason::kEarly));
  BOOST_TEST(h.signals[1].key[1].second == "Y56");
  BOOST_TEST((h.signals[1].detection->reason == DetectionReason::kConfirmed));
  BOOST_TEST(h.signals[2].key[1].second == "Y57");
  BOOST_TEST(h.signals[2].type == SignalType::kRaised);
  BOOST_TEST((h.signals[2].detection->reason == DetectionReason::kClosed));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace vigil

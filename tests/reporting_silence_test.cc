// Reporting silence (detectors/reporting_silence.h): an organisation that has
// stopped reporting, found within days. Scenarios are daily report counts
// whose silent-day probabilities p0 = (z + 0.5) / (baseline_days + 1) and
// run probabilities p0^k are worked out by hand in the comments and
// compared with the signals; a null simulation checks that keys reporting
// at random, never stopping, alarm at most about alpha per key and day.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "detectors/reporting_silence.h"
#include "tests/detector_feeds.h"
#include "tests/detector_harness.h"

namespace vigil {
namespace {

using testing::describe;
using testing::fingerprints;
using testing::monday;
using testing::near;
using testing::near_relative;
using testing::statistic;
using testing::TestEvent;
using testing::silence_feed::OrgDays;
using testing::silence_feed::reports;

using Harness = testing::DetectorHarness<ReportingSilenceDetector, ReportingSilenceConfig>;

ReportingSilenceConfig silence_config() {
  ReportingSilenceConfig c;
  c.name = "reporting_silence";
  return c;  // defaults: baseline 56 days, grace 0, alpha 1e-6, min 5 a day, resolved at once
}

Date day(int d) { return Date{monday(0).days + d}; }

std::vector<Signal> of_org(const std::vector<Signal>& signals, const std::string& org) {
  std::vector<Signal> out;
  for (const auto& s : signals) {
    if (s.key.size() == 1 && s.key[0].second == org) out.push_back(s);
  }
  return out;
}

// RA1: 10 a day for days 0-59 except days 10, 20, 30, 40 and 50, then silent
// from day 60 to day 69, back at 10 a day from day 70.
// RC1: 15 a day, but nothing on every third day (days 0, 3, 6, ...), then
// the same silence from day 60 to 69.
// RB1: 20 a day throughout, so the stream time moves on.
std::vector<OrgDays> known_baselines() {
  std::vector<int> a(80, 10);
  for (int d : {10, 20, 30, 40, 50}) a[static_cast<size_t>(d)] = 0;
  std::vector<int> c(80, 15);
  for (size_t d = 0; d < c.size(); d += 3) c[d] = 0;
  for (int d = 60; d < 70; ++d) a[static_cast<size_t>(d)] = c[static_cast<size_t>(d)] = 0;
  return {{"RA1", a}, {"RB1", std::vector<int>(81, 20)}, {"RC1", c}};
}

// Feeds `events` one by one, moving the clock to each one's event time.
template <typename Events>
void feed_all(Harness& h, const Events& events) {
  for (const auto& e : events) h.feed(e.event());
}

BOOST_AUTO_TEST_SUITE(reporting_silence_test)

BOOST_AUTO_TEST_CASE(the_run_probability_is_the_silent_day_frequency_to_the_power_k) {
  // 5 silent days of 56: p0 = 5.5 / 57.
  BOOST_TEST(near(silent_run_log_probability(5, 56, 6), 6 * std::log(5.5 / 57)));
  // Never silent: p0 = 0.5 / 57 = 1/114; three days 1/114^3 = 6.7e-7.
  BOOST_TEST(near(std::exp(silent_run_log_probability(0, 56, 3)), std::pow(114.0, -3)));
  BOOST_TEST(std::exp(silent_run_log_probability(0, 56, 2)) > 1e-6);
  BOOST_TEST(std::exp(silent_run_log_probability(0, 56, 3)) < 1e-6);
}

BOOST_AUTO_TEST_CASE(raised_on_the_day_the_run_probability_first_falls_below_alpha) {
  Harness h(silence_config());
  const auto events = reports(known_baselines());
  feed_all(h, events);
  h.move_clock(day(82));
  const auto ra1 = of_org(h.signals, "RA1");
  BOOST_TEST_REQUIRE(ra1.size() == 3u, describe(h.signals));

  // Run from day 60; baseline days 4-59 hold 5 silent days (10 ... 50) and
  // 51 × 10 = 510 reports: p0 = 5.5/57 = 0.0965, p0^5 = 8.4e-6 ≥ 1e-6,
  // p0^6 = 8.1e-7 < 1e-6: raised for day 65, judged at stream time 66.
  const double p0 = 5.5 / 57;
  const double mean = 510.0 / 56;
  const Signal& raised = ra1[0];
  BOOST_TEST(raised.type == SignalType::kRaised);
  BOOST_TEST(raised.method == "reporting_silence");
  BOOST_TEST(raised.period_start == day(60));
  BOOST_TEST(raised.period_end == day(65));
  BOOST_TEST(raised.fired_at == day(66));
  BOOST_TEST(raised.observed == 0);
  BOOST_TEST(near(raised.expected, mean * 6));
  BOOST_TEST(raised.threshold == 0.0);
  BOOST_TEST(statistic(raised, "silent_days") == 6.0);
  BOOST_TEST(near(statistic(raised, "zero_day_probability"), p0));
  BOOST_TEST(near_relative(statistic(raised, "p_value"), std::pow(p0, 6), 1e-9));
  BOOST_TEST(near(statistic(raised, "baseline_daily_mean"), mean));
  BOOST_TEST(statistic(raised, "baseline_zero_days") == 5.0);
  BOOST_TEST(statistic(raised, "baseline_days") == 56.0);
  BOOST_TEST(near(raised.score, -6 * std::log10(p0)));
  BOOST_TEST(raised.summary.find("since " + format_date(day(60)) + ": 6 days in a row") !=
                 std::string::npos,
             raised.summary);
  // The series: the 51 days before the run (days 9-59) one by one against
  // the daily mean, then the run (days 60-65) as judged, flagged.
  BOOST_TEST_REQUIRE(raised.series.has_value());
  BOOST_TEST_REQUIRE(raised.series->points.size() == 52u);
  const PeriodPoint& run = raised.series->points.back();
  BOOST_TEST(run.start == day(60));
  BOOST_TEST(run.end == day(65));
  BOOST_TEST(run.value == 0.0);
  BOOST_TEST(near(run.expected, mean * 6));
  BOOST_TEST(run.flagged);
  BOOST_TEST(raised.series->points[0].start == day(9));
  BOOST_TEST(raised.series->points[1].value == 0.0);  // day 10
  BOOST_TEST(raised.series->points[50].value == 10.0);  // day 59
  BOOST_TEST(near(raised.series->points[50].expected, mean));
  BOOST_TEST(!raised.series->points[50].flagged);

  // Updated when the run reaches 1.5 × 6 = 9 days (day 68).
  BOOST_TEST(ra1[1].type == SignalType::kUpdated);
  BOOST_TEST(ra1[1].period_end == day(68));
  BOOST_TEST(statistic(ra1[1], "silent_days") == 9.0);
  BOOST_TEST(ra1[1].signal_id == raised.signal_id);
  // Resolved on day 70, the first day it reports again, after 10 silent days.
  BOOST_TEST(ra1[2].type == SignalType::kResolved);
  BOOST_TEST(ra1[2].period_end == day(70));
  BOOST_TEST(ra1[2].observed == 10);
  BOOST_TEST(statistic(ra1[2], "silent_days") == 10.0);
  BOOST_TEST(ra1[2].signal_id == raised.signal_id);
  // Its series: days 14-59, then the run with the day it came back, not flagged.
  BOOST_TEST_REQUIRE(ra1[2].series->points.size() == 47u);
  BOOST_TEST(ra1[2].series->points.back().start == day(60));
  BOOST_TEST(ra1[2].series->points.back().value == 10.0);
  BOOST_TEST(!ra1[2].series->points.back().flagged);
}

BOOST_AUTO_TEST_CASE(a_key_often_silent_is_not_flagged_by_a_gap_of_that_length) {
  // RC1's baseline before day 60 (days 4-59) has 18 silent days (6, 9, ...,
  // 57): p0 = 18.5/57 = 0.325, so a run needs p0^k < 1e-6, k ≥ 13 (p0^12 =
  // 1.4e-6); its 10 silent days (days 60-69, p0^10 = 1.3e-5) raise nothing.
  BOOST_TEST(std::exp(silent_run_log_probability(18, 56, 10)) > 1e-6);
  BOOST_TEST(std::exp(silent_run_log_probability(18, 56, 12)) > 1e-6);
  BOOST_TEST(std::exp(silent_run_log_probability(18, 56, 13)) < 1e-6);
  Harness h(silence_config());
  feed_all(h, reports(known_baselines()));
  h.move_clock(day(82));
  BOOST_TEST(of_org(h.signals, "RC1").empty(), describe(h.signals));
  BOOST_TEST(!of_org(h.signals, "RA1").empty());
  BOOST_TEST(of_org(h.signals, "RB1").empty());

  // The same organisation silent for 13 days from day 60 is raised on day 72.
  auto series = known_baselines();
  std::vector<int>& c = series[2].daily;
  c.resize(90, 15);
  for (int d = 60; d < 73; ++d) c[static_cast<size_t>(d)] = 0;
  series[1].daily.assign(91, 20);
  Harness longer(silence_config());
  feed_all(longer, reports(series));
  longer.move_clock(day(91));
  const auto rc1 = of_org(longer.signals, "RC1");
  BOOST_TEST_REQUIRE(!rc1.empty(), describe(longer.signals));
  BOOST_TEST(rc1[0].type == SignalType::kRaised);
  BOOST_TEST(rc1[0].period_end == day(72));
  BOOST_TEST(statistic(rc1[0], "baseline_zero_days") == 18.0);
}

BOOST_AUTO_TEST_CASE(small_reporters_and_new_keys_are_left_alone) {
  // RS1 sends 4 a day (below min_daily_mean 5); RN1 starts on day 20, so on
  // day 60 its 56-day baseline (from day 4) is not whole. Both fall silent
  // from day 60 for 20 days: nothing is raised for either, while RB1's
  // steady reporting keeps the days being judged.
  std::vector<int> small(80, 4), fresh(80, 30);
  for (int d = 0; d < 20; ++d) fresh[static_cast<size_t>(d)] = 0;
  for (int d = 60; d < 80; ++d) small[static_cast<size_t>(d)] = fresh[static_cast<size_t>(d)] = 0;
  Harness h(silence_config());
  feed_all(h, reports({{"RB1", std::vector<int>(81, 20)}, {"RN1", fresh}, {"RS1", small}}));
  h.move_clock(day(82));
  BOOST_TEST(h.signals.empty(), describe(h.signals));

  // With min_daily_mean 4 the small reporter is judged: never silent,
  // raised after 3 silent days (day 62).
  ReportingSilenceConfig lower = silence_config();
  lower.min_daily_mean = 4;
  Harness judged(lower);
  feed_all(judged, reports({{"RB1", std::vector<int>(81, 20)}, {"RS1", small}}));
  judged.move_clock(day(82));
  BOOST_TEST_REQUIRE(!judged.signals.empty());
  BOOST_TEST(judged.signals[0].period_end == day(62));
}

BOOST_AUTO_TEST_CASE(a_restart_in_the_middle_of_the_run_gives_the_same_signals) {
  const auto events = reports(known_baselines());
  Harness straight(silence_config());
  feed_all(straight, events);
  straight.move_clock(day(82));
  BOOST_TEST_REQUIRE(!straight.signals.empty());

  // Committed and restarted on each of days 61-67 (run started, not yet
  // raised, raised, then growing), and the database reopened once.
  Harness restarted(silence_config());
  Date last = events.front().event().occurred_on;
  for (const auto& e : events) {
    const Date d = e.event().occurred_on;
    if (d != last && d >= day(61) && d <= day(67)) {
      if (d == day(64)) {
        restarted.reopen_store();
      } else {
        restarted.reload();
      }
    }
    last = d;
    restarted.feed(e.event());
  }
  restarted.reload();
  restarted.move_clock(day(82));
  BOOST_TEST(fingerprints(restarted.signals) == fingerprints(straight.signals),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_report_submitted_after_the_silence_counts_on_its_submission_day) {
  // RA1 of known_baselines is raised for day 65. On day 68 it submits a
  // report of an incident that occurred on day 62, inside the silent run.
  // Silence is about submissions: the report counts on day 68, which ends
  // the run there (resolved, 8 silent days: 60-67); the days 60-67 stay
  // silent and the raised signal stands.
  auto series = known_baselines();
  Harness h(silence_config());
  std::vector<TestEvent> events = reports(series);
  std::vector<TestEvent> with_late;
  bool added = false;
  for (auto& e : events) {
    if (!added && e.event().occurred_on == day(68)) {
      TestEvent late("RA1-late");
      late.on(day(62)).reported(day(68)).org("RA1");
      with_late.push_back(std::move(late));
      added = true;
    }
    with_late.push_back(std::move(e));
  }
  for (const auto& e : with_late) {
    const bool late = h.feed(e.event());
    // Its submission day (68) is not judged yet: not late for this detector.
    if (e.event().id == "RA1-late") BOOST_TEST(!late);
  }
  h.move_clock(day(82));
  const auto ra1 = of_org(h.signals, "RA1");
  BOOST_TEST_REQUIRE(ra1.size() == 2u, describe(h.signals));
  BOOST_TEST(ra1[0].type == SignalType::kRaised);
  BOOST_TEST(ra1[0].period_end == day(65));
  BOOST_TEST(ra1[1].type == SignalType::kResolved);
  BOOST_TEST(ra1[1].period_end == day(68));
  BOOST_TEST(ra1[1].observed == 1);
  BOOST_TEST(statistic(ra1[1], "silent_days") == 8.0);
  BOOST_TEST(h.late == 0u);
}

BOOST_AUTO_TEST_CASE(a_report_delivered_after_its_submission_day_was_judged_ends_the_run) {
  // A report submitted on day 63 that reaches the detector only on day 66,
  // after day 65 raised the silence: late (its day was judged); the raised
  // signal stands, and the next judgement (day 66) counts the key as
  // reporting: resolved. It counts on day 63 for later baselines.
  Harness h(silence_config());
  std::vector<TestEvent> events = reports(known_baselines());
  TestEvent delayed("RA1-delayed");
  delayed.on(day(63)).org("RA1");
  size_t fed = 0;
  for (const auto& e : events) {
    if (e.event().occurred_on == day(67) && fed == 0) {
      BOOST_TEST(h.feed(delayed.event()));
      fed = 1;
    }
    h.feed(e.event());
  }
  h.move_clock(day(82));
  const auto ra1 = of_org(h.signals, "RA1");
  BOOST_TEST_REQUIRE(ra1.size() == 2u, describe(h.signals));
  BOOST_TEST(ra1[0].type == SignalType::kRaised);
  BOOST_TEST(ra1[0].period_end == day(65));
  BOOST_TEST(ra1[1].type == SignalType::kResolved);
  BOOST_TEST(ra1[1].period_end == day(66));
  BOOST_TEST(ra1[1].observed == 1);
  BOOST_TEST(h.late == 1u);
}

// Keys reporting at random every day, never stopping: Poisson or negative
// binomial daily counts. Raised signals per key and judged day (once the
// baseline is whole) must stay at about alpha: a run of k silent days
// ending on a given day has probability q^k < alpha when p0 estimates the
// key's true chance q of a silent day, and days here are independent.
struct NullRun {
  int64_t raised = 0;
  int64_t key_days = 0;
  double rate() const { return static_cast<double>(raised) / static_cast<double>(key_days); }
};

NullRun null_run(const ReportingSilenceConfig& config, int keys, int days, double mean_low,
                 double mean_high, uint32_t seed) {
  Harness h(config);
  std::mt19937_64 rng(seed);
  std::vector<double> means, sizes;
  for (int k = 0; k < keys; ++k) {
    means.push_back(mean_low + (mean_high - mean_low) * k / std::max(1, keys - 1));
    sizes.push_back(k % 2 == 0 ? 0 : 1.0 + k % 5);  // 0: Poisson; else NB size
  }
  std::vector<std::string> orgs;
  for (int k = 0; k < keys; ++k) orgs.push_back("N" + std::to_string(k));
  IncidentEvent e;
  e.record_type = RecordType::kIncident;
  e.category = "medication";
  e.has_occurred_on = true;
  std::string id;
  for (int d = 0; d < days; ++d) {
    for (int k = 0; k < keys; ++k) {
      double mean = means[static_cast<size_t>(k)];
      const double size = sizes[static_cast<size_t>(k)];
      if (size > 0) mean = std::gamma_distribution<double>(size, mean / size)(rng);
      const int n = std::poisson_distribution<int>(std::max(mean, 1e-9))(rng);
      for (int i = 0; i < n; ++i) {
        id = orgs[static_cast<size_t>(k)] + "-" + std::to_string(d) + "-" + std::to_string(i);
        e.id = id;
        e.org = orgs[static_cast<size_t>(k)];
        e.occurred_on = e.reported_on = day(d);
        e.reported_at_unix_seconds = static_cast<int64_t>(day(d).days) * 86400;
        h.feed(e);
      }
    }
    h.move_clock(day(d));
  }
  h.move_clock(day(days));
  NullRun run;
  for (const auto& s : h.signals) run.raised += s.type == SignalType::kRaised;
  // Days judged with a whole baseline: days baseline_days .. days - 1.
  run.key_days = static_cast<int64_t>(keys) * (days - config.baseline_days);
  return run;
}

BOOST_AUTO_TEST_CASE(keys_that_never_stop_alarm_at_most_about_alpha_per_key_day) {
  // The national setting: 150 keys of 5 to 40 a day over 400 days. At
  // alpha 1e-6 the 51,600 key-days should give no alarm at all.
  const ReportingSilenceConfig national = silence_config();
  const NullRun strict = null_run(national, 150, 400, 5, 40, 7);
  BOOST_TEST_MESSAGE("alpha 1e-6: " << strict.raised << " raised in " << strict.key_days
                                    << " key-days, rate " << strict.rate());
  BOOST_TEST(strict.raised == 0);

  // Where the test has power: keys of 0.8 to 3 a day (often silent: P(0)
  // from 0.05 to 0.45, more under the negative binomial), alpha 0.01,
  // judged whatever their volume. The rate must stay near alpha; the
  // discreteness of k keeps it below (the first k with q^k < alpha).
  ReportingSilenceConfig loose = silence_config();
  loose.alpha = 0.01;
  loose.min_daily_mean = 0.5;
  const NullRun many = null_run(loose, 300, 400, 0.8, 3, 11);
  BOOST_TEST_MESSAGE("alpha 0.01: " << many.raised << " raised in " << many.key_days
                                    << " key-days, rate " << many.rate());
  BOOST_TEST(many.raised > 0);  // the test can see alarms
  BOOST_TEST(many.rate() <= 1.5 * loose.alpha);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace vigil

// Volume drop (detectors/volume_drop.h): an organisation whose reporting
// falls far below its own history. Scenarios are weekly report counts whose
// expected volumes, thresholds and tail probabilities are worked out by hand
// (or from first principles in this file) and compared with the signals.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "detectors/volume_drop.h"
#include "tests/detector_feeds.h"
#include "tests/detector_harness.h"

namespace vigil {
namespace {

using testing::day_in_week;
using testing::describe;
using testing::monday;
using testing::near;
using testing::near_relative;
using testing::sunday;
using testing::TestEvent;

using Harness = testing::DetectorHarness<VolumeDropDetector, VolumeDropConfig>;

VolumeDropConfig drop_config() {
  VolumeDropConfig c;
  c.name = "reporting_drop";
  c.severity = Severity::kHigh;
  return c;  // defaults: baseline 26 weeks, recent 3, grace 3 days, alpha 0.001, ratio 0.5, min 30
}

using testing::volume_feed::OrgSeries;
using testing::volume_feed::reports;
using testing::volume_feed::steady;
using testing::volume_feed::stop_and_recover;

std::vector<Signal> of_org(const std::vector<Signal>& signals, const std::string& org) {
  std::vector<Signal> out;
  for (const auto& s : signals) {
    if (s.key.size() == 1 && s.key[0].second == org) out.push_back(s);
  }
  return out;
}

// P(Y <= y) for Y ~ Poisson(mu), summed term by term.
double poisson_cdf(int y, double mu) {
  double total = 0;
  for (int k = 0; k <= y; ++k) total += std::exp(k * std::log(mu) - mu - std::lgamma(k + 1.0));
  return total;
}

// P(Y <= y) for the negative binomial with mean mu and variance var > mu.
double negative_binomial_cdf(int y, double mu, double var) {
  const double r = mu * mu / (var - mu);
  const double p = r / (r + mu);
  double total = 0;
  for (int k = 0; k <= y; ++k) {
    total += std::exp(std::lgamma(r + k) - std::lgamma(r) - std::lgamma(k + 1.0) + r * std::log(p) +
                      k * std::log1p(-p));
  }
  return total;
}

// --- The model ---------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(volume_drop_test)

BOOST_AUTO_TEST_CASE(lower_tail_is_poisson_or_negative_binomial) {
  // No overdispersion: Poisson with mean 3 weeks x 50.
  BOOST_TEST(near_relative(volume_lower_tail(50, 50, 0, 3), poisson_cdf(50, 150), 1e-8));
  BOOST_TEST(near_relative(volume_lower_tail(50, 50, 50, 3), poisson_cdf(50, 150), 1e-8));
  BOOST_TEST(volume_lower_tail(50, 50, 0, 3) < 1e-15);
  // Overdispersed: mean 150, variance 3 x 400.
  BOOST_TEST(near_relative(volume_lower_tail(60, 50, 400, 3), negative_binomial_cdf(60, 150, 1200), 1e-8));
  BOOST_TEST(near_relative(volume_lower_tail(0, 50, 7800, 3), negative_binomial_cdf(0, 150, 23400), 1e-8));
  // Overdispersion makes the same shortfall much less surprising.
  BOOST_TEST(volume_lower_tail(60, 50, 400, 3) > 1000 * volume_lower_tail(60, 50, 50, 3));
  // Fractions of a report round down; nothing expected means nothing missing.
  BOOST_TEST(volume_lower_tail(50.9, 50, 0, 3) == volume_lower_tail(50, 50, 0, 3));
  BOOST_TEST(volume_lower_tail(0, 0, 0, 3) == 1.0);
}

// --- Raising, updating, resolving -------------------------------------------------

BOOST_AUTO_TEST_CASE(an_organisation_that_stops_reporting_raises_once_and_resolves_on_recovery) {
  Harness h(drop_config());
  const auto events = reports(stop_and_recover());
  for (const auto& e : events) h.feed(e);

  // The steady organisation never alarms; RA1's episode is raised when week
  // 31 closes, updated once, resolved when week 42 closes.
  BOOST_TEST(of_org(h.signals, "RB1").empty(), describe(h.signals));
  const auto s = of_org(h.signals, "RA1");
  BOOST_TEST_REQUIRE(s.size() == 3u, describe(h.signals));
  const std::vector<KeyPart> key = {{"org", "RA1"}};
  const std::string id = make_signal_id("reporting_drop", key, format_date(monday(31)));

  // Week 30: weeks 28..30 hold 50 + 50 + 0 = 100 > 0.5 x 150, no alarm yet.
  // Week 31: 50 + 0 + 0 = 50 against a baseline of weeks 3..28, 50 every
  // week (mean 50, variance 0): expected 3 x 50 = 150, threshold 75, and
  // P(Poisson(150) <= 50) is far below 0.001.
  const Signal& raised = s[0];
  BOOST_TEST(raised.type == SignalType::kRaised);
  BOOST_TEST(raised.sequence == 1u);
  BOOST_TEST(raised.signal_id == id);
  BOOST_TEST(raised.detector == "reporting_drop");
  BOOST_TEST(raised.method == "volume_drop");
  BOOST_TEST((raised.key == key));
  BOOST_TEST(raised.period_start == monday(29));
  BOOST_TEST(raised.period_end == sunday(31));
  // Week 31 ends on Sunday; with 3 days' grace it closes on the Thursday after.
  BOOST_TEST(raised.fired_at == day_in_week(32, 3));
  BOOST_TEST(raised.observed == 50);
  BOOST_TEST(raised.expected == 150.0);
  BOOST_TEST(raised.threshold == 75.0);
  BOOST_TEST(near(raised.score, 50.0 / 150.0));
  BOOST_TEST(raised.evidence_count == 50);
  BOOST_TEST(raised.evidence_orgs == 1);
  BOOST_TEST(raised.severity == Severity::kHigh);
  BOOST_TEST(raised.summary.find("RA1") != std::string::npos);
  BOOST_TEST(raised.summary.find("fell to 50 reports") != std::string::npos, raised.summary);

  // Week 32: nothing at all; the shortfall grew from 100 to 150 = 1.5 x 100.
  const Signal& updated = s[1];
  BOOST_TEST(updated.type == SignalType::kUpdated);
  BOOST_TEST(updated.sequence == 2u);
  BOOST_TEST(updated.signal_id == id);
  BOOST_TEST(updated.period_start == monday(30));
  BOOST_TEST(updated.observed == 0);
  // Judged against the expected volume when raised, not against a baseline
  // that is filling up with silent weeks.
  BOOST_TEST(updated.expected == 150.0);
  BOOST_TEST(updated.threshold == 75.0);
  BOOST_TEST(updated.score == 0.0);

  // Reporting resumes in week 40: weeks 38..40 = 50 (still < 75), 39..41 =
  // 100 (quiet 1), 40..42 = 150 (quiet 2: resolved).
  const Signal& resolved = s[2];
  BOOST_TEST(resolved.type == SignalType::kResolved);
  BOOST_TEST(resolved.sequence == 3u);
  BOOST_TEST(resolved.signal_id == id);
  BOOST_TEST(resolved.period_start == monday(40));
  BOOST_TEST(resolved.period_end == sunday(42));
  BOOST_TEST(resolved.fired_at == day_in_week(43, 3));
  BOOST_TEST(resolved.observed == 150);
  BOOST_TEST(resolved.expected == 150.0);
  BOOST_TEST(resolved.score == 1.0);
  BOOST_TEST(resolved.summary.find("recovered") != std::string::npos, resolved.summary);
}

BOOST_AUTO_TEST_CASE(monthly_batches_are_not_a_drop) {
  // 200 reports every fourth week, nothing in between: three silent weeks in
  // a row, every month.
  std::vector<int> batches(47, 0);
  for (size_t w = 0; w < batches.size(); w += 4) batches[w] = 200;
  Harness h(drop_config());
  const auto events = reports({{"RC1", batches}, {"RB1", steady(50, 48)}});
  for (const auto& e : events) h.feed(e);
  BOOST_TEST(h.signals.empty(), describe(h.signals));

  // What saved it was the overdispersion, not the ratio or the minimum:
  // recompute the judgement of every week the detector closed.
  const VolumeDropConfig c = drop_config();
  int silent_windows = 0;
  for (int w = 28; w <= 46; ++w) {
    std::vector<double> base(batches.begin() + (w - 28), batches.begin() + (w - 2));
    double mean = 0;
    for (double x : base) mean += x;
    mean /= 26;
    double var = 0;
    for (double x : base) var += (x - mean) * (x - mean);
    var /= 25;
    const int recent = batches[w - 2] + batches[w - 1] + batches[w];
    if (recent == 0) {
      ++silent_windows;
      BOOST_TEST(3 * mean >= c.min_expected);
      BOOST_TEST(volume_lower_tail(0, mean, mean, 3) < c.alpha);  // Poisson would alarm
      BOOST_TEST(volume_lower_tail(0, mean, var, 3) >= c.alpha);  // the batches' spread does not
    }
  }
  BOOST_TEST(silent_windows >= 4);
}

BOOST_AUTO_TEST_CASE(new_and_small_organisations_are_not_judged) {
  // RD1 starts reporting in week 20 and stops after week 30: by week 46 it
  // still has no 26-week baseline of its own (weeks 18..43 start before it
  // existed). RE1 stops too, but 3 weeks of 5 is below min_expected 30.
  std::vector<int> late_starter(31, 0);
  std::fill(late_starter.begin() + 20, late_starter.end(), 50);
  Harness h(drop_config());
  const auto events = reports({{"RD1", late_starter}, {"RE1", steady(5, 30)}, {"RB1", steady(50, 48)}});
  for (const auto& e : events) h.feed(e);
  BOOST_TEST(h.signals.empty(), describe(h.signals));
  // With min_expected 10, RE1's stop is a drop (expected 15, observed 0).
  VolumeDropConfig lower = drop_config();
  lower.min_expected = 10;
  Harness h2(lower);
  for (const auto& e : events) h2.feed(e);
  BOOST_TEST_REQUIRE(h2.signals.size() >= 1u, describe(h2.signals));
  BOOST_TEST(h2.signals[0].key[0].second == "RE1");
  BOOST_TEST(h2.signals[0].expected == 15.0);
  BOOST_TEST(of_org(h2.signals, "RD1").empty(), describe(h2.signals));
}

BOOST_AUTO_TEST_CASE(the_first_judgement_waits_for_a_whole_window) {
  // RA1 falls silent in week 20, but no week before 28 can be judged: the
  // stream does not yet cover 26 baseline weeks and 3 recent ones.
  std::vector<int> a = steady(50, 20);
  a.resize(30, 0);
  Harness h(drop_config());
  const auto events = reports({{"RA1", a}, {"RB1", steady(50, 30)}});
  for (const auto& e : events) h.feed(e);
  // The first judged week is 28 (weeks 0..28 = 26 + 3): by then RA1's
  // baseline of weeks 0..25 holds 20 weeks of 50 and 6 of 0.
  BOOST_TEST_REQUIRE(h.signals.size() == 1u, describe(h.signals));
  BOOST_TEST(h.signals[0].period_end == sunday(28));
  BOOST_TEST(near(h.signals[0].expected, 3 * 1000.0 / 26));
  BOOST_TEST(h.signals[0].observed == 0);
}

// --- Counting rules ---------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_revision_moves_reports_between_organisations) {
  // RA1 reports 50 a week throughout, but every report of weeks 30 and 31
  // is revised within its week to RZ9 (miscoded): RA1 really sent nothing.
  std::vector<OrgSeries> series = {{"RA1", steady(50, 36)}, {"RB1", steady(50, 36)}};
  auto events = reports(series);
  Harness h(drop_config());
  Harness unrevised(drop_config());
  for (const auto& e : events) {
    h.feed(e);
    unrevised.feed(e);
    const int week = week_of(e.event().reported_on) - testing::kWeek0;
    if (e.event().org == "RA1" && (week == 30 || week == 31)) {
      TestEvent moved(std::string(e.event().id));
      moved.on(e.event().occurred_on).org("RZ9").revision(1);
      h.revise(e, moved);
    }
  }
  BOOST_TEST(unrevised.signals.empty(), describe(unrevised.signals));
  // Week 31: 50 + 0 + 0; week 32: 0 + 0 + 50 = 50 (no growth, no update);
  // 33: 100 (quiet), 34: 150 (resolved). RZ9 is new: never judged.
  BOOST_TEST_REQUIRE(h.signals.size() == 2u, describe(h.signals));
  BOOST_TEST(h.signals[0].type == SignalType::kRaised);
  BOOST_TEST(h.signals[0].key[0].second == "RA1");
  BOOST_TEST(h.signals[0].observed == 50);
  BOOST_TEST(h.signals[0].period_end == sunday(31));
  BOOST_TEST(h.signals[1].type == SignalType::kResolved);
  BOOST_TEST(h.signals[1].period_end == sunday(34));
  BOOST_TEST(h.signals[1].observed == 150);
}

BOOST_AUTO_TEST_CASE(only_reports_passing_the_filter_count) {
  // RA1's incidents stop after week 29 but its 100 risk records a week go
  // on: with an incidents-only filter that is a drop; without, 150 a week
  // falling to 100 is not (3 x 100 > 0.5 x 3 x 150).
  std::vector<TestEvent> events = reports(stop_and_recover());
  std::vector<TestEvent> risks;
  for (int w = 0; w < 46; ++w) {
    for (int i = 0; i < 100; ++i) {
      TestEvent e("risk-" + std::to_string(w) + "-" + std::to_string(i));
      e.on(day_in_week(w, i % 7)).org("RA1").record_type(RecordType::kRisk);
      risks.push_back(std::move(e));
    }
  }
  for (auto& e : risks) events.push_back(std::move(e));
  std::stable_sort(events.begin(), events.end(), [](const TestEvent& a, const TestEvent& b) {
    return a.event().occurred_on < b.event().occurred_on;
  });
  VolumeDropConfig incidents = drop_config();
  incidents.filter.record_types = {RecordType::kIncident};
  Harness filtered(incidents);
  Harness all(drop_config());
  for (const auto& e : events) {
    filtered.feed(e);
    all.feed(e);
  }
  BOOST_TEST(of_org(filtered.signals, "RA1").size() == 3u, describe(filtered.signals));
  BOOST_TEST(all.signals.empty(), describe(all.signals));
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil

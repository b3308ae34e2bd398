#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "detectors/detector_factory.h"
#include "detectors/severity_rule.h"
#include "tests/detector_harness.h"
#include "tests/test_events.h"

namespace vigil {
namespace {

using testing::date;
using testing::describe;
using testing::TestEvent;

const Date kDay = date("2024-03-14");

SeverityRuleConfig rule_config() {
  SeverityRuleConfig c;
  c.name = "fatal_or_never";
  return c;  // defaults: fatal, never events, org × category, 1 day, resolve 7, retain 400
}

// One rule on a real store (tests/detector_harness.h), driven as the
// partition task drives it; each call returns the signals it produced.
struct Harness : testing::DetectorHarness<SeverityRule, SeverityRuleConfig> {
  explicit Harness(SeverityRuleConfig c = rule_config()) : DetectorHarness(std::move(c), 5) {}

  std::vector<Signal> feed(const IncidentEvent& e) {
    const size_t before = signals.size();
    BOOST_TEST(!DetectorHarness::feed(e));  // the rule never reports lateness
    return since(before);
  }
  std::vector<Signal> revise(const IncidentEvent& old_contents, const IncidentEvent& new_contents) {
    const size_t before = signals.size();
    (void)det->apply(old_contents, -1, signals);
    feed(new_contents);
    return since(before);
  }
  std::vector<Signal> move_clock(Date t) {
    const size_t before = signals.size();
    DetectorHarness::move_clock(t);
    return since(before);
  }
  std::vector<Signal> since(size_t before) const {
    return {signals.begin() + static_cast<std::ptrdiff_t>(before), signals.end()};
  }
};

TestEvent fatal(const std::string& id, Date on = kDay, std::string_view org = "RX1",
                std::string_view category = "medication") {
  TestEvent e(id, on);
  e.org(org).category(category).harm(PhysicalHarm::kFatal).region("Y56");
  e.description("Patient Jane Doe, NHS number 999 000 1111, died after ...");
  return e;
}

TestEvent harm(const std::string& id, PhysicalHarm h, Date on = kDay, std::string_view org = "RX1") {
  TestEvent e(id, on);
  e.org(org).category("medication").harm(h);
  return e;
}

bool is_lower_hex16(const std::string& s) {
  return s.size() == 16 && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
         });
}

BOOST_AUTO_TEST_SUITE(severity_rule_test)

BOOST_AUTO_TEST_CASE(a_fatal_event_raises_one_critical_signal_at_once) {
  Harness h;
  // Straight from apply(), before any advance().
  std::vector<Signal> out;
  (void)h.det->apply(fatal("f1"), +1, out);
  BOOST_TEST_REQUIRE(out.size() == 1u, describe(out));
  const Signal& s = out[0];
  BOOST_TEST(s.type == SignalType::kRaised);
  BOOST_TEST(s.sequence == 1u);
  BOOST_TEST(s.severity == Severity::kCritical);
  BOOST_TEST(s.detector == "fatal_or_never");
  BOOST_TEST(s.method == "severity_rule");
  BOOST_TEST((s.key == std::vector<KeyPart>{{"org", "RX1"}, {"category", "medication"}}));
  BOOST_TEST(s.period_start == kDay);
  BOOST_TEST(s.period_end == kDay);
  BOOST_TEST(s.fired_at == kDay);
  BOOST_TEST(s.observed == 1);
  BOOST_TEST(s.threshold == 1.0);
  BOOST_TEST(s.evidence_count == 1);
  BOOST_TEST(s.evidence_orgs == 1);
  BOOST_TEST(s.event_ids == std::vector<std::string>{"f1"});
  BOOST_TEST(is_lower_hex16(s.signal_id), s.signal_id);
  BOOST_TEST(s.summary.find("1 fatal harm") != std::string::npos, s.summary);
  // Free text never reaches a signal.
  BOOST_TEST(s.summary.find("Jane") == std::string::npos);
  BOOST_TEST(s.summary.find("999") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(fifty_reports_of_one_death_are_one_signal_updated_as_it_doubles) {
  Harness h;
  for (int i = 0; i < 50; ++i) h.feed(fatal("f" + std::to_string(100 + i)));
  BOOST_TEST_REQUIRE(h.signals.size() == 6u, describe(h.signals));
  const int64_t expected_observed[] = {1, 2, 4, 8, 16, 32};
  for (size_t i = 0; i < 6; ++i) {
    const Signal& s = h.signals[i];
    BOOST_TEST(s.type == (i == 0 ? SignalType::kRaised : SignalType::kUpdated));
    BOOST_TEST(s.sequence == i + 1);
    BOOST_TEST(s.observed == expected_observed[i]);
    BOOST_TEST(s.signal_id == h.signals[0].signal_id);
    BOOST_TEST(s.event_ids.size() == static_cast<size_t>(expected_observed[i]));
    BOOST_TEST(std::is_sorted(s.event_ids.begin(), s.event_ids.end()));
  }
  // Beyond 50 reports the evidence stops growing; the count does not.
  for (int i = 50; i < 64; ++i) h.feed(fatal("f" + std::to_string(100 + i)));
  BOOST_TEST_REQUIRE(h.signals.size() == 7u, describe(h.signals));
  BOOST_TEST(h.signals[6].observed == 64);
  BOOST_TEST(h.signals[6].evidence_count == 64);
  BOOST_TEST(h.signals[6].event_ids.size() == kMaxEvidenceIds);
  BOOST_TEST(h.det->key_count() == 1u);
}

BOOST_AUTO_TEST_CASE(another_day_org_or_category_is_another_signal) {
  Harness h;
  h.feed(fatal("a"));
  h.feed(fatal("b", Date{kDay.days + 1}));
  h.feed(fatal("c", Date{kDay.days + 1}, "RY2"));
  h.feed(fatal("d", Date{kDay.days + 1}, "RY2", "fall"));
  BOOST_TEST_REQUIRE(h.signals.size() == 4u, describe(h.signals));
  std::set<std::string> ids;
  for (const auto& s : h.signals) {
    BOOST_TEST(s.type == SignalType::kRaised);
    BOOST_TEST(s.observed == 1);
    ids.insert(s.signal_id);
  }
  BOOST_TEST(ids.size() == 4u);
  BOOST_TEST(h.signals[1].period_start == Date{kDay.days + 1});
  BOOST_TEST(h.signals[2].key[0].second == "RY2");
  BOOST_TEST(h.signals[3].key[1].second == "fall");
}

BOOST_AUTO_TEST_CASE(never_events_raise_whatever_the_harm) {
  Harness h;
  TestEvent never = harm("n1", PhysicalHarm::kLow);
  never.never_event();
  BOOST_TEST(h.feed(never).size() == 1u);
  TestEvent no_harm = harm("n2", PhysicalHarm::kUnknown, kDay, "RZ9");
  no_harm.never_event();
  const auto out = h.feed(no_harm);
  BOOST_TEST_REQUIRE(out.size() == 1u);
  BOOST_TEST(out[0].summary.find("never event") != std::string::npos, out[0].summary);
  BOOST_TEST(out[0].summary.find("fatal") == std::string::npos, out[0].summary);

  // Not fatal, not a never event: nothing.
  for (PhysicalHarm hm : {PhysicalHarm::kUnknown, PhysicalHarm::kNone, PhysicalHarm::kLow,
                          PhysicalHarm::kModerate, PhysicalHarm::kSevere}) {
    BOOST_TEST(h.feed(harm("quiet" + std::to_string(static_cast<int>(hm)), hm, kDay, "RQ1")).empty());
  }
  BOOST_TEST(h.signals.size() == 2u, describe(h.signals));
}

BOOST_AUTO_TEST_CASE(configured_harm_level_and_never_events_switch) {
  SeverityRuleConfig severe = rule_config();
  severe.min_physical_harm = PhysicalHarm::kSevere;
  severe.never_events = false;
  Harness h(severe);
  BOOST_TEST(h.feed(harm("s1", PhysicalHarm::kSevere)).size() == 1u);
  BOOST_TEST(h.feed(harm("s2", PhysicalHarm::kFatal)).size() == 1u);  // 2 ≥ 2 × 1: updated
  BOOST_TEST(h.signals.back().type == SignalType::kUpdated);
  TestEvent never = harm("n1", PhysicalHarm::kLow, kDay, "RN1");
  never.never_event();
  BOOST_TEST(h.feed(never).empty());
  BOOST_TEST(h.feed(harm("m1", PhysicalHarm::kModerate, kDay, "RN1")).empty());
}

BOOST_AUTO_TEST_CASE(resolved_after_resolve_after_days_of_stream_time) {
  Harness h;
  h.feed(fatal("f1"));
  h.feed(fatal("f2"));  // updated to 2
  BOOST_TEST_REQUIRE(h.signals.size() == 2u);
  BOOST_TEST(h.move_clock(Date{kDay.days + 7}).empty());  // day + 7 is not past day + 7
  const auto out = h.move_clock(Date{kDay.days + 8});
  BOOST_TEST_REQUIRE(out.size() == 1u, describe(h.signals));
  const Signal& s = out[0];
  BOOST_TEST(s.type == SignalType::kResolved);
  BOOST_TEST(s.sequence == 3u);
  BOOST_TEST(s.signal_id == h.signals[0].signal_id);
  BOOST_TEST(s.fired_at == Date{kDay.days + 8});
  BOOST_TEST(s.observed == 2);
  BOOST_TEST(s.period_start == kDay);
  BOOST_TEST(s.summary.find("Closed") != std::string::npos, s.summary);
  BOOST_TEST(h.move_clock(Date{kDay.days + 30}).empty());  // once only
}

BOOST_AUTO_TEST_CASE(a_new_report_after_resolution_is_a_new_episode) {
  Harness h;
  h.feed(fatal("f1"));
  h.move_clock(Date{kDay.days + 8});
  BOOST_TEST_REQUIRE(h.signals.size() == 2u);
  // A late report for the same org, category and day, within retain_days.
  const auto out = h.feed(fatal("f2"));
  BOOST_TEST_REQUIRE(out.size() == 1u, describe(h.signals));
  BOOST_TEST(out[0].type == SignalType::kRaised);
  BOOST_TEST(out[0].sequence == 1u);
  BOOST_TEST(out[0].signal_id != h.signals[0].signal_id);
  BOOST_TEST(out[0].period_start == kDay);
}

BOOST_AUTO_TEST_CASE(a_revision_that_takes_back_the_only_fatal_report_resolves_at_once) {
  Harness h;
  TestEvent first = fatal("r1");
  h.feed(first);
  BOOST_TEST_REQUIRE(h.signals.size() == 1u);
  TestEvent corrected = harm("r1", PhysicalHarm::kModerate);
  corrected.revision(1);
  const auto out = h.revise(first, corrected);
  BOOST_TEST_REQUIRE(out.size() == 1u, describe(h.signals));
  BOOST_TEST(out[0].type == SignalType::kResolved);
  BOOST_TEST(out[0].signal_id == h.signals[0].signal_id);
  BOOST_TEST(out[0].sequence == 2u);
  BOOST_TEST(out[0].observed == 0);
  BOOST_TEST(out[0].event_ids.empty());
  // Nothing more to resolve later.
  BOOST_TEST(h.move_clock(Date{kDay.days + 20}).empty());
}

BOOST_AUTO_TEST_CASE(a_revision_that_stays_fatal_changes_nothing) {
  Harness h;
  TestEvent first = fatal("r1");
  h.feed(first);
  BOOST_TEST_REQUIRE(h.signals.size() == 1u);
  // Revision 1 adds a medication: still fatal, same org, category and day.
  TestEvent more_detail = fatal("r1");
  more_detail.revision(1).medication("322236009");
  const auto revised = h.revise(first, more_detail);
  BOOST_TEST(revised.empty(), describe(revised));
  // The episode carries on: a second report updates it, under the same id.
  const auto out = h.feed(fatal("r2"));
  BOOST_TEST_REQUIRE(out.size() == 1u, describe(h.signals));
  BOOST_TEST(out[0].type == SignalType::kUpdated);
  BOOST_TEST(out[0].signal_id == h.signals[0].signal_id);
  BOOST_TEST(out[0].observed == 2);
  BOOST_TEST((out[0].event_ids == std::vector<std::string>{"r1", "r2"}));
}

BOOST_AUTO_TEST_CASE(a_revision_that_moves_the_report_resolves_one_group_and_raises_another) {
  Harness h;
  TestEvent first = fatal("r1", kDay, "RX1");
  h.feed(first);
  TestEvent moved = fatal("r1", kDay, "RY2");
  moved.revision(1);
  const auto out = h.revise(first, moved);
  BOOST_TEST_REQUIRE(out.size() == 2u, describe(h.signals));
  std::map<std::string, const Signal*> by_org;
  for (const auto& s : out) by_org[s.key[0].second] = &s;
  BOOST_TEST_REQUIRE(by_org.count("RX1") == 1u);
  BOOST_TEST_REQUIRE(by_org.count("RY2") == 1u);
  BOOST_TEST(by_org["RX1"]->type == SignalType::kResolved);
  BOOST_TEST(by_org["RX1"]->signal_id == h.signals[0].signal_id);
  BOOST_TEST(by_org["RY2"]->type == SignalType::kRaised);
  BOOST_TEST(by_org["RY2"]->signal_id != h.signals[0].signal_id);
}

BOOST_AUTO_TEST_CASE(taking_back_one_of_two_reports_does_not_resolve) {
  Harness h;
  TestEvent a = fatal("a");
  h.feed(a);
  h.feed(fatal("b"));
  BOOST_TEST_REQUIRE(h.signals.size() == 2u);
  TestEvent not_fatal = harm("a", PhysicalHarm::kSevere);
  not_fatal.revision(1);
  const auto revised = h.revise(a, not_fatal);
  BOOST_TEST(revised.empty(), describe(revised));
  const auto out = h.move_clock(Date{kDay.days + 8});
  BOOST_TEST_REQUIRE(out.size() == 1u);
  BOOST_TEST(out[0].type == SignalType::kResolved);
  BOOST_TEST(out[0].observed == 1);
  BOOST_TEST(out[0].event_ids == std::vector<std::string>{"b"});
}

BOOST_AUTO_TEST_CASE(a_lone_take_back_is_settled_by_the_next_call) {
  // Outside the pipeline's -1/+1 pairs: the resolution still comes, from the
  // next apply or advance.
  Harness h;
  TestEvent a = fatal("a");
  h.feed(a);
  (void)h.det->apply(a, -1, h.signals);
  BOOST_TEST(h.signals.size() == 1u);
  const auto out = h.move_clock(Date{kDay.days + 1});
  BOOST_TEST_REQUIRE(out.size() == 1u, describe(h.signals));
  BOOST_TEST(out[0].type == SignalType::kResolved);
  BOOST_TEST(out[0].fired_at == kDay);  // the time of the taken-back report
}

BOOST_AUTO_TEST_CASE(a_months_old_fatal_report_still_raises) {
  Harness h;
  h.feed(harm("now", PhysicalHarm::kLow, date("2024-06-01")));
  BOOST_TEST((h.stream_time == date("2024-06-01")));
  const Date long_ago = date("2024-02-10");
  TestEvent old = fatal("old", long_ago);
  old.reported(date("2024-06-01"));
  const auto out = h.feed(old);
  BOOST_TEST_REQUIRE(out.size() == 1u, describe(h.signals));
  BOOST_TEST(out[0].type == SignalType::kRaised);
  BOOST_TEST(out[0].period_start == long_ago);
  BOOST_TEST(out[0].severity == Severity::kCritical);
  // Its day is long past: the next move of stream time closes it.
  const auto later = h.move_clock(date("2024-06-02"));
  BOOST_TEST_REQUIRE(later.size() == 1u);
  BOOST_TEST(later[0].type == SignalType::kResolved);
  BOOST_TEST(later[0].signal_id == out[0].signal_id);
}

BOOST_AUTO_TEST_CASE(state_survives_save_and_restore) {
  Harness h;
  h.feed(fatal("f1"));
  h.reopen_store();
  BOOST_TEST(h.det->key_count() == 1u);
  const auto updated = h.feed(fatal("f2"));
  BOOST_TEST_REQUIRE(updated.size() == 1u, describe(h.signals));
  BOOST_TEST(updated[0].type == SignalType::kUpdated);
  BOOST_TEST(updated[0].sequence == 2u);
  BOOST_TEST(updated[0].signal_id == h.signals[0].signal_id);
  BOOST_TEST((updated[0].event_ids == std::vector<std::string>{"f1", "f2"}));
  h.reload();
  const auto resolved = h.move_clock(Date{kDay.days + 8});
  BOOST_TEST_REQUIRE(resolved.size() == 1u);
  BOOST_TEST(resolved[0].type == SignalType::kResolved);
  BOOST_TEST(resolved[0].sequence == 3u);
  BOOST_TEST(resolved[0].signal_id == h.signals[0].signal_id);
  // The episode count survives too: a new report opens episode 2, not 1 again.
  h.reload();
  const auto again = h.feed(fatal("f3"));
  BOOST_TEST_REQUIRE(again.size() == 1u);
  BOOST_TEST(again[0].type == SignalType::kRaised);
  BOOST_TEST(again[0].signal_id != h.signals[0].signal_id);
  BOOST_TEST(again[0].observed == 3);
}

BOOST_AUTO_TEST_CASE(resolved_groups_are_forgotten_after_retain_days) {
  SeverityRuleConfig config = rule_config();
  config.retain_days = 30;
  Harness h(config);
  h.feed(fatal("f1"));
  h.feed(fatal("g1", kDay, "RY2"));
  h.move_clock(Date{kDay.days + 8});
  BOOST_TEST(h.signals.size() == 4u);
  h.save();
  BOOST_TEST(h.det->key_count() == 2u);  // resolved, still remembered
  h.move_clock(Date{kDay.days + 31});
  h.save();
  BOOST_TEST(h.det->key_count() == 0u);
  h.reload();
  BOOST_TEST(h.det->key_count() == 0u);  // gone from the store as well
}

BOOST_AUTO_TEST_CASE(episodes_of_a_forgotten_group_still_get_new_ids) {
  // Two reports about one very old day, arriving with time between them: the
  // group is raised, resolved and forgotten in between. The second episode
  // must not reuse the first one's signal id, or a consumer deduplicating by
  // CloudEvent id ("<signal_id>-1") would drop its raise.
  SeverityRuleConfig config = rule_config();
  config.retain_days = 30;
  Harness h(config);
  h.feed(harm("now", PhysicalHarm::kLow, date("2024-06-01")));
  const Date old = date("2024-03-01");  // more than retain_days ago
  const auto first = h.feed(fatal("first", old));
  BOOST_TEST_REQUIRE(first.size() == 1u);
  const auto resolved = h.move_clock(date("2024-06-02"));
  BOOST_TEST_REQUIRE(resolved.size() == 1u);
  h.reload();
  BOOST_TEST(h.det->key_count() == 0u);  // forgotten
  const auto second = h.feed(fatal("second", old));
  BOOST_TEST_REQUIRE(second.size() == 1u);
  BOOST_TEST(second[0].type == SignalType::kRaised);
  BOOST_TEST(second[0].signal_id != first[0].signal_id);
}

// --- clusters: min_reports 2 within group_days 7, a sliding window ---------------------

SeverityRuleConfig cluster_config() {
  SeverityRuleConfig c = rule_config();
  c.name = "fatal_cluster";
  c.never_events = false;
  c.group_days = 7;
  c.min_reports = 2;
  return c;
}

// The last day of a fixed 7-day block counted from 1970 (day / 7), where the
// fixed-window rule cut clusters in two.
const Date kBlockEnd{(kDay.days / 7) * 7 + 6};
Date plus(Date d, int32_t days) { return Date{d.days + days}; }

BOOST_AUTO_TEST_CASE(a_pair_a_day_apart_across_a_block_edge_clusters) {
  Harness h(cluster_config());
  BOOST_TEST(h.feed(fatal("a", kBlockEnd)).empty());  // one death: not a cluster
  const auto out = h.feed(fatal("b", plus(kBlockEnd, 1)));
  BOOST_TEST_REQUIRE(out.size() == 1u, describe(h.signals));
  BOOST_TEST(out[0].type == SignalType::kRaised);
  BOOST_TEST(out[0].observed == 2);
  BOOST_TEST(out[0].threshold == 2.0);
  BOOST_TEST(out[0].period_start == kBlockEnd);
  BOOST_TEST(out[0].period_end == plus(kBlockEnd, 1));
  BOOST_TEST((out[0].event_ids == std::vector<std::string>{"a", "b"}));
  BOOST_TEST(out[0].summary.find("2 reports of 2 fatal harm") != std::string::npos, out[0].summary);

  // Arriving the other way round (the earlier death reported late): the same cluster.
  Harness reversed(cluster_config());
  BOOST_TEST(reversed.feed(fatal("b", plus(kBlockEnd, 1))).empty());
  TestEvent late = fatal("a", kBlockEnd);
  late.reported(plus(kBlockEnd, 3));
  const auto again = reversed.feed(late);
  BOOST_TEST_REQUIRE(again.size() == 1u, describe(reversed.signals));
  BOOST_TEST(again[0].observed == 2);
  BOOST_TEST(again[0].period_start == kBlockEnd);
  BOOST_TEST(again[0].period_end == plus(kBlockEnd, 1));
}

BOOST_AUTO_TEST_CASE(a_pair_six_days_apart_clusters_and_seven_days_apart_does_not) {
  // "Within 7 days" is within some 7 consecutive days: at most 6 days apart.
  Harness six(cluster_config());
  six.feed(fatal("a", kDay));
  BOOST_TEST(six.feed(fatal("b", plus(kDay, 6))).size() == 1u, describe(six.signals));

  Harness h(cluster_config());
  h.feed(fatal("a", kDay));
  BOOST_TEST(h.feed(fatal("b", plus(kDay, 7))).empty(), describe(h.signals));
  BOOST_TEST(h.feed(fatal("c", plus(kDay, 21))).empty(), describe(h.signals));
  // Another organisation or category never completes a pair.
  BOOST_TEST(h.feed(fatal("d", plus(kDay, 21), "RY2")).empty());
  BOOST_TEST(h.feed(fatal("e", plus(kDay, 21), "RX1", "fall")).empty());
  // A death between a and b pairs with both: one episode of all three,
  // since the windows [day, day + 6] and [day + 1, day + 7] both qualify.
  const auto out = h.feed(fatal("m", plus(kDay, 3)));
  BOOST_TEST_REQUIRE(out.size() == 1u, describe(h.signals));
  BOOST_TEST(out[0].type == SignalType::kRaised);
  BOOST_TEST(out[0].observed == 3);
  BOOST_TEST((out[0].event_ids == std::vector<std::string>{"a", "b", "m"}));
  BOOST_TEST(out[0].period_start == kDay);
  BOOST_TEST(out[0].period_end == plus(kDay, 7));
  BOOST_TEST(h.det->open_signals() == 1u);
}

BOOST_AUTO_TEST_CASE(a_cluster_is_raised_once_and_resolves_a_week_after_it_could_last_grow) {
  Harness h(cluster_config());
  h.feed(fatal("a", kDay));
  const auto raised = h.feed(fatal("b", plus(kDay, 1)));
  BOOST_TEST_REQUIRE(raised.size() == 1u);
  // Within 6 days of the episode's span: joins it, never a second raise.
  BOOST_TEST(h.feed(fatal("c", plus(kDay, 5))).empty());  // 3 < 2 × 2
  const auto grown = h.feed(fatal("d", plus(kDay, 11)));  // 11 - 5 = 6: joins; 4 ≥ 2 × 2
  BOOST_TEST_REQUIRE(grown.size() == 1u, describe(h.signals));
  BOOST_TEST(grown[0].type == SignalType::kUpdated);
  BOOST_TEST(grown[0].signal_id == raised[0].signal_id);
  BOOST_TEST(grown[0].observed == 4);
  BOOST_TEST(grown[0].period_end == plus(kDay, 11));
  // A report could still join up to day 11 + 6 = 17; resolved when stream
  // time is past 17 + resolve_after_days 7 = 24.
  BOOST_TEST(h.move_clock(plus(kDay, 24)).empty());
  const auto resolved = h.move_clock(plus(kDay, 25));
  BOOST_TEST_REQUIRE(resolved.size() == 1u);
  BOOST_TEST(resolved[0].type == SignalType::kResolved);
  BOOST_TEST(resolved[0].signal_id == raised[0].signal_id);
  BOOST_TEST(resolved[0].sequence == 3u);
  BOOST_TEST(resolved[0].observed == 4);
  BOOST_TEST(h.det->open_signals() == 0u);
  // A new pair later on is a new episode with a new id.
  h.feed(fatal("e", plus(kDay, 40)));
  const auto next = h.feed(fatal("f", plus(kDay, 41)));
  BOOST_TEST_REQUIRE(next.size() == 1u);
  BOOST_TEST(next[0].type == SignalType::kRaised);
  BOOST_TEST(next[0].signal_id != raised[0].signal_id);
  BOOST_TEST(next[0].observed == 2);
}

BOOST_AUTO_TEST_CASE(a_revision_that_breaks_the_pair_takes_the_cluster_back) {
  Harness h(cluster_config());
  TestEvent a = fatal("a", kBlockEnd);
  TestEvent b = fatal("b", plus(kBlockEnd, 1));
  h.feed(a);
  const auto raised = h.feed(b);
  BOOST_TEST_REQUIRE(raised.size() == 1u);
  // b's day corrected to two days later: still a pair, nothing changes.
  TestEvent b_moved = fatal("b", plus(kBlockEnd, 3));
  b_moved.revision(1);
  BOOST_TEST(h.revise(b, b_moved).empty(), describe(h.signals));
  // b was not a death after all: one death is no cluster, resolved at once.
  TestEvent b_survived = harm("b", PhysicalHarm::kSevere, plus(kBlockEnd, 3));
  b_survived.revision(2);
  const auto out = h.revise(b_moved, b_survived);
  BOOST_TEST_REQUIRE(out.size() == 1u, describe(h.signals));
  BOOST_TEST(out[0].type == SignalType::kResolved);
  BOOST_TEST(out[0].signal_id == raised[0].signal_id);
  BOOST_TEST(out[0].observed == 1);
  BOOST_TEST(out[0].event_ids == std::vector<std::string>{"a"});
  BOOST_TEST(h.move_clock(plus(kBlockEnd, 40)).empty());
  // Moving a death out of the window resolves too.
  Harness apart(cluster_config());
  apart.feed(a);
  apart.feed(b);
  TestEvent b_far = fatal("b", plus(kBlockEnd, 9));
  b_far.revision(1);
  const auto far = apart.revise(b, b_far);
  BOOST_TEST_REQUIRE(far.size() == 1u, describe(apart.signals));
  BOOST_TEST(far[0].type == SignalType::kResolved);
}

// 120 days of fatal reports in two organisations, with revisions that move a
// death by some days or take its fatality back: a rule restored from its
// store after every step emits exactly what one that ran straight did.
std::vector<testing::FeedStep> cluster_feed() {
  std::vector<testing::FeedStep> steps;
  uint32_t x = 12345;
  const auto next = [&] { return x = x * 1103515245u + 12345u, (x >> 16) % 100; };
  for (int d = 0; d < 120; ++d) {
    const Date day = plus(kDay, d);
    if (next() < 18) steps.push_back({fatal("p" + std::to_string(d), day, "RX1"), -1});
    if (next() < 10) steps.push_back({fatal("q" + std::to_string(d), day, "RY2", "fall"), -1});
    if (next() < 4) {  // a late death reported from up to three weeks ago
      TestEvent late = fatal("l" + std::to_string(d), plus(day, -static_cast<int32_t>(next() % 21)), "RX1");
      late.reported(day);
      steps.push_back({std::move(late), -1});
    }
    if (d % 9 == 4 && !steps.empty()) {  // revise the latest first report
      size_t prev = steps.size() - 1;
      while (prev > 0 && steps[prev].previous >= 0) --prev;
      const IncidentEvent& old = steps[prev].event.event();
      const bool take_back = next() < 50;
      TestEvent r = take_back ? harm(std::string(old.id), PhysicalHarm::kModerate, old.occurred_on, old.org)
                              : fatal(std::string(old.id), Date{old.occurred_on.days + 2}, old.org, old.category);
      if (take_back) r.category(old.category);
      r.revision(old.revision + 1);
      steps.push_back({std::move(r), static_cast<int>(prev)});
    }
  }
  return steps;
}

BOOST_AUTO_TEST_CASE(a_restored_cluster_rule_continues_as_if_never_stopped) {
  const auto steps = cluster_feed();
  Harness straight(cluster_config()), restarted(cluster_config());
  for (size_t i = 0; i < steps.size(); ++i) {
    straight.play(steps, i);
    restarted.play(steps, i);
    if (i % 3 == 0) restarted.reload();
    if (i % 17 == 0) restarted.reopen_store();
  }
  straight.move_clock(plus(kDay, 200));
  restarted.move_clock(plus(kDay, 200));
  BOOST_TEST(straight.signals.size() >= 6u, describe(straight.signals));
  std::map<SignalType, int> types;
  for (const auto& s : straight.signals) ++types[s.type];
  BOOST_TEST(types[SignalType::kRaised] >= 3);
  BOOST_TEST(types[SignalType::kResolved] == types[SignalType::kRaised]);
  BOOST_TEST(testing::fingerprints(restarted.signals) == testing::fingerprints(straight.signals),
             boost::test_tools::per_element());
  BOOST_TEST(restarted.det->key_count() == straight.det->key_count());
  BOOST_TEST(straight.det->open_signals() == 0u);
}

BOOST_AUTO_TEST_CASE(lone_deaths_are_forgotten_after_retain_days) {
  SeverityRuleConfig config = cluster_config();
  config.retain_days = 30;
  Harness h(config);
  h.feed(fatal("a", kDay));
  h.save();
  BOOST_TEST(h.det->key_count() == 1u);
  // Remembered while a report could join it: day + 6 + 30.
  h.move_clock(plus(kDay, 36));
  h.save();
  BOOST_TEST(h.det->key_count() == 1u);
  h.move_clock(plus(kDay, 37));
  h.save();
  BOOST_TEST(h.det->key_count() == 0u);
}

BOOST_AUTO_TEST_CASE(days_before_1970_group_and_resolve) {
  Harness h;
  const Date old = date("1969-12-30");  // day -2
  const auto out = h.feed(fatal("o1", old));
  BOOST_TEST_REQUIRE(out.size() == 1u);
  BOOST_TEST(out[0].period_start == old);
  BOOST_TEST(out[0].period_end == old);
  BOOST_TEST(h.feed(fatal("o2", old)).front().type == SignalType::kUpdated);
  h.reload();
  const auto resolved = h.move_clock(Date{old.days + 8});
  BOOST_TEST_REQUIRE(resolved.size() == 1u);
  BOOST_TEST(resolved[0].type == SignalType::kResolved);
  BOOST_TEST(resolved[0].signal_id == out[0].signal_id);
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil

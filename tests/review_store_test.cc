#include "review/review_store.h"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "test_events.h"

namespace vigil {
namespace {

// A raised signal; `n` makes its id and spreads its numbers.
Signal make_signal(int n, std::vector<KeyPart> key = {{"org", "RXX"}, {"category", "fall"}}) {
  Signal s;
  char id[17];
  std::snprintf(id, sizeof id, "%016x", n);
  s.signal_id = id;
  s.detector = "falls";
  s.method = "farrington_flexible";
  s.key = std::move(key);
  s.period_start = Date{20000};
  s.period_end = Date{20006};
  s.fired_at = Date{20007};
  s.observed = 20;
  s.expected = 5;
  s.threshold = 10;
  s.severity = Severity::kMedium;
  s.evidence_count = 20;
  s.evidence_orgs = 1;
  s.summary = "summary of " + s.signal_id;
  return s;
}

Signal transition(Signal s, SignalType type, uint32_t sequence, int32_t fired_at,
                  int64_t observed) {
  s.type = type;
  s.sequence = sequence;
  s.fired_at = Date{fired_at};
  s.observed = observed;
  return s;
}

std::string event_of(const Signal& s) {
  return "{\"id\":\"" + s.signal_id + "-" + std::to_string(s.sequence) + "\"}";
}

std::unique_ptr<ReviewStore> open_store(const std::string& path, const ReferenceNames& names) {
  auto store = ReviewStore::open(path, names);
  BOOST_REQUIRE_MESSAGE(store.is_ok(), (store.is_ok() ? std::string() : store.error().message));
  return std::move(store).value();
}

void add(ReviewStore& store, const Signal& s) {
  const Status st = store.add_signal(s, event_of(s));
  BOOST_REQUIRE_MESSAGE(st.is_ok(), st.message());
}

std::vector<std::string> ids(const ReviewStore& store, const SignalQuery& q) {
  auto page = store.query(q);
  BOOST_REQUIRE_MESSAGE(page.is_ok(), (page.is_ok() ? std::string() : page.error().message));
  std::vector<std::string> out;
  for (const SignalRow& r : page.value().rows) out.push_back(r.signal_id.substr(12));
  return out;
}

DecisionRequest request(ReviewState state, std::string reason = "checked the reports") {
  DecisionRequest r;
  r.state = state;
  r.reason = std::move(reason);
  return r;
}

Decision decide(ReviewStore& store, const std::string& signal_id, ReviewState state,
                int64_t time_ms = 1700000000000) {
  auto d = store.prepare_decision(signal_id, request(state), "a.reviewer", time_ms);
  BOOST_REQUIRE_MESSAGE(d.is_ok(), (d.is_ok() ? std::string() : d.error().message));
  const Status st = store.apply_decision(d.value());
  BOOST_REQUIRE_MESSAGE(st.is_ok(), st.message());
  return d.value();
}

using Ids = std::vector<std::string>;

BOOST_AUTO_TEST_SUITE(review_store_test)

BOOST_AUTO_TEST_CASE(a_transition_twice_is_stored_once) {
  ReferenceNames names;
  auto store = open_store(":memory:", names);
  const Signal s = make_signal(1);
  add(*store, s);
  add(*store, s);
  BOOST_TEST(store->signal_count() == 1u);
  auto detail = store->get(s.signal_id);
  BOOST_REQUIRE(detail.is_ok());
  BOOST_TEST(detail.value().lifecycle.size() == 1u);
  BOOST_TEST(detail.value().cloudevent == event_of(s));
  const SignalRow& row = detail.value().row;
  BOOST_TEST(row.detector == "falls");
  BOOST_TEST(row.method == "farrington_flexible");
  BOOST_TEST((row.key == std::vector<KeyPart>{{"org", "RXX"}, {"category", "fall"}}));
  BOOST_TEST(row.observed == 20);
  BOOST_TEST(row.expected == 5.0);
  BOOST_TEST(row.threshold == 10.0);
  BOOST_TEST(row.orgs == 1);
  BOOST_TEST(row.summary == "summary of " + s.signal_id);
  BOOST_TEST((row.state == ReviewState::kNew));
  BOOST_TEST(row.priority.total == 24.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(store->stream_time()->days == 20007);
}

BOOST_AUTO_TEST_CASE(nan_numbers_come_back_as_nan) {
  ReferenceNames names;
  auto store = open_store(":memory:", names);
  Signal s = make_signal(1);
  s.expected = std::nan("");
  s.threshold = std::nan("");
  add(*store, s);
  const SignalRow row = store->get(s.signal_id).value().row;
  BOOST_TEST(std::isnan(row.expected));
  BOOST_TEST(std::isnan(row.threshold));
}

BOOST_AUTO_TEST_CASE(lifecycle_keeps_every_transition_and_the_latest_row) {
  ReferenceNames names;
  auto store = open_store(":memory:", names);
  const Signal raised = make_signal(1);
  const Signal updated = transition(raised, SignalType::kUpdated, 2, 20014, 40);
  const Signal resolved = transition(raised, SignalType::kResolved, 3, 20028, 3);
  add(*store, raised);
  add(*store, resolved);
  add(*store, updated);  // late: joins the lifecycle, does not replace the latest
  const SignalDetail d = store->get(raised.signal_id).value();
  BOOST_REQUIRE(d.lifecycle.size() == 3u);
  BOOST_TEST((d.lifecycle[0].type == SignalType::kRaised));
  BOOST_TEST((d.lifecycle[1].type == SignalType::kUpdated));
  BOOST_TEST(d.lifecycle[1].observed == 40);
  BOOST_TEST(d.lifecycle[1].fired_at.days == 20014);
  BOOST_TEST((d.lifecycle[2].type == SignalType::kResolved));
  BOOST_TEST((d.row.latest == SignalType::kResolved));
  BOOST_TEST(d.row.sequence == 3u);
  BOOST_TEST(d.row.observed == 3);
  BOOST_TEST(d.row.first_fired.days == 20007);
  BOOST_TEST(d.row.last_fired.days == 20028);
  BOOST_TEST(d.cloudevent == event_of(resolved));
  BOOST_TEST(store->stream_time()->days == 20028);

  // Arriving first, a later transition still leaves first_fired to the raise.
  auto other = open_store(":memory:", names);
  add(*other, updated);
  add(*other, raised);
  const SignalRow row = other->get(raised.signal_id).value().row;
  BOOST_TEST(row.first_fired.days == 20007);
  BOOST_TEST(row.sequence == 2u);
}

BOOST_AUTO_TEST_CASE(filters_each) {
  ReferenceNames names;
  auto store = open_store(":memory:", names);
  Signal a = make_signal(0xa, {{"org", "RXX"}, {"category", "fall"}});
  Signal b = make_signal(0xb, {{"region", "Y56"}, {"medication", "111"}});
  b.detector = "medicines";
  b.method = "ic";
  b.severity = Severity::kHigh;
  Signal c = make_signal(0xc, {{"region", "Y58"}, {"device", "0506"}});
  c.severity = Severity::kCritical;
  c.period_start = Date{20100};
  c.period_end = Date{20106};
  c.fired_at = Date{20107};
  Signal d = make_signal(0xd, {{"org", "RYY"}, {"category", "medication"}});
  d = transition(d, SignalType::kResolved, 2, 20010, 1);
  for (const Signal& s : {a, b, c, d}) add(*store, s);
  decide(*store, b.signal_id, ReviewState::kUnderReview);

  const auto sorted = [&](SignalQuery q) {
    Ids out = ids(*store, q);
    std::sort(out.begin(), out.end());
    return out;
  };
  SignalQuery q;
  BOOST_TEST(sorted(q) == (Ids{"000a", "000b", "000c"}));  // open by default
  q.status = "resolved";
  BOOST_TEST(sorted(q) == (Ids{"000d"}));
  q.status = "all";
  BOOST_TEST(sorted(q) == (Ids{"000a", "000b", "000c", "000d"}));

  const auto with = [](auto set) {
    SignalQuery q;
    q.status = "all";
    set(q);
    return q;
  };
  BOOST_TEST(sorted(with([](SignalQuery& q) { q.state = ReviewState::kUnderReview; })) ==
             (Ids{"000b"}));
  BOOST_TEST(sorted(with([](SignalQuery& q) { q.state = ReviewState::kNew; })) ==
             (Ids{"000a", "000c", "000d"}));
  BOOST_TEST(sorted(with([](SignalQuery& q) { q.detector = "medicines"; })) == (Ids{"000b"}));
  BOOST_TEST(sorted(with([](SignalQuery& q) { q.method = "ic"; })) == (Ids{"000b"}));
  BOOST_TEST(sorted(with([](SignalQuery& q) { q.severity = Severity::kHigh; })) ==
             (Ids{"000b", "000c"}));
  BOOST_TEST(sorted(with([](SignalQuery& q) { q.region = "Y56"; })) == (Ids{"000b"}));
  BOOST_TEST(sorted(with([](SignalQuery& q) { q.org = "RYY"; })) == (Ids{"000d"}));
  BOOST_TEST(sorted(with([](SignalQuery& q) { q.medication = "111"; })) == (Ids{"000b"}));
  BOOST_TEST(sorted(with([](SignalQuery& q) { q.device = "0506"; })) == (Ids{"000c"}));
  BOOST_TEST(sorted(with([](SignalQuery& q) { q.category = "fall"; })) == (Ids{"000a"}));
  // A value under another dimension does not match.
  BOOST_TEST(sorted(with([](SignalQuery& q) { q.category = "RXX"; })) == (Ids{}));
  BOOST_TEST(sorted(with([](SignalQuery& q) { q.from = Date{20050}; })) == (Ids{"000c"}));
  BOOST_TEST(sorted(with([](SignalQuery& q) { q.to = Date{20006}; })) ==
             (Ids{"000a", "000b", "000d"}));
  BOOST_TEST(sorted(with([](SignalQuery& q) {
               q.from = Date{20006};
               q.to = Date{20100};
             })) == (Ids{"000a", "000b", "000c", "000d"}));
  BOOST_TEST(sorted(with([](SignalQuery& q) { q.fired_from = Date{20008}; })) ==
             (Ids{"000c", "000d"}));
  BOOST_TEST(sorted(with([](SignalQuery& q) { q.fired_to = Date{20007}; })) ==
             (Ids{"000a", "000b"}));
  BOOST_TEST(sorted(with([](SignalQuery& q) {
               q.region = "Y58";
               q.severity = Severity::kCritical;
               q.detector = "falls";
             })) == (Ids{"000c"}));
  BOOST_TEST(sorted(with([](SignalQuery& q) {
               q.region = "Y58";
               q.detector = "medicines";
             })) == (Ids{}));

  SignalQuery bad;
  bad.status = "closed";
  auto refused = store->query(bad);
  BOOST_REQUIRE(!refused.is_ok());
  BOOST_TEST((refused.error().kind == ErrorKind::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(pages_in_priority_order) {
  ReferenceNames names;
  auto store = open_store(":memory:", names);
  // Observed 20, 40, 80 (1, 2, 3 doublings beyond the threshold of 10) for
  // ids 1..3; ids 4..7 tie with id 1 and are ordered by id.
  for (int n = 1; n <= 7; ++n) {
    Signal s = make_signal(n);
    s.observed = n <= 3 ? 20 << (n - 1) : 20;
    add(*store, s);
  }
  SignalQuery q;
  q.limit = 3;
  auto first = store->query(q).value();
  BOOST_TEST(first.total == 7u);
  BOOST_TEST(ids(*store, q) == (Ids{"0003", "0002", "0001"}));
  BOOST_TEST(first.rows[0].priority.strength == 30.0, boost::test_tools::tolerance(1e-9));
  q.offset = 3;
  BOOST_TEST(ids(*store, q) == (Ids{"0004", "0005", "0006"}));
  q.offset = 6;
  BOOST_TEST(ids(*store, q) == (Ids{"0007"}));
  BOOST_TEST(store->query(q).value().total == 7u);
  q.offset = 9;
  BOOST_TEST(ids(*store, q) == (Ids{}));
  BOOST_TEST(store->query(q).value().total == 7u);
  q.offset = 0;
  q.limit = 100000;  // clamped to kMaxPageSize
  BOOST_TEST(ids(*store, q).size() == 7u);
}

BOOST_AUTO_TEST_CASE(recency_orders_and_is_measured_at_the_stream_time) {
  ReferenceNames names;
  auto store = open_store(":memory:", names);
  Signal old_one = make_signal(1);
  Signal recent = make_signal(2);
  recent.fired_at = Date{old_one.fired_at.days + 14};
  add(*store, old_one);
  add(*store, recent);
  const auto rows = store->query(SignalQuery{}).value().rows;
  BOOST_REQUIRE(rows.size() == 2u);
  BOOST_TEST(rows[0].signal_id == recent.signal_id);
  BOOST_TEST(rows[0].priority.recency == 0.0);
  BOOST_TEST(rows[1].priority.recency == -7.0);
  BOOST_TEST(rows[1].priority.total == rows[0].priority.total - 7.0,
             boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(text_search_finds_codes_and_names_in_any_case) {
  ReferenceNames names;
  names.add("region", "Y56", "London");
  names.add("org", "RJ1", "Guy's and St Thomas' NHS Foundation Trust");
  auto store = open_store(":memory:", names);
  add(*store, make_signal(1, {{"region", "Y56"}, {"category", "fall"}}));
  add(*store, make_signal(2, {{"org", "RJ1"}, {"category", "medication"}}));
  add(*store, make_signal(3, {{"org", "R1K"}, {"category", "fall"}}));
  const auto search = [&](std::string text) {
    SignalQuery q;
    q.text = std::move(text);
    Ids out = ids(*store, q);
    std::sort(out.begin(), out.end());
    return out;
  };
  BOOST_TEST(search("LONDON") == (Ids{"0001"}));
  BOOST_TEST(search("thomas'") == (Ids{"0002"}));
  BOOST_TEST(search("rj1") == (Ids{"0002"}));
  BOOST_TEST(search("fall") == (Ids{"0001", "0003"}));
  BOOST_TEST(search("org=r") == (Ids{"0002", "0003"}));
  BOOST_TEST(search("56") == (Ids{"0001"}));  // shorter than a trigram
  BOOST_TEST(search("J") == (Ids{"0002"}));
  BOOST_TEST(search("say \"hi") == (Ids{}));
  BOOST_TEST(search("%") == (Ids{}));  // no pattern characters
  BOOST_TEST(search("_") == (Ids{}));
  BOOST_TEST(search("y56\nregion") == (Ids{}));  // never across two parts
}

BOOST_AUTO_TEST_CASE(search_text_follows_new_names_after_reopening) {
  testing::TempDir dir;
  const std::string path = dir.sub("review/store.db");
  {
    ReferenceNames none;
    auto store = open_store(path, none);
    add(*store, make_signal(1, {{"region", "Y56"}}));
  }
  ReferenceNames names;
  names.add("region", "Y56", "London");
  auto store = open_store(path, names);
  SignalQuery q;
  q.text = "london";
  BOOST_TEST(ids(*store, q) == (Ids{"0001"}));
}

BOOST_AUTO_TEST_CASE(decision_rules) {
  ReferenceNames names;
  auto store = open_store(":memory:", names);
  Signal s = make_signal(1);
  add(*store, s);
  add(*store, transition(s, SignalType::kUpdated, 2, 20014, 37));

  auto unknown = store->prepare_decision("00000000000000ff", request(ReviewState::kUnderReview),
                                         "a.reviewer", 1);
  BOOST_REQUIRE(!unknown.is_ok());
  BOOST_TEST((unknown.error().kind == ErrorKind::kNotFound));

  auto to_new = store->prepare_decision(s.signal_id, request(ReviewState::kNew), "a.reviewer", 1);
  BOOST_REQUIRE(!to_new.is_ok());
  BOOST_TEST((to_new.error().kind == ErrorKind::kInvalidArgument));
  BOOST_TEST(to_new.error().message == "a signal cannot move from new to new");

  auto no_reviewer =
      store->prepare_decision(s.signal_id, request(ReviewState::kUnderReview), "", 1);
  BOOST_TEST(!no_reviewer.is_ok());

  DecisionRequest known = request(ReviewState::kKnownIssue, "known: batch recall");
  known.until = Date{20100};
  known.renotify_multiple = 2.0;
  auto prepared = store->prepare_decision(s.signal_id, known, "b.reviewer", 1700000000123);
  BOOST_REQUIRE(prepared.is_ok());
  const Decision d1 = prepared.value();
  BOOST_TEST(d1.decision_id == s.signal_id + "-d1");
  BOOST_TEST(d1.signal_id == s.signal_id);
  BOOST_TEST((d1.state == ReviewState::kKnownIssue));
  BOOST_TEST(d1.reason == "known: batch recall");
  BOOST_TEST(d1.reviewer == "b.reviewer");
  BOOST_TEST(d1.time_ms == 1700000000123);
  BOOST_TEST(d1.until->days == 20100);
  BOOST_TEST(*d1.renotify_multiple == 2.0);
  BOOST_TEST(d1.observed_at_decision == 37);  // the latest transition's count
  // Preparing stores nothing.
  BOOST_TEST(!store->latest_decision(s.signal_id).has_value());
  BOOST_TEST((store->get(s.signal_id).value().row.state == ReviewState::kNew));

  BOOST_REQUIRE(store->apply_decision(d1).is_ok());
  BOOST_REQUIRE(store->apply_decision(d1).is_ok());  // idempotent
  BOOST_TEST(store->get(s.signal_id).value().decisions.size() == 1u);
  BOOST_TEST((store->get(s.signal_id).value().row.state == ReviewState::kKnownIssue));
  BOOST_TEST(store->latest_decision(s.signal_id)->decision_id == d1.decision_id);

  // The same id with other content: a race between two reviewers.
  Decision clash = d1;
  clash.reason = "something else";
  const Status refused = store->apply_decision(clash);
  BOOST_REQUIRE(!refused.is_ok());
  BOOST_TEST((refused.error().kind == ErrorKind::kInvalidArgument));

  const Decision d2 = decide(*store, s.signal_id, ReviewState::kClosed);
  BOOST_TEST(d2.decision_id == s.signal_id + "-d2");
  auto reopen_validated =
      store->prepare_decision(s.signal_id, request(ReviewState::kValidated), "a.reviewer", 1);
  BOOST_REQUIRE(!reopen_validated.is_ok());
  BOOST_TEST(reopen_validated.error().message == "a signal cannot move from closed to validated");
  const Decision d3 = decide(*store, s.signal_id, ReviewState::kUnderReview);
  BOOST_TEST(d3.decision_id == s.signal_id + "-d3");
  decide(*store, s.signal_id, ReviewState::kValidated);

  const SignalDetail detail = store->get(s.signal_id).value();
  BOOST_REQUIRE(detail.decisions.size() == 4u);
  BOOST_TEST((detail.decisions[0].state == ReviewState::kKnownIssue));
  BOOST_TEST(detail.decisions[0].until->days == 20100);
  BOOST_TEST((detail.decisions[1].state == ReviewState::kClosed));
  BOOST_TEST(!detail.decisions[1].until.has_value());
  BOOST_TEST(!detail.decisions[1].renotify_multiple.has_value());
  BOOST_TEST((detail.decisions[2].state == ReviewState::kUnderReview));
  BOOST_TEST((detail.decisions[3].state == ReviewState::kValidated));
  BOOST_TEST((detail.row.state == ReviewState::kValidated));
}

BOOST_AUTO_TEST_CASE(decisions_survive_reopening_the_file) {
  testing::TempDir dir;
  const std::string path = dir.sub("state/review.sqlite");
  ReferenceNames names;
  const Signal s = make_signal(1);
  {
    auto store = open_store(path, names);
    add(*store, s);
    decide(*store, s.signal_id, ReviewState::kUnderReview, 1000);
    decide(*store, s.signal_id, ReviewState::kDismissed, 2000);
  }
  auto store = open_store(path, names);
  BOOST_TEST(store->signal_count() == 1u);
  BOOST_TEST(store->stream_time()->days == 20007);
  const SignalDetail d = store->get(s.signal_id).value();
  BOOST_TEST((d.row.state == ReviewState::kDismissed));
  BOOST_REQUIRE(d.decisions.size() == 2u);
  BOOST_TEST(d.decisions[0].time_ms == 1000);
  BOOST_TEST(d.decisions[1].time_ms == 2000);
  BOOST_TEST(d.decisions[1].reviewer == "a.reviewer");
  // The trail continues where it stopped.
  BOOST_TEST(decide(*store, s.signal_id, ReviewState::kValidated).decision_id ==
             s.signal_id + "-d3");
}

BOOST_AUTO_TEST_CASE(a_decision_before_its_signal_applies_when_it_arrives) {
  ReferenceNames names;
  auto store = open_store(":memory:", names);
  const Signal s = make_signal(1);
  Decision d1;
  d1.decision_id = s.signal_id + "-d1";
  d1.signal_id = s.signal_id;
  d1.state = ReviewState::kUnderReview;
  d1.reason = "looking";
  d1.reviewer = "a.reviewer";
  Decision d2 = d1;
  d2.decision_id = s.signal_id + "-d2";
  d2.state = ReviewState::kKnownIssue;
  // Replayed out of order from the reviews topic, before the signal.
  BOOST_REQUIRE(store->apply_decision(d2).is_ok());
  BOOST_REQUIRE(store->apply_decision(d1).is_ok());
  BOOST_TEST(store->signal_count() == 0u);
  BOOST_TEST(store->latest_decision(s.signal_id)->decision_id == d2.decision_id);
  BOOST_TEST((store->get(s.signal_id).error().kind == ErrorKind::kNotFound));

  add(*store, s);
  const SignalDetail d = store->get(s.signal_id).value();
  BOOST_TEST((d.row.state == ReviewState::kKnownIssue));
  BOOST_REQUIRE(d.decisions.size() == 2u);
  BOOST_TEST(d.decisions[0].decision_id == d1.decision_id);
  SignalQuery q;
  q.state = ReviewState::kKnownIssue;
  BOOST_TEST(ids(*store, q) == (Ids{"0001"}));
  // A later transition keeps the decided state.
  add(*store, transition(s, SignalType::kUpdated, 2, 20014, 40));
  BOOST_TEST((store->get(s.signal_id).value().row.state == ReviewState::kKnownIssue));
}

BOOST_AUTO_TEST_CASE(a_known_issue_leaves_the_default_queue_until_the_count_doubles) {
  ReferenceNames names;
  auto store = open_store(":memory:", names);
  const Signal a = make_signal(1);
  const Signal b = make_signal(2);
  add(*store, a);  // observed 20
  add(*store, b);
  SignalQuery all;
  all.status = "all";
  DecisionRequest known = request(ReviewState::kKnownIssue, "already investigated nationally");
  known.renotify_multiple = 2.0;
  auto d = store->prepare_decision(a.signal_id, known, "a.reviewer", 1700000000000);
  BOOST_REQUIRE(d.is_ok());
  BOOST_TEST(d.value().observed_at_decision == 20);
  BOOST_REQUIRE(store->apply_decision(d.value()).is_ok());
  BOOST_TEST(ids(*store, all) == (Ids{"0002"}), boost::test_tools::per_element());
  SignalQuery known_only = all;
  known_only.state = ReviewState::kKnownIssue;
  BOOST_TEST(ids(*store, known_only) == (Ids{"0001"}), boost::test_tools::per_element());
  SignalQuery with_held = all;
  with_held.include_suppressed = true;
  auto held = store->query(with_held);
  BOOST_REQUIRE(held.is_ok());
  BOOST_TEST(held.value().total == 2u);
  for (const SignalRow& r : held.value().rows) BOOST_TEST(r.suppressed == (r.signal_id == a.signal_id));

  // The episode goes on below twice the count: still held back.
  add(*store, transition(a, SignalType::kUpdated, 2, 20014, 39));
  BOOST_TEST(ids(*store, all) == (Ids{"0002"}), boost::test_tools::per_element());
  // Twice the count at the decision: back in the queue, and it stays back
  // when the count falls again, until a reviewer decides again.
  add(*store, transition(a, SignalType::kUpdated, 3, 20021, 40));
  BOOST_TEST(ids(*store, all).size() == 2u);
  add(*store, transition(a, SignalType::kUpdated, 4, 20028, 25));
  BOOST_TEST(ids(*store, all).size() == 2u);
  auto again = store->prepare_decision(a.signal_id, request(ReviewState::kDismissed, "noise"),
                                       "a.reviewer", 1700000001000);
  BOOST_REQUIRE(again.is_ok());
  BOOST_REQUIRE(store->apply_decision(again.value()).is_ok());
  BOOST_TEST(ids(*store, all) == (Ids{"0002"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_dismissal_with_a_date_holds_until_that_date) {
  ReferenceNames names;
  auto store = open_store(":memory:", names);
  const Signal a = make_signal(1);
  add(*store, a);  // fired on day 20007
  DecisionRequest dismissed = request(ReviewState::kDismissed, "a coding change at one trust");
  dismissed.until = Date{20014};
  auto d = store->prepare_decision(a.signal_id, dismissed, "a.reviewer", 1700000000000);
  BOOST_REQUIRE(d.is_ok());
  BOOST_REQUIRE(store->apply_decision(d.value()).is_ok());
  SignalQuery open;
  BOOST_TEST(ids(*store, open).empty());
  add(*store, transition(a, SignalType::kUpdated, 2, 20014, 21));  // on the date: still held
  BOOST_TEST(ids(*store, open).empty());
  add(*store, transition(a, SignalType::kUpdated, 3, 20021, 21));  // after it
  BOOST_TEST(ids(*store, open) == (Ids{"0001"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_week_keeps_the_signals_that_fired_in_it_after_later_updates) {
  ReferenceNames names;
  auto store = open_store(":memory:", names);
  const Signal a = make_signal(1);  // raised on day 20007
  add(*store, a);
  add(*store, transition(a, SignalType::kUpdated, 2, 20014, 30));
  add(*store, make_signal(2));
  SignalQuery first_week;
  first_week.status = "all";
  first_week.fired_from = Date{20007};
  first_week.fired_to = Date{20013};
  BOOST_TEST(ids(*store, first_week) == (Ids{"0001", "0002"}), boost::test_tools::per_element());
  SignalQuery second_week = first_week;
  second_week.fired_from = Date{20014};
  second_week.fired_to = Date{20020};
  BOOST_TEST(ids(*store, second_week) == (Ids{"0001"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_unwritable_path_is_an_io_error) {
  ReferenceNames names;
  auto store = ReviewStore::open("/proc/vigil-review/store.db", names);
  BOOST_REQUIRE(!store.is_ok());
  BOOST_TEST((store.error().kind == ErrorKind::kIo));
  BOOST_TEST(store.error().message.find("/proc/vigil-review/store.db") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace vigil

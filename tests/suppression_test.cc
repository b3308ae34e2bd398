// Whether a signal is notified again after a reviewer marked it known_issue
// or dismissed: held back while its episode continues, passed on again once
// its count reaches the chosen multiple (a material change) or its date has
// passed; a resolved transition, another episode and a non-suppressing
// decision are always passed on.
#include <boost/test/unit_test.hpp>

#include <optional>

#include "core/civil_date.h"
#include "review/suppression.h"

namespace vigil {
namespace {

Date date(const char* text) {
  const auto parsed = parse_date(text);
  BOOST_REQUIRE(parsed.has_value());
  return *parsed;
}

Signal transition(SignalType type, int64_t observed, const char* fired_at) {
  Signal s;
  s.type = type;
  s.signal_id = "3f2a9c01d4e5b677";
  s.sequence = 3;
  s.observed = observed;
  s.fired_at = date(fired_at);
  return s;
}

Decision decided(ReviewState state, int64_t observed_at_decision) {
  Decision d;
  d.decision_id = "3f2a9c01d4e5b677-d1";
  d.signal_id = "3f2a9c01d4e5b677";
  d.state = state;
  d.reason = "known";
  d.observed_at_decision = observed_at_decision;
  return d;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(suppression_test)

BOOST_AUTO_TEST_CASE(no_decision_or_a_non_suppressing_one_notifies) {
  const Signal s = transition(SignalType::kUpdated, 20, "2025-03-10");
  BOOST_TEST((notify_verdict(std::nullopt, s) == NotifyVerdict::kNotify));
  for (ReviewState state : {ReviewState::kUnderReview, ReviewState::kValidated, ReviewState::kClosed}) {
    BOOST_TEST((notify_verdict(decided(state, 10), s) == NotifyVerdict::kNotify));
  }
}

BOOST_AUTO_TEST_CASE(known_issue_and_dismissed_hold_back_updates_of_the_episode) {
  for (ReviewState state : {ReviewState::kKnownIssue, ReviewState::kDismissed}) {
    const auto d = decided(state, 10);
    BOOST_TEST((notify_verdict(d, transition(SignalType::kUpdated, 11, "2025-03-10")) ==
                NotifyVerdict::kSuppressed));
    BOOST_TEST((notify_verdict(d, transition(SignalType::kRaised, 1000, "2030-01-01")) ==
                NotifyVerdict::kSuppressed));  // no limit was chosen: held while it lasts
    BOOST_TEST(!notifies(NotifyVerdict::kSuppressed));
  }
}

BOOST_AUTO_TEST_CASE(a_resolved_transition_and_another_episode_are_always_passed_on) {
  const auto d = decided(ReviewState::kKnownIssue, 10);
  BOOST_TEST((notify_verdict(d, transition(SignalType::kResolved, 0, "2025-03-10")) ==
              NotifyVerdict::kNotify));
  Signal other = transition(SignalType::kRaised, 5, "2025-03-10");
  other.signal_id = "0000000000000001";
  BOOST_TEST((notify_verdict(d, other) == NotifyVerdict::kNotify));
}

BOOST_AUTO_TEST_CASE(a_material_change_is_the_count_reaching_the_multiple) {
  auto d = decided(ReviewState::kKnownIssue, 10);
  d.renotify_multiple = 2.0;
  BOOST_TEST((notify_verdict(d, transition(SignalType::kUpdated, 19, "2025-03-10")) ==
              NotifyVerdict::kSuppressed));
  BOOST_TEST((notify_verdict(d, transition(SignalType::kUpdated, 20, "2025-03-10")) ==
              NotifyVerdict::kMaterialChange));
  BOOST_TEST((notify_verdict(d, transition(SignalType::kUpdated, 35, "2025-03-10")) ==
              NotifyVerdict::kMaterialChange));
  BOOST_TEST(notifies(NotifyVerdict::kMaterialChange));
  // Decided before any count: measured against 1, not against 0.
  auto unseen = decided(ReviewState::kDismissed, 0);
  unseen.renotify_multiple = 3.0;
  BOOST_TEST((notify_verdict(unseen, transition(SignalType::kUpdated, 2, "2025-03-10")) ==
              NotifyVerdict::kSuppressed));
  BOOST_TEST((notify_verdict(unseen, transition(SignalType::kUpdated, 3, "2025-03-10")) ==
              NotifyVerdict::kMaterialChange));
}

BOOST_AUTO_TEST_CASE(suppression_ends_the_day_after_its_date) {
  auto d = decided(ReviewState::kDismissed, 10);
  d.until = date("2025-03-31");
  BOOST_TEST((notify_verdict(d, transition(SignalType::kUpdated, 12, "2025-03-31")) ==
              NotifyVerdict::kSuppressed));
  BOOST_TEST((notify_verdict(d, transition(SignalType::kUpdated, 12, "2025-04-01")) ==
              NotifyVerdict::kSuppressionEnded));
  BOOST_TEST(notifies(NotifyVerdict::kSuppressionEnded));
}

BOOST_AUTO_TEST_CASE(whichever_limit_comes_first_ends_it) {
  auto d = decided(ReviewState::kKnownIssue, 10);
  d.until = date("2025-03-31");
  d.renotify_multiple = 2.0;
  BOOST_TEST((notify_verdict(d, transition(SignalType::kUpdated, 25, "2025-03-15")) ==
              NotifyVerdict::kMaterialChange));
  BOOST_TEST((notify_verdict(d, transition(SignalType::kUpdated, 12, "2025-04-02")) ==
              NotifyVerdict::kSuppressionEnded));
  BOOST_TEST((notify_verdict(d, transition(SignalType::kUpdated, 12, "2025-03-15")) ==
              NotifyVerdict::kSuppressed));
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace vigil

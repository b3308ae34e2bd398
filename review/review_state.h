// Where a signal stands in the national team's review (issue: signal
// review), following the steps of EMA's signal management process: a new
// signal is taken under review, then validated, dismissed or recognised as
// a known issue, and finally closed. The lifecycle a detector gives a signal
// (raised, updated, resolved) is separate: it says what the data shows, this
// says what people decided about it.
#pragma once

#include <optional>
#include <string_view>

#include "core/result.h"

namespace vigil {

enum class ReviewState : uint8_t { kNew, kUnderReview, kValidated, kDismissed, kKnownIssue, kClosed };

// "new", "under_review", "validated", "dismissed", "known_issue", "closed".
std::string_view to_string(ReviewState s);
std::optional<ReviewState> parse_review_state(std::string_view text);

// Whether a reviewer may move a signal from `from` to `to`. Nothing moves
// back to "new"; a closed signal may be reopened only by taking it under
// review again; every other move between decided states is allowed (a
// reviewer may change their mind), and each is kept in the audit trail.
// Errors: kInvalidArgument naming both states.
Status check_review_transition(ReviewState from, ReviewState to);

// States whose decision keeps the signal out of the queue's default view
// and stops re-notification while its episode continues (see suppression.h).
bool suppresses_notification(ReviewState s);

}  // namespace vigil

// A reviewer's decision about one signal: a durable event. In `vigil serve`
// over Kafka each decision is a record on the reviews topic (default
// vigil.reviews, key = signal_id), which is the audit trail; over a file of
// signals it is a row in the service's own store. Both use the JSON below.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/civil_date.h"
#include "core/result.h"
#include "review/review_state.h"

namespace vigil {

struct Decision {
  std::string decision_id;  // "<signal_id>-d<n>", n = 1, 2, ... per signal
  std::string signal_id;
  ReviewState state = ReviewState::kUnderReview;
  std::string reason;    // the reviewer's words; required, at most kMaxReasonBytes
  std::string reviewer;  // from the trusted proxy header, or --reviewer locally
  int64_t time_ms = 0;   // wall clock, Unix milliseconds, when it was recorded
  // Suppression (known_issue / dismissed only): the signal is not notified
  // again while its episode continues, until `until` (inclusive, stream
  // date) or until its observed count reaches `renotify_multiple` times
  // `observed_at_decision`, whichever comes first. Absent: no such limit.
  std::optional<Date> until;
  std::optional<double> renotify_multiple;
  int64_t observed_at_decision = 0;
};

inline constexpr size_t kMaxReasonBytes = 2000;
inline constexpr size_t kMaxReviewerBytes = 200;

// What a client sends: {"state": "...", "reason": "...", "until":
// "YYYY-MM-DD"?, "renotify_multiple": 2.0?}. Unknown members are ignored.
// Errors: kInvalidArgument naming the member that is missing or wrong
// (state not one of the contract's five, empty or oversized reason,
// malformed date, multiple <= 1, suppression on a state that does not
// suppress).
struct DecisionRequest {
  ReviewState state = ReviewState::kUnderReview;
  std::string reason;
  std::optional<Date> until;
  std::optional<double> renotify_multiple;
};
Result<DecisionRequest> parse_decision_request(std::string_view json);

// The stored form, one JSON object with every member of Decision (absent
// optionals omitted), byte-stable; and its reader (for the reviews topic).
std::string encode_decision(const Decision& d);
Result<Decision> decode_decision(std::string_view json);

}  // namespace vigil

#include "review/review_state.h"

#include <array>
#include <string>
#include <utility>

namespace vigil {
namespace {

constexpr std::array<std::pair<ReviewState, std::string_view>, 6> kNames = {{
    {ReviewState::kNew, "new"},
    {ReviewState::kUnderReview, "under_review"},
    {ReviewState::kValidated, "validated"},
    {ReviewState::kDismissed, "dismissed"},
    {ReviewState::kKnownIssue, "known_issue"},
    {ReviewState::kClosed, "closed"},
}};

}  // namespace

std::string_view to_string(ReviewState s) {
  for (const auto& [state, name] : kNames) {
    if (state == s) return name;
  }
  return "new";
}

std::optional<ReviewState> parse_review_state(std::string_view text) {
  for (const auto& [state, name] : kNames) {
    if (name == text) return state;
  }
  return std::nullopt;
}

Status check_review_transition(ReviewState from, ReviewState to) {
  const bool allowed = to != ReviewState::kNew &&
                       (from != ReviewState::kClosed || to == ReviewState::kUnderReview);
  if (allowed) return Status::ok();
  return Status(Error{ErrorKind::kInvalidArgument, "a signal cannot move from " +
                                                       std::string(to_string(from)) + " to " +
                                                       std::string(to_string(to))});
}

bool suppresses_notification(ReviewState s) {
  return s == ReviewState::kDismissed || s == ReviewState::kKnownIssue;
}

}  // namespace vigil

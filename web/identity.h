// Who is asking, and what they may do (issue 11, "who may do what"). In a
// deployment the application sits behind the organisation's single sign-on
// proxy, which names the user (and their groups) in headers; those headers
// are believed only on connections from a configured proxy address, so a
// client that reaches the service directly cannot name itself. Locally,
// `vigil serve --reviewer NAME` is the identity of every other request.
#pragma once

#include <string>

#include "review/review_options.h"
#include "web/http_exchange.h"

namespace vigil {

enum class Role : uint8_t {
  kAnonymous,  // nobody identified: may read, may not decide
  kViewer,     // identified, not a reviewer: may read
  kReviewer,   // may record decisions
};

std::string_view to_string(Role r);  // "anonymous" | "viewer" | "reviewer"

struct Identity {
  std::string user;  // empty when anonymous
  Role role = Role::kAnonymous;
};

// From a trusted proxy: the user header (absent or empty: anonymous) and
// the groups header (comma-separated). From anywhere else: the local
// reviewer, if any. An identified user is a reviewer when named in
// options.reviewers or in a group of options.reviewer_groups, or when both
// lists are empty; otherwise a viewer.
Identity identify(const HttpRequest& request, const IdentityOptions& options);

}  // namespace vigil

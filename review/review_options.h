// How the review application is deployed: the `review:` section of the
// configuration (config/vigil.yaml), parsed by config/review_config.cc, and
// `vigil serve`'s flags on top.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace vigil {

// Who is asking. In a deployment the application sits behind the
// organisation's single sign-on proxy (e.g. oauth2-proxy), which sets the
// user's name (and groups) in headers; those headers are believed only on
// connections from `trusted_proxies`. Locally, `vigil serve --reviewer NAME`
// names the one user.
struct IdentityOptions {
  std::string user_header = "X-Forwarded-User";
  std::string groups_header = "X-Forwarded-Groups";  // comma-separated
  std::vector<std::string> trusted_proxies;          // IP addresses; empty: headers never trusted
  // Roles: a user is a reviewer if named in `reviewers` or in one of
  // `reviewer_groups`; any other identified user is a viewer. Empty lists:
  // every identified user is a reviewer.
  std::vector<std::string> reviewers;
  std::vector<std::string> reviewer_groups;
  std::string local_reviewer;  // --reviewer: the identity of every local request
};

struct ReviewOptions {
  std::string bind = "127.0.0.1";
  uint16_t port = 8080;
  std::string state_dir = "/var/lib/vigil/review";
  // Key dimension ("org", "region", "medication", "device", ...) -> CSV file
  // of code,name (review/reference_names.h).
  std::map<std::string, std::string> reference_tables;
  // Link from a report id to the recording system; "{id}" is replaced by
  // the URL-encoded id. Empty: ids are shown without links.
  std::string report_url_template;
  // The application's own external URL (e.g. https://vigil.example.nhs.uk),
  // for links in the digest and Alertmanager's generatorURL. Empty: links
  // are relative.
  std::string base_url;
  IdentityOptions identity;
};

}  // namespace vigil

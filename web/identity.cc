#include "web/identity.h"

#include <algorithm>
#include <cctype>

namespace vigil {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// "::ffff:10.0.0.5" (an IPv4 peer on a dual-stack socket) compares as "10.0.0.5".
std::string_view plain_address(std::string_view address) {
  constexpr std::string_view kMapped = "::ffff:";
  if (address.starts_with(kMapped) && address.find('.') != std::string_view::npos) {
    address.remove_prefix(kMapped.size());
  }
  return address;
}

bool is_reviewer(std::string_view user, std::string_view groups, const IdentityOptions& options) {
  if (options.reviewers.empty() && options.reviewer_groups.empty()) return true;
  if (contains(options.reviewers, user)) return true;
  while (!groups.empty()) {
    const size_t comma = groups.find(',');
    const std::string_view group = trim(groups.substr(0, comma));
    groups = comma == std::string_view::npos ? std::string_view() : groups.substr(comma + 1);
    if (!group.empty() && contains(options.reviewer_groups, group)) return true;
  }
  return false;
}

}  // namespace

std::string_view to_string(Role r) {
  switch (r) {
    case Role::kAnonymous:
      return "anonymous";
    case Role::kViewer:
      return "viewer";
    case Role::kReviewer:
      return "reviewer";
  }
  return "anonymous";
}

Identity identify(const HttpRequest& request, const IdentityOptions& options) {
  Identity id;
  std::string_view groups;
  const std::string_view peer = plain_address(request.remote_address);
  const bool from_proxy =
      std::any_of(options.trusted_proxies.begin(), options.trusted_proxies.end(),
                  [&](const std::string& proxy) { return plain_address(proxy) == peer; });
  if (from_proxy) {
    id.user = std::string(trim(request.header(lower(options.user_header))));
    groups = request.header(lower(options.groups_header));
  } else {
    id.user = options.local_reviewer;
  }
  if (id.user.empty()) return id;
  id.role = is_reviewer(id.user, groups, options) ? Role::kReviewer : Role::kViewer;
  return id;
}

}  // namespace vigil

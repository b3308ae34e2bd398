// Who is asking (web/identity.h): proxy headers believed only from trusted
// proxies, the local reviewer otherwise, and the reviewer/viewer roles.
#include "web/identity.h"

#include <boost/test/unit_test.hpp>
#include <ostream>

namespace vigil {
namespace {

HttpRequest from(std::string address, std::string user = "", std::string groups = "") {
  HttpRequest r;
  r.method = "GET";
  r.path = "/";
  r.remote_address = std::move(address);
  if (!user.empty()) r.headers["x-forwarded-user"] = std::move(user);
  if (!groups.empty()) r.headers["x-forwarded-groups"] = std::move(groups);
  return r;
}

IdentityOptions behind_proxy() {
  IdentityOptions o;
  o.trusted_proxies = {"10.0.0.5"};
  o.reviewers = {"alice"};
  o.reviewer_groups = {"signal-reviewers"};
  return o;
}

}  // namespace

std::ostream& operator<<(std::ostream& out, Role r) { return out << to_string(r); }

BOOST_AUTO_TEST_SUITE(identity_test)

BOOST_AUTO_TEST_CASE(headers_are_believed_only_from_a_trusted_proxy) {
  const IdentityOptions o = behind_proxy();
  const Identity trusted = identify(from("10.0.0.5", "alice"), o);
  BOOST_TEST(trusted.user == "alice");
  BOOST_TEST(trusted.role == Role::kReviewer);
  // The same header from anywhere else names nobody.
  const Identity forged = identify(from("10.0.0.6", "alice"), o);
  BOOST_TEST(forged.user.empty());
  BOOST_TEST(forged.role == Role::kAnonymous);
  // An IPv4 peer seen on a dual-stack socket is the same address.
  BOOST_TEST(identify(from("::ffff:10.0.0.5", "alice"), o).role == Role::kReviewer);
  // A trusted proxy that names nobody: anonymous, even with a local reviewer.
  IdentityOptions with_local = o;
  with_local.local_reviewer = "carol";
  BOOST_TEST(identify(from("10.0.0.5"), with_local).role == Role::kAnonymous);
}

BOOST_AUTO_TEST_CASE(roles_come_from_the_reviewer_list_or_groups) {
  const IdentityOptions o = behind_proxy();
  BOOST_TEST(identify(from("10.0.0.5", "bob"), o).role == Role::kViewer);
  BOOST_TEST(identify(from("10.0.0.5", "bob", "analysts, signal-reviewers"), o).role ==
             Role::kReviewer);
  BOOST_TEST(identify(from("10.0.0.5", "bob", "analysts,signal-reviewers-not"), o).role ==
             Role::kViewer);
  IdentityOptions everyone = o;
  everyone.reviewers.clear();
  everyone.reviewer_groups.clear();
  BOOST_TEST(identify(from("10.0.0.5", "bob"), everyone).role == Role::kReviewer);
}

BOOST_AUTO_TEST_CASE(the_local_reviewer_names_requests_not_from_a_proxy) {
  IdentityOptions o;
  o.local_reviewer = "dana";
  const Identity local = identify(from("127.0.0.1", "mallory"), o);
  BOOST_TEST(local.user == "dana");
  BOOST_TEST(local.role == Role::kReviewer);
  BOOST_TEST(identify(from("127.0.0.1"), IdentityOptions{}).role == Role::kAnonymous);
  BOOST_TEST(to_string(Role::kViewer) == "viewer");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace vigil

// The `review:` section of the configuration (config/review_config.h):
// defaults, every key, and the mistakes it rejects with the key's path.
#include <boost/test/unit_test.hpp>
#include <string>

#include "config/pipeline_config.h"
#include "config_section.h"

namespace vigil {
namespace {

constexpr auto parse = testing::parse_section;
constexpr auto expect_error = testing::expect_section_error;

}  // namespace

BOOST_AUTO_TEST_SUITE(review_config_test)

BOOST_AUTO_TEST_CASE(defaults_and_the_national_default_agree) {
  auto parsed = parse("");
  BOOST_REQUIRE(parsed.is_ok());
  const ReviewOptions& r = parsed.value().review;
  BOOST_TEST(r.bind == "127.0.0.1");
  BOOST_TEST(r.port == 8080);
  BOOST_TEST(r.identity.user_header == "X-Forwarded-User");
  BOOST_TEST(r.identity.trusted_proxies.empty());
  auto national = load_pipeline_config("");
  BOOST_REQUIRE(national.is_ok());
  const ReviewOptions& n = national.value().review;
  BOOST_TEST(n.bind == r.bind);
  BOOST_TEST(n.port == r.port);
  BOOST_TEST(n.state_dir == r.state_dir);
  BOOST_TEST(n.reference_tables.empty());
  BOOST_TEST(n.report_url_template.empty());
  BOOST_TEST(n.identity.groups_header == r.identity.groups_header);
}

BOOST_AUTO_TEST_CASE(every_key_is_read) {
  auto parsed = parse(R"(
review:
  bind: 0.0.0.0
  port: 9000
  state_dir: /data/review
  reference_tables:
    org: /ref/orgs.csv
    medication: /ref/dmd.csv
  report_url_template: https://lfpse.example/reports/{id}
  base_url: https://vigil.example
  identity:
    user_header: X-Auth-Request-User
    groups_header: X-Auth-Request-Groups
    trusted_proxies: [10.0.0.5, 10.0.0.6]
    reviewers: [alice]
    reviewer_groups: [signal-reviewers]
)");
  BOOST_REQUIRE_MESSAGE(parsed.is_ok(), (parsed.is_ok() ? std::string() : parsed.error().message));
  const ReviewOptions& r = parsed.value().review;
  BOOST_TEST(r.bind == "0.0.0.0");
  BOOST_TEST(r.port == 9000);
  BOOST_TEST(r.state_dir == "/data/review");
  BOOST_TEST(r.reference_tables.size() == 2u);
  BOOST_TEST(r.reference_tables.at("medication") == "/ref/dmd.csv");
  BOOST_TEST(r.report_url_template == "https://lfpse.example/reports/{id}");
  BOOST_TEST(r.base_url == "https://vigil.example");
  BOOST_TEST(r.identity.user_header == "X-Auth-Request-User");
  BOOST_TEST(r.identity.groups_header == "X-Auth-Request-Groups");
  BOOST_TEST(r.identity.trusted_proxies.size() == 2u);
  BOOST_TEST(r.identity.reviewers.at(0) == "alice");
  BOOST_TEST(r.identity.reviewer_groups.at(0) == "signal-reviewers");
}

BOOST_AUTO_TEST_CASE(alerts_link_to_the_signal_page_when_the_base_url_is_known) {
  auto linked = parse("review:\n  base_url: https://vigil.example/\n");
  BOOST_REQUIRE(linked.is_ok());
  BOOST_TEST(linked.value().alertmanager.generator_url == "https://vigil.example/signals/{signal_id}");
  auto own = parse(
      "alertmanager:\n  generator_url: https://wiki.example/{signal_id}\n"
      "review:\n  base_url: https://vigil.example\n");
  BOOST_REQUIRE(own.is_ok());
  BOOST_TEST(own.value().alertmanager.generator_url == "https://wiki.example/{signal_id}");
  auto none = parse("review:\n  port: 8081\n");
  BOOST_REQUIRE(none.is_ok());
  BOOST_TEST(none.value().alertmanager.generator_url.empty());
}

BOOST_AUTO_TEST_CASE(mistakes_are_named_by_their_path) {
  expect_error("review:\n  colour: blue\n", "review.colour");
  expect_error("review:\n  port: many\n", "review.port");
  expect_error("review:\n  bind: \"\"\n", "review.bind");
  expect_error("review:\n  report_url_template: https://x/reports\n", "must contain {id}");
  expect_error("review:\n  report_url_template: javascript:alert({id})\n",
               "review.report_url_template");
  expect_error("review:\n  base_url: vigil.example\n", "review.base_url");
  expect_error("review:\n  reference_tables: [a, b]\n", "review.reference_tables");
  expect_error("review:\n  identity:\n    trusted_proxies: 10.0.0.5\n",
               "review.identity.trusted_proxies");
  expect_error("review:\n  identity:\n    who: me\n", "review.identity.who");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace vigil

// The `alertmanager:` section of the pipeline configuration: defaults (off),
// every key, and the mistakes it rejects with the key's path.
#include <boost/test/unit_test.hpp>

#include <string>

#include "config/pipeline_config.h"
#include "config_section.h"

namespace vigil {
namespace {

constexpr auto parse = testing::parse_section;
constexpr auto expect_error = testing::expect_section_error;

}  // namespace

BOOST_AUTO_TEST_SUITE(alertmanager_config_test)

BOOST_AUTO_TEST_CASE(off_by_default_and_in_the_national_default) {
  auto parsed = parse("");
  BOOST_REQUIRE(parsed.is_ok());
  BOOST_TEST(!parsed.value().alertmanager.enabled());
  auto national = load_pipeline_config("");
  BOOST_REQUIRE(national.is_ok());
  const AlertmanagerOptions& am = national.value().alertmanager;
  BOOST_TEST(!am.enabled());
  BOOST_TEST(am.resend_interval_seconds == 60u);
  BOOST_TEST(am.timeout_ms == 10000u);
  BOOST_TEST(am.retry_initial_backoff_ms == 500u);
  BOOST_TEST(am.retry_max_backoff_ms == 60000u);
  BOOST_TEST(am.max_alerts == 10000u);
}

BOOST_AUTO_TEST_CASE(every_key_is_read) {
  auto parsed = parse(R"(
alertmanager:
  url: https://alertmanager.monitoring:9093/prefix
  resend_interval_seconds: 30
  timeout_ms: 2500
  retry_initial_backoff_ms: 100
  retry_max_backoff_ms: 5000
  max_alerts: 77
  labels: {environment: production, team: national}
  generator_url: https://grafana.example/d/x?var-signal_id={signal_id}
  basic_auth:
    username: vigil
    password_file: /etc/vigil/am-password
  tls:
    ca_file: /etc/vigil/ca.pem
    cert_file: /etc/vigil/client.pem
    key_file: /etc/vigil/client-key.pem
    insecure_skip_verify: true
)");
  BOOST_REQUIRE_MESSAGE(parsed.is_ok(), (parsed.is_ok() ? std::string() : parsed.error().message));
  const AlertmanagerOptions& am = parsed.value().alertmanager;
  BOOST_TEST(am.enabled());
  BOOST_TEST(am.url == "https://alertmanager.monitoring:9093/prefix");
  BOOST_TEST(am.resend_interval_seconds == 30u);
  BOOST_TEST(am.timeout_ms == 2500u);
  BOOST_TEST(am.retry_initial_backoff_ms == 100u);
  BOOST_TEST(am.retry_max_backoff_ms == 5000u);
  BOOST_TEST(am.max_alerts == 77u);
  BOOST_REQUIRE(am.labels.size() == 2u);
  BOOST_TEST(am.labels[0].first == "environment");
  BOOST_TEST(am.labels[0].second == "production");
  BOOST_TEST(am.labels[1].first == "team");
  BOOST_TEST(am.generator_url == "https://grafana.example/d/x?var-signal_id={signal_id}");
  BOOST_TEST(am.basic_auth_username == "vigil");
  BOOST_TEST(am.basic_auth_password_file == "/etc/vigil/am-password");
  BOOST_TEST(am.bearer_token_file.empty());
  BOOST_TEST(am.tls.ca_file == "/etc/vigil/ca.pem");
  BOOST_TEST(am.tls.cert_file == "/etc/vigil/client.pem");
  BOOST_TEST(am.tls.key_file == "/etc/vigil/client-key.pem");
  BOOST_TEST(am.tls.insecure_skip_verify);
}

BOOST_AUTO_TEST_CASE(mistakes_are_named_by_their_key) {
  expect_error("alertmanager:\n  urll: http://x\n", "alertmanager.urll: unknown key");
  expect_error("alertmanager:\n  url: alertmanager:9093\n", "alertmanager.url");
  expect_error("alertmanager:\n  resend_interval_seconds: 0\n", "alertmanager.resend_interval_seconds");
  expect_error("alertmanager:\n  timeout_ms: 0\n", "alertmanager.timeout_ms");
  expect_error("alertmanager:\n  retry_initial_backoff_ms: 900\n  retry_max_backoff_ms: 800\n",
               "alertmanager.retry_max_backoff_ms");
  expect_error("alertmanager:\n  max_alerts: 0\n", "alertmanager.max_alerts");
  expect_error("alertmanager:\n  labels: {severity: page}\n", "alertmanager.labels.severity");
  expect_error("alertmanager:\n  labels: {bad-name: x}\n", "alertmanager.labels.bad-name");
  expect_error("alertmanager:\n  labels: {team: ''}\n", "alertmanager.labels.team");
  expect_error("alertmanager:\n  basic_auth: {username: vigil}\n", "alertmanager.basic_auth");
  expect_error("alertmanager:\n  basic_auth: {password: secret}\n", "alertmanager.basic_auth.password");
  expect_error(
      "alertmanager:\n  bearer_token_file: /t\n  basic_auth: {username: u, password_file: /p}\n",
      "alertmanager.bearer_token_file");
  expect_error("alertmanager:\n  tls: {cert_file: /c}\n", "alertmanager.tls");
  expect_error("alertmanager:\n  tls: {verify: false}\n", "alertmanager.tls.verify");
  expect_error("alertmanager: []\n", "alertmanager");
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace vigil

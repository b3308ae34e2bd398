// The Alertmanager HTTP client against a scripted local HTTP server: the
// request it sends (path, headers, credentials read from files) and how it
// classifies answers. The real Alertmanager is in alertmanager_sink_test.
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sinks/alertmanager_client.h"
#include "tests/alertmanager_server.h"
#include "tests/test_events.h"

namespace vigil {
namespace {

// Answers each connection's one request with the next scripted status and
// body, records the raw request, and closes the connection.
class ScriptedServer {
 public:
  struct Answer {
    int status;
    std::string body;
  };

  explicit ScriptedServer(std::vector<Answer> answers) : answers_(std::move(answers)) {
    const auto listener = testing::listen_on_loopback();
    fd_ = listener.fd;
    port_ = listener.port;
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }

  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<std::string> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void serve() {
    for (const Answer& answer : answers_) {
      const int conn = ::accept(fd_, nullptr, nullptr);
      if (conn < 0) return;
      std::string request;
      char buf[4096];
      size_t body_start = std::string::npos, length = 0;
      while (body_start == std::string::npos || request.size() < body_start + length) {
        const ssize_t n = ::recv(conn, buf, sizeof buf, 0);
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
        if (body_start == std::string::npos && request.find("\r\n\r\n") != std::string::npos) {
          body_start = request.find("\r\n\r\n") + 4;
          const size_t at = request.find("Content-Length: ");
          if (at != std::string::npos && at < body_start) length = std::stoul(request.substr(at + 16));
        }
      }
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      const std::string response = "HTTP/1.1 " + std::to_string(answer.status) +
                                   " Scripted\r\nContent-Type: application/json\r\nContent-Length: " +
                                   std::to_string(answer.body.size()) +
                                   "\r\nConnection: close\r\n\r\n" + answer.body;
      (void)::send(conn, response.data(), response.size(), MSG_NOSIGNAL);
      ::close(conn);
    }
  }

  std::vector<Answer> answers_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
};

bool has(const std::string& text, const std::string& fragment) {
  return text.find(fragment) != std::string::npos;
}


std::unique_ptr<AlertmanagerClient> client_for(const AlertmanagerOptions& options) {
  auto client = AlertmanagerClient::create(options);
  BOOST_REQUIRE_MESSAGE(client.is_ok(), (client.is_ok() ? std::string() : client.error().message));
  return std::move(client).value();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(alertmanager_client_test)

BOOST_AUTO_TEST_CASE(credentials_in_the_url_never_reach_a_log) {
  BOOST_TEST(redact_url_credentials("https://ops:s3cr@t@am.example:9093/prefix/api/v2/alerts") ==
             "https://***@am.example:9093/prefix/api/v2/alerts");
  BOOST_TEST(redact_url_credentials("http://token@am.example/") == "http://***@am.example/");
  // No credentials: unchanged, even with an '@' after the authority.
  BOOST_TEST(redact_url_credentials("http://am.example:9093/a@b?c=d@e") == "http://am.example:9093/a@b?c=d@e");
  BOOST_TEST(redact_url_credentials("http://127.0.0.1:9093") == "http://127.0.0.1:9093");
}

BOOST_AUTO_TEST_CASE(posts_json_to_the_alerts_endpoint_under_the_route_prefix) {
  ScriptedServer server({{200, ""}});
  AlertmanagerOptions options;
  options.url = server.url("/alertmanager/");
  auto client = client_for(options);
  BOOST_TEST(client->endpoint() == server.url("/alertmanager/api/v2/alerts"));
  const std::string body = R"([{"labels":{"alertname":"VigilSignal"}}])";
  BOOST_TEST(client->post_alerts(body).is_ok());
  const auto requests = server.requests();
  BOOST_REQUIRE(requests.size() == 1u);
  BOOST_TEST(requests[0].rfind("POST /alertmanager/api/v2/alerts HTTP/1.1\r\n", 0) == 0u);
  BOOST_TEST(has(requests[0], "\r\nContent-Type: application/json\r\n"));
  BOOST_TEST(has(requests[0], "\r\nUser-Agent: vigil/"));
  BOOST_TEST(!has(requests[0], "Authorization:"));
  BOOST_TEST(requests[0].substr(requests[0].size() - body.size()) == body);
}

BOOST_AUTO_TEST_CASE(bearer_token_is_read_from_its_file_at_every_request) {
  testing::TempDir dir;
  ScriptedServer server({{200, ""}, {200, ""}});
  AlertmanagerOptions options;
  options.url = server.url();
  options.bearer_token_file = testing::write_file(dir.sub("token"), "first-token\n");
  auto client = client_for(options);
  BOOST_TEST(client->post_alerts("[]").is_ok());
  testing::write_file(dir.sub("token"), "rotated-token");  // a Secret updated in place
  BOOST_TEST(client->post_alerts("[]").is_ok());
  const auto requests = server.requests();
  BOOST_REQUIRE(requests.size() == 2u);
  BOOST_TEST(has(requests[0], "\r\nAuthorization: Bearer first-token\r\n"));
  BOOST_TEST(has(requests[1], "\r\nAuthorization: Bearer rotated-token\r\n"));
}

BOOST_AUTO_TEST_CASE(basic_auth_password_comes_from_its_file) {
  testing::TempDir dir;
  ScriptedServer server({{200, ""}});
  AlertmanagerOptions options;
  options.url = server.url();
  options.basic_auth_username = "vigil";
  options.basic_auth_password_file = testing::write_file(dir.sub("password"), "s3cret\n");
  auto client = client_for(options);
  BOOST_TEST(client->post_alerts("[]").is_ok());
  const auto requests = server.requests();
  BOOST_REQUIRE(requests.size() == 1u);
  BOOST_TEST(has(requests[0], "\r\nAuthorization: Basic dmlnaWw6czNjcmV0\r\n"));  // vigil:s3cret
}

BOOST_AUTO_TEST_CASE(answers_are_classified_as_retryable_or_refused) {
  testing::TempDir dir;
  ScriptedServer server({{503, "\"busy\""},
                         {429, ""},
                         {408, ""},
                         {400, "\"invalid label set: invalid name \\\"bad-name\\\"\""},
                         {401, ""},
                         {200, ""}});
  AlertmanagerOptions options;
  options.url = server.url();
  options.bearer_token_file = testing::write_file(dir.sub("token"), "do-not-log-me");
  auto client = client_for(options);
  for (int i = 0; i < 3; ++i) {
    const Status s = client->post_alerts("[]");
    BOOST_REQUIRE(!s.is_ok());
    BOOST_TEST((s.error().kind == ErrorKind::kUnavailable), s.message());
  }
  const Status invalid = client->post_alerts("[]");
  BOOST_REQUIRE(!invalid.is_ok());
  BOOST_TEST((invalid.error().kind == ErrorKind::kInvalidArgument));
  BOOST_TEST(has(invalid.message(), "HTTP 400"));
  BOOST_TEST(has(invalid.message(), "invalid label set"));
  const Status unauthorized = client->post_alerts("[]");
  BOOST_REQUIRE(!unauthorized.is_ok());
  BOOST_TEST((unauthorized.error().kind == ErrorKind::kInvalidArgument));
  BOOST_TEST(!has(unauthorized.message(), "do-not-log-me"));
  BOOST_TEST(client->post_alerts("[]").is_ok());
}

BOOST_AUTO_TEST_CASE(nothing_listening_is_unavailable) {
  AlertmanagerOptions options;
  options.url = "http://127.0.0.1:" + std::to_string(testing::free_port());
  options.timeout_ms = 2000;
  auto client = client_for(options);
  const Status s = client->post_alerts("[]");
  BOOST_REQUIRE(!s.is_ok());
  BOOST_TEST((s.error().kind == ErrorKind::kUnavailable));
  BOOST_TEST(has(s.message(), options.url));
}

BOOST_AUTO_TEST_CASE(a_credential_file_that_vanishes_is_unavailable_not_fatal) {
  testing::TempDir dir;
  AlertmanagerOptions options;
  options.url = "http://127.0.0.1:" + std::to_string(testing::free_port());
  options.bearer_token_file = testing::write_file(dir.sub("token"), "t");
  auto client = client_for(options);
  std::filesystem::remove(options.bearer_token_file);
  const Status s = client->post_alerts("[]");
  BOOST_REQUIRE(!s.is_ok());
  BOOST_TEST((s.error().kind == ErrorKind::kUnavailable));
  BOOST_TEST(has(s.message(), "bearer_token_file"));
}

BOOST_AUTO_TEST_CASE(create_rejects_unusable_options) {
  testing::TempDir dir;
  const std::string token = testing::write_file(dir.sub("token"), "t");
  const auto rejected = [](const AlertmanagerOptions& o, const std::string& fragment) {
    auto client = AlertmanagerClient::create(o);
    BOOST_REQUIRE(!client.is_ok());
    BOOST_TEST((client.error().kind == ErrorKind::kInvalidArgument));
    BOOST_TEST(has(client.error().message, fragment), client.error().message);
  };
  AlertmanagerOptions o;
  o.url = "ftp://127.0.0.1:9093";
  rejected(o, "alertmanager.url");
  o.url = "http://127.0.0.1:9093";
  o.bearer_token_file = token;
  o.basic_auth_username = "u";
  o.basic_auth_password_file = token;
  rejected(o, "not both");
  o = AlertmanagerOptions{};
  o.url = "http://127.0.0.1:9093";
  o.bearer_token_file = dir.sub("missing");
  rejected(o, "alertmanager.bearer_token_file");
  o = AlertmanagerOptions{};
  o.url = "https://127.0.0.1:9093";
  o.tls.cert_file = token;
  rejected(o, "alertmanager.tls");
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace vigil

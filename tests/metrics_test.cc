// Metrics registry and HTTP endpoints (contract section 5), over real sockets.
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/civetweb_hardening.h"
#include "telemetry/http_endpoints.h"
#include "telemetry/metrics.h"
#include "tests/raw_http.h"

namespace vigil {
namespace {

using HttpResponse = testing::RawResponse;

// One HTTP/1.1 request with `Connection: close`, read to EOF (tests/raw_http.h);
// a server silent for 5 s gives status 0, so a hung server fails the test.
HttpResponse http_request(uint16_t port, const std::string& method, const std::string& path) {
  return testing::raw_exchange(port, method + " " + path +
                                         " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
}

// Every metric family contract section 5 requires, by its exposed name.
const std::vector<std::string> kContractMetrics = {
    "vigil_events_consumed_total",    "vigil_events_processed_total",
    "vigil_events_duplicate_total",   "vigil_events_dead_lettered_total",
    "vigil_events_late_total",        "vigil_signals_total",
    "vigil_consumer_lag",             "vigil_event_processing_seconds",
    "vigil_commit_seconds",           "vigil_state_bytes",
    "vigil_build_info",
};

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// The values of every sample line of `series` (its name and exact label
// set) in an exposition: one element per line, so a duplicate shows.
std::vector<std::string> series_lines(const std::string& text, const std::string& series) {
  std::vector<std::string> values;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = std::min(text.find('\n', at), text.size());
    const std::string_view line(text.data() + at, end - at);
    if (line.size() > series.size() && line.starts_with(series) && line[series.size()] == ' ') {
      values.emplace_back(line.substr(series.size() + 1));
    }
    at = end + 1;
  }
  return values;
}

// Gives every family at least one sample, as a running pipeline would.
void exercise(Metrics& metrics) {
  metrics.events_consumed.Increment(5);
  metrics.events_processed.Increment(3);
  metrics.events_duplicate.Increment();
  metrics.dead_lettered("not_json").Increment();
  metrics.events_late.Increment();
  metrics.signals("medication_farrington", SignalType::kRaised).Increment();
  metrics.signals("medication_farrington", "resolved").Increment();
  metrics.set_consumer_lag("vigil.events", 0, 42);
  metrics.set_consumer_lag("vigil.events", 1, 0);
  metrics.event_processing_seconds.Observe(3.5e-5);
  metrics.commit_seconds.Observe(0.012);
  metrics.state_bytes.Set(1 << 20);
  metrics.state_volume_capacity_bytes.Set(10 << 20);
  metrics.state_volume_available_bytes.Set(4 << 20);
  metrics.signals_open.Set(1);
}

struct Server {
  Metrics metrics{"1.2.3"};
  std::shared_ptr<std::atomic<bool>> ready = std::make_shared<std::atomic<bool>>(false);
  std::unique_ptr<HttpEndpoints> http;

  Server() {
    auto started = HttpEndpoints::start("127.0.0.1:0", metrics.registry(), ready);
    BOOST_REQUIRE_MESSAGE(started.is_ok(), (started.is_ok() ? "" : started.error().message));
    http = std::move(started).value();
    BOOST_REQUIRE(http->port() != 0);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(metrics_test)

BOOST_AUTO_TEST_CASE(scrape_text_names_every_contract_metric) {
  Metrics metrics("0.1.0");
  // A family without children is not exposed; these two get theirs at
  // startup (configured detectors) and on partition assignment.
  const std::string before = metrics.scrape_text();
  BOOST_TEST(!contains(before, "vigil_signals_total"));
  BOOST_TEST(!contains(before, "vigil_consumer_lag"));
  metrics.register_detector("fall_cusum");
  metrics.set_consumer_lag("vigil.events", 0, 0);

  const std::string text = metrics.scrape_text();
  for (const std::string& name : kContractMetrics) {
    BOOST_TEST_INFO(name);
    BOOST_TEST(contains(text, "# TYPE " + name + " "));
  }
  for (const char* type : {"raised", "updated", "resolved"}) {
    BOOST_TEST_INFO(type);
    BOOST_TEST(contains(text, std::string("vigil_signals_total{detector=\"fall_cusum\",type=\"") +
                                  type + "\"} 0"));
  }
  BOOST_TEST(contains(text, "# TYPE vigil_event_processing_seconds histogram"));
  BOOST_TEST(contains(text, "# TYPE vigil_commit_seconds histogram"));
  BOOST_TEST(contains(text, "# TYPE vigil_consumer_lag gauge"));
  BOOST_TEST(contains(text, "vigil_build_info{version=\"0.1.0\"} 1"));
  // Every reason code is visible (as 0) before the first invalid event.
  for (const std::string& reason : default_dead_letter_reasons()) {
    BOOST_TEST_INFO(reason);
    BOOST_TEST(contains(text, "vigil_events_dead_lettered_total{reason=\"" + reason + "\"} 0"));
  }
  // Buckets span microseconds to seconds.
  BOOST_TEST(contains(text, "vigil_event_processing_seconds_bucket{le=\"1e-06\"}"));
  BOOST_TEST(contains(text, "vigil_event_processing_seconds_bucket{le=\"10\"}"));
  BOOST_TEST(contains(text, "vigil_commit_seconds_bucket{le=\"0.0001\"}"));
  BOOST_TEST(contains(text, "vigil_commit_seconds_bucket{le=\"30\"}"));
}

BOOST_AUTO_TEST_CASE(cached_references_count_and_label) {
  Metrics metrics("0.1.0");
  exercise(metrics);
  // Counting through the cached references: every label set is one series,
  // whichever overload and however often it is looked up, and two label
  // sets never share a counter.
  metrics.signals("d", "raised").Increment();
  metrics.signals("d", SignalType::kRaised).Increment();
  metrics.signals("d", SignalType::kResolved).Increment();
  metrics.dead_lettered("some_new_reason").Increment(2);
  metrics.dead_lettered("another_new_reason").Increment();
  const std::string counted = metrics.scrape_text();
  BOOST_TEST(series_lines(counted, "vigil_signals_total{detector=\"d\",type=\"raised\"}") ==
             std::vector<std::string>{"2"}, boost::test_tools::per_element());
  BOOST_TEST(series_lines(counted, "vigil_signals_total{detector=\"d\",type=\"resolved\"}") ==
             std::vector<std::string>{"1"}, boost::test_tools::per_element());
  BOOST_TEST(series_lines(counted, "vigil_events_dead_lettered_total{reason=\"some_new_reason\"}") ==
             std::vector<std::string>{"2"}, boost::test_tools::per_element());
  BOOST_TEST(series_lines(counted, "vigil_events_dead_lettered_total{reason=\"another_new_reason\"}") ==
             std::vector<std::string>{"1"}, boost::test_tools::per_element());

  const std::string text = metrics.scrape_text();
  BOOST_TEST(contains(text, "vigil_events_consumed_total 5"));
  BOOST_TEST(contains(text, "vigil_events_processed_total 3"));
  BOOST_TEST(contains(text, "vigil_events_duplicate_total 1"));
  BOOST_TEST(contains(text, "vigil_events_late_total 1"));
  BOOST_TEST(contains(text, "vigil_events_dead_lettered_total{reason=\"not_json\"} 1"));
  BOOST_TEST(contains(text, "vigil_events_dead_lettered_total{reason=\"too_large\"} 0"));
  BOOST_TEST(contains(text, "vigil_events_dead_lettered_total{reason=\"some_new_reason\"} 2"));
  BOOST_TEST(contains(text,
                      "vigil_signals_total{detector=\"medication_farrington\",type=\"raised\"} 1"));
  BOOST_TEST(contains(
      text, "vigil_signals_total{detector=\"medication_farrington\",type=\"resolved\"} 1"));
  BOOST_TEST(contains(text, "vigil_consumer_lag{partition=\"0\",topic=\"vigil.events\"} 42"));
  BOOST_TEST(contains(text, "vigil_state_bytes 1048576"));
  BOOST_TEST(contains(text, "vigil_state_volume_capacity_bytes 10485760"));
  BOOST_TEST(contains(text, "vigil_state_volume_available_bytes 4194304"));
  BOOST_TEST(contains(text, "vigil_event_processing_seconds_count 1"));
  BOOST_TEST(contains(text, "vigil_commit_seconds_sum 0.012"));

  metrics.set_consumer_lag("vigil.events", 0, 7);
  BOOST_TEST(contains(metrics.scrape_text(),
                      "vigil_consumer_lag{partition=\"0\",topic=\"vigil.events\"} 7"));
  metrics.remove_consumer_lag("vigil.events", 0);
  metrics.remove_consumer_lag("vigil.events", 99);  // absent: no-op
  const std::string after = metrics.scrape_text();
  BOOST_TEST(!contains(after, "partition=\"0\",topic=\"vigil.events\""));
  BOOST_TEST(contains(after, "vigil_consumer_lag{partition=\"1\",topic=\"vigil.events\"} 0"));
}

BOOST_AUTO_TEST_CASE(operations_metrics_for_alerts_and_dashboards) {
  Metrics metrics("0.1.0");
  const std::string before = metrics.scrape_text();
  // Readiness, restarts and every commit stage exist from the first scrape.
  BOOST_TEST(contains(before, "vigil_ready 0"));
  BOOST_TEST(contains(before, "# TYPE vigil_start_time_seconds gauge"));
  for (const char* stage : {"produce", "state", "offsets"}) {
    BOOST_TEST_INFO(stage);
    BOOST_TEST(contains(before, std::string("vigil_commit_failures_total{stage=\"") + stage + "\"} 0"));
  }
  BOOST_TEST(metrics.start_time_seconds.Value() > 1.7e9);  // a Unix time, not an uptime

  metrics.register_detector("fatal_rule");
  for (const char* severity : {"low", "medium", "high", "critical"}) {
    BOOST_TEST_INFO(severity);
    BOOST_TEST(contains(metrics.scrape_text(),
                        std::string("vigil_signals_raised_total{detector=\"fatal_rule\",severity=\"") +
                            severity + "\"} 0"));
  }
  Signal raised;
  raised.detector = "fatal_rule";
  raised.type = SignalType::kRaised;
  raised.severity = Severity::kCritical;
  metrics.record_signal(raised);
  Signal resolved = raised;
  resolved.type = SignalType::kResolved;
  metrics.record_signal(resolved);
  Signal other = raised;  // a detector never registered is counted all the same
  other.detector = "late_rule";
  other.severity = Severity::kHigh;
  metrics.record_signal(other);
  metrics.commit_failures(CommitStage::kOffsets).Increment();
  metrics.ready.Set(1);

  const std::string text = metrics.scrape_text();
  BOOST_TEST(contains(text, "vigil_signals_total{detector=\"fatal_rule\",type=\"raised\"} 1"));
  BOOST_TEST(contains(text, "vigil_signals_total{detector=\"fatal_rule\",type=\"resolved\"} 1"));
  BOOST_TEST(contains(text, "vigil_signals_raised_total{detector=\"fatal_rule\",severity=\"critical\"} 1"));
  BOOST_TEST(contains(text, "vigil_signals_raised_total{detector=\"fatal_rule\",severity=\"high\"} 0"));
  BOOST_TEST(contains(text, "vigil_signals_raised_total{detector=\"late_rule\",severity=\"high\"} 1"));
  BOOST_TEST(contains(text, "vigil_commit_failures_total{stage=\"offsets\"} 1"));
  BOOST_TEST(contains(text, "vigil_ready 1"));
  BOOST_TEST(to_string(CommitStage::kProduce) == "produce");
}

BOOST_AUTO_TEST_CASE(promtool_accepts_the_exposition) {
  // promtool comes with the Debian `prometheus` package (tools/ installer);
  // its absence is a broken environment, not a reason to skip.
  BOOST_REQUIRE_MESSAGE(std::system("command -v promtool >/dev/null 2>&1") == 0,
                        "promtool not on PATH: install the Debian package `prometheus`");
  Metrics metrics("0.1.0");
  exercise(metrics);
  for (const bool with_samples : {false, true}) {
    Metrics fresh("0.1.0");  // as just after startup: no samples yet
    const std::string text = with_samples ? metrics.scrape_text() : fresh.scrape_text();
    char path[] = "/tmp/vigil_metrics_XXXXXX";
    const int fd = ::mkstemp(path);
    BOOST_REQUIRE(fd >= 0);
    BOOST_REQUIRE(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    ::close(fd);
    const std::string command = std::string("promtool check metrics < ") + path;
    const int rc = std::system(command.c_str());
    ::unlink(path);
    BOOST_TEST_INFO("with_samples=" << with_samples);
    BOOST_TEST((WIFEXITED(rc) && WEXITSTATUS(rc) == 0));
  }
}

BOOST_AUTO_TEST_CASE(serves_metrics_health_and_readiness_on_one_port) {
  Server server;
  exercise(server.metrics);
  const uint16_t port = server.http->port();

  const HttpResponse metrics = http_request(port, "GET", "/metrics");
  BOOST_TEST(metrics.status == 200);
  BOOST_TEST(contains(metrics.headers, "text/plain; version=0.0.4"));
  for (const std::string& name : kContractMetrics) {
    BOOST_TEST_INFO(name);
    BOOST_TEST(contains(metrics.body, "# TYPE " + name + " "));
  }
  BOOST_TEST(contains(metrics.body, "vigil_events_consumed_total 5"));
  server.metrics.events_consumed.Increment();
  BOOST_TEST(contains(http_request(port, "GET", "/metrics").body, "vigil_events_consumed_total 6"));

  const HttpResponse health = http_request(port, "GET", "/healthz");
  BOOST_TEST(health.status == 200);
  BOOST_TEST(health.body == "ok");

  // Readiness follows the flag both ways; liveness does not depend on it.
  BOOST_TEST(http_request(port, "GET", "/readyz").status == 503);
  BOOST_TEST(http_request(port, "GET", "/readyz").body == "not ready");
  server.ready->store(true);
  const HttpResponse ready = http_request(port, "GET", "/readyz");
  BOOST_TEST(ready.status == 200);
  BOOST_TEST(ready.body == "ready");
  server.ready->store(false);
  BOOST_TEST(http_request(port, "GET", "/readyz").status == 503);
  BOOST_TEST(http_request(port, "GET", "/healthz").status == 200);
}

BOOST_AUTO_TEST_CASE(other_paths_and_methods) {
  Server server;
  const uint16_t port = server.http->port();
  BOOST_TEST(http_request(port, "GET", "/").status == 404);
  BOOST_TEST(http_request(port, "GET", "/metricsx").status == 404);
  BOOST_TEST(http_request(port, "GET", "/healthz/deep").status == 404);
  const HttpResponse post = http_request(port, "POST", "/metrics");
  BOOST_TEST(post.status == 405);
  BOOST_TEST(contains(post.headers, "Allow: GET, HEAD"));
  const HttpResponse head = http_request(port, "HEAD", "/healthz");
  BOOST_TEST(head.status == 200);
  BOOST_TEST(head.body.empty());
}

BOOST_AUTO_TEST_CASE(slow_clients_do_not_starve_healthz) {
  // Eight clients each send the start of a request and then hold their
  // connection: with the old two workers (and a 10 s request timeout) they
  // took every worker, and /healthz waited 40 s behind them. The answer is
  // asserted; the 20 s is only how long the test waits before failing.
  Server server;
  const uint16_t port = server.http->port();
  std::vector<std::unique_ptr<testing::SlowClient>> slow;
  for (int i = 0; i < 8; ++i) {
    slow.push_back(std::make_unique<testing::SlowClient>(port));
    BOOST_TEST_REQUIRE(slow.back()->connected());
  }
  const testing::RawResponse health = testing::raw_get(port, "/healthz", "", 20);
  BOOST_TEST(health.status == 200);
  BOOST_TEST(health.body == "ok");
  server.ready->store(true);
  BOOST_TEST(testing::raw_get(port, "/readyz", "", 20).status == 200);
}

BOOST_AUTO_TEST_CASE(long_and_malformed_request_targets_are_refused) {
  // The published crash input of CVE-2025-55763 is a GET of a path of many
  // slashes; such a path (empty segments), dot segments, control
  // characters, a long target and oversized headers are answered before any
  // handler runs, and the server goes on serving.
  Server server;
  const uint16_t port = server.http->port();
  BOOST_TEST(testing::raw_get(port, "/" + std::string(1000, '/')).status == 400);
  BOOST_TEST(testing::raw_get(port, "//healthz").status == 400);
  BOOST_TEST(testing::raw_get(port, "/metrics/../healthz").status == 400);
  BOOST_TEST(testing::raw_get(port, "/./healthz").status == 400);
  BOOST_TEST(testing::raw_get(port, "/healthz/..").status == 400);
  BOOST_TEST(testing::raw_get(port, "/healthz%0a").status == 400);
  BOOST_TEST(testing::raw_get(port, "/healthz?x=%00").status == 400);
  BOOST_TEST(testing::raw_get(port, "/healthz?x=\xff").status == 400);
  BOOST_TEST(testing::raw_get(port, "/healthz?" + std::string(kMaxRequestTargetBytes, 'a')).status == 414);
  BOOST_TEST(testing::raw_get(port, "/" + std::string(kMaxRequestTargetBytes, 'a')).status == 414);
  // Headers beyond the request size limit: civetweb 1.15 answers 400
  // ("Request Too Large") without handing the request on.
  const testing::RawResponse big =
      testing::raw_get(port, "/healthz", "X-Filler: " + std::string(kHttpMaxRequestBytes, 'x') + "\r\n");
  BOOST_TEST(big.status == 400);
  // Targets just inside the limits are served as before.
  BOOST_TEST(testing::raw_get(port, "/healthz?" + std::string(kMaxRequestTargetBytes - 9, 'a')).status == 200);
  BOOST_TEST(testing::raw_get(port, "/healthz", "X-Filler: " + std::string(4000, 'x') + "\r\n").status == 200);
  BOOST_TEST(testing::raw_get(port, "/healthz?x=%41%2F").status == 200);
  BOOST_TEST(testing::raw_get(port, "/").status == 404);
  BOOST_TEST(testing::raw_get(port, "/healthz").status == 200);
}

BOOST_AUTO_TEST_CASE(request_target_rules) {
  BOOST_TEST(request_target_status("/", nullptr) == 0);
  BOOST_TEST(request_target_status("/static/", "") == 0);
  BOOST_TEST(request_target_status("/api/v1/signals", "severity=high&text=a%20b") == 0);
  BOOST_TEST(request_target_status(nullptr, nullptr) == 400);
  BOOST_TEST(request_target_status("*", nullptr) == 400);
  BOOST_TEST(request_target_status("healthz", nullptr) == 400);
  BOOST_TEST(request_target_status("/a//b", nullptr) == 400);
  BOOST_TEST(request_target_status("/a/.", nullptr) == 400);
  BOOST_TEST(request_target_status("/a/../b", nullptr) == 400);
  BOOST_TEST(request_target_status("/a/..b/.c", nullptr) == 0);  // dots inside names are fine
  BOOST_TEST(request_target_status("/a b", nullptr) == 400);
  BOOST_TEST(request_target_status("/a\\..\\b", nullptr) == 400);
  BOOST_TEST(request_target_status("/a", "q=%1f") == 400);
  BOOST_TEST(request_target_status("/a", "q=%7F") == 400);
  BOOST_TEST(request_target_status("/a", "q=%2f%7e%") == 0);
  const std::string path(kMaxRequestTargetBytes - 3, 'a');
  BOOST_TEST(request_target_status(("/" + path).c_str(), "q") == 0);  // exactly the limit
  BOOST_TEST(request_target_status(("/" + path).c_str(), "qq") == 414);
}

BOOST_AUTO_TEST_CASE(port_in_use_is_an_error_not_an_exception) {
  Server first;
  const std::string address = "127.0.0.1:" + std::to_string(first.http->port());
  auto second = HttpEndpoints::start(address, first.metrics.registry(), first.ready);
  BOOST_REQUIRE(!second.is_ok());
  BOOST_TEST((second.error().kind == ErrorKind::kUnavailable));
  BOOST_TEST_MESSAGE("port in use: " << second.error().message);
  BOOST_TEST(contains(second.error().message, address));
  // The first server is unaffected.
  BOOST_TEST(http_request(first.http->port(), "GET", "/healthz").status == 200);
}

BOOST_AUTO_TEST_CASE(bad_arguments_are_rejected) {
  Metrics metrics("0.1.0");
  auto ready = std::make_shared<std::atomic<bool>>(true);
  auto no_registry = HttpEndpoints::start("127.0.0.1:0", nullptr, ready);
  BOOST_REQUIRE(!no_registry.is_ok());
  BOOST_TEST((no_registry.error().kind == ErrorKind::kInvalidArgument));
  auto no_flag = HttpEndpoints::start("127.0.0.1:0", metrics.registry(), nullptr);
  BOOST_REQUIRE(!no_flag.is_ok());
  BOOST_TEST((no_flag.error().kind == ErrorKind::kInvalidArgument));
  auto garbage = HttpEndpoints::start("not an address", metrics.registry(), ready);
  BOOST_TEST(!garbage.is_ok());
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace vigil

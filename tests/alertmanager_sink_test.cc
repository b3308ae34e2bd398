// The Alertmanager sink against a real Alertmanager (Debian's
// prometheus-alertmanager on 127.0.0.1): a raised signal fires with the
// right labels, is re-sent while open and resolves; a severity rise moves
// the alert to a new label set; an Alertmanager that is down at first gets
// the latest state once it starts; a hung one never blocks deliver(); TLS and
// basic auth work. Waits poll with a deadline; no sleep asserts a timing.
#include <boost/test/unit_test.hpp>

#include <prometheus/text_serializer.h>
#include <simdjson.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "core/civil_date.h"
#include "review/latest_decisions.h"
#include "sinks/alertmanager_metrics.h"
#include "sinks/alertmanager_sink.h"
#include "tests/alertmanager_server.h"
#include "tests/test_events.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;
using testing::AlertmanagerServer;

struct ActiveAlert {
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  int64_t starts_at = 0;  // unix seconds
  int64_t ends_at = 0;
  std::string state;
};

std::map<std::string, std::string> string_map(simdjson::dom::element e) {
  std::map<std::string, std::string> out;
  simdjson::dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) return out;
  for (auto field : object) {
    std::string_view value;
    if (field.value.get_string().get(value) == simdjson::SUCCESS) out[std::string(field.key)] = value;
  }
  return out;
}

int64_t unix_seconds(simdjson::dom::element e) {
  std::string_view text;
  if (e.get_string().get(text) != simdjson::SUCCESS) return 0;
  const auto t = parse_rfc3339(text);
  return t ? t->unix_seconds : 0;
}

// GET /api/v2/alerts: the alerts Alertmanager holds as not resolved.
std::vector<ActiveAlert> active_alerts(const AlertmanagerServer& am) {
  const auto answer = am.get("/api/v2/alerts");
  BOOST_REQUIRE_MESSAGE(answer.status == 200, "GET /api/v2/alerts: " + std::to_string(answer.status));
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  BOOST_REQUIRE(parser.parse(answer.body).get(root) == simdjson::SUCCESS);
  simdjson::dom::array array;
  BOOST_REQUIRE(root.get_array().get(array) == simdjson::SUCCESS);
  std::vector<ActiveAlert> out;
  for (auto item : array) {
    ActiveAlert a;
    a.labels = string_map(item["labels"]);
    a.annotations = string_map(item["annotations"]);
    a.starts_at = unix_seconds(item["startsAt"]);
    a.ends_at = unix_seconds(item["endsAt"]);
    std::string_view state;
    if (item["status"]["state"].get_string().get(state) == simdjson::SUCCESS) a.state = state;
    out.push_back(std::move(a));
  }
  return out;
}

std::optional<ActiveAlert> find_alert(const AlertmanagerServer& am, const std::string& signal_id,
                                      const std::string& severity = "") {
  for (auto& a : active_alerts(am)) {
    if (a.labels["signal_id"] == signal_id && (severity.empty() || a.labels["severity"] == severity)) {
      return a;
    }
  }
  return std::nullopt;
}

// A counter from Alertmanager's own /metrics, e.g.
// alertmanager_alerts_received_total{status="resolved",version="v2"}.
double am_metric(const AlertmanagerServer& am, const std::string& series) {
  const auto answer = am.get("/metrics");
  const size_t at = answer.body.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(answer.body.substr(at + series.size() + 2));
}

const std::string kResolvedReceived = R"(alertmanager_alerts_received_total{status="resolved",version="v2"})";

// A sample of the sink's own metrics as /metrics exposes them, e.g.
// vigil_alertmanager_sends_total{result="rejected"}; -1 if absent.
double sink_metric(prometheus::Registry& registry, const std::string& series) {
  const std::string text = "\n" + prometheus::TextSerializer().Serialize(registry.Collect());
  const size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::seconds limit = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return predicate();
}

Signal make_signal(const std::string& id, SignalType type, uint32_t sequence,
                   Severity severity = Severity::kMedium) {
  Signal s;
  s.type = type;
  s.signal_id = id;
  s.sequence = sequence;
  s.detector = "category_region_weekly";
  s.method = "earsC2";
  s.key = {{"category", "medication"}, {"region", "Y56"}};
  s.period_start = Date{20150};
  s.period_end = Date{20156};
  s.fired_at = Date{20171};
  s.observed = 10 + static_cast<int64_t>(sequence);
  s.expected = 4.5;
  s.threshold = 8.25;
  s.severity = severity;
  s.evidence_count = s.observed;
  s.evidence_orgs = 3;
  s.summary = std::string(to_string(type)) + " summary of " + id;
  return s;
}

AlertmanagerOptions fast_options(const std::string& url) {
  AlertmanagerOptions o;
  o.url = url;
  o.resend_interval_seconds = 1;
  o.timeout_ms = 5000;
  o.retry_initial_backoff_ms = 50;
  o.retry_max_backoff_ms = 400;
  return o;
}

std::unique_ptr<AlertmanagerSink> make_sink(const AlertmanagerOptions& options,
                                            prometheus::Registry& registry) {
  auto sink = AlertmanagerSink::create(options, "test", registry);
  BOOST_REQUIRE_MESSAGE(sink.is_ok(), (sink.is_ok() ? std::string() : sink.error().message));
  return std::move(sink).value();
}

void deliver(AlertmanagerSink& sink, const Signal& s) {
  const Status st = sink.deliver(std::span<const Signal>(&s, 1));
  BOOST_REQUIRE_MESSAGE(st.is_ok(), st.message());
}

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::unique_ptr<AlertmanagerServer> start_alertmanager(AlertmanagerServer::Options options = {}) {
  auto am = AlertmanagerServer::start(std::move(options));
  BOOST_REQUIRE_MESSAGE(am != nullptr, "prometheus-alertmanager did not start (tools/install-deps.sh "
                                       "installs it)");
  return am;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(alertmanager_sink_test)

BOOST_AUTO_TEST_CASE(raised_signal_fires_is_resent_while_open_and_resolves) {
  auto am = start_alertmanager();
  prometheus::Registry registry;
  auto sink = make_sink(fast_options(am->url()), registry);
  AlertmanagerMetrics metrics(registry);  // the sink's own series, read back
  const double resolved_before = am_metric(*am, kResolvedReceived);

  const int64_t raised_at = now_seconds();
  deliver(*sink, make_signal("a1a1a1a1a1a1a1a1", SignalType::kRaised, 1));
  std::optional<ActiveAlert> alert;
  BOOST_REQUIRE(eventually([&] { return (alert = find_alert(*am, "a1a1a1a1a1a1a1a1")).has_value(); }));
  const int64_t seen_at = now_seconds();
  BOOST_TEST(alert->state == "active");
  const std::map<std::string, std::string> expected_labels = {
      {"alertname", "VigilSignal"}, {"signal_id", "a1a1a1a1a1a1a1a1"},
      {"detector", "category_region_weekly"}, {"method", "earsC2"}, {"severity", "medium"},
      {"pipeline", "test"}, {"category", "medication"}, {"region", "Y56"}};
  BOOST_TEST((alert->labels == expected_labels));
  BOOST_TEST(alert->annotations["summary"] == "raised summary of a1a1a1a1a1a1a1a1");
  BOOST_TEST(alert->annotations["cloudevent_id"] == "a1a1a1a1a1a1a1a1-1");
  BOOST_TEST(alert->annotations["period"] == "2025-03-03/2025-03-09");
  // Wall-clock times: starts when the sink got the raise, firing for four
  // resend intervals (1 s here) from the (latest) send. The send came after
  // the raise and before the alert was seen, however long it took; times
  // are compared in whole seconds, hence the 1 s slack.
  BOOST_TEST(alert->starts_at >= raised_at - 1);
  BOOST_TEST(alert->starts_at <= seen_at + 1);
  BOOST_TEST(alert->ends_at >= alert->starts_at + 4 - 1);
  BOOST_TEST(alert->ends_at <= seen_at + 4 + 1);

  // Re-sent while open: Alertmanager's endsAt keeps moving forward.
  const int64_t first_ends_at = alert->ends_at;
  BOOST_TEST(eventually([&] {
    const auto a = find_alert(*am, "a1a1a1a1a1a1a1a1");
    return a && a->ends_at >= first_ends_at + 2;
  }));
  BOOST_TEST(metrics.alerts_sent_firing.Value() >= 2);

  // An update changes the annotations of the same alert.
  deliver(*sink, make_signal("a1a1a1a1a1a1a1a1", SignalType::kUpdated, 2));
  BOOST_TEST(eventually([&] {
    auto a = find_alert(*am, "a1a1a1a1a1a1a1a1");
    return a && a->annotations["sequence"] == "2" && a->annotations["observed"] == "12";
  }));

  // Resolved: Alertmanager receives it as resolved and no longer lists it.
  deliver(*sink, make_signal("a1a1a1a1a1a1a1a1", SignalType::kResolved, 3));
  BOOST_TEST(eventually([&] { return !find_alert(*am, "a1a1a1a1a1a1a1a1").has_value(); }));
  BOOST_TEST(am_metric(*am, kResolvedReceived) >= resolved_before + 1);
  BOOST_TEST(eventually([&] { return sink->held_alerts() == 0; }));
  BOOST_TEST(metrics.alerts_sent_resolved.Value() == 1);
  BOOST_TEST(metrics.sends_error.Value() == 0);
  BOOST_TEST(metrics.open_alerts.Value() == 0);
  BOOST_TEST(metrics.queue_depth.Value() == 0);
  sink->shutdown();
}

BOOST_AUTO_TEST_CASE(a_severity_rise_moves_the_alert_to_its_new_label_set) {
  auto am = start_alertmanager();
  prometheus::Registry registry;
  AlertmanagerOptions options = fast_options(am->url());
  options.resend_interval_seconds = 60;  // nothing lapses during the test
  auto sink = make_sink(options, registry);

  deliver(*sink, make_signal("b2b2b2b2b2b2b2b2", SignalType::kRaised, 1, Severity::kMedium));
  BOOST_REQUIRE(eventually([&] { return find_alert(*am, "b2b2b2b2b2b2b2b2", "medium").has_value(); }));
  deliver(*sink, make_signal("b2b2b2b2b2b2b2b2", SignalType::kUpdated, 2, Severity::kHigh));
  BOOST_TEST(eventually([&] {
    return find_alert(*am, "b2b2b2b2b2b2b2b2", "high").has_value() &&
           !find_alert(*am, "b2b2b2b2b2b2b2b2", "medium").has_value();
  }));
  // A resolved transition carries the base severity; the alert that fires
  // (severity high) is the one resolved.
  deliver(*sink, make_signal("b2b2b2b2b2b2b2b2", SignalType::kResolved, 3, Severity::kMedium));
  BOOST_TEST(eventually([&] { return !find_alert(*am, "b2b2b2b2b2b2b2b2").has_value(); }));
  sink->shutdown();
}

BOOST_AUTO_TEST_CASE(alertmanager_down_at_first_gets_the_latest_state_once_it_starts) {
  const uint16_t port = testing::free_port();
  prometheus::Registry registry;
  AlertmanagerOptions options = fast_options("http://127.0.0.1:" + std::to_string(port));
  options.resend_interval_seconds = 60;
  auto sink = make_sink(options, registry);
  AlertmanagerMetrics metrics(registry);

  deliver(*sink, make_signal("c3c3c3c3c3c3c3c3", SignalType::kRaised, 1));
  deliver(*sink, make_signal("d4d4d4d4d4d4d4d4", SignalType::kRaised, 1));
  deliver(*sink, make_signal("d4d4d4d4d4d4d4d4", SignalType::kResolved, 2));
  // Failing and retrying, holding both alerts' latest state.
  BOOST_REQUIRE(eventually([&] { return metrics.sends_error.Value() >= 3; }));
  BOOST_TEST(sink->held_alerts() == 2u);
  BOOST_TEST(metrics.queue_depth.Value() == 2);
  BOOST_TEST(metrics.open_alerts.Value() == 1);

  AlertmanagerServer::Options am_options;
  am_options.port = port;
  auto am = start_alertmanager(am_options);
  BOOST_TEST(eventually([&] { return find_alert(*am, "c3c3c3c3c3c3c3c3").has_value(); }));
  BOOST_TEST(eventually([&] { return am_metric(*am, kResolvedReceived) >= 1; }));
  BOOST_TEST(!find_alert(*am, "d4d4d4d4d4d4d4d4").has_value());
  BOOST_TEST(eventually([&] { return sink->pending_alerts() == 0; }));
  BOOST_TEST(sink->held_alerts() == 1u);  // the open one, kept for re-sending
  BOOST_TEST(metrics.sends_success.Value() >= 1);
  sink->shutdown();
}

BOOST_AUTO_TEST_CASE(a_hung_alertmanager_never_blocks_deliver_and_memory_stays_bounded) {
  // A server that takes the request and never answers: the delivery thread
  // sits in its request until the (long) timeout.
  const auto [listener, port] = testing::listen_on_loopback(4);

  prometheus::Registry registry;
  AlertmanagerOptions options = fast_options("http://127.0.0.1:" + std::to_string(port));
  options.timeout_ms = 120000;
  options.max_alerts = 100;
  auto sink = make_sink(options, registry);
  AlertmanagerMetrics metrics(registry);

  deliver(*sink, make_signal("e5e5e5e5e5e5e5e5", SignalType::kRaised, 1));
  const int conn = ::accept(listener, nullptr, nullptr);
  BOOST_REQUIRE(conn >= 0);
  std::string request;
  char buf[4096];
  while (request.find("\r\n\r\n") == std::string::npos) {
    const ssize_t n = ::recv(conn, buf, sizeof buf, 0);
    BOOST_REQUIRE(n > 0);
    request.append(buf, static_cast<size_t>(n));
  }
  BOOST_TEST(request.rfind("POST /api/v2/alerts", 0) == 0u);

  // The delivery thread now waits for an answer that never comes. deliver()
  // must still return, whatever it is given: 300 new episodes and their
  // updates, three times what the sink may hold.
  auto delivered = std::async(std::launch::async, [&] {
    size_t refused_calls = 0;
    for (int i = 0; i < 300; ++i) {
      char id[17];
      std::snprintf(id, sizeof id, "%016x", 0x100000 + i);
      const Signal raised = make_signal(id, SignalType::kRaised, 1);
      const Signal updated = make_signal(id, SignalType::kUpdated, 2);
      if (!sink->deliver(std::span<const Signal>(&raised, 1)).is_ok()) ++refused_calls;
      if (!sink->deliver(std::span<const Signal>(&updated, 1)).is_ok()) ++refused_calls;
    }
    return refused_calls;
  });
  BOOST_REQUIRE_MESSAGE(delivered.wait_for(60s) == std::future_status::ready,
                        "deliver() blocked while Alertmanager hung");
  BOOST_TEST(delivered.get() == 402u);  // 201 episodes did not fit, each refused twice
  BOOST_TEST(sink->held_alerts() == 100u);
  BOOST_TEST(metrics.dropped_queue_full.Value() == 402);

  // Hang up: the request fails, is counted, and retried (refused now: the
  // listener goes first so no retry can land in its backlog and hang again).
  ::close(listener);
  ::close(conn);
  BOOST_TEST(eventually([&] { return metrics.sends_error.Value() >= 2; }));
  sink->shutdown();  // one last attempt, refused at once
  BOOST_TEST(sink->held_alerts() == 100u);
}

namespace {

// One whole HTTP request from `fd` (headers, and a body of Content-Length
// bytes); empty if the peer closed the connection first.
std::string read_http_request(int fd) {
  std::string request;
  char buf[4096];
  size_t body_at = std::string::npos;
  size_t length = 0;
  for (;;) {
    if (body_at == std::string::npos) {
      body_at = request.find("\r\n\r\n");
      if (body_at != std::string::npos) {
        body_at += 4;
        const size_t field = request.find("Content-Length: ");
        if (field != std::string::npos && field < body_at) length = std::stoul(request.substr(field + 16));
      }
    }
    if (body_at != std::string::npos && request.size() >= body_at + length) return request;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return {};
    request.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_severity_rise_while_the_first_send_is_in_flight_still_resolves_the_old_label_set) {
  // A server that holds the first request until the rise has been handed to
  // the sink: the rise overtakes the answer, which is the order a slow
  // Alertmanager or a busy machine produces. Alertmanager holds the medium
  // label set by then, so the sink must resolve it, not leave it firing
  // until its endsAt.
  const auto [listener, port] = testing::listen_on_loopback(4);

  prometheus::Registry registry;
  AlertmanagerOptions options = fast_options("http://127.0.0.1:" + std::to_string(port));
  options.resend_interval_seconds = 60;
  auto sink = make_sink(options, registry);

  deliver(*sink, make_signal("a7a7a7a7a7a7a7a7", SignalType::kRaised, 1, Severity::kMedium));
  int conn = ::accept(listener, nullptr, nullptr);
  BOOST_REQUIRE(conn >= 0);
  const std::string first = read_http_request(conn);
  BOOST_REQUIRE(first.find("\"severity\":\"medium\"") != std::string::npos);
  deliver(*sink, make_signal("a7a7a7a7a7a7a7a7", SignalType::kUpdated, 2, Severity::kHigh));
  const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  BOOST_REQUIRE(::send(conn, ok.data(), ok.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(ok.size()));

  // The next request, on the same connection or a new one.
  std::string second = read_http_request(conn);
  if (second.empty()) {
    ::close(conn);
    conn = ::accept(listener, nullptr, nullptr);
    BOOST_REQUIRE(conn >= 0);
    second = read_http_request(conn);
  }
  BOOST_TEST(second.find("\"severity\":\"high\"") != std::string::npos, second);
  BOOST_TEST(second.find("\"severity\":\"medium\"") != std::string::npos,
             "the medium label set Alertmanager holds is not resolved: " << second);
  BOOST_REQUIRE(::send(conn, ok.data(), ok.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(ok.size()));
  sink->shutdown();
  ::close(conn);
  ::close(listener);
}

BOOST_AUTO_TEST_CASE(shutdown_delivers_the_last_transitions) {
  auto am = start_alertmanager();
  prometheus::Registry registry;
  AlertmanagerOptions options = fast_options(am->url());
  options.resend_interval_seconds = 60;
  auto sink = make_sink(options, registry);
  deliver(*sink, make_signal("f6f6f6f6f6f6f6f6", SignalType::kRaised, 1));
  BOOST_REQUIRE(eventually([&] { return find_alert(*am, "f6f6f6f6f6f6f6f6").has_value(); }));
  deliver(*sink, make_signal("f6f6f6f6f6f6f6f6", SignalType::kResolved, 2));
  deliver(*sink, make_signal("0707070707070707", SignalType::kRaised, 1));
  sink->shutdown();
  // Alertmanager has stored both before answering the last request.
  BOOST_TEST(!find_alert(*am, "f6f6f6f6f6f6f6f6").has_value());
  BOOST_TEST(find_alert(*am, "0707070707070707").has_value());
  BOOST_TEST(sink->pending_alerts() == 0u);
  // After shutdown deliver() accepts and ignores.
  deliver(*sink, make_signal("0808080808080808", SignalType::kRaised, 1));
  BOOST_TEST(sink->held_alerts() == 1u);
}

BOOST_AUTO_TEST_CASE(a_restarted_alertmanager_gets_every_open_alert_again) {
  // Alertmanager keeps alerts in memory: restarted, it knows none. The sink
  // re-sends every open alert in its latest state, and delivers what
  // resolved while it was away (README "Delivery").
  auto am = start_alertmanager();
  const uint16_t port = am->port();
  prometheus::Registry registry;
  auto sink = make_sink(fast_options(am->url()), registry);  // re-sent every second
  AlertmanagerMetrics metrics(registry);
  deliver(*sink, make_signal("1111111111111111", SignalType::kRaised, 1));  // unchanged throughout
  deliver(*sink, make_signal("2222222222222222", SignalType::kRaised, 1));  // updated while it is down
  deliver(*sink, make_signal("3333333333333333", SignalType::kRaised, 1));  // resolved while it is down
  BOOST_REQUIRE(eventually([&] {
    return find_alert(*am, "1111111111111111") && find_alert(*am, "2222222222222222") &&
           find_alert(*am, "3333333333333333");
  }));

  am.reset();  // stopped, its storage gone
  const double errors_before = metrics.sends_error.Value();
  deliver(*sink, make_signal("2222222222222222", SignalType::kUpdated, 2));
  deliver(*sink, make_signal("3333333333333333", SignalType::kResolved, 2));
  BOOST_REQUIRE(eventually([&] { return metrics.sends_error.Value() > errors_before; }));

  AlertmanagerServer::Options same_port;
  same_port.port = port;
  am = start_alertmanager(same_port);
  BOOST_TEST(eventually([&] { return find_alert(*am, "1111111111111111").has_value(); }));
  BOOST_TEST(eventually([&] {
    auto a = find_alert(*am, "2222222222222222");
    return a && a->annotations["sequence"] == "2";
  }));
  BOOST_TEST(eventually([&] { return am_metric(*am, kResolvedReceived) >= 1; }));
  BOOST_TEST(!find_alert(*am, "3333333333333333").has_value());
  BOOST_TEST(eventually([&] { return sink->pending_alerts() == 0; }));
  BOOST_TEST(sink->held_alerts() == 2u);  // the two open ones
  sink->shutdown();
}

BOOST_AUTO_TEST_CASE(a_refused_request_is_counted_as_rejected_and_its_alerts_go_at_the_next_resend) {
  // Alertmanager behind basic auth, and the sink's password file wrong at
  // first: every request is refused (401), counted as rejected rather than
  // as an error to retry. Credentials are read again at every request, so
  // once the file holds the right password the open alert gets through at
  // a later re-send (README "Delivery", "Security").
  testing::TempDir dir;
  // bcrypt of "vigil-test-password", as in the TLS test below.
  const std::string hash = "$2b$10$IaUMayCpSS.ecbHQsIm4LezSSMBgEEwUN9XLDz5jhvj1FDBIZw.bm";
  AlertmanagerServer::Options am_options;
  am_options.web_config = "basic_auth_users:\n  vigil: '" + hash + "'\n";
  am_options.user = "vigil";
  am_options.password = "vigil-test-password";
  auto am = start_alertmanager(am_options);

  prometheus::Registry registry;
  AlertmanagerOptions options = fast_options(am->url());  // re-sent every second
  options.basic_auth_username = "vigil";
  options.basic_auth_password_file = testing::write_file(dir.sub("password"), "an-old-password\n");
  auto sink = make_sink(options, registry);
  const std::string rejected = R"(vigil_alertmanager_sends_total{result="rejected"})";
  deliver(*sink, make_signal("0b0b0b0b0b0b0b0b", SignalType::kRaised, 1));
  BOOST_REQUIRE(eventually([&] { return sink_metric(registry, rejected) >= 1; }));
  BOOST_TEST(sink_metric(registry, R"(vigil_alertmanager_sends_total{result="error"})") == 0);
  BOOST_TEST(sink_metric(registry, R"(vigil_alertmanager_sends_total{result="success"})") == 0);
  BOOST_TEST(!find_alert(*am, "0b0b0b0b0b0b0b0b").has_value());

  testing::write_file(dir.sub("password"), "vigil-test-password\n");
  BOOST_TEST(eventually([&] { return find_alert(*am, "0b0b0b0b0b0b0b0b").has_value(); }));
  BOOST_TEST(sink_metric(registry, R"(vigil_alertmanager_sends_total{result="success"})") >= 1);
  BOOST_TEST(sink_metric(registry, R"(vigil_alertmanager_sends_total{result="error"})") == 0);
  sink->shutdown();
}

BOOST_AUTO_TEST_CASE(tls_and_basic_auth_with_a_real_alertmanager) {
  testing::TempDir dir;
  const std::string cert = dir.sub("cert.pem"), key = dir.sub("key.pem");
  const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1"
                              " -addext subjectAltName=IP:127.0.0.1 -keyout " + key + " -out " +
                              cert + " 2>/dev/null";
  BOOST_REQUIRE_MESSAGE(std::system(command.c_str()) == 0, "openssl could not make a certificate");
  // bcrypt of "vigil-test-password" (cost 10), as Alertmanager's web config
  // wants it; made once with Python's crypt module (METHOD_BLOWFISH).
  const std::string hash = "$2b$10$IaUMayCpSS.ecbHQsIm4LezSSMBgEEwUN9XLDz5jhvj1FDBIZw.bm";
  AlertmanagerServer::Options am_options;
  am_options.web_config = "tls_server_config:\n  cert_file: " + cert + "\n  key_file: " + key +
                          "\nbasic_auth_users:\n  vigil: '" + hash + "'\n";
  am_options.https = true;
  am_options.ca_file = cert;
  am_options.user = "vigil";
  am_options.password = "vigil-test-password";
  auto am = start_alertmanager(am_options);
  BOOST_TEST(am->url().rfind("https://", 0) == 0u);

  prometheus::Registry registry;
  AlertmanagerOptions options = fast_options(am->url());
  options.tls.ca_file = cert;
  options.basic_auth_username = "vigil";
  options.basic_auth_password_file = testing::write_file(dir.sub("password"), "vigil-test-password\n");
  auto sink = make_sink(options, registry);
  deliver(*sink, make_signal("0909090909090909", SignalType::kRaised, 1));
  BOOST_TEST(eventually([&] { return find_alert(*am, "0909090909090909").has_value(); }));
  sink->shutdown();

  // A wrong password is refused (401): counted, not retried.
  prometheus::Registry other_registry;
  options.basic_auth_password_file = testing::write_file(dir.sub("wrong"), "not-the-password");
  auto refused = make_sink(options, other_registry);
  AlertmanagerMetrics metrics(other_registry);
  deliver(*refused, make_signal("0a0a0a0a0a0a0a0a", SignalType::kRaised, 1));
  BOOST_TEST(eventually([&] { return metrics.sends_rejected.Value() >= 1; }));
  BOOST_TEST(metrics.sends_success.Value() == 0);
  BOOST_TEST(!find_alert(*am, "0a0a0a0a0a0a0a0a").has_value());
  refused->shutdown();
}

namespace {

std::unique_ptr<AlertmanagerSink> make_reviewed_sink(const AlertmanagerOptions& options,
                                                     prometheus::Registry& registry,
                                                     const LatestDecisions& decisions) {
  auto sink = AlertmanagerSink::create(options, "test", registry, decisions.lookup());
  BOOST_REQUIRE_MESSAGE(sink.is_ok(), (sink.is_ok() ? std::string() : sink.error().message));
  return std::move(sink).value();
}

Decision review_decision(const std::string& signal_id, int n, ReviewState state,
                         int64_t observed_at_decision) {
  Decision d;
  d.decision_id = signal_id + "-d" + std::to_string(n);
  d.signal_id = signal_id;
  d.state = state;
  d.reason = "reviewed";
  d.reviewer = "reviewer";
  d.observed_at_decision = observed_at_decision;
  return d;
}

Signal with_count(Signal s, int64_t observed, Date fired_at = Date{20171}) {
  s.observed = observed;
  s.fired_at = fired_at;
  return s;
}

// Delivers a raise of another episode and waits until Alertmanager lists
// it: every transition handed to the sink before it has then been through
// a request too (the sink sends what is due in one batch, in table order,
// and has nothing else in flight), so what Alertmanager lists is final.
void settle_with_marker(AlertmanagerSink& sink, const AlertmanagerServer& am, const std::string& id) {
  deliver(sink, make_signal(id, SignalType::kRaised, 1));
  BOOST_REQUIRE(eventually([&] { return find_alert(am, id).has_value(); }));
  BOOST_REQUIRE(eventually([&] { return sink.pending_alerts() == 0; }));
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_known_issue_is_resolved_in_alertmanager_and_fires_again_on_a_material_change) {
  auto am = start_alertmanager();
  prometheus::Registry registry;
  LatestDecisions decisions;
  auto sink = make_reviewed_sink(fast_options(am->url()), registry, decisions);  // re-sent every second
  AlertmanagerMetrics metrics(registry);
  const std::string id = "c1c1c1c1c1c1c1c1";

  deliver(*sink, with_count(make_signal(id, SignalType::kRaised, 1), 10));
  BOOST_REQUIRE(eventually([&] { return find_alert(*am, id).has_value(); }));

  // Marked a known issue while it fires, to be notified again at twice the
  // count it had: the next re-send resolves it instead.
  Decision known = review_decision(id, 1, ReviewState::kKnownIssue, 10);
  known.renotify_multiple = 2.0;
  decisions.apply(known);
  BOOST_REQUIRE(eventually([&] { return !find_alert(*am, id).has_value(); }));
  BOOST_TEST(eventually([&] { return metrics.suppressed_alerts.Value() == 1; }));
  BOOST_TEST(metrics.open_alerts.Value() == 0);
  BOOST_TEST(sink->held_alerts() == 1u);  // kept, to fire again if it must

  // Updates below the multiple stay held back.
  deliver(*sink, with_count(make_signal(id, SignalType::kUpdated, 2), 19));
  settle_with_marker(*sink, *am, "c1c1c1c1c1c1c1c2");
  BOOST_TEST(!find_alert(*am, id).has_value());
  BOOST_TEST(metrics.suppressed_alerts.Value() == 1);

  // The count reaches twice what it was: a material change fires it again,
  // from now.
  const int64_t changed_at = now_seconds();
  deliver(*sink, with_count(make_signal(id, SignalType::kUpdated, 3), 20));
  std::optional<ActiveAlert> again;
  BOOST_REQUIRE(eventually([&] { return (again = find_alert(*am, id)).has_value(); }));
  BOOST_TEST(again->annotations["sequence"] == "3");
  BOOST_TEST(again->annotations["observed"] == "20");
  BOOST_TEST(again->starts_at >= changed_at - 1);
  BOOST_TEST(metrics.suppressed_alerts.Value() == 0);

  // Once ended, that decision's suppression stays ended for the episode,
  // even when the count falls back below the multiple.
  deliver(*sink, with_count(make_signal(id, SignalType::kUpdated, 4), 15));
  BOOST_TEST(eventually([&] {
    auto a = find_alert(*am, id);
    return a && a->annotations["sequence"] == "4";
  }));

  // A resolved transition is always delivered, and then forgotten.
  deliver(*sink, make_signal(id, SignalType::kResolved, 5));
  BOOST_TEST(eventually([&] { return !find_alert(*am, id).has_value(); }));
  BOOST_TEST(eventually([&] { return sink->held_alerts() == 1u; }));  // the marker
  sink->shutdown();
}

BOOST_AUTO_TEST_CASE(a_dismissed_signal_never_fires_until_its_date_has_passed) {
  auto am = start_alertmanager();
  prometheus::Registry registry;
  LatestDecisions decisions;
  AlertmanagerOptions options = fast_options(am->url());
  auto sink = make_reviewed_sink(options, registry, decisions);
  AlertmanagerMetrics metrics(registry);
  const std::string id = "c2c2c2c2c2c2c2c2";

  // Decided before this sink saw the signal (e.g. decided, then `run`
  // restarted): its transitions are held back from the first.
  Decision dismissed = review_decision(id, 1, ReviewState::kDismissed, 10);
  dismissed.until = parse_date("2025-04-30");
  decisions.apply(dismissed);
  deliver(*sink, with_count(make_signal(id, SignalType::kUpdated, 4), 12, *parse_date("2025-04-21")));
  deliver(*sink, with_count(make_signal(id, SignalType::kUpdated, 5), 13, *parse_date("2025-04-30")));
  settle_with_marker(*sink, *am, "c2c2c2c2c2c2c2c3");
  BOOST_TEST(!find_alert(*am, id).has_value());
  BOOST_TEST(metrics.suppressed_alerts.Value() == 1);
  BOOST_TEST(sink->held_alerts() == 2u);

  // The first transition after its date fires.
  deliver(*sink, with_count(make_signal(id, SignalType::kUpdated, 6), 13, *parse_date("2025-05-01")));
  std::optional<ActiveAlert> fired;
  BOOST_REQUIRE(eventually([&] { return (fired = find_alert(*am, id)).has_value(); }));
  BOOST_TEST(fired->annotations["sequence"] == "6");
  BOOST_TEST(metrics.suppressed_alerts.Value() == 0);
  sink->shutdown();
}

BOOST_AUTO_TEST_CASE(a_later_decision_that_does_not_suppress_fires_the_alert_again) {
  auto am = start_alertmanager();
  prometheus::Registry registry;
  LatestDecisions decisions;
  auto sink = make_reviewed_sink(fast_options(am->url()), registry, decisions);
  const std::string id = "c4c4c4c4c4c4c4c4";
  decisions.apply(review_decision(id, 1, ReviewState::kKnownIssue, 10));
  deliver(*sink, with_count(make_signal(id, SignalType::kRaised, 1), 10));
  settle_with_marker(*sink, *am, "c4c4c4c4c4c4c4c5");
  BOOST_TEST(!find_alert(*am, id).has_value());

  // A reviewer takes it under review again: the next look (at the re-send
  // interval) fires it, with no new transition needed.
  decisions.apply(review_decision(id, 2, ReviewState::kUnderReview, 10));
  std::optional<ActiveAlert> fired;
  BOOST_REQUIRE(eventually([&] { return (fired = find_alert(*am, id)).has_value(); }));
  BOOST_TEST(fired->annotations["sequence"] == "1");
  sink->shutdown();
}

BOOST_AUTO_TEST_CASE(without_a_lookup_nothing_is_held_back) {
  // `run` without a reviews topic: the same sink as before decisions existed.
  auto am = start_alertmanager();
  prometheus::Registry registry;
  auto sink = make_sink(fast_options(am->url()), registry);
  AlertmanagerMetrics metrics(registry);
  deliver(*sink, with_count(make_signal("c6c6c6c6c6c6c6c6", SignalType::kRaised, 1), 10));
  BOOST_TEST(eventually([&] { return find_alert(*am, "c6c6c6c6c6c6c6c6").has_value(); }));
  BOOST_TEST(metrics.suppressed_alerts.Value() == 0);
  sink->shutdown();
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace vigil

#define BOOST_TEST_MODULE run_command
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

#include "app/synthetic_stream.h"
#include "pipeline/embedded_kafka_cluster.h"
#include "sinks/kafka_producer.h"

// `vigil run` as an operator starts it: a separate process pointed at a
// cluster by command-line overrides, scraped over HTTP, stopped by SIGTERM.

using namespace vigil;
using namespace std::chrono_literals;

namespace {

uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// GET http://127.0.0.1:port/path; returns "" when nothing answers.
std::string http_get(uint16_t port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "";
  }
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n";
  if (write(fd, request.data(), request.size()) < 0) {
    close(fd);
    return "";
  }
  std::string response;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) response.append(buf, static_cast<size_t>(n));
  close(fd);
  return response;
}

double metric(const std::string& text, const std::string& name) {
  std::smatch m;
  if (std::regex_search(text, m, std::regex("\n" + name + " ([0-9.e+]+)"))) return std::stod(m[1]);
  return -1;
}

}  // namespace

BOOST_AUTO_TEST_CASE(run_consumes_serves_metrics_and_stops_cleanly_on_sigterm) {
  auto cluster = EmbeddedKafkaCluster::start(1);
  BOOST_REQUIRE(cluster.is_ok());
  const std::string bootstrap = cluster.value()->bootstrap_servers();
  for (const char* topic : {"in.events", "out.signals", "out.dlq"}) {
    BOOST_REQUIRE(cluster.value()->create_topic(topic, 1).is_ok());
  }
  SyntheticStreamOptions options;
  options.events_per_year = 20000;
  options.days = 200;
  options.invalid_fraction = 0.01;
  SyntheticStream stream(options);
  auto producer = KafkaProducer::create(bootstrap, {});
  BOOST_REQUIRE(producer.is_ok());
  std::string line;
  uint64_t produced = 0;
  while (stream.next(line)) {
    BOOST_REQUIRE(producer.value()->produce("in.events", {}, line, {}).is_ok());
    line.clear();
    ++produced;
  }
  std::atomic<bool> never{false};
  BOOST_REQUIRE(producer.value()->flush(never).is_ok());

  std::string state = (std::filesystem::temp_directory_path() / "vigil-run-XXXXXX").string();
  BOOST_REQUIRE(mkdtemp(state.data()) != nullptr);
  const uint16_t port = free_port();
  const std::string port_text = std::to_string(port);
  const pid_t child = fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    // --group-instance-id as the chart passes the pod name: static membership.
    execl(VIGIL_BINARY, VIGIL_BINARY, "run", "--bootstrap-servers", bootstrap.c_str(), "--group-id",
          "run-test", "--group-instance-id", "vigil-0", "--events-topic", "in.events", "--signals-topic", "out.signals",
          "--dead-letter-topic", "out.dlq", "--state-dir", state.c_str(), "--metrics-port",
          port_text.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }

  std::string scrape;
  bool ready = false;
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (http_get(port, "/readyz").find("200") != std::string::npos) ready = true;
    scrape = http_get(port, "/metrics");
    if (metric(scrape, "vigil_events_consumed_total") >= static_cast<double>(produced)) break;
    std::this_thread::sleep_for(200ms);
  }
  BOOST_TEST(ready);
  BOOST_TEST(http_get(port, "/healthz").find("200") != std::string::npos);
  BOOST_TEST(metric(scrape, "vigil_events_consumed_total") == static_cast<double>(produced));
  BOOST_TEST(scrape.find("vigil_events_dead_lettered_total{reason=\"not_json\"}") != std::string::npos);
  BOOST_TEST(metric(scrape, "vigil_ready") == 1);

  BOOST_REQUIRE(kill(child, SIGTERM) == 0);
  int status = 0;
  BOOST_REQUIRE(waitpid(child, &status, 0) == child);
  BOOST_TEST(WIFEXITED(status));
  BOOST_TEST(WEXITSTATUS(status) == 0);
  std::filesystem::remove_all(state);
}

#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <librdkafka/rdkafkacpp.h>

#include "kafka/client_conf.h"
#include "kafka/embedded_kafka_cluster.h"
#include "kafka/kafka_producer.h"
#include "sinks/cloudevent_decoder.h"
#include "synthetic/stream.h"
#include "tests/alertmanager_server.h"

// `vigil run` as an operator starts it: a separate process pointed at a
// cluster by command-line overrides, scraped over HTTP, stopped by SIGTERM.

using namespace vigil;
using namespace std::chrono_literals;

namespace {

using testing::free_port;

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

// Every signal on partition 0 of `topic`, in order.
std::vector<Signal> read_signals(const std::string& bootstrap, const std::string& topic) {
  auto conf = make_kafka_conf({{"bootstrap.servers", bootstrap},
                               {"group.id", "run-test-reader"},
                               {"enable.partition.eof", "true"}});
  BOOST_REQUIRE(conf.is_ok());
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.value().get(), err));
  BOOST_REQUIRE_MESSAGE(consumer != nullptr, err);
  std::vector<RdKafka::TopicPartition*> partitions = {
      RdKafka::TopicPartition::create(topic, 0, RdKafka::Topic::OFFSET_BEGINNING)};
  BOOST_REQUIRE(consumer->assign(partitions) == RdKafka::ERR_NO_ERROR);
  RdKafka::TopicPartition::destroy(partitions);
  std::vector<Signal> out;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> msg(consumer->consume(200));
    if (msg->err() == RdKafka::ERR__PARTITION_EOF) break;
    if (msg->err() != RdKafka::ERR_NO_ERROR) continue;
    auto signal = decode_cloudevent(
        std::string_view(static_cast<const char*>(msg->payload()), msg->len()));
    BOOST_REQUIRE(signal.is_ok());
    out.push_back(std::move(signal).value());
  }
  consumer->close();
  return out;
}

// Produces a small synthetic stream (about 11,000 events over 200 days, 1%
// invalid) to `topic`; returns how many.
uint64_t produce_stream(const std::string& bootstrap, const std::string& topic) {
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
    BOOST_REQUIRE(producer.value()->produce(topic, {}, line, {}).is_ok());
    line.clear();
    ++produced;
  }
  std::atomic<bool> never{false};
  BOOST_REQUIRE(producer.value()->flush(never).is_ok());
  return produced;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(run_command_test)

BOOST_AUTO_TEST_CASE(run_consumes_serves_metrics_and_stops_cleanly_on_sigterm) {
  auto cluster = EmbeddedKafkaCluster::start(1);
  BOOST_REQUIRE(cluster.is_ok());
  const std::string bootstrap = cluster.value()->bootstrap_servers();
  for (const char* topic : {"in.events", "out.signals", "out.dlq"}) {
    BOOST_REQUIRE(cluster.value()->create_topic(topic, 1).is_ok());
  }
  const uint64_t produced = produce_stream(bootstrap, "in.events");

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

// The `alertmanager:` section of a config file reaches the running pipeline:
// once every event is processed, Alertmanager fires exactly the signals
// still open and has been sent every resolved one.
BOOST_AUTO_TEST_CASE(run_sends_signals_to_the_alertmanager_of_its_config) {
  auto am = testing::AlertmanagerServer::start();
  BOOST_REQUIRE_MESSAGE(am != nullptr, "prometheus-alertmanager did not start");
  auto cluster = EmbeddedKafkaCluster::start(1);
  BOOST_REQUIRE(cluster.is_ok());
  const std::string bootstrap = cluster.value()->bootstrap_servers();
  // One repartition partition: it runs every detector.
  for (const char* topic : {"am.events", "am.signals", "am.dlq", "vigil.repartition"}) {
    BOOST_REQUIRE(cluster.value()->create_topic(topic, 1).is_ok());
  }
  const uint64_t produced = produce_stream(bootstrap, "am.events");

  std::string state = (std::filesystem::temp_directory_path() / "vigil-run-am-XXXXXX").string();
  BOOST_REQUIRE(mkdtemp(state.data()) != nullptr);
  // The national default with only the Alertmanager URL set, as an operator would.
  std::ifstream default_config(std::string(VIGIL_SOURCE_DIR "/config/vigil.yaml"));
  std::stringstream text;
  text << default_config.rdbuf();
  std::string config = text.str();
  const std::string off = "  url: \"\"\n";
  const size_t at = config.find(off, config.find("\nalertmanager:"));
  BOOST_REQUIRE(at != std::string::npos);
  config.replace(at, off.size(), "  url: \"" + am->url() + "\"\n");
  // Keep never-event signals open for a year, so that the short stream ends
  // with open signals (the planted cluster) as well as resolved ones.
  const std::string quick = "    resolve_after_days: 7\n";
  const size_t rule = config.find(quick, config.find("- name: never_event"));
  BOOST_REQUIRE(rule != std::string::npos);
  config.replace(rule, quick.size(), "    resolve_after_days: 365\n");
  const std::string config_path = state + ".yaml";
  std::ofstream(config_path) << config;

  const uint16_t port = free_port();
  const std::string port_text = std::to_string(port);
  const pid_t child = fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    execl(VIGIL_BINARY, VIGIL_BINARY, "run", "--config", config_path.c_str(), "--bootstrap-servers",
          bootstrap.c_str(), "--group-id", "run-am-test", "--events-topic", "am.events",
          "--signals-topic", "am.signals", "--dead-letter-topic", "am.dlq", "--state-dir",
          state.c_str(), "--metrics-port", port_text.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }

  std::string scrape;
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (std::chrono::steady_clock::now() < deadline) {
    scrape = http_get(port, "/metrics");
    // Every event consumed, and every accepted one merged by the detectors'
    // stage from the repartition topic.
    if (metric(scrape, "vigil_events_consumed_total") >= static_cast<double>(produced) &&
        metric(scrape, "vigil_repartition_records_total") >= metric(scrape, "vigil_events_processed_total")) {
      break;
    }
    std::this_thread::sleep_for(200ms);
  }
  BOOST_TEST(metric(scrape, "vigil_events_consumed_total") == static_cast<double>(produced));
  BOOST_TEST(metric(scrape, "vigil_repartition_records_total") == metric(scrape, "vigil_events_processed_total"));
  BOOST_TEST(metric(scrape, "vigil_alertmanager_open_alerts") >= 0);  // the sink is on
  // SIGTERM: the last batch is committed and the sink's last transitions sent.
  BOOST_REQUIRE(kill(child, SIGTERM) == 0);
  int status = 0;
  BOOST_REQUIRE(waitpid(child, &status, 0) == child);
  BOOST_TEST(WIFEXITED(status));
  BOOST_TEST(WEXITSTATUS(status) == 0);

  // What Alertmanager fires is what the signals topic leaves open.
  std::map<std::string, SignalType> last;
  for (const Signal& s : read_signals(bootstrap, "am.signals")) last[s.signal_id] = s.type;
  std::set<std::string> open, firing;
  size_t resolved = 0;
  for (const auto& [id, type] : last) {
    if (type == SignalType::kResolved) {
      ++resolved;
    } else {
      open.insert(id);
    }
  }
  const auto alerts = am->get("/api/v2/alerts");
  BOOST_REQUIRE(alerts.status == 200);
  const std::regex vigil_alert("\"alertname\":\"VigilSignal\"[^}]*\"signal_id\":\"([0-9a-f]{16})\"");
  for (auto it = std::sregex_iterator(alerts.body.begin(), alerts.body.end(), vigil_alert);
       it != std::sregex_iterator(); ++it) {
    firing.insert((*it)[1]);
  }
  BOOST_TEST(open.size() >= 1u);
  BOOST_TEST(resolved >= 1u);
  BOOST_TEST((firing == open));
  const auto am_metrics = am->get("/metrics").body;
  BOOST_TEST(metric(am_metrics, "alertmanager_alerts_received_total\\{status=\"resolved\",version=\"v2\"\\}") >=
             static_cast<double>(resolved));
  std::filesystem::remove_all(state);
  std::filesystem::remove(config_path);
}

BOOST_AUTO_TEST_SUITE_END()

#include <boost/test/unit_test.hpp>

#include <librdkafka/rdkafkacpp.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "config/pipeline_config.h"
#include "core/version.h"
#include "kafka/client_conf.h"
#include "kafka/embedded_kafka_cluster.h"
#include "partitioned_stream.h"
#include "pipeline/detector_placement.h"
#include "pipeline/kafka_pipeline.h"
#include "pipeline/partition_task.h"
#include "pipeline/replay_runner.h"
#include "sinks/cloudevent_decoder.h"
#include "sinks/jsonl_sinks.h"
#include "synthetic/stream.h"
#include "telemetry/http_endpoints.h"
#include "tests/http_client.h"

using namespace vigil;
using namespace std::chrono_literals;

namespace {

// The national detectors run on two merge partitions, as a deployment would.
constexpr int32_t kRepartitionPartitions = 2;

struct TempDir {
  std::string path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vigil-kafka-XXXXXX").string();
    BOOST_REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// A small national-like stream: enough for the rule and count detectors to fire.
std::vector<std::string> make_stream() {
  SyntheticStreamOptions o;
  o.seed = 7;
  // About 16,000 events (10 MB): the mock cluster keeps only the newest
  // ~20 MB of a partition, so everything produced up front stays readable.
  o.events_per_year = 24000;
  o.days = 240;
  o.invalid_fraction = 0.01;
  return vigil::testing::synthetic_lines(o);
}

const std::vector<std::string>& stream_lines() {
  static const std::vector<std::string> lines = make_stream();
  return lines;
}

PipelineConfig test_config(const std::string& bootstrap, const std::string& group, const std::string& state) {
  auto c = load_pipeline_config("");
  BOOST_REQUIRE(c.is_ok());
  PipelineConfig config = c.value();
  config.kafka.bootstrap_servers = bootstrap;
  config.kafka.group_id = group;
  config.state.dir = state;
  // The mock cluster does not keep offsets sent in a transaction (its
  // TxnOffsetCommit drops them) nor hide aborted records: these tests cover
  // the at-least-once protocol, except the exactly-once restore and
  // producer-replacement tests, which need neither; the
  // tests/exactly_once_*_test.sh scripts cover transactions on a real broker.
  config.kafka.guarantee = DeliveryGuarantee::kAtLeastOnce;
  config.commit.max_events = 2000;
  config.commit.max_interval_ms = 200;
  // A restarted member rejoins quickly instead of waiting out the default 45 s.
  config.kafka.properties["session.timeout.ms"] = "6000";
  config.kafka.properties["heartbeat.interval.ms"] = "500";
  return config;
}

std::unique_ptr<StateStore> open_store(const std::string& dir) {
  StateStoreOptions o;
  o.path = dir;
  o.block_cache_bytes = 32 << 20;
  o.write_buffer_bytes = 8 << 20;
  auto s = StateStore::open(o);
  BOOST_REQUIRE_MESSAGE(s.is_ok(), (s.is_ok() ? std::string() : s.error().message));
  return std::move(s).value();
}

// Keeps the input offset of every dead letter.
class DeadLetterOffsets final : public DeadLetterSink {
 public:
  Status deliver(std::span<const DeadLetter> dead_letters, int32_t) override {
    for (const auto& d : dead_letters) offsets.push_back(d.offset);
    return Status::ok();
  }
  std::vector<int64_t> offsets;
};

// What `vigil replay` gives for the same events: its CloudEvents lines
// (sorted), the events it counted late and the offsets it dead-lettered.
struct Replayed {
  std::vector<std::string> signals;
  double late = 0;
  std::vector<int64_t> dead_letter_offsets;
};

// With `detectors`, only those run (as one merge partition runs its share).
Replayed replay(const std::vector<std::string>& lines,
                const std::optional<std::vector<DetectorConfig>>& detectors = std::nullopt) {
  TempDir dir;
  const std::string input = dir.path + "/events.jsonl";
  {
    std::ofstream out(input);
    for (const auto& l : lines) out << l << "\n";
  }
  const std::string output = dir.path + "/signals.jsonl";
  auto file = open_output(output);
  BOOST_REQUIRE(file.is_ok());
  auto config = test_config("unused", "unused", dir.path + "/state");
  if (detectors) config.detectors = *detectors;
  auto store = open_store(dir.path + "/state");
  JsonlSignalSink sink(file.value().get(), config.name);
  DeadLetterOffsets dead_letters;
  Metrics metrics(kVersion);
  auto summary = run_replay(config, input, *store, sink, &dead_letters, metrics);
  BOOST_REQUIRE(summary.is_ok());
  file.value().reset();
  Replayed out;
  std::ifstream in(output);
  for (std::string l; std::getline(in, l);) out.signals.push_back(l);
  std::sort(out.signals.begin(), out.signals.end());
  out.late = metrics.events_late.Value();
  out.dead_letter_offsets = std::move(dead_letters.offsets);
  return out;
}

std::vector<std::string> replay_signals(const std::vector<std::string>& lines) { return replay(lines).signals; }

// Raised minus resolved: the episodes still open after `signals`.
double open_episodes(const std::vector<std::string>& signals) {
  double open = 0;
  for (const auto& v : signals) {
    auto s = decode_cloudevent(v);
    BOOST_REQUIRE(s.is_ok());
    open += (s.value().type == SignalType::kRaised) - (s.value().type == SignalType::kResolved);
  }
  return open;
}

// Polls `done` until it holds or `limit` passes. The limits are generous:
// only a pipeline that never gets there runs into them, however slow the
// machine.
bool wait_until(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// Commits `offset` for `group` on one partition, as any consumer of the
// group commits: the group's committed offset, which exactly-once restores
// up to.
void commit_group_offset(const std::string& bootstrap, const std::string& group, const std::string& topic,
                         int32_t partition, int64_t offset) {
  auto conf = make_kafka_conf({{"bootstrap.servers", bootstrap}, {"group.id", group},
                               {"enable.auto.commit", "false"}});
  BOOST_REQUIRE(conf.is_ok());
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.value().get(), err));
  BOOST_REQUIRE_MESSAGE(consumer, err);
  std::vector<RdKafka::TopicPartition*> offsets = {RdKafka::TopicPartition::create(topic, partition, offset)};
  const auto committed = consumer->commitSync(offsets);
  RdKafka::TopicPartition::destroy(offsets);
  BOOST_REQUIRE_MESSAGE(committed == RdKafka::ERR_NO_ERROR, RdKafka::err2str(committed));
  consumer->close();
}

// The value of an unlabelled sample, e.g. "vigil_ready", in an exposition; -1 if absent.
double sample(const std::string& text, const std::string& name) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > name.size() && line.starts_with(name) && line[name.size()] == ' ') {
      return std::stod(line.substr(name.size() + 1));
    }
  }
  return -1;
}

// Every label value of every sample in an exposition (Prometheus text
// format 0.0.4), unescaped.
std::vector<std::string> label_values(const std::string& text) {
  std::vector<std::string> values;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    size_t at = line.find('{');
    if (at == std::string::npos || at > line.find(' ')) continue;
    while (at != std::string::npos && line[at] != '}') {
      const size_t quote = line.find("=\"", at);
      if (quote == std::string::npos) break;
      std::string value;
      size_t i = quote + 2;
      for (; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) {
          ++i;
          value += line[i] == 'n' ? '\n' : line[i];
        } else {
          value += line[i];
        }
      }
      values.push_back(std::move(value));
      at = i + 1;  // at ',' or '}'
    }
  }
  return values;
}

// What the events carry that must never become a metric label: report ids,
// organisation codes and every free-text field.
std::set<std::string> event_strings(const std::vector<std::string>& lines) {
  std::set<std::string> out;
  simdjson::dom::parser parser;
  // A field that is absent or not a string is skipped (invalid lines too).
  const auto keep = [&](simdjson::simdjson_result<simdjson::dom::element> e) {
    std::string_view v;
    if (e.get_string().get(v) == simdjson::SUCCESS && !v.empty()) out.emplace(v);
  };
  for (const auto& line : lines) {
    simdjson::dom::element event;
    if (parser.parse(line).get(event) != simdjson::SUCCESS || !event.is_object()) continue;
    for (const char* field : {"id", "org", "icb", "description"}) keep(event[field]);
    simdjson::dom::array items;
    if (event["medications"].get_array().get(items) == simdjson::SUCCESS) {
      for (auto m : items) keep(m["name"]);
    }
    if (event["devices"].get_array().get(items) == simdjson::SUCCESS) {
      for (auto d : items) {
        for (const char* field : {"name", "manufacturer", "model"}) keep(d[field]);
      }
    }
  }
  return out;
}

struct Record {
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;
};

// Reads every record of every partition of `topic`.
std::vector<Record> read_topic(const std::string& bootstrap, const std::string& topic, int partitions) {
  auto conf = make_kafka_conf({{"bootstrap.servers", bootstrap},
                               {"group.id", "reader-" + topic},
                               {"enable.partition.eof", "true"},
                               {"enable.auto.commit", "false"}});
  BOOST_REQUIRE(conf.is_ok());
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.value().get(), err));
  BOOST_REQUIRE(consumer);
  std::vector<RdKafka::TopicPartition*> tps;
  for (int p = 0; p < partitions; ++p) {
    tps.push_back(RdKafka::TopicPartition::create(topic, p, RdKafka::Topic::OFFSET_BEGINNING));
  }
  consumer->assign(tps);
  RdKafka::TopicPartition::destroy(tps);
  std::vector<Record> records;
  std::set<int> at_eof;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (static_cast<int>(at_eof.size()) < partitions && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(500));
    if (m->err() == RdKafka::ERR__PARTITION_EOF) {
      at_eof.insert(m->partition());
      continue;
    }
    if (m->err() != RdKafka::ERR_NO_ERROR) continue;
    Record r;
    if (m->key()) r.key = *m->key();
    r.value.assign(static_cast<const char*>(m->payload()), m->len());
    if (auto* h = m->headers()) {
      for (const auto& header : h->get_all()) {
        r.headers[header.key()] = std::string(static_cast<const char*>(header.value()), header.value_size());
      }
    }
    records.push_back(std::move(r));
  }
  consumer->close();
  return records;
}

void produce_all(const std::string& bootstrap, const std::string& topic,
                 const std::vector<std::string>& lines, size_t from, size_t to) {
  auto producer = KafkaProducer::create(bootstrap, {});
  BOOST_REQUIRE(producer.is_ok());
  for (size_t i = from; i < to; ++i) BOOST_REQUIRE(producer.value()->produce(topic, {}, lines[i], {}).is_ok());
  std::atomic<bool> never{false};
  BOOST_REQUIRE(producer.value()->flush(never).is_ok());
}

// The merge stage has consumed every record the input stage sent it.
bool merge_caught_up(const PipelineConfig& config, Metrics& metrics) {
  const double targets = static_cast<double>(
      partitions_with_detectors(config.detectors, kRepartitionPartitions).size());
  return metrics.repartition_consumed.Value() >= metrics.events_processed.Value() * targets;
}

// Runs a pipeline until it has consumed `until` events (counted by its own
// metrics, which start at `already`), then stops it cleanly. `ready` is the
// readiness flag it keeps (e.g. for a /readyz server); a private one if null.
void run_until(const PipelineConfig& config, StateStore& store, Metrics& metrics, uint64_t until,
               const std::function<void()>& meanwhile = {},
               std::shared_ptr<std::atomic<bool>> ready = nullptr) {
  if (!ready) ready = std::make_shared<std::atomic<bool>>(false);
  auto pipeline = KafkaPipeline::create(config, store, metrics, ready);
  BOOST_REQUIRE_MESSAGE(pipeline.is_ok(), (pipeline.is_ok() ? std::string() : pipeline.error().message));
  std::atomic<bool> stop{false};
  Status result;
  std::thread runner([&] { result = pipeline.value()->run(stop); });
  if (meanwhile) meanwhile();
  // Done when the events are consumed and the merge stage has consumed
  // every record they sent to the repartition topic.
  wait_until([&] { return metrics.events_consumed.Value() >= static_cast<double>(until) &&
                          merge_caught_up(config, metrics); },
             240s);
  stop.store(true);
  runner.join();
  BOOST_REQUIRE_MESSAGE(result.is_ok(), result.message());
  BOOST_TEST(metrics.events_consumed.Value() >= static_cast<double>(until));
}

// Metrics served on /metrics and /readyz as `vigil run` serves them, on a
// port the kernel picks; `base` is the server's URL.
struct ServedMetrics {
  Metrics metrics{kVersion};
  std::shared_ptr<std::atomic<bool>> ready = std::make_shared<std::atomic<bool>>(false);
  std::unique_ptr<HttpEndpoints> http;
  std::string base;

  ServedMetrics() {
    auto started = HttpEndpoints::start("127.0.0.1:0", metrics.registry(), ready);
    BOOST_REQUIRE_MESSAGE(started.is_ok(), (started.is_ok() ? std::string() : started.error().message));
    http = std::move(started).value();
    base = "http://127.0.0.1:" + std::to_string(http->port());
  }
};

struct Cluster {
  std::unique_ptr<EmbeddedKafkaCluster> cluster;
  PipelineConfig config;
  TempDir state;
  Cluster(const std::string& group) {
    auto c = EmbeddedKafkaCluster::start(3);
    BOOST_REQUIRE(c.is_ok());
    cluster = std::move(c).value();
    config = test_config(cluster->bootstrap_servers(), group, state.path);
    BOOST_REQUIRE(cluster->create_topic(config.kafka.events_topic, 1).is_ok());
    BOOST_REQUIRE(cluster->create_topic(config.kafka.repartition_topic, kRepartitionPartitions).is_ok());
    BOOST_REQUIRE(cluster->create_topic(config.kafka.signals_topic, 3).is_ok());
    BOOST_REQUIRE(cluster->create_topic(config.kafka.dead_letter_topic, 1).is_ok());
  }
  std::vector<std::string> signal_values() {
    std::vector<std::string> values;
    for (const auto& r : read_topic(cluster->bootstrap_servers(), config.kafka.signals_topic, 3)) {
      values.push_back(r.value);
    }
    std::sort(values.begin(), values.end());
    return values;
  }
};

double dead_lettered_total(Metrics& m) {
  double total = 0;
  for (const auto& reason : default_dead_letter_reasons()) total += m.dead_lettered(reason).Value();
  return total;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(kafka_pipeline_test)

BOOST_AUTO_TEST_CASE(consume_detect_produce_matches_replay) {
  const auto& lines = stream_lines();
  // Replay of each merge partition's share of the detectors: together they
  // are replay's signals (detectors do not interact), and each is what one
  // merge task counts late.
  std::vector<std::string> expected;
  double late_by_merge_partition = 0;
  const PipelineConfig national = test_config("unused", "unused", "unused");
  for (const int32_t p : partitions_with_detectors(national.detectors, kRepartitionPartitions)) {
    const Replayed share = replay(lines, detectors_on(national.detectors, p, kRepartitionPartitions));
    BOOST_TEST_MESSAGE("merge partition " << p << ": " << share.signals.size() << " signals, " << share.late
                                          << " late events");
    BOOST_TEST(share.late > 0);
    late_by_merge_partition += share.late;
    expected.insert(expected.end(), share.signals.begin(), share.signals.end());
  }
  std::sort(expected.begin(), expected.end());
  BOOST_TEST_MESSAGE(lines.size() << " events, " << expected.size() << " signals expected");
  BOOST_REQUIRE(expected.size() > 5u);

  Cluster c("e2e");
  produce_all(c.cluster->bootstrap_servers(), c.config.kafka.events_topic, lines, 0, lines.size());
  auto store = open_store(c.state.path);
  // The operator's view: /metrics and /readyz served as `vigil run` serves them.
  ServedMetrics served;
  Metrics& metrics = served.metrics;
  const auto& ready = served.ready;
  const std::string& base = served.base;
  bool ready_while_running = false;
  run_until(
      c.config, *store, metrics, lines.size(),
      [&] {
        ready_while_running = wait_until([&] { return testing::http_get(base + "/readyz").status == 200; }, 60s);
      },
      ready);
  BOOST_TEST(ready_while_running);
  BOOST_TEST(metrics.ready.Value() == 0);  // stopped: not ready
  BOOST_TEST(testing::http_get(base + "/readyz").status == 503);

  // Late reports are counted by each merge task for the detectors it runs:
  // a report late for detectors on both merge partitions counts twice,
  // where `vigil replay` (one task, every detector) counts it once.
  BOOST_TEST(metrics.events_late.Value() == late_by_merge_partition);

  // No label of any metric carries a report's id, organisation or text:
  // labels are for bounded sets (detectors, reasons, partitions), and a
  // scrape ends up in long-lived monitoring storage.
  const auto scraped = testing::http_get(base + "/metrics");
  BOOST_REQUIRE(scraped.status == 200);
  const auto labels = label_values(scraped.body);
  BOOST_REQUIRE(!labels.empty());
  const auto forbidden = event_strings(lines);
  BOOST_REQUIRE(forbidden.size() > lines.size());  // ids and more were found
  for (const auto& value : labels) BOOST_TEST(forbidden.count(value) == 0u, value);

  const auto got = c.signal_values();
  BOOST_TEST(got == expected, boost::test_tools::per_element());
  double raised = 0, raised_by_severity = 0;
  for (const auto& v : expected) {
    auto s = decode_cloudevent(v);
    BOOST_REQUIRE(s.is_ok());
    raised += s.value().type == SignalType::kRaised;
  }
  // Every raised signal is counted once by its severity.
  const std::string scrape = metrics.scrape_text();
  std::istringstream samples(scrape);
  for (std::string line; std::getline(samples, line);) {
    if (line.rfind("vigil_signals_raised_total{", 0) == 0) {
      raised_by_severity += std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  BOOST_TEST(raised_by_severity == raised);
  for (const char* stage : {"produce", "state", "offsets"}) {
    BOOST_TEST_INFO(stage);
    BOOST_TEST(scrape.find(std::string("vigil_commit_failures_total{stage=\"") + stage + "\"} 0") !=
               std::string::npos);
  }
  // Consumed = processed + duplicates + dead-lettered (contract §4).
  BOOST_TEST(metrics.events_consumed.Value() ==
             metrics.events_processed.Value() + metrics.events_duplicate.Value() + dead_lettered_total(metrics));

  // Every signal record is keyed by its signal_id and carries the CloudEvents content type.
  for (const auto& r : read_topic(c.cluster->bootstrap_servers(), c.config.kafka.signals_topic, 3)) {
    auto s = decode_cloudevent(r.value);
    BOOST_REQUIRE(s.is_ok());
    BOOST_TEST(r.key == s.value().signal_id);
    BOOST_TEST(r.headers.at("content-type") == "application/cloudevents+json; charset=UTF-8");
  }
}

BOOST_AUTO_TEST_CASE(invalid_messages_reach_the_dead_letter_topic_with_headers) {
  const auto& lines = stream_lines();
  Cluster c("dlq");
  produce_all(c.cluster->bootstrap_servers(), c.config.kafka.events_topic, lines, 0, lines.size());
  auto store = open_store(c.state.path);
  Metrics metrics(kVersion);
  run_until(c.config, *store, metrics, lines.size());

  const auto dead = read_topic(c.cluster->bootstrap_servers(), c.config.kafka.dead_letter_topic, 1);
  BOOST_TEST(static_cast<double>(dead.size()) == dead_lettered_total(metrics));
  BOOST_REQUIRE(!dead.empty());
  const std::set<std::string> reasons = {"not_json", "too_large", "missing_field",
                                         "wrong_type", "bad_value", "bad_timestamp", "undeliverable"};
  for (const auto& r : dead) {
    BOOST_TEST(reasons.count(r.headers.at("vigil.error.reason")) == 1u);
    BOOST_TEST(!r.headers.at("vigil.error.detail").empty());
    BOOST_TEST(r.headers.at("vigil.error.topic") == c.config.kafka.events_topic);
    BOOST_TEST(r.headers.at("vigil.error.partition") == "0");
    const auto offset = std::stoul(r.headers.at("vigil.error.offset"));
    BOOST_REQUIRE(offset < lines.size());
    BOOST_TEST(r.value == lines[offset]);  // the original message, byte for byte
  }
}

BOOST_AUTO_TEST_CASE(run_dead_letters_a_report_ahead_of_the_wall_clock) {
  // A report "made" ten days from now, in the middle of the stream: run
  // refuses it by the wall clock (issue 15, item 2), and the signals are
  // those of the stream without it.
  const auto& lines = stream_lines();
  const auto now = std::chrono::system_clock::now() + std::chrono::hours(24 * 10);
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  char day[16];
  std::strftime(day, sizeof day, "%Y-%m-%d", std::gmtime(&t));
  std::string future = lines[100];
  future.replace(future.find("\"id\":\"") + 6, future.find('"', future.find("\"id\":\"") + 6) - future.find("\"id\":\"") - 6,
                 "FUTURE-1");
  const size_t reported = future.find("\"reported_at\":\"") + 15;
  future.replace(reported, 10, day);
  if (const size_t occurred = future.find("\"occurred_on\":\""); occurred != std::string::npos) {
    future.replace(occurred + 15, 10, day);
  }
  std::vector<std::string> bent = lines;
  const size_t at = lines.size() / 2;
  bent.insert(bent.begin() + static_cast<std::ptrdiff_t>(at), future);

  Cluster c("future");
  produce_all(c.cluster->bootstrap_servers(), c.config.kafka.events_topic, bent, 0, bent.size());
  auto store = open_store(c.state.path);
  Metrics metrics(kVersion);
  run_until(c.config, *store, metrics, bent.size());

  std::vector<std::string> refused;
  for (const auto& r : read_topic(c.cluster->bootstrap_servers(), c.config.kafka.dead_letter_topic, 1)) {
    if (std::stoul(r.headers.at("vigil.error.offset")) != at) continue;
    BOOST_TEST(r.headers.at("vigil.error.reason") == "bad_timestamp");
    refused.push_back(r.headers.at("vigil.error.detail"));
  }
  BOOST_REQUIRE(refused.size() == 1u);
  BOOST_TEST(refused[0].rfind("reported_at: ", 0) == 0u);
  BOOST_TEST(refused[0].find(" days after the wall clock (tolerance 2 days)") != std::string::npos);

  // The signals of the stream without it (each merge partition's share of
  // the detectors, replayed, as in consume_detect_produce_matches_replay).
  std::vector<std::string> expected;
  const PipelineConfig national = test_config("unused", "unused", "unused");
  for (const int32_t p : partitions_with_detectors(national.detectors, kRepartitionPartitions)) {
    const Replayed share = replay(lines, detectors_on(national.detectors, p, kRepartitionPartitions));
    expected.insert(expected.end(), share.signals.begin(), share.signals.end());
  }
  std::sort(expected.begin(), expected.end());
  BOOST_TEST(c.signal_values() == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(broker_errors_and_outage_lose_nothing) {
  const auto& lines = stream_lines();
  const auto expected = replay_signals(lines);
  Cluster c("faults");
  // The outage is shorter than the session, so the group keeps its member
  // and nothing is delivered twice: the test is about broker errors, not
  // about a rebalance, which a loaded machine could otherwise cause by
  // delaying heartbeats past a short session (at-least-once would then
  // rightly redeliver a batch, and signals with the same ids, see
  // restart_resumes_from_state_without_double_counting for that path).
  c.config.kafka.properties["session.timeout.ms"] = "45000";
  c.config.kafka.properties["heartbeat.interval.ms"] = "3000";
  produce_all(c.cluster->bootstrap_servers(), c.config.kafka.events_topic, lines, 0, lines.size());
  auto store = open_store(c.state.path);
  Metrics metrics(kVersion);
  run_until(c.config, *store, metrics, lines.size(), [&] {
    // Produce (0) and Fetch (1) requests fail with retriable errors, then
    // every broker goes down for three seconds mid-stream.
    c.cluster->push_request_errors(0, 5, 6 /* NOT_LEADER_OR_FOLLOWER */);
    c.cluster->push_request_errors(1, 5, 7 /* REQUEST_TIMED_OUT */);
    // (No REQUIRE in here: the pipeline's thread must be joined first.)
    BOOST_TEST(wait_until([&] { return metrics.events_consumed.Value() >= static_cast<double>(lines.size()) / 3; },
                          120s));
    for (int b = 1; b <= 3; ++b) BOOST_TEST(c.cluster->set_broker_down(b, true).is_ok());
    std::this_thread::sleep_for(3s);
    for (int b = 1; b <= 3; ++b) BOOST_TEST(c.cluster->set_broker_down(b, false).is_ok());
  });
  const auto got = c.signal_values();
  BOOST_TEST(got == expected, boost::test_tools::per_element());
  BOOST_TEST(metrics.events_consumed.Value() == static_cast<double>(lines.size()));
}

BOOST_AUTO_TEST_CASE(rejected_offset_commits_are_counted_and_not_fatal) {
  const auto& lines = stream_lines();
  const size_t n = lines.size() / 4;
  Cluster c("offsets");
  produce_all(c.cluster->bootstrap_servers(), c.config.kafka.events_topic, lines, 0, n);
  auto store = open_store(c.state.path);
  Metrics metrics(kVersion);
  // The next offset commits (OffsetCommit, API key 8) are refused with a
  // permanent error. The state store holds the offsets that matter, so the
  // pipeline counts the failures and goes on.
  c.cluster->push_request_errors(8, 3, 12 /* OFFSET_METADATA_TOO_LARGE */);
  run_until(c.config, *store, metrics, n, [&] {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (metrics.commit_failures(CommitStage::kOffsets).Value() < 1 &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
    }
  });
  BOOST_TEST(metrics.commit_failures(CommitStage::kOffsets).Value() >= 1);
  BOOST_TEST(metrics.commit_failures(CommitStage::kProduce).Value() == 0);
  BOOST_TEST(metrics.commit_failures(CommitStage::kState).Value() == 0);
  BOOST_TEST(metrics.events_consumed.Value() == static_cast<double>(n));
}

BOOST_AUTO_TEST_CASE(restart_resumes_from_state_without_double_counting) {
  const auto& lines = stream_lines();
  const auto expected = replay_signals(lines);
  Cluster c("restart");
  const size_t half = lines.size() / 2;
  produce_all(c.cluster->bootstrap_servers(), c.config.kafka.events_topic, lines, 0, half);
  // With one events partition the merge releases every record at once, so
  // the first half's output is replay's of the first half.
  const double open_so_far = open_episodes(replay_signals({lines.begin(), lines.begin() + static_cast<long>(half)}));
  BOOST_TEST_MESSAGE(open_so_far << " signals open after the first half");
  {
    auto store = open_store(c.state.path);
    Metrics metrics(kVersion);
    bool open_seen = false;
    run_until(c.config, *store, metrics, half, [&] {
      // vigil_signals_open is set at each commit from the tasks this process
      // owns: once both stages have taken in the first half and committed
      // it, it shows the episodes the first half leaves open (read while the
      // partitions are still owned: a process that gave them up reports none).
      open_seen = wait_until(
          [&] {
            return metrics.events_consumed.Value() >= static_cast<double>(half) &&
                   merge_caught_up(c.config, metrics) && metrics.signals_open.Value() == open_so_far;
          },
          120s);
    });
    BOOST_TEST(open_seen, "vigil_signals_open stayed at " << metrics.signals_open.Value());
    BOOST_TEST(metrics.signals_open.Value() == 0);  // partitions revoked on close
  }
  // The signals topic tells the same: raised and not yet resolved.
  BOOST_TEST(open_episodes(c.signal_values()) == open_so_far);
  auto store = open_store(c.state.path);
  Metrics metrics(kVersion);
  double open_when_restored = -1;
  run_until(c.config, *store, metrics, lines.size() - half, [&] {
    // Restored from the state before any new event arrives: the gauge is
    // set on assignment, before the pipeline says it is ready.
    BOOST_TEST(wait_until([&] { return metrics.ready.Value() == 1; }, 60s));
    open_when_restored = metrics.signals_open.Value();
    produce_all(c.cluster->bootstrap_servers(), c.config.kafka.events_topic, lines, half, lines.size());
  });
  BOOST_TEST(open_when_restored == open_so_far);
  // The second instance consumed only what the first had not committed.
  BOOST_TEST(metrics.events_consumed.Value() == static_cast<double>(lines.size() - half));
  const auto got = c.signal_values();
  BOOST_TEST(got == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(readyz_is_503_until_restore_reaches_the_group_offset) {
  // Exactly-once: an instance without state is assigned a partition whose
  // group has committed offset C (as after a partition moved to it). It
  // processes events 0..C-1 again with their output dropped, counting them
  // in vigil_events_restored_total, and /readyz answers 503 until it has.
  // The mock cluster drops offsets sent in a transaction but keeps a plain
  // OffsetCommit, so C is committed as a consumer commits it. The events
  // below C arrive in two parts, so the restore is held half way for as
  // long as the test looks, not for as long as a race allows.
  const auto& lines = stream_lines();
  const size_t total = 4000, committed = 2400, first = 1200;
  BOOST_REQUIRE(lines.size() >= total);
  const std::vector<std::string> stream(lines.begin(), lines.begin() + total);
  const Replayed replayed = replay(stream);
  std::vector<int64_t> want_dead;
  for (int64_t o : replayed.dead_letter_offsets) {
    if (o >= static_cast<int64_t>(committed)) want_dead.push_back(o);
  }
  // Some invalid lines lie below C: their dead letters must be dropped.
  BOOST_REQUIRE(want_dead.size() < replayed.dead_letter_offsets.size());
  BOOST_REQUIRE(!want_dead.empty());

  Cluster c("restore");
  PipelineConfig config = c.config;
  config.kafka.guarantee = DeliveryGuarantee::kExactlyOnce;
  config.kafka.repartition_topic = "";  // one stage: the input task runs the detectors
  const std::string& bootstrap = c.cluster->bootstrap_servers();
  produce_all(bootstrap, config.kafka.events_topic, stream, 0, first);
  commit_group_offset(bootstrap, config.kafka.group_id, config.kafka.events_topic, 0, committed);

  auto store = open_store(c.state.path);
  // The operator's view: /metrics and /readyz served as `vigil run` serves them.
  ServedMetrics served;
  Metrics& metrics = served.metrics;
  const auto& ready = served.ready;
  const std::string& base = served.base;
  auto pipeline = KafkaPipeline::create(config, *store, metrics, ready);
  BOOST_REQUIRE_MESSAGE(pipeline.is_ok(), (pipeline.is_ok() ? std::string() : pipeline.error().message));
  std::atomic<bool> stop{false};
  Status result;
  std::thread runner([&] { result = pipeline.value()->run(stop); });

  // (No REQUIRE until the runner is joined.)
  const bool held = wait_until([&] { return metrics.events_restored.Value() >= static_cast<double>(first); }, 120s);
  BOOST_TEST(held);
  const auto while_held = testing::http_get(base + "/metrics");
  BOOST_TEST(sample(while_held.body, "vigil_events_restored_total") == static_cast<double>(first));
  BOOST_TEST(sample(while_held.body, "vigil_ready") == 0);
  BOOST_TEST(testing::http_get(base + "/readyz").status == 503);

  // From here on, whenever /readyz says 200 the whole restore must be done.
  std::atomic<bool> polling{true};
  std::atomic<int> answered_ready{0}, ready_too_early{0};
  std::thread poller([&] {
    while (polling.load()) {
      if (testing::http_get(base + "/readyz").status == 200) {
        ++answered_ready;
        if (metrics.events_restored.Value() != static_cast<double>(committed)) ++ready_too_early;
      }
      std::this_thread::sleep_for(5ms);
    }
  });
  produce_all(bootstrap, config.kafka.events_topic, stream, first, total);
  const bool done = wait_until([&] { return metrics.events_consumed.Value() >= static_cast<double>(total); }, 120s);
  const bool became_ready = wait_until([&] { return answered_ready.load() > 0; }, 60s);
  polling.store(false);
  poller.join();
  const auto after = testing::http_get(base + "/metrics");
  stop.store(true);
  runner.join();
  BOOST_REQUIRE_MESSAGE(result.is_ok(), result.message());
  BOOST_TEST(done);
  BOOST_TEST(became_ready);
  BOOST_TEST(ready_too_early.load() == 0);
  BOOST_TEST(sample(after.body, "vigil_events_restored_total") == static_cast<double>(committed));
  BOOST_TEST(sample(after.body, "vigil_ready") == 1);
  BOOST_TEST(metrics.events_consumed.Value() == static_cast<double>(total));

  // Output below C was dropped, output from C on delivered: the dead
  // letters are exactly those of the invalid lines from C on.
  std::vector<int64_t> got_dead;
  for (const auto& r : read_topic(bootstrap, config.kafka.dead_letter_topic, 1)) {
    got_dead.push_back(std::stoll(r.headers.at("vigil.error.offset")));
  }
  std::sort(got_dead.begin(), got_dead.end());
  BOOST_TEST(got_dead == want_dead, boost::test_tools::per_element());
}

// An exactly-once pipeline over `n` events while the next `fatal_commits`
// EndTxn requests fail with INVALID_TXN_STATE: a fatal producer error that
// is not fencing, which librdkafka answers only with a new producer.
struct FatalCommitsOutcome {
  Status result;
  bool stopped_by_itself = false;
  double transaction_failures = 0;
  uint64_t state_commits = 0;
  std::optional<int64_t> stored_offset;  // the input task's, after the run
};

FatalCommitsOutcome run_with_fatal_commits(const std::string& group, int fatal_commits, size_t n) {
  Cluster c(group);
  PipelineConfig config = c.config;
  config.kafka.guarantee = DeliveryGuarantee::kExactlyOnce;
  config.kafka.repartition_topic = "";
  produce_all(c.cluster->bootstrap_servers(), config.kafka.events_topic, stream_lines(), 0, n);
  c.cluster->push_request_errors(26 /* EndTxn */, fatal_commits, 48 /* INVALID_TXN_STATE */);
  FatalCommitsOutcome out;
  auto store = open_store(c.state.path);
  Metrics metrics(kVersion);
  const auto state_commits = [&] { return metrics.commit_seconds.Collect().histogram.sample_count; };
  {
    auto pipeline = KafkaPipeline::create(config, *store, metrics, std::make_shared<std::atomic<bool>>(false));
    BOOST_REQUIRE_MESSAGE(pipeline.is_ok(), (pipeline.is_ok() ? std::string() : pipeline.error().message));
    std::atomic<bool> stop{false}, returned{false};
    std::thread runner([&] {
      out.result = pipeline.value()->run(stop);
      returned.store(true);
    });
    // It stops by itself, or a transaction gets through and state is committed.
    wait_until([&] { return returned.load() || state_commits() > 0; }, 180s);
    out.stopped_by_itself = returned.load();
    stop.store(true);
    runner.join();
  }
  out.transaction_failures = metrics.commit_failures(CommitStage::kTransaction).Value();
  out.state_commits = state_commits();
  auto task = PartitionTask::open(0, *store, config.detectors, nullptr);
  BOOST_REQUIRE(task.is_ok());
  out.stored_offset = task.value()->resume_offset();
  return out;
}

BOOST_AUTO_TEST_CASE(three_producer_replacements_without_a_commit_stop_the_pipeline) {
  // README: a fatal error gets a new producer and a rewind, "except ... after
  // three replacements without a commit: then it stops with exit 1, and its
  // restart resumes from the committed state".
  const size_t n = 1500;
  const FatalCommitsOutcome fourth = run_with_fatal_commits("replaced-4", 4, n);
  BOOST_TEST(fourth.stopped_by_itself);
  BOOST_TEST(!fourth.result.is_ok());
  if (!fourth.result.is_ok()) BOOST_TEST((fourth.result.error().kind == ErrorKind::kFatal), fourth.result.message());
  // The first try and three replacements; a loaded machine may add an
  // abortable failure (e.g. a request timing out), which is counted too but
  // redoes the batch with the same producer, so it replaces nothing.
  BOOST_TEST(fourth.transaction_failures >= 4);
  BOOST_TEST(fourth.state_commits == 0u);        // state never ahead of Kafka
  BOOST_TEST(!fourth.stored_offset.has_value());

  // The boundary: three fatal commits in a row are three replacements, and
  // the fourth producer's commit goes through.
  const FatalCommitsOutcome third = run_with_fatal_commits("replaced-3", 3, n);
  BOOST_TEST(!third.stopped_by_itself);
  BOOST_TEST(third.result.is_ok(), third.result.message());
  BOOST_TEST(third.transaction_failures >= 3);
  BOOST_TEST(third.state_commits > 0u);
  BOOST_TEST(third.stored_offset.value_or(0) > 0);
}

BOOST_AUTO_TEST_CASE(fenced_static_member_gets_a_new_consumer_and_loses_nothing) {
  // README: a static member fenced by the group (librdkafka 2.0.2 can fence
  // one with its own rejoin after a broker restart) gets a new consumer and
  // redoes what was not committed. The mock cluster answers one heartbeat
  // with FENCED_INSTANCE_ID, as a broker does to a fenced member.
  const auto& lines = stream_lines();
  const auto expected = replay_signals(lines);
  Cluster c("fenced");
  c.config.kafka.group_instance_id = "vigil-0";
  const size_t half = lines.size() / 2;
  produce_all(c.cluster->bootstrap_servers(), c.config.kafka.events_topic, lines, 0, half);
  auto store = open_store(c.state.path);
  Metrics metrics(kVersion);
  auto pipeline = KafkaPipeline::create(c.config, *store, metrics, std::make_shared<std::atomic<bool>>(false));
  BOOST_REQUIRE_MESSAGE(pipeline.is_ok(), (pipeline.is_ok() ? std::string() : pipeline.error().message));
  pipeline.value()->track_drain();
  std::atomic<bool> stop{false}, returned{false};
  Status result;
  std::thread runner([&] {
    result = pipeline.value()->run(stop);
    returned.store(true);
  });
  // (No REQUIRE until the pipeline's thread is joined.)
  BOOST_TEST(wait_until([&] { return returned.load() || metrics.events_consumed.Value() >= static_cast<double>(half) / 2; },
                        120s));
  c.cluster->push_request_errors(12 /* Heartbeat */, 1, 82 /* FENCED_INSTANCE_ID */);
  BOOST_TEST(wait_until([&] { return returned.load() || metrics.consumers_replaced.Value() >= 1; }, 120s));
  // The second half arrives after the replacement, for the new consumer.
  produce_all(c.cluster->bootstrap_servers(), c.config.kafka.events_topic, lines, half, lines.size());
  const auto produced = std::chrono::steady_clock::now();
  BOOST_TEST(wait_until([&] {
    const auto drained = pipeline.value()->drained_since();
    // Drained: every partition of both topics read to its end and committed.
    return returned.load() || (drained && *drained > produced);
  }, 240s));
  stop.store(true);
  runner.join();
  BOOST_TEST(result.is_ok(), result.message());
  BOOST_TEST(metrics.consumers_replaced.Value() == 1);
  BOOST_TEST(c.signal_values() == expected, boost::test_tools::per_element());
}

// Bounded retries (commit.max_attempts): the brokers refuse a batch's
// output with INVALID_RECORD, an error that names the records (not an
// outage), on the next `refusals` Produce requests. The stream's first
// batch yields exactly one record (the dead letter of an invalid line, no
// signals), so each of its attempts sends exactly one Produce request and
// `refusals` is the number of attempts refused. Batches are cut by count
// only (commit.max_events, no interval), so which events form a batch, and
// how often each is consumed, are exact facts.
constexpr int kProduceApi = 0;
constexpr int kInvalidRecord = 87;  // INVALID_RECORD: "Broker failed to validate record"
constexpr size_t kRefusedBatch = 50;
constexpr size_t kRefusedStreamEvents = 4000;
constexpr int64_t kRefusedInvalidAt = 3;

// Failed attempts after the last refusal, not counted towards
// commit.max_attempts. Exactly-once: one. librdkafka (2.0.2) numbers a
// transactional producer's records on after refused ones, so the broker
// reports a sequence gap on the next transaction and the producer recovers
// by bumping its epoch, which aborts that transaction ("skipped sequence
// numbers"; its records are purged, as in an outage). At-least-once: none,
// the idempotent producer bumps its epoch at the refusal itself.
size_t resync_attempts(DeliveryGuarantee guarantee) {
  return guarantee == DeliveryGuarantee::kExactlyOnce ? 1 : 0;
}

const std::vector<std::string>& refused_stream() {
  static const std::vector<std::string> lines = [] {
    std::vector<std::string> l(stream_lines().begin(), stream_lines().begin() + kRefusedStreamEvents);
    l[kRefusedInvalidAt] = "not json";
    return l;
  }();
  return lines;
}

// The stream from its second batch on, as `vigil replay` sees it when the
// first batch never happened (offsets counted from that batch's end).
const Replayed& replayed_without_first_batch() {
  static const Replayed r = replay({refused_stream().begin() + kRefusedBatch, refused_stream().end()});
  return r;
}

struct RefusedRun {
  Status result;
  bool stopped_by_itself = false;
  double consumed = 0;
  double failures = 0;  // vigil_commit_failures_total, produce and transaction
  double batches_dead_lettered = 0;
  double undeliverable = 0;
  // The dead-letter topic: input offset and reason of each record.
  std::vector<int64_t> undeliverable_offsets, other_offsets;
  std::vector<std::string> undeliverable_details;
  std::vector<std::string> signals;  // sorted
  std::optional<int64_t> stored_offset;
};

// Runs the pipeline over refused_stream() with the next `refusals` Produce
// requests refused, until it has consumed `consumed_when_done` events or
// stopped by itself. `properties` are added to the clients'.
RefusedRun run_with_refused_output(DeliveryGuarantee guarantee, const std::string& group, int refusals,
                                   double consumed_when_done,
                                   const std::map<std::string, std::string>& properties = {}) {
  const auto& lines = refused_stream();
  Cluster c(group);
  PipelineConfig config = c.config;
  for (const auto& [name, value] : properties) config.kafka.properties[name] = value;
  config.kafka.guarantee = guarantee;
  config.kafka.repartition_topic = "";  // one stage: the input task runs the detectors
  config.commit.max_events = kRefusedBatch;
  config.commit.max_interval_ms = 3600 * 1000;
  // No rebalance on a loaded machine: it would commit a partial batch.
  config.kafka.properties["session.timeout.ms"] = "45000";
  config.kafka.properties["heartbeat.interval.ms"] = "3000";
  produce_all(c.cluster->bootstrap_servers(), config.kafka.events_topic, lines, 0, lines.size());
  c.cluster->push_request_errors(kProduceApi, refusals, kInvalidRecord);
  RefusedRun out;
  // The callers count attempts by the default.
  BOOST_REQUIRE(config.commit.max_attempts == CommitConfig{}.max_attempts);
  auto store = open_store(c.state.path);
  Metrics metrics(kVersion);
  {
    auto pipeline = KafkaPipeline::create(config, *store, metrics, std::make_shared<std::atomic<bool>>(false));
    BOOST_REQUIRE_MESSAGE(pipeline.is_ok(), (pipeline.is_ok() ? std::string() : pipeline.error().message));
    std::atomic<bool> stop{false}, returned{false};
    std::thread runner([&] {
      out.result = pipeline.value()->run(stop);
      returned.store(true);
    });
    wait_until([&] { return returned.load() || metrics.events_consumed.Value() >= consumed_when_done; }, 120s);
    out.stopped_by_itself = returned.load();
    stop.store(true);
    runner.join();
  }
  out.consumed = metrics.events_consumed.Value();
  out.failures = metrics.commit_failures(CommitStage::kProduce).Value() +
                 metrics.commit_failures(CommitStage::kTransaction).Value();
  out.batches_dead_lettered = metrics.batches_dead_lettered.Value();
  out.undeliverable = metrics.dead_lettered("undeliverable").Value();
  for (const auto& r : read_topic(c.cluster->bootstrap_servers(), config.kafka.dead_letter_topic, 1)) {
    const int64_t offset = std::stoll(r.headers.at("vigil.error.offset"));
    if (r.headers.at("vigil.error.reason") == "undeliverable") {
      out.undeliverable_offsets.push_back(offset);
      out.undeliverable_details.push_back(r.headers.at("vigil.error.detail"));
      BOOST_TEST(r.value == lines[static_cast<size_t>(offset)]);  // the original, unprocessed
    } else {
      out.other_offsets.push_back(offset);
    }
  }
  std::sort(out.undeliverable_offsets.begin(), out.undeliverable_offsets.end());
  std::sort(out.other_offsets.begin(), out.other_offsets.end());
  out.signals = c.signal_values();
  auto task = PartitionTask::open(0, *store, config.detectors, nullptr);
  BOOST_REQUIRE(task.is_ok());
  out.stored_offset = task.value()->resume_offset();
  return out;
}

// The first batch yields one dead letter and no signal, so that each of its
// attempts is one Produce request; the stream as a whole yields signals.
void check_refused_stream() {
  const auto& lines = refused_stream();
  const Replayed first = replay({lines.begin(), lines.begin() + kRefusedBatch});
  BOOST_REQUIRE(first.signals.empty());
  BOOST_REQUIRE(first.dead_letter_offsets == std::vector<int64_t>{kRefusedInvalidAt});
  BOOST_REQUIRE(!replayed_without_first_batch().signals.empty());
}

// Refused fewer than commit.max_attempts times: the batch is redone and
// every event goes through once, as if nothing had been refused.
void check_redone_below_max_attempts(DeliveryGuarantee guarantee, const std::string& group) {
  check_refused_stream();
  const auto& lines = refused_stream();
  const Replayed expected = replay(lines);
  const uint32_t max_attempts = CommitConfig{}.max_attempts;
  const size_t refusals = max_attempts - 1;
  const size_t attempts = refusals + resync_attempts(guarantee);  // failed ones
  // The first batch is consumed once per failed attempt and once more.
  const double consumed = static_cast<double>(kRefusedBatch * attempts + lines.size());
  const RefusedRun run = run_with_refused_output(guarantee, group, static_cast<int>(refusals), consumed);
  BOOST_TEST(run.result.is_ok(), run.result.message());
  BOOST_TEST(!run.stopped_by_itself);
  BOOST_TEST(run.failures == attempts);
  BOOST_TEST(run.batches_dead_lettered == 0);
  BOOST_TEST(run.undeliverable == 0);
  BOOST_TEST(run.undeliverable_offsets.empty());
  // Each invalid line's dead letter once (offset 3's among them), every signal once.
  BOOST_TEST(run.other_offsets == expected.dead_letter_offsets, boost::test_tools::per_element());
  BOOST_TEST(run.signals == expected.signals, boost::test_tools::per_element());
  BOOST_TEST(run.consumed == consumed);
  BOOST_TEST(run.stored_offset.value_or(-1) == static_cast<int64_t>(lines.size()));
}

// Refused commit.max_attempts times: the batch is given up on, its events
// dead-lettered as `undeliverable` once each, and the stream goes on.
void check_given_up_at_max_attempts(DeliveryGuarantee guarantee, const std::string& group) {
  check_refused_stream();
  const auto& lines = refused_stream();
  const Replayed& rest = replayed_without_first_batch();
  const uint32_t max_attempts = CommitConfig{}.max_attempts;
  // Consumed once per refused attempt, then as dead letters (once, or twice
  // with a resync attempt), then the rest.
  const size_t resync = resync_attempts(guarantee);
  const double consumed = static_cast<double>(kRefusedBatch * (max_attempts + resync) + lines.size());
  const RefusedRun run = run_with_refused_output(guarantee, group, static_cast<int>(max_attempts), consumed);
  BOOST_TEST(run.result.is_ok(), run.result.message());
  BOOST_TEST(!run.stopped_by_itself);
  BOOST_TEST(run.failures == max_attempts + resync);
  BOOST_TEST(run.batches_dead_lettered == 1);
  // Counted as they are consumed: once per attempt of the dead-letter batch.
  BOOST_TEST(run.undeliverable == kRefusedBatch * (1 + resync));
  std::vector<int64_t> first_batch(kRefusedBatch);
  for (size_t i = 0; i < kRefusedBatch; ++i) first_batch[i] = static_cast<int64_t>(i);
  BOOST_TEST(run.undeliverable_offsets == first_batch, boost::test_tools::per_element());
  for (const auto& detail : run.undeliverable_details) {
    BOOST_TEST(detail.find(RdKafka::err2str(RdKafka::ERR_INVALID_RECORD)) != std::string::npos, detail);
  }
  // The invalid line at offset 3 is among them, not dead-lettered a second
  // time as not_json; the rest is processed as if the first batch had
  // never been there.
  std::vector<int64_t> rest_offsets;
  for (int64_t o : rest.dead_letter_offsets) rest_offsets.push_back(o + static_cast<int64_t>(kRefusedBatch));
  BOOST_TEST(run.other_offsets == rest_offsets, boost::test_tools::per_element());
  BOOST_TEST(run.signals == rest.signals, boost::test_tools::per_element());
  BOOST_TEST(run.consumed == consumed);
  BOOST_TEST(run.stored_offset.value_or(-1) == static_cast<int64_t>(lines.size()));
}

// Refused for good: the batch given up on (now only dead letters) is
// refused the same way, so the cause is not in its events and the pipeline
// stops, rather than dead-letter the stream batch after batch.
void check_stops_when_refusal_persists(DeliveryGuarantee guarantee, const std::string& group,
                                       const std::map<std::string, std::string>& properties = {}) {
  check_refused_stream();
  const uint32_t max_attempts = CommitConfig{}.max_attempts;
  // max_attempts refusals of the batch, max_attempts of its dead letters
  // (no resync attempt: every attempt is refused).
  const double consumed = static_cast<double>(kRefusedBatch * 2 * max_attempts);
  const RefusedRun run = run_with_refused_output(guarantee, group, 1000, consumed + 1, properties);
  BOOST_TEST(run.stopped_by_itself);
  BOOST_TEST(!run.result.is_ok());
  if (!run.result.is_ok()) {
    BOOST_TEST((run.result.error().kind == ErrorKind::kFatal));
    BOOST_TEST(run.result.message().find("given up on") != std::string::npos, run.result.message());
  }
  BOOST_TEST(run.failures == 2 * max_attempts);
  BOOST_TEST(run.batches_dead_lettered == 1);
  BOOST_TEST(run.undeliverable == kRefusedBatch * max_attempts);
  BOOST_TEST(run.consumed == consumed);
  BOOST_TEST(run.undeliverable_offsets.empty());
  BOOST_TEST(run.other_offsets.empty());
  BOOST_TEST(run.signals.empty());
  BOOST_TEST(!run.stored_offset.has_value());  // state never ahead of Kafka
}

BOOST_AUTO_TEST_CASE(refused_batch_is_redone_below_max_attempts_at_least_once) {
  check_redone_below_max_attempts(DeliveryGuarantee::kAtLeastOnce, "refused-4-alo");
}

BOOST_AUTO_TEST_CASE(refused_batch_is_redone_below_max_attempts_exactly_once) {
  check_redone_below_max_attempts(DeliveryGuarantee::kExactlyOnce, "refused-4-eos");
}

BOOST_AUTO_TEST_CASE(batch_refused_max_attempts_times_is_dead_lettered_at_least_once) {
  check_given_up_at_max_attempts(DeliveryGuarantee::kAtLeastOnce, "refused-5-alo");
}

BOOST_AUTO_TEST_CASE(batch_refused_max_attempts_times_is_dead_lettered_exactly_once) {
  check_given_up_at_max_attempts(DeliveryGuarantee::kExactlyOnce, "refused-5-eos");
}

BOOST_AUTO_TEST_CASE(persistent_refusal_stops_the_pipeline_at_least_once) {
  check_stops_when_refusal_persists(DeliveryGuarantee::kAtLeastOnce, "refused-always-alo");
}

BOOST_AUTO_TEST_CASE(persistent_refusal_stops_the_pipeline_exactly_once) {
  check_stops_when_refusal_persists(DeliveryGuarantee::kExactlyOnce, "refused-always-eos");
}

// A refused record leaves the transaction abortable, and librdkafka refuses
// every record produced after it with "Erroneous state". A local queue of
// one record makes each produce wait for the previous record's answer, so
// the batch given up on (50 dead letters) always meets the refusal while
// still producing; the first batch (one dead letter) meets it at the
// commit. Both must count as the same failure, or the batch given up on is
// given up on again instead of stopping the pipeline.
BOOST_AUTO_TEST_CASE(refusal_met_while_producing_is_the_same_failure_exactly_once) {
  check_stops_when_refusal_persists(DeliveryGuarantee::kExactlyOnce, "refused-while-producing-eos",
                                    {{"queue.buffering.max.messages", "1"}});
}

BOOST_AUTO_TEST_SUITE_END()

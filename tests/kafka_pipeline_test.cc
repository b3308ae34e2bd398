#include <boost/test/unit_test.hpp>

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "config/pipeline_config.h"
#include "synthetic/stream.h"
#include "core/version.h"
#include "kafka/client_conf.h"
#include "pipeline/detector_placement.h"
#include "kafka/embedded_kafka_cluster.h"
#include "pipeline/kafka_pipeline.h"
#include "pipeline/replay_runner.h"
#include "sinks/cloudevent_decoder.h"
#include "sinks/jsonl_sinks.h"
#include "partitioned_stream.h"

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
  // The mock cluster does not keep offsets sent in a transaction: these
  // tests cover the at-least-once protocol; tests/exactly_once_test.sh
  // covers transactions on a real broker.
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

// The CloudEvents lines `vigil replay` writes for the same events.
std::vector<std::string> replay_signals(const std::vector<std::string>& lines) {
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
  auto store = open_store(dir.path + "/state");
  JsonlSignalSink sink(file.value().get(), config.name);
  Metrics metrics(kVersion);
  auto summary = run_replay(config, input, *store, sink, nullptr, metrics);
  BOOST_REQUIRE(summary.is_ok());
  file.value().reset();
  std::vector<std::string> signals;
  std::ifstream in(output);
  for (std::string l; std::getline(in, l);) signals.push_back(l);
  std::sort(signals.begin(), signals.end());
  return signals;
}

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
// metrics, which start at `already`), then stops it cleanly.
void run_until(const PipelineConfig& config, StateStore& store, Metrics& metrics, uint64_t until,
               const std::function<void()>& meanwhile = {}) {
  auto ready = std::make_shared<std::atomic<bool>>(false);
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
  const auto expected = replay_signals(lines);
  BOOST_TEST_MESSAGE(lines.size() << " events, " << expected.size() << " signals expected");
  BOOST_REQUIRE(expected.size() > 5u);

  Cluster c("e2e");
  produce_all(c.cluster->bootstrap_servers(), c.config.kafka.events_topic, lines, 0, lines.size());
  auto store = open_store(c.state.path);
  Metrics metrics(kVersion);
  bool ready_while_running = false;
  run_until(c.config, *store, metrics, lines.size(), [&] {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (metrics.ready.Value() != 1 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(10ms);
    }
    ready_while_running = metrics.ready.Value() == 1;
  });
  BOOST_TEST(ready_while_running);
  BOOST_TEST(metrics.ready.Value() == 0);  // stopped: not ready

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
                                         "wrong_type", "bad_value", "bad_timestamp"};
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

BOOST_AUTO_TEST_CASE(broker_errors_and_outage_lose_nothing) {
  const auto& lines = stream_lines();
  const auto expected = replay_signals(lines);
  Cluster c("faults");
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

BOOST_AUTO_TEST_SUITE_END()

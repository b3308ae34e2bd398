// The review application's Kafka clients against librdkafka's in-process
// mock cluster: the signals topic read from its beginning and then followed
// (every partition, no consumer group), decisions published to the reviews
// topic keyed by signal_id and acknowledged before publish() returns, read
// back into the latest decision per signal, a reviews topic that does not
// exist yet, and a publish that fails while the cluster is away.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "config/pipeline_config.h"
#include "kafka/embedded_kafka_cluster.h"
#include "kafka/kafka_producer.h"
#include "kafka/topic_follower.h"
#include "review/latest_decisions.h"
#include "sinks/cloudevent_encoder.h"
#include "web/kafka_decision_publisher.h"
#include "web/kafka_decision_reader.h"
#include "web/kafka_signal_source.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;

template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::seconds limit = 60s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return predicate();
}

std::unique_ptr<EmbeddedKafkaCluster> start_cluster() {
  auto cluster = EmbeddedKafkaCluster::start(3);
  BOOST_REQUIRE_MESSAGE(cluster.is_ok(), (cluster.is_ok() ? std::string() : cluster.error().message));
  return std::move(cluster).value();
}

KafkaConfig kafka_config(const EmbeddedKafkaCluster& cluster) {
  KafkaConfig k;
  k.bootstrap_servers = cluster.bootstrap_servers();
  return k;
}

Signal make_signal(int n) {
  char id[17];
  std::snprintf(id, sizeof id, "%016x", 0xa000 + n);
  Signal s;
  s.type = SignalType::kRaised;
  s.signal_id = id;
  s.detector = "category_region_weekly";
  s.method = "earsC2";
  s.key = {{"category", "medication"}, {"region", "Y56"}};
  s.period_start = Date{20150};
  s.period_end = Date{20156};
  s.fired_at = Date{20157 + n};
  s.observed = 10 + n;
  s.expected = 4.5;
  s.threshold = 8.25;
  s.evidence_count = s.observed;
  s.evidence_orgs = 2;
  s.summary = "summary " + std::to_string(n);
  return s;
}

Decision make_decision(const std::string& signal_id, int n, ReviewState state) {
  Decision d;
  d.decision_id = signal_id + "-d" + std::to_string(n);
  d.signal_id = signal_id;
  d.state = state;
  d.reason = "reason " + std::to_string(n);
  d.reviewer = "reviewer@example.nhs.uk";
  d.time_ms = 1741615327000 + n;
  d.observed_at_decision = 12;
  if (state == ReviewState::kKnownIssue) d.renotify_multiple = 2.0;
  return d;
}

std::unique_ptr<KafkaProducer> make_producer(const EmbeddedKafkaCluster& cluster) {
  auto producer = KafkaProducer::create(cluster.bootstrap_servers(), {});
  BOOST_REQUIRE(producer.is_ok());
  return std::move(producer).value();
}

void produce(KafkaProducer& producer, const std::string& topic, const std::string& key,
             const std::string& value) {
  BOOST_REQUIRE(producer.produce(topic, key, value, {}).is_ok());
  const std::atomic<bool> never{false};
  BOOST_REQUIRE(producer.flush(never).is_ok());
}

// What a source handed on, for the test to read on its own thread.
struct Received {
  std::mutex mutex;
  std::map<std::string, std::string> json_by_id;  // signal_id -> CloudEvents JSON
  std::vector<std::string> order;
  size_t size() {
    std::lock_guard lock(mutex);
    return order.size();
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(kafka_review_test)

BOOST_AUTO_TEST_CASE(the_signals_topic_is_read_from_its_beginning_then_followed) {
  auto cluster = start_cluster();
  BOOST_REQUIRE(cluster->create_topic("vigil.signals", 3).is_ok());
  auto producer = make_producer(*cluster);
  std::map<std::string, std::string> sent;
  for (int n = 0; n < 5; ++n) {
    const Signal s = make_signal(n);
    sent[s.signal_id] = encode_cloudevent(s, "national");
    produce(*producer, "vigil.signals", s.signal_id, sent[s.signal_id]);
  }

  Received received;
  auto source = KafkaSignalSource::start(
      kafka_config(*cluster), "vigil.signals", [&](const Signal& s, std::string_view json) {
        std::lock_guard lock(received.mutex);
        received.json_by_id[s.signal_id] = std::string(json);
        received.order.push_back(s.signal_id);
      });
  BOOST_REQUIRE(source.is_ok());
  BOOST_REQUIRE(eventually([&] { return source.value()->caught_up(); }));
  const std::atomic<bool> never{false};
  BOOST_REQUIRE(source.value()->wait_caught_up(never).is_ok());
  // Caught up means every record present at start was handed on, each once,
  // with its JSON exactly as produced.
  BOOST_TEST(received.size() == 5u);
  {
    std::lock_guard lock(received.mutex);
    BOOST_TEST((received.json_by_id == sent));
  }

  // Followed: later signals arrive too, and a record that is no signal is
  // skipped and counted.
  produce(*producer, "vigil.signals", "junk", R"({"not":"a signal"})");
  for (int n = 5; n < 7; ++n) {
    const Signal s = make_signal(n);
    sent[s.signal_id] = encode_cloudevent(s, "national");
    produce(*producer, "vigil.signals", s.signal_id, sent[s.signal_id]);
  }
  BOOST_REQUIRE(eventually([&] { return received.size() == 7 && source.value()->records_skipped() == 1; }));
  std::lock_guard lock(received.mutex);
  BOOST_TEST((received.json_by_id == sent));
  BOOST_TEST(source.value()->signals_read() == 7u);
}

BOOST_AUTO_TEST_CASE(published_decisions_are_keyed_by_signal_and_read_back_as_the_latest_per_signal) {
  auto cluster = start_cluster();
  BOOST_REQUIRE(cluster->create_topic("vigil.reviews", 4).is_ok());
  const KafkaConfig kafka = kafka_config(*cluster);
  auto publisher = KafkaDecisionPublisher::create(kafka, "vigil.reviews");
  BOOST_REQUIRE(publisher.is_ok());
  const std::string a = "00000000000000aa", b = "00000000000000bb";
  const std::vector<Decision> first = {make_decision(a, 1, ReviewState::kUnderReview),
                                       make_decision(b, 1, ReviewState::kDismissed),
                                       make_decision(a, 2, ReviewState::kKnownIssue)};
  // publish() returns once the brokers acknowledged the record: a reader
  // started afterwards finds every one.
  for (const Decision& d : first) {
    const Status published = publisher.value()->publish(d);
    BOOST_REQUIRE_MESSAGE(published.is_ok(), published.message());
  }

  LatestDecisions latest;
  std::mutex mutex;
  std::vector<std::string> read;  // encoded, in the order read
  auto reader = KafkaDecisionReader::start(kafka, "vigil.reviews", [&](const Decision& d) {
    latest.apply(d);
    std::lock_guard lock(mutex);
    read.push_back(encode_decision(d));
  });
  BOOST_REQUIRE(reader.is_ok());
  BOOST_REQUIRE(eventually([&] { return reader.value()->caught_up(); }));
  {
    std::lock_guard lock(mutex);
    const std::multiset<std::string> got(read.begin(), read.end());
    std::multiset<std::string> want;
    for (const Decision& d : first) want.insert(encode_decision(d));
    BOOST_TEST((got == want));
  }
  BOOST_REQUIRE(latest.latest(a).has_value());
  BOOST_TEST(latest.latest(a)->decision_id == a + "-d2");
  BOOST_TEST((latest.latest(a)->state == ReviewState::kKnownIssue));
  BOOST_TEST(latest.latest(b)->decision_id == b + "-d1");
  BOOST_TEST(latest.size() == 2u);

  // Followed: a later decision replaces the latest.
  BOOST_REQUIRE(publisher.value()->publish(make_decision(a, 3, ReviewState::kValidated)).is_ok());
  BOOST_TEST(eventually([&] { return latest.latest(a)->decision_id == a + "-d3"; }));
  BOOST_TEST(reader.value()->decisions_read() == 4u);
  BOOST_TEST(reader.value()->records_skipped() == 0u);

  // Every record is keyed by its signal_id, so a signal's decisions share
  // one partition and keep their order.
  std::mutex keys_mutex;
  std::map<std::string, std::set<int32_t>> partitions_by_key;
  size_t records = 0, keyed_by_signal = 0;
  auto raw = TopicFollower::start({{"bootstrap.servers", cluster->bootstrap_servers()}},
                                  "vigil.reviews", [&](const TopicRecord& r) {
                                    std::lock_guard lock(keys_mutex);
                                    const auto d = decode_decision(r.value);
                                    if (d && r.key == d.value().signal_id) ++keyed_by_signal;
                                    partitions_by_key[std::string(r.key)].insert(r.partition);
                                    ++records;
                                  });
  BOOST_REQUIRE(raw.is_ok());
  BOOST_REQUIRE(eventually([&] { return raw.value()->caught_up(); }));
  std::lock_guard lock(keys_mutex);
  BOOST_TEST(records == 4u);
  BOOST_TEST(keyed_by_signal == 4u);
  BOOST_TEST(partitions_by_key[a].size() == 1u);
  BOOST_TEST(partitions_by_key[b].size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_reviews_topic_that_does_not_exist_yet_reads_as_empty_until_it_appears) {
  auto cluster = start_cluster();
  const KafkaConfig kafka = kafka_config(*cluster);
  LatestDecisions latest;
  auto reader = KafkaDecisionReader::start(kafka, "vigil.reviews.later",
                                           [&](const Decision& d) { latest.apply(d); });
  BOOST_REQUIRE(reader.is_ok());
  BOOST_REQUIRE(eventually([&] { return reader.value()->caught_up(); }));
  BOOST_TEST(latest.size() == 0u);

  // The mock cluster may already have created it when the reader looked
  // (it creates topics on request); a real cluster with automatic creation
  // off answers "unknown topic", which the reader takes as empty.
  (void)cluster->create_topic("vigil.reviews.later", 2);
  auto publisher = KafkaDecisionPublisher::create(kafka, "vigil.reviews.later");
  BOOST_REQUIRE(publisher.is_ok());
  BOOST_REQUIRE(publisher.value()->publish(make_decision("00000000000000cc", 1, ReviewState::kDismissed))
                    .is_ok());
  // Picked up at the next look at the topic (TopicFollower::kRecheckInterval).
  BOOST_TEST(eventually([&] { return latest.size() == 1u; }));
}

BOOST_AUTO_TEST_CASE(a_decision_the_cluster_does_not_acknowledge_is_an_error) {
  auto cluster = start_cluster();
  BOOST_REQUIRE(cluster->create_topic("vigil.reviews", 1).is_ok());
  KafkaConfig kafka = kafka_config(*cluster);
  kafka.properties["message.timeout.ms"] = "1500";  // the deployment's own properties win
  auto publisher = KafkaDecisionPublisher::create(kafka, "vigil.reviews");
  BOOST_REQUIRE(publisher.is_ok());
  BOOST_REQUIRE(publisher.value()->publish(make_decision("00000000000000dd", 1, ReviewState::kClosed))
                    .is_ok());
  for (int broker = 1; broker <= 3; ++broker) BOOST_REQUIRE(cluster->set_broker_down(broker, true).is_ok());
  const Status failed = publisher.value()->publish(make_decision("00000000000000dd", 2, ReviewState::kUnderReview));
  BOOST_REQUIRE(!failed.is_ok());
  BOOST_TEST((failed.error().kind == ErrorKind::kUnavailable));
  BOOST_TEST(failed.message().rfind("decision not recorded on vigil.reviews: ", 0) == 0u, failed.message());
  // Back up: once the producer has reconnected, the reviewer's retry is
  // recorded (each attempt either is acknowledged or fails within the
  // message timeout).
  for (int broker = 1; broker <= 3; ++broker) BOOST_REQUIRE(cluster->set_broker_down(broker, false).is_ok());
  BOOST_TEST(eventually([&] {
    return publisher.value()->publish(make_decision("00000000000000dd", 2, ReviewState::kUnderReview)).is_ok();
  }));
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace vigil

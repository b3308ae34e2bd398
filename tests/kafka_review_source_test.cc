// `vigil serve`'s Kafka mode (web/signal_source.h, make_kafka_review_source)
// against librdkafka's in-process mock cluster: the store is filled with
// the signals and decisions the topics held at start, a decision recorded
// through the application's handlers goes to the reviews topic, and a
// service started afterwards (a restart, another replica) rebuilds the same
// audit trail from the topics alone.
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <memory>
#include <string>

#include "config/pipeline_config.h"
#include "kafka/embedded_kafka_cluster.h"
#include "kafka/kafka_producer.h"
#include "review/review_store.h"
#include "sinks/cloudevent_encoder.h"
#include "web/review_handlers.h"
#include "web/signal_source.h"

namespace vigil {
namespace {

Signal make_signal(int n) {
  Signal s;
  s.signal_id = "b00000000000000" + std::to_string(n);
  s.detector = "device_weekly";
  s.method = "earsC2";
  s.key = {{"device", "pump " + std::to_string(n)}};
  s.period_start = Date{19870};
  s.period_end = Date{19876};
  s.fired_at = Date{19877};
  s.observed = 10 + n;
  s.expected = 4.5;
  s.threshold = 8.25;
  s.severity = Severity::kMedium;
  s.evidence_count = s.observed;
  s.evidence_orgs = 2;
  s.summary = "device reports rose";
  return s;
}

// A store filled by a Kafka source over the cluster's topics.
struct Service {
  explicit Service(const std::string& bootstrap) {
    auto opened = ReviewStore::open(":memory:", names);
    BOOST_REQUIRE(opened.is_ok());
    store = std::move(opened).value();
    KafkaConfig kafka;
    kafka.bootstrap_servers = bootstrap;
    auto made = make_kafka_review_source(kafka, "vigil.signals", "vigil.reviews");
    BOOST_REQUIRE(made.is_ok());
    source = std::move(made).value();
    const std::atomic<bool> never{false};
    const Status loaded = source->load(*store, never);
    BOOST_REQUIRE_MESSAGE(loaded.is_ok(), loaded.message());
  }
  ReferenceNames names;
  std::unique_ptr<ReviewStore> store;
  std::unique_ptr<SignalSource> source;  // after the store: its threads write into it
};

}  // namespace

BOOST_AUTO_TEST_SUITE(kafka_review_source_test)

BOOST_AUTO_TEST_CASE(decisions_go_to_the_reviews_topic_and_rebuild_the_store) {
  auto cluster = EmbeddedKafkaCluster::start(1);
  BOOST_REQUIRE(cluster.is_ok());
  const std::string bootstrap = cluster.value()->bootstrap_servers();
  BOOST_REQUIRE(cluster.value()->create_topic("vigil.signals", 2).is_ok());
  BOOST_REQUIRE(cluster.value()->create_topic("vigil.reviews", 1).is_ok());
  auto producer = KafkaProducer::create(bootstrap, {});
  BOOST_REQUIRE(producer.is_ok());
  for (int n = 1; n <= 3; ++n) {
    const Signal s = make_signal(n);
    BOOST_REQUIRE(producer.value()
                      ->produce("vigil.signals", s.signal_id, encode_cloudevent(s, "national"), {})
                      .is_ok());
  }
  const std::atomic<bool> never{false};
  BOOST_REQUIRE(producer.value()->flush(never).is_ok());

  {
    Service first(bootstrap);
    BOOST_TEST(first.store->signal_count() == 3u);
    BOOST_REQUIRE(first.source->publisher() != nullptr);
    ReviewOptions options;
    options.identity.local_reviewer = "alice";
    ReviewHandlers handlers(options, *first.store, first.names, first.source->publisher(),
                            [] { return int64_t{1717236000000}; });
    HttpRequest post;
    post.method = "POST";
    post.path = "/api/v1/signals/b000000000000002/decisions";
    post.headers["content-type"] = "application/json";
    post.remote_address = "127.0.0.1";
    post.body = R"({"state":"known_issue","reason":"pump recall under way"})";
    const HttpResponse created = handlers.handle(post);
    BOOST_TEST(created.status == 201);
    BOOST_TEST(first.store->get("b000000000000002").value().decisions.size() == 1u);
  }

  // A new service sees the decision from the reviews topic alone.
  Service second(bootstrap);
  BOOST_TEST(second.store->signal_count() == 3u);
  auto detail = second.store->get("b000000000000002");
  BOOST_REQUIRE(detail.is_ok());
  BOOST_REQUIRE(detail.value().decisions.size() == 1u);
  const Decision& d = detail.value().decisions.front();
  BOOST_TEST(d.decision_id == "b000000000000002-d1");
  BOOST_TEST(d.reviewer == "alice");
  BOOST_TEST(d.reason == "pump recall under way");
  BOOST_TEST((detail.value().row.state == ReviewState::kKnownIssue));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace vigil

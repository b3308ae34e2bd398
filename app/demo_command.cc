#include "app/demo_command.h"

#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "app/demo_reference_names.h"
#include "app/scratch_dir.h"
#include "app/stop_signal.h"
#include "config/pipeline_config.h"
#include "core/version.h"
#include "ingest/event_decoder.h"
#include "kafka/client_conf.h"
#include "kafka/embedded_kafka_cluster.h"
#include "pipeline/kafka_pipeline.h"
#include "review/review_store.h"
#include "sinks/alertmanager_client.h"
#include "sinks/alertmanager_sink.h"
#include "sinks/cloudevent_decoder.h"
#include "sinks/cloudevent_encoder.h"
#include "synthetic/planted_risk_match.h"
#include "synthetic/stream.h"
#include "telemetry/http_endpoints.h"
#include "web/review_app.h"

namespace vigil {
namespace {

// By default two years of occurrence dates at a quarter of national volume:
// the national default's farringtonFlexible needs a year of history before
// its first judgement and the planted risks start in the second year, so a
// shorter stream would find little; a quarter of the volume lets the
// stream reach them within the demo's first minute. Tests ask for fewer
// days, which the severity rules already fire and resolve on.
SyntheticStreamOptions demo_stream_options(uint64_t seed, int days) {
  SyntheticStreamOptions options;
  options.seed = seed;
  options.days = days;
  options.events_per_year = 8.25e5;
  options.invalid_fraction = 0.0005;
  return options;
}

// Partitions of the demo's signals topic.
constexpr int32_t kSignalPartitions = 3;

// Feeds the synthetic stream into the events topic until it ends or `stop`.
// The mock cluster keeps only the newest ~20 MB of a partition, so the
// producer stays at most this many events ahead of the pipeline.
constexpr uint64_t kMaxProducerLead = 20000;

// Sets `finished` once every event is acknowledged by the cluster.
void produce_stream(const std::string& bootstrap, const std::string& topic,
                    const SyntheticStreamOptions& stream_options, const std::atomic<bool>& stop,
                    std::atomic<uint64_t>& produced, const prometheus::Counter& consumed,
                    std::atomic<bool>& finished, Status& result) {
  auto producer = KafkaProducer::create(bootstrap, {{"linger.ms", "20"}});
  if (!producer) {
    result = producer.error();
    return;
  }
  SyntheticStream stream(stream_options);
  std::string line;
  std::atomic<bool> never{false};
  // Keyed by report id, as producers must key events: a report's revisions
  // then share a partition. Invalid lines go unkeyed.
  EventDecoder decoder;
  IncidentEvent event;
  DecodeFailure failure;
  while (!stop.load() && stream.next(line)) {
    const std::string_view key = decoder.decode(line, event, failure) ? event.id : std::string_view();
    Status s = producer.value()->produce(topic, key, line, {});
    if (!s.is_ok()) {
      result = s;
      return;
    }
    line.clear();
    if ((++produced % 1024) == 0) {
      producer.value()->handle().poll(0);
      while (!stop.load() && produced.load() > static_cast<uint64_t>(consumed.Value()) + kMaxProducerLead) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    }
  }
  if (stop.load()) return;
  result = producer.value()->flush(never);
  if (result.is_ok()) finished.store(true);
}

// Asks the printer to read the signals topic up to its end as of the
// request and says when it has.
struct PrinterCatchUp {
  std::atomic<bool> requested{false};
  std::atomic<bool> done{false};
};

// Prints every signal committed to the signals topic (read_committed: a
// transaction the pipeline aborted and redid is printed once), reading each
// of its `partitions` from the beginning. Once `stop` is set it reads on
// until the topic has been quiet for a second (five seconds at most), so the
// pipeline's last commit is printed too.
void print_signals(const std::string& bootstrap, const std::string& topic, int32_t partitions,
                   bool json, const std::atomic<bool>& stop, PrinterCatchUp& catch_up,
                   std::ostream& out, std::mutex& out_mutex, std::map<std::string, uint64_t>& counts,
                   std::vector<Signal>& raised,
                   const std::function<void(const Signal&, std::string_view)>& on_signal) {
  auto conf = make_kafka_conf({{"bootstrap.servers", bootstrap},
                               {"group.id", "vigil-demo-console"},
                               {"isolation.level", "read_committed"},
                               {"enable.auto.commit", "false"}});
  if (!conf) return;
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.value().get(), err));
  if (!consumer) return;
  std::vector<RdKafka::TopicPartition*> assignment;
  for (int32_t p = 0; p < partitions; ++p) {
    assignment.push_back(RdKafka::TopicPartition::create(topic, p, RdKafka::Topic::OFFSET_BEGINNING));
  }
  consumer->assign(assignment);
  // The end of each partition when the catch-up was requested; -1: not asked yet.
  std::vector<int64_t> catch_up_to(assignment.size(), -1);
  constexpr int kQuietPolls = 5;  // of 200 ms
  std::optional<std::chrono::steady_clock::time_point> stopped_at;
  int quiet = 0;
  for (;;) {
    if (catch_up.requested.load() && !catch_up.done.load()) {
      bool reached = true;
      if (consumer->position(assignment) != RdKafka::ERR_NO_ERROR) reached = false;
      for (size_t i = 0; i < assignment.size() && reached; ++i) {
        if (catch_up_to[i] < 0) {
          int64_t low = 0, high = 0;
          if (consumer->query_watermark_offsets(topic, assignment[i]->partition(), &low, &high,
                                                5000) != RdKafka::ERR_NO_ERROR) {
            reached = false;
            break;
          }
          // 0: an empty partition, nothing to catch up with.
          catch_up_to[i] = high > low ? high : 0;
        }
        // A position is known once something was read; after the last
        // record of a transaction it passes the commit marker.
        const int64_t position = assignment[i]->offset();
        reached = catch_up_to[i] == 0 || position >= catch_up_to[i];
      }
      if (reached) catch_up.done.store(true);
    }
    if (stop.load()) {
      const auto now = std::chrono::steady_clock::now();
      if (!stopped_at) {
        stopped_at = now;
        quiet = 0;
      }
      if (quiet >= kQuietPolls || now - *stopped_at > std::chrono::seconds(5)) break;
    }
    std::unique_ptr<RdKafka::Message> msg(consumer->consume(200));
    if (msg->err() != RdKafka::ERR_NO_ERROR) {
      if (msg->err() == RdKafka::ERR__TIMED_OUT) ++quiet;
      continue;
    }
    quiet = 0;
    const std::string_view value(static_cast<const char*>(msg->payload()), msg->len());
    auto signal = decode_cloudevent(value);
    std::lock_guard lock(out_mutex);
    if (signal) {
      ++counts[std::string(to_string(signal.value().type))];
      if (signal.value().type == SignalType::kRaised) raised.push_back(signal.value());
      if (on_signal) on_signal(signal.value(), value);
    }
    if (json) {
      out << value << "\n";
    } else if (signal) {
      out << render_signal_line(signal.value()) << "\n";
    }
    out.flush();
  }
  RdKafka::TopicPartition::destroy(assignment);
  consumer->close();
}

}  // namespace

int run_demo_command(const DemoOptions& options, std::ostream& out, std::ostream& err) {
  if (options.days < 1) {
    err << "vigil demo: --days must be at least 1\n";
    return 2;
  }
  auto& stop_requested = install_stop_signal_handlers();
  spdlog::set_level(spdlog::level::warn);
  auto config_loaded = load_pipeline_config("");
  if (!config_loaded) {
    err << "vigil demo: " << config_loaded.error().message << "\n";
    return 1;
  }
  PipelineConfig config = std::move(config_loaded).value();

  auto cluster = EmbeddedKafkaCluster::start(3);
  if (!cluster) {
    err << "vigil demo: " << cluster.error().message << "\n";
    return 1;
  }
  config.kafka.bootstrap_servers = cluster.value()->bootstrap_servers();
  // Two events partitions merged again on the repartition topic, whose two
  // partitions share the national detectors: the topology of a deployment.
  for (const auto& [topic, partitions] : {std::pair{config.kafka.events_topic, 2},
                                          std::pair{config.kafka.repartition_topic, 2},
                                          std::pair{config.kafka.signals_topic, kSignalPartitions},
                                          std::pair{config.kafka.dead_letter_topic, 1}}) {
    Status s = cluster.value()->create_topic(topic, partitions);
    if (!s.is_ok()) {
      err << "vigil demo: " << s.message() << "\n";
      return 1;
    }
  }
  ScratchDir state_dir("vigil-demo-");
  config.state.dir = state_dir.path();
  StateStoreOptions store_options;
  store_options.path = config.state.dir;
  store_options.block_cache_bytes = 64u << 20;
  store_options.write_buffer_bytes = 32u << 20;
  auto store = StateStore::open(store_options);
  if (!store) {
    err << "vigil demo: " << store.error().message << "\n";
    return 1;
  }
  Metrics metrics(kVersion);
  auto ready = std::make_shared<std::atomic<bool>>(false);
  auto http = HttpEndpoints::start("127.0.0.1:" + std::to_string(options.metrics_port),
                                   metrics.registry(), ready);
  if (!http) {
    err << "vigil demo: " << http.error().message << "\n";
    return 1;
  }
  config.alertmanager.url = options.alertmanager_url;
  std::unique_ptr<AlertmanagerSink> alertmanager;
  if (config.alertmanager.enabled()) {
    auto sink = AlertmanagerSink::create(config.alertmanager, config.name, *metrics.registry());
    if (!sink) {
      err << "vigil demo: " << sink.error().message << "\n";
      return 2;
    }
    alertmanager = std::move(sink).value();
  }
  auto pipeline = KafkaPipeline::create(config, *store.value(), metrics, ready, alertmanager.get());
  if (!pipeline) {
    err << "vigil demo: " << pipeline.error().message << "\n";
    return 1;
  }

  // The review application over the demo's live signals, its URL printed
  // first, so a newcomer can watch the queue fill while the demo runs.
  ReferenceNames names;
  add_synthetic_names(names);
  std::unique_ptr<ReviewStore> review_store;
  std::unique_ptr<ReviewApp> review_app;
  if (options.ui_port) {
    ReviewOptions review;
    review.bind = "127.0.0.1";
    review.port = *options.ui_port;
    review.identity.local_reviewer = "demo";
    auto opened = ReviewStore::open(":memory:", names);
    if (!opened) {
      err << "vigil demo: " << opened.error().message << "\n";
      return 1;
    }
    review_store = std::move(opened).value();
    auto started = ReviewApp::start(review, *review_store, names, nullptr);
    if (!started) {
      err << "vigil demo: " << started.error().message << "\n";
      return 2;
    }
    review_app = std::move(started).value();
    err << "Vigil review application: http://127.0.0.1:" << review_app->port() << "/\n";
  }
  std::function<void(const Signal&, std::string_view)> to_review;
  if (review_store) {
    to_review = [&](const Signal& s, std::string_view json) {
      Status added = review_store->add_signal(s, json);
      if (!added.is_ok()) spdlog::warn("review store: {}", added.message());
    };
  }

  const SyntheticStreamOptions stream_options = demo_stream_options(options.seed, options.days);
  SyntheticStream preview(stream_options);
  err << "Vigil " << kVersion << " demo: in-process Kafka cluster at "
      << config.kafka.bootstrap_servers << "\n"
      << "  synthetic national stream (seed " << options.seed << ", " << options.days
      << " days), time compressed: years of reports replayed in seconds\n"
      << "  metrics: http://127.0.0.1:" << http.value()->port() << "/metrics  (also /healthz, /readyz)\n";
  if (alertmanager) err << "  alerts: " << redact_url_credentials(alertmanager_alerts_endpoint(options.alertmanager_url)) << "\n";
  err << "  planted risks the detectors should find:\n";
  for (const auto& risk : preview.planted_risks()) {
    err << "    - " << format_date(risk.onset) << "  " << risk.name << ": " << risk.description << "\n";
  }
  err << "  signals as they fire (" << options.seconds << " s):\n";
  err.flush();

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> produced{0};
  std::atomic<bool> produced_all{false};
  Status producer_status, pipeline_status;
  std::mutex out_mutex;
  std::map<std::string, uint64_t> counts;
  std::vector<Signal> raised;
  pipeline.value()->track_drain();
  std::thread producer([&] {
    produce_stream(config.kafka.bootstrap_servers, config.kafka.events_topic, stream_options, stop,
                   produced, metrics.events_consumed, produced_all, producer_status);
  });
  std::atomic<bool> printer_stop{false};
  PrinterCatchUp catch_up;
  std::thread printer([&] {
    print_signals(config.kafka.bootstrap_servers, config.kafka.signals_topic, kSignalPartitions,
                  options.json, printer_stop, catch_up, out, out_mutex, counts, raised, to_review);
  });
  std::atomic<bool> pipeline_stop{false};
  std::thread runner([&] { pipeline_status = pipeline.value()->run(pipeline_stop); });

  // Drained: the producer's last event acknowledged, then a drain check of
  // the pipeline that began after that, then the printer at the end of the
  // signals topic as it was then (nothing more can arrive on it).
  std::optional<std::chrono::steady_clock::time_point> produced_all_at;
  bool drained = false;
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(options.seconds * 1000));
  while (std::chrono::steady_clock::now() < deadline && !stop_requested.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (drained) continue;
    if (!produced_all_at && produced_all.load()) produced_all_at = std::chrono::steady_clock::now();
    if (produced_all_at && !catch_up.requested.load()) {
      const auto since = pipeline.value()->drained_since();
      if (since && *since > *produced_all_at) catch_up.requested.store(true);
    }
    if (catch_up.done.load()) {
      drained = true;
      std::lock_guard lock(out_mutex);
      out.flush();
      err << "vigil demo: stream drained: " << produced.load() << " events; signals raised "
          << counts["raised"] << ", updated " << counts["updated"] << ", resolved "
          << counts["resolved"] << "\n";
      err.flush();
    }
  }
  stop.store(true);
  producer.join();
  pipeline_stop.store(true);
  runner.join();
  // The last commit's alerts and signals, before the summary.
  if (alertmanager) alertmanager->shutdown();
  printer_stop.store(true);
  printer.join();

  std::lock_guard lock(out_mutex);
  err << "vigil demo: produced " << produced.load() << " events, consumed "
      << static_cast<uint64_t>(metrics.events_consumed.Value()) << ", processed "
      << static_cast<uint64_t>(metrics.events_processed.Value()) << ", duplicates "
      << static_cast<uint64_t>(metrics.events_duplicate.Value()) << "; signals raised "
      << counts["raised"] << ", updated " << counts["updated"] << ", resolved " << counts["resolved"]
      << "\n";
  report_planted_risks(preview.planted_risks(), raised, err);
  if (!producer_status.is_ok()) {
    err << "vigil demo: producer failed: " << producer_status.message() << "\n";
    return 1;
  }
  if (!pipeline_status.is_ok()) {
    err << "vigil demo: pipeline failed: " << pipeline_status.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace vigil

#include "app/run_command.h"

#include <spdlog/spdlog.h>

#include "app/command_failure.h"
#include "app/stop_signal.h"
#include "config/pipeline_config.h"
#include "core/version.h"
#include "pipeline/kafka_pipeline.h"
#include "review/latest_decisions.h"
#include "sinks/alertmanager_client.h"
#include "sinks/alertmanager_sink.h"
#include "telemetry/http_endpoints.h"
#include "web/kafka_decision_reader.h"

namespace vigil {

int run_run_command(const RunOptions& o, std::ostream& err) {
  auto loaded = load_pipeline_config(o.config_path);
  if (!loaded) return command_failure(err, "run", loaded.error(), 2);
  PipelineConfig config = std::move(loaded).value();
  if (o.bootstrap_servers) config.kafka.bootstrap_servers = *o.bootstrap_servers;
  if (o.group_id) config.kafka.group_id = *o.group_id;
  if (o.group_instance_id) config.kafka.group_instance_id = *o.group_instance_id;
  if (o.transactional_id) config.kafka.transactional_id = *o.transactional_id;
  if (o.guarantee) {
    config.kafka.guarantee = *o.guarantee == "at_least_once" ? DeliveryGuarantee::kAtLeastOnce
                                                             : DeliveryGuarantee::kExactlyOnce;
  }
  if (o.events_topic) config.kafka.events_topic = *o.events_topic;
  if (o.events_format) {
    const auto format = parse_message_format(*o.events_format);
    if (!format) return command_failure(err, "run", "--events-format must be event_v1 or fhir", 2);
    config.kafka.events_format = *format;
  }
  if (o.signals_topic) config.kafka.signals_topic = *o.signals_topic;
  if (o.dead_letter_topic) config.kafka.dead_letter_topic = *o.dead_letter_topic;
  if (o.repartition_topic) config.kafka.repartition_topic = *o.repartition_topic;
  if (o.reviews_topic) config.kafka.reviews_topic = *o.reviews_topic;
  if (o.state_dir) config.state.dir = *o.state_dir;
  if (o.metrics_port) config.metrics.port = *o.metrics_port;
  if (o.alertmanager_url) config.alertmanager.url = *o.alertmanager_url;

  Metrics metrics(kVersion);
  // Reviewers' decisions, for the Alertmanager sink only (the signals topic
  // is never filtered): declared before the sink, which asks them.
  LatestDecisions decisions;
  std::unique_ptr<KafkaDecisionReader> decision_reader;
  const bool suppress = config.alertmanager.enabled() && !config.kafka.reviews_topic.empty();
  // Before anything is opened, so a bad alertmanager setting is a
  // configuration error (exit 2); declared before the pipeline so it
  // outlives it and receives the last commit's signals.
  std::unique_ptr<AlertmanagerSink> alertmanager;
  if (config.alertmanager.enabled()) {
    auto sink = AlertmanagerSink::create(config.alertmanager, config.name, *metrics.registry(),
                                         suppress ? decisions.lookup() : DecisionLookup());
    if (!sink) return command_failure(err, "run", sink.error(), 2);
    alertmanager = std::move(sink).value();
    spdlog::info("signals also go to Alertmanager at {}", redact_url_credentials(config.alertmanager.url));
  }

  auto& stop = install_stop_signal_handlers();
  auto store = open_state_store(config.state, config.state.dir);
  if (!store) return command_failure(err, "run", store.error());
  auto ready = std::make_shared<std::atomic<bool>>(false);
  auto http = HttpEndpoints::start(config.metrics.bind + ":" + std::to_string(config.metrics.port),
                                   metrics.registry(), ready);
  if (!http) return command_failure(err, "run", http.error());
  if (suppress) {
    auto reader = KafkaDecisionReader::start(config.kafka, config.kafka.reviews_topic,
                                             [&decisions](const Decision& d) { decisions.apply(d); });
    if (!reader) return command_failure(err, "run", reader.error(), 2);
    decision_reader = std::move(reader).value();
    // Every decision taken so far is known before the first signal is
    // notified; later ones arrive while the pipeline runs.
    if (Status caught_up = decision_reader->wait_caught_up(stop); !caught_up.is_ok()) return 0;
    spdlog::info("{} review decision(s) read from {}; known issues are not re-notified",
                 decision_reader->decisions_read(), config.kafka.reviews_topic);
  }
  auto pipeline = KafkaPipeline::create(config, *store.value(), metrics, ready, alertmanager.get());
  if (!pipeline) {
    err << "vigil run: " << pipeline.error().message << "\n";
    return pipeline.error().kind == ErrorKind::kInvalidArgument ? 2 : 1;
  }
  spdlog::info("vigil {} consuming {} from {} ({}; {} unless a message's content-type says "
               "otherwise); metrics on port {}",
               kVersion, config.kafka.events_topic, config.kafka.bootstrap_servers,
               to_string(config.kafka.guarantee), format_name(config.kafka.events_format),
               http.value()->port());
  Status s = pipeline.value()->run(stop);
  if (alertmanager) alertmanager->shutdown();
  if (!s.is_ok()) return command_failure(err, "run", s.message());
  return 0;
}

}  // namespace vigil

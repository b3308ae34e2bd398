// The pipeline's configuration (config/vigil.yaml) as typed values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"
#include "detectors/detector_factory.h"
#include "ingest/message_format.h"
#include "review/review_options.h"
#include "sinks/alertmanager_options.h"
#include "state/state_store.h"
#include "text/redaction.h"
#include "text/redaction_defaults.h"

namespace vigil {

// What a crash, an outage or a partition move may do to the output.
enum class DeliveryGuarantee : uint8_t {
  // Signals, dead letters and input offsets are committed in one Kafka
  // transaction; state follows. Read signals with isolation.level=read_committed.
  kExactlyOnce,
  // Signals are acknowledged before state is written: a crash can produce a
  // batch's signals again (same ids). For clusters without transactions.
  kAtLeastOnce,
};
std::string_view to_string(DeliveryGuarantee g);  // "exactly_once" | "at_least_once"

struct KafkaConfig {
  std::string bootstrap_servers = "localhost:9092";
  std::string group_id = "vigil";
  std::string group_instance_id;  // static membership; empty: dynamic
  DeliveryGuarantee guarantee = DeliveryGuarantee::kExactlyOnce;
  // Unique per running instance and stable across its restarts, so a
  // restarted instance fences its predecessor. Empty: derived from the group
  // and group_instance_id (or the host name); see transactional_id_for().
  std::string transactional_id;
  std::string events_topic = "vigil.events";
  // How an events message without a recognised `content-type` header is
  // decoded (kafka.events_format: event_v1 | fhir). A header
  // `application/fhir+json` or `application/json` chooses per message
  // (ingest/message_format.h).
  MessageFormat events_format = MessageFormat::kEventV1;
  std::string signals_topic = "vigil.signals";
  std::string dead_letter_topic = "vigil.events.dlq";
  // Internal topic through which every accepted event reaches the national
  // detectors (pipeline/merge_task.h), so they see all input partitions.
  // Empty: each input partition runs the detectors on its own events, which
  // is only right for an events topic of one partition (checked at start).
  std::string repartition_topic = "vigil.repartition";
  // Reviewers' decisions (`vigil serve` writes them, key = signal_id): `run`
  // reads them so its Alertmanager sink does not re-notify a signal marked
  // known_issue or dismissed (review/suppression.h). Empty: not read.
  std::string reviews_topic = "vigil.reviews";
  // Extra librdkafka properties, including those of `properties_from_files`
  // (kafka.properties_from_files: {sasl.password: /path}), whose values are
  // read from the named files when the configuration is parsed.
  std::map<std::string, std::string> properties;
};

struct StateConfig {
  std::string dir = "/var/lib/vigil/state";
  uint64_t block_cache_bytes = 256ull << 20;
  uint64_t write_buffer_bytes = 64ull << 20;
  // Per-id records whose last day is more than this many days before their
  // partition's stream time are treated as gone and dropped by compaction
  // (state/record_retention.h). parse_pipeline_config sets it: the
  // configured value, which may not be below the longest reach of the
  // configured detectors, or by default that reach plus a grace
  // (config/record_retention_config.h). 0: kept forever.
  int32_t record_retention_days = 0;
};

struct CommitConfig {
  uint32_t max_events = 5000;
  uint32_t max_interval_ms = 1000;
  // A batch whose output Kafka refuses the same way (same error) this many
  // times in a row is given up on: its input events are dead-lettered as
  // `undeliverable` and the pipeline goes on (KafkaPipeline).
  uint32_t max_attempts = 5;
};

struct MetricsConfig {
  std::string bind = "127.0.0.1";  // the chart sets 0.0.0.0
  uint16_t port = 9464;
};

struct PipelineConfig {
  std::string name = "national";
  // pipeline.future_tolerance_days: how many days an event's occurred_on may
  // be ahead of its partition's stream time (and, in `run`, its reported_at
  // ahead of the wall clock) before it is dead-lettered as bad_timestamp
  // (pipeline/event_time_gate.h, whose kDefaultFutureToleranceDays is this
  // default).
  int32_t future_tolerance_days = 2;
  // pipeline.parallel_detectors: detectors that can run on a thread of their
  // own (the text_cluster detector, pipeline/detached_detector.h) do, so
  // their work overlaps the other detectors' on a second core. Signals and
  // state are the same either way; false runs every detector in line.
  bool parallel_detectors = true;
  KafkaConfig kafka;
  StateConfig state;
  CommitConfig commit;
  MetricsConfig metrics;
  AlertmanagerOptions alertmanager;  // off unless alertmanager.url is set
  ReviewOptions review;              // `vigil serve`
  // How every reader of a description redacts it (config/redaction_config.h);
  // the default record-number patterns unless `redaction:` says otherwise.
  RedactionRules redaction = default_redaction_rules();
  std::vector<DetectorConfig> detectors;
};

// The transactional.id the exactly-once producer uses: kafka.transactional_id
// if set, else "<group_id>-<group_instance_id>", else "<group_id>-<host name>"
// (a pod's name on Kubernetes).
std::string transactional_id_for(const KafkaConfig& kafka);

// Parses YAML text. Unknown keys, wrong types and bad values are errors whose
// message names the offending key path (e.g. "detectors[2].params.alpha").
// Without a `detectors` key the national default's detectors are used.
// `source` names the text in messages (a file name or "built-in default").
Result<PipelineConfig> parse_pipeline_config(std::string_view yaml_text, std::string_view source);

// Reads `path`, or the compiled-in national default when `path` is empty.
Result<PipelineConfig> load_pipeline_config(const std::string& path);

// Opens the state store in `dir` (created if missing) with the cache and
// write buffer sizes of `state`.
Result<std::unique_ptr<StateStore>> open_state_store(const StateConfig& state,
                                                     const std::string& dir);

}  // namespace vigil

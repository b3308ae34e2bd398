#include "telemetry/metrics.h"

#include <prometheus/text_serializer.h>

#include <chrono>

namespace vigil {

namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;
using prometheus::Registry;

// A 1-2.5-5 series per decade: roughly exponential, with bucket bounds that
// read well in dashboards. Written as literals rather than computed so the
// `le` labels are exactly these decimals.
const Histogram::BucketBoundaries& processing_buckets() {
  static const Histogram::BucketBoundaries kBuckets = {
      1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3,
      5e-3, 1e-2,   2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0};
  return kBuckets;
}

const Histogram::BucketBoundaries& commit_buckets() {
  static const Histogram::BucketBoundaries kBuckets = {
      1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2,
      0.1,  0.25,   0.5,  1.0,  2.5,    5.0,  10.0, 30.0};
  return kBuckets;
}

Family<Counter>& counter_family(Registry& registry, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}

Family<Gauge>& gauge_family(Registry& registry, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry);
}

Counter& counter(Registry& registry, const char* name, const char* help) {
  return counter_family(registry, name, help).Add({});
}

Gauge& gauge(Registry& registry, const char* name, const char* help) {
  return gauge_family(registry, name, help).Add({});
}

Histogram& histogram(Registry& registry, const char* name, const char* help,
                     const Histogram::BucketBoundaries& buckets) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(registry).Add({}, buckets);
}

// The metric of `family` that `children` holds for `key`, added with the
// labels `labels()` the first time the key is asked for. The caller holds
// the lock that guards `children`.
template <typename Map, typename Key, typename Metric, typename Labels>
Metric& child(Map& children, const Key& key, Family<Metric>& family, Labels&& labels) {
  auto it = children.find(key);
  if (it == children.end()) {
    it = children.emplace(typename Map::key_type(key), &family.Add(labels())).first;
  }
  return *it->second;
}

}  // namespace

std::vector<std::string> default_dead_letter_reasons() {
  return {"not_json",  "too_large",     "missing_field", "wrong_type",
          "bad_value", "bad_timestamp", "undeliverable"};
}

std::string_view to_string(CommitStage stage) {
  switch (stage) {
    case CommitStage::kProduce: return "produce";
    case CommitStage::kState: return "state";
    case CommitStage::kOffsets: return "offsets";
    case CommitStage::kTransaction: return "transaction";
  }
  return "unknown";
}

Metrics::Metrics(std::string_view version, std::vector<std::string> dead_letter_reasons)
    : Metrics(std::make_shared<Registry>(), version, std::move(dead_letter_reasons)) {}

Metrics::Metrics(std::shared_ptr<Registry> registry, std::string_view version,
                 std::vector<std::string> dead_letter_reasons)
    : events_consumed(counter(*registry, "vigil_events_consumed_total",
                              "Events taken from the event source.")),
      events_processed(counter(*registry, "vigil_events_processed_total",
                               "Valid, new events run through the detectors.")),
      events_duplicate(counter(*registry, "vigil_events_duplicate_total",
                               "Events ignored as duplicates (an equal or older revision).")),
      events_late(counter(*registry, "vigil_events_late_total",
                          "Processed events whose event date fell in a period already "
                          "closed by one of this task's detectors.")),
      events_past_retention(counter(*registry, "vigil_events_past_retention_total",
                                    "Events dated before the per-id record retention horizon: "
                                    "processed as new reports, without a duplicate check.")),
      events_restored(counter(*registry, "vigil_events_restored_total",
                              "Events processed again to restore a partition's state up to "
                              "the committed position, their output already delivered.")),
      batches_dead_lettered(counter(*registry, "vigil_batches_dead_lettered_total",
                                    "Batches that failed the same way commit.max_attempts times "
                                    "in a row; their events were dead-lettered as undeliverable.")),
      consumers_replaced(counter(*registry, "vigil_kafka_consumers_replaced_total",
                                 "Kafka consumers replaced after the group fenced this static "
                                 "member; uncommitted work was redone.")),
      dead_letters_truncated(counter(*registry, "vigil_dead_letters_truncated_total",
                                     "Dead letters written as a truncated copy (original length "
                                     "and SHA-256 in headers) because the dead-letter topic "
                                     "would not take them whole.")),
      progress_marks(counter(*registry, "vigil_progress_marks_total",
                             "Progress marks read from the events topic (not events: they move "
                             "the merge clock of their partition on).")),
      repartition_consumed(counter(*registry, "vigil_repartition_records_total",
                                   "Records consumed from the repartition topic by the merge "
                                   "stage.")),
      repartition_repeated(counter(*registry, "vigil_repartition_repeated_total",
                                   "Repartition records skipped because the merge had them "
                                   "already (resent by an at-least-once producer).")),
      repartition_marks(counter(*registry, "vigil_repartition_progress_marks_total",
                                "Repartition records that were progress marks: they moved an "
                                "input partition's merge clock on and carry no event.")),
      repartition_released(counter(*registry, "vigil_repartition_released_total",
                                   "Repartition records the merge released to the national "
                                   "detectors.")),
      repartition_waiting(gauge(*registry, "vigil_repartition_waiting_records",
                                "Repartition records held until every input partition has "
                                "passed their reported_at.")),
      repartition_held_back_seconds(gauge(*registry, "vigil_repartition_held_back_seconds",
                                          "Seconds of reported_at the newest repartition record "
                                          "received is past the oldest one held (largest over "
                                          "the merge tasks); grows while an input partition is "
                                          "idle.")),
      event_processing_seconds(histogram(*registry, "vigil_event_processing_seconds",
                                         "Seconds from ingesting an event to the last "
                                         "detector done with it.",
                                         processing_buckets())),
      commit_seconds(histogram(*registry, "vigil_commit_seconds",
                               "Seconds per commit of state and offsets.", commit_buckets())),
      state_bytes(gauge(*registry, "vigil_state_bytes",
                        "Approximate bytes held by the state store.")),
      state_volume_capacity_bytes(gauge(*registry, "vigil_state_volume_capacity_bytes",
                                        "Size of the file system holding the state store.")),
      state_volume_available_bytes(gauge(*registry, "vigil_state_volume_available_bytes",
                                         "Bytes the process may still write on the file system "
                                         "holding the state store.")),
      signals_open(gauge(*registry, "vigil_signals_open",
                         "Signals raised and not yet resolved.")),
      ready(gauge(*registry, "vigil_ready",
                  "1 while the pipeline is ready (assigned partitions restored and consuming), "
                  "else 0; the same as /readyz.")),
      start_time_seconds(gauge(*registry, "vigil_start_time_seconds",
                               "Unix time at which the process started, in seconds.")),
      dead_lettered_family_(counter_family(*registry, "vigil_events_dead_lettered_total",
                                           "Invalid events sent to the dead-letter sink, by "
                                           "reason code.")),
      signals_family_(counter_family(*registry, "vigil_signals_total",
                                     "Signal transitions emitted, by detector instance and "
                                     "type (raised, updated, resolved).")),
      consumer_lag_family_(gauge_family(*registry, "vigil_consumer_lag",
                                        "Messages between the consumer position and the high "
                                        "watermark, by topic and partition.")),
      signals_raised_family_(counter_family(*registry, "vigil_signals_raised_total",
                                            "Signals raised, by detector instance and the "
                                            "severity they were raised with.")),
      commit_failures_family_(counter_family(*registry, "vigil_commit_failures_total",
                                             "Commits that failed, by stage (produce, state, "
                                             "offsets, transaction).")),
      registry_(std::move(registry)) {
  start_time_seconds.Set(std::chrono::duration<double>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count());
  for (const CommitStage stage : {CommitStage::kProduce, CommitStage::kState, CommitStage::kOffsets,
                                  CommitStage::kTransaction}) {
    commit_failures_[static_cast<size_t>(stage)] =
        &commit_failures_family_.Add({{"stage", std::string(to_string(stage))}});
  }
  gauge_family(*registry_, "vigil_build_info", "Build information; the value is always 1.")
      .Add({{"version", std::string(version)}})
      .Set(1);
  known_reasons_.reserve(dead_letter_reasons.size());
  for (std::string& reason : dead_letter_reasons) {
    Counter* c = &dead_lettered_family_.Add({{"reason", reason}});
    known_reasons_.emplace_back(std::move(reason), c);
  }
}

std::string Metrics::scrape_text() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

prometheus::Counter& Metrics::dead_lettered(std::string_view reason) {
  for (const auto& [name, c] : known_reasons_) {
    if (name == reason) return *c;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  return child(extra_reasons_, reason, dead_lettered_family_, [&]() -> prometheus::Labels {
    return {{"reason", std::string(reason)}};
  });
}

prometheus::Counter& Metrics::signals(std::string_view detector, std::string_view type) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto key = std::make_pair(std::string(detector), std::string(type));
  return child(signals_, key, signals_family_, [&]() -> prometheus::Labels {
    return {{"detector", key.first}, {"type", key.second}};
  });
}

prometheus::Counter& Metrics::signals_raised(const std::string& detector, Severity severity) {
  return child(signals_raised_, std::make_pair(detector, severity), signals_raised_family_,
               [&]() -> prometheus::Labels {
                 return {{"detector", detector}, {"severity", std::string(to_string(severity))}};
               });
}

void Metrics::register_detector(std::string_view detector) {
  for (const SignalType type : {SignalType::kRaised, SignalType::kUpdated, SignalType::kResolved}) {
    signals(detector, type);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  for (const Severity severity : {Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    signals_raised(std::string(detector), severity);
  }
}

void Metrics::record_signal(const Signal& signal) {
  signals(signal.detector, signal.type).Increment();
  if (signal.type != SignalType::kRaised) return;
  std::lock_guard<std::mutex> lock(mutex_);
  signals_raised(signal.detector, signal.severity).Increment();
}

prometheus::Counter& Metrics::commit_failures(CommitStage stage) {
  return *commit_failures_[static_cast<size_t>(stage)];
}

void Metrics::set_consumer_lag(std::string_view topic, int32_t partition, int64_t lag) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto key = std::make_pair(std::string(topic), partition);
  child(consumer_lag_, key, consumer_lag_family_, [&]() -> prometheus::Labels {
    return {{"topic", key.first}, {"partition", std::to_string(partition)}};
  }).Set(static_cast<double>(lag));
}

void Metrics::remove_consumer_lag(std::string_view topic, int32_t partition) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = consumer_lag_.find(std::make_pair(std::string(topic), partition));
  if (it == consumer_lag_.end()) return;
  consumer_lag_family_.Remove(it->second);
  consumer_lag_.erase(it);
}

}  // namespace vigil

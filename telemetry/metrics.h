// The pipeline's Prometheus metrics (contract section 5).
//
// Every metric is created up front (or, for label sets known only at run
// time, once on first use and cached), so the per-event hot path only
// increments a counter through a cached reference and never calls
// prometheus::Family::Add, which takes a lock and hashes the labels.
//
// Label policy: labels carry only bounded, non-identifying values: reason
// codes, detector instance names from the configuration, signal types, topic
// names and partition numbers, and the build version. A label never carries
// an event id, an organisation code, free text, or anything about a patient;
// those belong in signals and logs, not in time-series names.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "core/signal.h"

namespace vigil {

// The dead-letter reason codes of contract section 4.
std::vector<std::string> default_dead_letter_reasons();

// Where a commit (KafkaPipeline's commit protocol) failed; the `stage` label
// of vigil_commit_failures_total.
enum class CommitStage : uint8_t {
  kProduce,  // a batch's signals or dead letters were not acknowledged by Kafka
  kState,    // the RocksDB write of state, records and offset failed
  kOffsets,  // Kafka rejected the informational offset commit (lag tooling)
  kTransaction,  // a Kafka transaction could not be committed and was aborted
};
// "produce" | "state" | "offsets" | "transaction"
std::string_view to_string(CommitStage stage);

class Metrics {
 public:
  // Registers every metric in a new registry. `version` becomes the label of
  // vigil_build_info; one vigil_events_dead_lettered_total child is created
  // per entry of `dead_letter_reasons` so each reason shows as 0 from the
  // first scrape.
  explicit Metrics(std::string_view version,
                   std::vector<std::string> dead_letter_reasons = default_dead_letter_reasons());
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The registry to expose (HttpEndpoints) or scrape.
  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }

  // The contract's text exposition of every metric, as served at /metrics.
  std::string scrape_text() const;

  // Counter for dead-lettered events with `reason`. Lock-free for the reasons
  // given to the constructor; any other reason is created on first use under
  // a lock (it should be one of the stable codes all the same).
  prometheus::Counter& dead_lettered(std::string_view reason);

  // Counter of signal transitions of `detector` (a configured instance name)
  // and `type` ("raised" | "updated" | "resolved"). Looked up in a cache
  // under a lock: signals are rare.
  prometheus::Counter& signals(std::string_view detector, std::string_view type);
  prometheus::Counter& signals(std::string_view detector, SignalType type) {
    return signals(detector, to_string(type));
  }

  // Creates vigil_signals_total{detector, type} at 0 for raised, updated and
  // resolved, so the series exist (and rate() works) before the detector
  // first fires. Call once per configured detector at startup; until some
  // detector is registered or fires, vigil_signals_total has no samples and
  // is absent from the exposition.
  // Also creates vigil_signals_raised_total{detector, severity} at 0 for
  // every severity.
  void register_detector(std::string_view detector);

  // Counts one emitted transition: vigil_signals_total{detector, type} and,
  // for a raised signal, vigil_signals_raised_total{detector, severity}.
  void record_signal(const Signal& signal);

  // Counter of commit failures at `stage`; every stage exists at 0 from the
  // first scrape. Lock-free.
  prometheus::Counter& commit_failures(CommitStage stage);

  // Sets vigil_consumer_lag{topic, partition}: messages between the consumer
  // position and the high watermark. Thread-safe.
  void set_consumer_lag(std::string_view topic, int32_t partition, int64_t lag);
  // Drops the series of a partition this process no longer owns (after a
  // rebalance), so a stale lag is not reported forever. No-op if absent.
  // vigil_consumer_lag is absent from the exposition while no partition is
  // assigned.
  void remove_consumer_lag(std::string_view topic, int32_t partition);

  // Invariant (contract section 4): consumed = processed + duplicate +
  // dead_lettered summed over reasons. Late events are also counted in
  // processed: late is an attribute, not a fourth outcome.
  prometheus::Counter& events_consumed;
  prometheus::Counter& events_processed;
  prometheus::Counter& events_duplicate;
  prometheus::Counter& events_late;
  // Events dated (the later of occurred_on and reported_on) before the
  // record retention horizon (state/record_retention.h): no record is kept
  // that old, so they are processed as new reports, with no duplicate check
  // and nothing taken back. No detector window still reads their days. An
  // attribute, like late: counted in their outcome too. Deterministic: it
  // depends on the input only, never on compaction.
  prometheus::Counter& events_past_retention;
  // Events processed again after a restart or a partition move to bring the
  // partition's state up to Kafka's committed position (exactly-once mode).
  // Their signals and dead letters were delivered before, so they are not
  // produced again. Also counted in consumed and its outcome.
  prometheus::Counter& events_restored;
  // The merge stage (repartition topic): records consumed, records skipped
  // as repeats of ones already merged (an at-least-once producer resending),
  // records released to the detectors, records held until every input
  // partition has passed them, and how far (seconds of reported_at) the
  // newest record received is past the oldest held, the largest over the
  // merge tasks: it grows while an idle input partition holds releases back.
  // Batches given up on after failing the same way commit.max_attempts
  // times in a row: their input events were dead-lettered as
  // `undeliverable` instead (KafkaPipeline).
  prometheus::Counter& batches_dead_lettered;
  // Kafka consumers replaced because the group fenced this static member
  // (KafkaPipeline::replace_fenced_consumer).
  prometheus::Counter& consumers_replaced;
  // Dead letters written as truncated copies because the dead-letter topic
  // would not take them whole (sinks/dead_letter_fit.h).
  prometheus::Counter& dead_letters_truncated;
  // Progress marks read from the events topic (ingest/progress_mark.h);
  // not events, so not in events_consumed unless one is dead-lettered.
  prometheus::Counter& progress_marks;
  prometheus::Counter& repartition_consumed;
  prometheus::Counter& repartition_repeated;
  // Of the records consumed, progress marks (they move a partition's clock on).
  prometheus::Counter& repartition_marks;
  prometheus::Counter& repartition_released;
  prometheus::Gauge& repartition_waiting;
  prometheus::Gauge& repartition_held_back_seconds;
  // Seconds from taking an event off the source to the last detector done.
  prometheus::Histogram& event_processing_seconds;
  // Seconds per commit (state write plus offset commit).
  prometheus::Histogram& commit_seconds;
  // Approximate bytes held by the state store.
  prometheus::Gauge& state_bytes;
  // Size and free bytes of the file system holding the state (the volume
  // claim in Kubernetes), set at each commit: RocksDB stops writing when it
  // is full, so the VigilStateVolumeFilling alert watches it.
  prometheus::Gauge& state_volume_capacity_bytes;
  prometheus::Gauge& state_volume_available_bytes;
  // Signals raised or updated and not yet resolved, over every partition
  // this process owns (set at each commit and rebalance).
  prometheus::Gauge& signals_open;
  // 1 while /readyz answers ready, else 0: alerting needs readiness as a
  // series, since Prometheus does not probe /readyz.
  prometheus::Gauge& ready;
  // Unix time at which this process created its metrics; a change of value
  // is a restart (prometheus-cpp has no process collector).
  prometheus::Gauge& start_time_seconds;

 private:
  // The public constructor delegates here so every reference above can be
  // bound to the registry before `registry_` (declared last) is initialized.
  Metrics(std::shared_ptr<prometheus::Registry> registry, std::string_view version,
          std::vector<std::string> dead_letter_reasons);
  // The counter of signals raised by `detector` with `severity`; the caller
  // holds mutex_.
  prometheus::Counter& signals_raised(const std::string& detector, Severity severity);

  prometheus::Family<prometheus::Counter>& dead_lettered_family_;
  prometheus::Family<prometheus::Counter>& signals_family_;
  prometheus::Family<prometheus::Gauge>& consumer_lag_family_;
  prometheus::Family<prometheus::Counter>& signals_raised_family_;
  prometheus::Family<prometheus::Counter>& commit_failures_family_;
  prometheus::Counter* commit_failures_[4] = {};  // by CommitStage, fixed after construction

  // Fixed after construction, so dead_lettered() can search it without a lock.
  std::vector<std::pair<std::string, prometheus::Counter*>> known_reasons_;

  std::mutex mutex_;  // guards the four maps below
  std::map<std::string, prometheus::Counter*, std::less<>> extra_reasons_;
  std::map<std::pair<std::string, std::string>, prometheus::Counter*> signals_;
  std::map<std::pair<std::string, Severity>, prometheus::Counter*> signals_raised_;
  std::map<std::pair<std::string, int32_t>, prometheus::Gauge*> consumer_lag_;

  std::shared_ptr<prometheus::Registry> registry_;
};

}  // namespace vigil

// The pipeline on Kafka (`vigil run`, `vigil demo`): one consumer in the
// group, subscribed to the events topic and the repartition topic, one task
// per assigned partition, signals and dead letters produced to their topics.
// A commit happens every `commit.max_events` messages or
// `commit.max_interval_ms`, on a rebalance and on stopping.
//
// Two stages, as in Kafka Streams: a PartitionTask per events partition
// validates, drops duplicates and sends each accepted event to the
// repartition topic; a MergeTask per repartition partition merges what every
// events partition sent into one deterministic order and runs the national
// detectors placed on it. Both stages' output and offsets go in the same
// commit. Without a repartition topic (an events topic of one partition),
// the PartitionTask runs the detectors itself.
//
// Exactly-once (kafka.guarantee: exactly_once, the default): a commit is one
// Kafka transaction holding the batch's dead letters and signals and the
// consumed offsets (send_offsets_to_transaction with the group's metadata).
// Under load (a batch filled to commit.max_events) the transaction commits
// on a background thread while the next batch is consumed and processed;
// its output is produced only once that commit is through, so transactions
// stay one at a time and in order. It does so only once a transaction has
// committed: from the start and after a failed one, until one commits, each
// batch is committed (transaction, then state) before the next is consumed. Each task's state is written to RocksDB
// with the offset it covers only at a point where everything processed is
// committed in Kafka: once per commit.max_interval_ms under load, and at
// every commit of a batch the timer ended, a rebalance and stopping. So
// local state may be behind Kafka, never ahead. On
// assignment a partition's state offset S is compared with the group's
// committed offset C: from S (or the beginning, when this instance has no
// state for it, e.g. after a partition move) up to C the messages are
// processed again with their output dropped, since processing is
// deterministic and that output was delivered; /readyz says not ready until
// every assigned partition has reached C. This holds for both stages: a
// merge task's unreleased records are part of its state. An aborted
// transaction rewinds every task to its stored state and offset. A fatal error (fenced by a newer
// instance with the same transactional.id, among others) stops the pipeline.
//
// At-least-once (kafka.guarantee: at_least_once, for clusters without
// transactions): each task's dead letters and signals are produced and
// acknowledged, then its state is written with the offset, then the offset
// is committed to Kafka for lag tooling (RocksDB's is the one resumed from).
// A crash before the state write produces the batch's signals again, with
// the same ids, so consumers deduplicate by id.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/pipeline_config.h"
#include "core/heap_memory.h"
#include "core/result.h"
#include "kafka/kafka_producer.h"
#include "pipeline/kafka_transaction.h"
#include "pipeline/pipeline_task.h"
#include "sinks/kafka_sinks.h"
#include "state/state_store.h"
#include "telemetry/metrics.h"

namespace vigil {

class KafkaPipeline {
 public:
  // Creates the consumer and producer; nothing is consumed until run().
  // `notifier` (optional, e.g. the Alertmanager sink; it must outlive the
  // pipeline) receives each partition's signals, in order, once they are
  // committed in Kafka (exactly-once: their transaction committed, which a
  // restart never redoes; at-least-once: acknowledged and the partition's
  // state committed, so that a batch produced again is not notified again).
  static Result<std::unique_ptr<KafkaPipeline>> create(const PipelineConfig& config, StateStore& store,
                                                       Metrics& metrics,
                                                       std::shared_ptr<std::atomic<bool>> ready,
                                                       SignalNotifier* notifier = nullptr);
  ~KafkaPipeline();

  // Consumes until `stop` becomes true, then commits what it has processed
  // and leaves the group. Returns an error when the pipeline cannot go on
  // safely (state write failed, records could not be delivered, fatal client
  // error); state is then never ahead of what was delivered.
  Status run(const std::atomic<bool>& stop);

  // Drain tracking, for a bounded stream (`vigil demo`): call before run().
  // Off by default, since each check asks the broker for watermarks.
  void track_drain() { track_drain_ = true; }
  // With drain tracking: when the latest check that found this instance
  // drained began, or nullopt while it is not drained. Drained: it holds
  // every partition of the events topic and of the repartition topic, none
  // is restoring, each has been read up to the high watermark the broker
  // reported during the check, and everything read is committed (Kafka and
  // state). So every record a producer had acknowledged before that time
  // has gone through both stages. run() checks once per commit interval
  // and clears it as soon as it consumes anything. Thread-safe.
  std::optional<std::chrono::steady_clock::time_point> drained_since() const;

 private:
  class Rebalancer : public RdKafka::RebalanceCb {
   public:
    explicit Rebalancer(KafkaPipeline& owner) : owner_(owner) {}
    void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                      std::vector<RdKafka::TopicPartition*>& partitions) override;

   private:
    KafkaPipeline& owner_;
  };

  // Counts offset commits Kafka rejected. Those offsets are informational
  // (the state store's are resumed from), so a failure is counted and
  // logged, never fatal.
  class OffsetCommitReporter : public RdKafka::OffsetCommitCb {
   public:
    explicit OffsetCommitReporter(Metrics& metrics) : metrics_(metrics) {}
    void offset_commit_cb(RdKafka::ErrorCode err,
                          std::vector<RdKafka::TopicPartition*>& offsets) override;

   private:
    Metrics& metrics_;
  };

  // Which stage a task belongs to: an events partition or a repartition one.
  enum class Stage : uint8_t { kInput, kMerge };
  using TaskKey = std::pair<Stage, int32_t>;

  KafkaPipeline(const PipelineConfig& config, StateStore& store, Metrics& metrics,
                std::shared_ptr<std::atomic<bool>> ready, SignalNotifier* notifier);
  // Stores the readiness flag /readyz answers from and mirrors it in vigil_ready.
  void set_ready(bool ready);
  // Sets vigil_signals_open from the tasks this process owns.
  void update_open_signals();
  // Creates the producer and the sinks writing through it.
  Status open_producer();
  // Creates the consumer (not yet subscribed).
  Status open_consumer();
  // The repartition sink, once the topology is known.
  void open_repartition_sink();
  Status init_transactions();
  // After a transaction failed for good: a fatal producer error other than
  // fencing gets a new producer and a rewind to the last commit; anything
  // else (fenced, stopped, too many replacements in a row) is returned.
  Status recover_from_failed_transaction(const Error& failure);
  // The same without the rewind: a new producer for a fatal error other
  // than fencing, else `failure`.
  Status replace_failed_producer(const Error& failure);
  // Whether the group fenced this static member (the consumer's fatal error).
  bool consumer_fenced() const;
  // After consumer_fenced(): a new consumer takes the member over (at most
  // kMaxConsumerReplacements within kConsumerReplacementWindow, else an
  // error) with every task dropped uncommitted, and is subscribed to `topics`.
  Status replace_fenced_consumer(const std::vector<std::string>& topics);
  Status subscribe(const std::vector<std::string>& topics);
  bool exactly_once() const { return config_.kafka.guarantee == DeliveryGuarantee::kExactlyOnce; }
  bool repartitioned() const { return !config_.kafka.repartition_topic.empty(); }
  const std::string& topic_of(Stage stage) const;
  Stage stage_of(std::string_view topic) const;
  std::string describe(const TaskKey& key) const;
  // Reads the events and repartition topics' partition counts.
  Status learn_topology(const std::atomic<bool>& stop);
  // Ready when no assigned partition is still restoring (and nothing failed).
  void update_ready();
  void on_assign(std::vector<RdKafka::TopicPartition*>& partitions);
  void on_revoke(std::vector<RdKafka::TopicPartition*>& partitions);
  // The group's committed offsets of `partitions` (-1 where none), waiting
  // for transactions in flight to settle.
  Status fetch_committed(std::vector<RdKafka::TopicPartition*>& partitions);
  // Opens the task of `key`, sets where it starts and, in exactly-once
  // mode, how far it restores with output dropped.
  Result<int64_t> open_task(const TaskKey& key);
  // `write_state` false (exactly-once only): the batch's transaction may be
  // left committing in the background and the state unwritten.
  Status commit_all(bool write_state = true);
  Status commit_at_least_once();
  Status commit_exactly_once(bool write_state);
  // Exactly-once: waits for the transaction in flight, if any. True once it
  // committed (or none was in flight); false when it failed and the
  // pipeline was rewound to redo it; an error stops the pipeline.
  Result<bool> settle_transaction();
  // Waits for the transaction in flight, if any, when its batch is dropped
  // rather than redone: a commit counts, a failure only replaces a producer
  // that failed fatally.
  Status settle_abandoned_transaction();
  // Metrics and the notifier for signals committed in Kafka.
  void signals_committed(const TaskKey& key, const std::vector<Signal>& signals);
  // Writes each task's state after its output is committed (at-least-once:
  // hands the signals to the notifier).
  Status commit_state();
  // A batch's output is committed: the given-up bookkeeping moves on.
  void batch_committed();
  // After an aborted transaction: every task back to its stored state, the
  // consumer back to the stored offsets.
  Status rewind();
  // After a batch failed (output refused, transaction aborted), before it is
  // redone: asks again for the dead-letter topic's limit when `code` (the
  // failed delivery's error, ERR_NO_ERROR if none) says a record was too
  // large; counts the failure when it names the batch (`counts`: a record
  // refused, not the cluster being away, which is waited out however long
  // it lasts); after commit.max_attempts such failures in a row with the
  // same `why`, gives the batch up (its input events are dead-lettered as
  // `undeliverable`, logged and counted in vigil_batches_dead_lettered_total).
  // Returns an error, stopping the pipeline, when the batch given up on (or
  // the next) then fails commit.max_attempts times the same way again: the
  // cause is not in the events. Then rewinds.
  // `batch`: the failed batch's offsets [first, second) per input task.
  using BatchRanges = std::map<TaskKey, std::pair<int64_t, int64_t>>;
  Status batch_failed(const std::string& why, bool counts, RdKafka::ErrorCode code,
                      const BatchRanges& batch);
  // Exactly-once: the batch that ends at `ends` (the offsets its transaction
  // commits), from each input task's committed offset.
  BatchRanges exactly_once_batch(const std::map<TaskKey, int64_t>& ends);
  // Exactly-once: the transaction of the batch ending at `ends` was aborted
  // because a record failed delivery with `code`; batch_failed() for it.
  Status transaction_aborted(RdKafka::ErrorCode code, const std::map<TaskKey, int64_t>& ends);
  // Whether a failed delivery's error is the cluster being away.
  static bool transient_delivery_error(RdKafka::ErrorCode code);
  // Asks the brokers for the dead-letter topic's max.message.bytes and
  // gives the dead-letter sink the smaller of it and the producer's limit.
  void refresh_dead_letter_limit();
  // Consumes and commits until stopped (run() without the stop watch).
  Status consume_until(const std::atomic<bool>& stop);
  // Each task's read position, in the order of tasks_; nullopt when the
  // consumer cannot say.
  std::optional<std::vector<int64_t>> read_positions();
  void update_lag();
  // Sets vigil_repartition_waiting_records and _held_back_seconds from the merge tasks.
  void update_waiting();
  // The drain check (see drained_since()); run() calls it after a commit.
  void check_drained();
  // Test-only fault injection (VIGIL_FAULT, see kafka_pipeline.cc): kills
  // (SIGKILL) or freezes (SIGSTOP) this process when the configured point is
  // reached.
  enum class Fault : uint8_t { kNone, kAfterKafkaCommit, kDuringRestore };
  void fault_point(Fault point);

  PipelineConfig config_;
  StateStore& store_;
  Metrics& metrics_;
  std::shared_ptr<std::atomic<bool>> ready_;
  SignalNotifier* notifier_;  // may be null
  // The give-up flag of every retry loop (producing, flushing, transaction
  // calls, fetching offsets): set kLastCommitTimeout after a stop request,
  // so that a stop during an outage ends within the termination grace.
  std::atomic<bool> stopping_{false};
  // Consecutive failures of the batch being redone, all with the same why.
  std::string batch_failure_;
  uint32_t batch_failures_ = 0;
  // Given up: input partitions whose messages in [first, second) are
  // dead-lettered unprocessed, and why. Cleared once committed past.
  std::map<TaskKey, std::pair<int64_t, int64_t>> given_up_;
  std::string given_up_why_;
  // The dead-letter topic's max.message.bytes, as last asked.
  size_t dead_letter_topic_limit_ = 0;
  Status fatal_;

  Rebalancer rebalancer_{*this};
  OffsetCommitReporter offset_commit_reporter_{metrics_};
  std::unique_ptr<KafkaProducer> producer_;
  std::unique_ptr<KafkaTransaction> transaction_;  // exactly-once only
  // Exactly-once: the group's committed offset per assigned partition, as
  // this instance knows it (fetched on assignment, advanced by its commits).
  std::map<TaskKey, int64_t> committed_;
  int producer_replacements_ = 0;  // in a row, without a commit between
  // When the consumer was last replaced after being fenced, within kConsumerReplacementWindow.
  std::vector<std::chrono::steady_clock::time_point> consumer_replacements_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::unique_ptr<KafkaSignalSink> signal_sink_;
  std::unique_ptr<KafkaDeadLetterSink> dead_letter_sink_;
  std::unique_ptr<KafkaRepartitionSink> repartition_sink_;  // when repartitioned
  int32_t input_partitions_ = 0;
  int32_t merge_partitions_ = 0;
  std::vector<int32_t> merge_targets_;  // merge partitions that run a detector
  std::map<TaskKey, std::unique_ptr<PipelineTask>> tasks_;
  // Exactly-once: the transaction committing in the background, and what
  // the pipeline does once it is through.
  struct InFlight {
    std::future<Result<TransactionOutcome>> outcome;
    std::map<TaskKey, int64_t> offsets;  // the next offset it commits, per task
    std::vector<std::pair<TaskKey, std::vector<Signal>>> signals;
  };
  std::optional<InFlight> in_flight_;
  // A transaction committed: the offsets it carried are the group's, its
  // signals are counted and notified.
  void transaction_committed(const InFlight& flight);
  // Whether the last transaction committed. Only then does the next one
  // commit in the background: committing in the background is a bet that
  // it goes through. From the start, and after a failed or aborted
  // transaction until one commits, each batch is committed (transaction and
  // state) before the next is consumed, so a batch being redone is consumed
  // once per attempt and a rewind goes back to the batch that failed.
  bool overlap_ = false;
  size_t unsent_ = 0;     // messages consumed since the last transaction (or at-least-once commit)
  size_t unwritten_ = 0;  // messages consumed since the last state write
  std::chrono::steady_clock::time_point last_state_write_ = std::chrono::steady_clock::now();
  // After a state write, at most every 30 s: a commit every few thousand
  // events is more often than returning free pages is worth.
  HeapPageReleaser heap_pages_{std::chrono::seconds(30)};
  bool closed_ = false;
  bool track_drain_ = false;
  // steady_clock nanoseconds since its epoch of the latest check that found
  // the instance drained; -1 while not drained.
  std::atomic<int64_t> drained_since_ns_{-1};
  Fault fault_ = Fault::kNone;
  int fault_signal_ = 0;      // SIGKILL or SIGSTOP
  uint64_t fault_at_ = 0;     // the Nth occurrence of fault_ signals the process
  uint64_t fault_count_ = 0;  // occurrences so far
};

}  // namespace vigil

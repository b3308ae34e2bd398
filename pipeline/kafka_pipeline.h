// The pipeline on Kafka (`vigil run`, `vigil demo`): one consumer in the
// group, one PartitionTask per assigned partition, signals and dead letters
// produced to their topics.
//
// Commit protocol (at-least-once output, exactly-once state): every
// `commit.max_events` messages or `commit.max_interval_ms`, each task's
// dead letters and signals are produced and acknowledged by the brokers;
// only then is the task's state written to RocksDB together with the offset
// it has consumed up to, and finally the offset is committed to Kafka (for
// lag monitoring; RocksDB's offset is the one resumed from). A crash before
// the RocksDB write replays the batch from the stored offset and produces
// the same signals again, with the same ids, so consumers deduplicate by id.
// Partitions are assigned at the offsets their state holds.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "app/pipeline_config.h"
#include "core/result.h"
#include "pipeline/partition_task.h"
#include "sinks/kafka_producer.h"
#include "sinks/kafka_sinks.h"
#include "sinks/metrics.h"
#include "state/state_store.h"

namespace vigil {

class KafkaPipeline {
 public:
  // Creates the consumer and producer; nothing is consumed until run().
  // `notifier` (optional, e.g. the Alertmanager sink; it must outlive the
  // pipeline) receives each partition's signals, in order, once they are
  // acknowledged by Kafka and the partition's state is committed.
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

  KafkaPipeline(const PipelineConfig& config, StateStore& store, Metrics& metrics,
                std::shared_ptr<std::atomic<bool>> ready, SignalNotifier* notifier);
  // Stores the readiness flag /readyz answers from and mirrors it in vigil_ready.
  void set_ready(bool ready);
  // Sets vigil_signals_open from the tasks this process owns.
  void update_open_signals();
  void on_assign(std::vector<RdKafka::TopicPartition*>& partitions);
  void on_revoke(std::vector<RdKafka::TopicPartition*>& partitions);
  Status commit_all();
  void update_lag();

  PipelineConfig config_;
  StateStore& store_;
  Metrics& metrics_;
  std::shared_ptr<std::atomic<bool>> ready_;
  SignalNotifier* notifier_;  // may be null
  std::atomic<bool> stopping_{false};
  Status fatal_;

  Rebalancer rebalancer_{*this};
  OffsetCommitReporter offset_commit_reporter_{metrics_};
  std::unique_ptr<KafkaProducer> producer_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::unique_ptr<KafkaSignalSink> signal_sink_;
  std::unique_ptr<KafkaDeadLetterSink> dead_letter_sink_;
  std::map<int32_t, std::unique_ptr<PartitionTask>> tasks_;
  size_t uncommitted_ = 0;
  bool closed_ = false;
};

}  // namespace vigil

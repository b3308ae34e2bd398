// Signal and dead-letter sinks on Kafka (contract §2 and §4).
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "sinks/repartition_record.h"

#include "kafka/kafka_producer.h"
#include "sinks/signal_sink.h"

namespace vigil {

// When deliver() returns: once the brokers acknowledged every record
// (at-least-once), or as soon as the records are queued, because the
// transaction they belong to is committed (and so flushed) later.
enum class AwaitAcks : uint8_t { kOnDeliver, kOnTransactionCommit };

// CloudEvents structured mode: key = signal_id, header content-type.
class KafkaSignalSink final : public SignalSink {
 public:
  KafkaSignalSink(KafkaProducer& producer, std::string topic, std::string pipeline_name,
                  const std::atomic<bool>& give_up, AwaitAcks await = AwaitAcks::kOnDeliver)
      : producer_(producer), topic_(std::move(topic)), pipeline_name_(std::move(pipeline_name)),
        give_up_(give_up), await_(await) {}
  Status deliver(std::span<const Signal> signals) override;

 private:
  KafkaProducer& producer_;
  std::string topic_;
  std::string pipeline_name_;
  const std::atomic<bool>& give_up_;
  AwaitAcks await_;
};

// The original key and value, with vigil.error.* headers naming the reason
// and where the message came from.
class KafkaDeadLetterSink final : public DeadLetterSink {
 public:
  KafkaDeadLetterSink(KafkaProducer& producer, std::string topic, std::string source_topic,
                      const std::atomic<bool>& give_up, AwaitAcks await = AwaitAcks::kOnDeliver)
      : producer_(producer), topic_(std::move(topic)), source_topic_(std::move(source_topic)),
        give_up_(give_up), await_(await) {}
  Status deliver(std::span<const DeadLetter> dead_letters, int32_t partition) override;

 private:
  KafkaProducer& producer_;
  std::string topic_;
  std::string source_topic_;
  const std::atomic<bool>& give_up_;
  AwaitAcks await_;
};

// Accepted events on their way to the merge stage: every record to each of
// `targets` (the repartition topic's partitions that run detectors), many
// records to a message (repartition_record.h).
class KafkaRepartitionSink {
 public:
  KafkaRepartitionSink(KafkaProducer& producer, std::string topic, std::vector<int32_t> targets,
                       const std::atomic<bool>& give_up, AwaitAcks await = AwaitAcks::kOnDeliver)
      : producer_(producer), topic_(std::move(topic)), targets_(std::move(targets)),
        give_up_(give_up), await_(await) {}
  Status deliver(const RepartitionBatch& batch);

 private:
  KafkaProducer& producer_;
  std::string topic_;
  std::vector<int32_t> targets_;
  const std::atomic<bool>& give_up_;
  AwaitAcks await_;
  std::string buffer_;
};

}  // namespace vigil

// Signal and dead-letter sinks on Kafka (contract §2 and §4).
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "sinks/repartition_record.h"

#include "kafka/kafka_producer.h"
#include "sinks/dead_letter_fit.h"
#include "sinks/signal_sink.h"

namespace vigil {

// When deliver() returns: once the brokers acknowledged every record
// (at-least-once), or as soon as the records are queued, because the
// transaction they belong to is committed (and so flushed) later.
enum class AwaitAcks : uint8_t { kOnDeliver, kOnTransactionCommit };

// The topic a Kafka sink writes to, through its producer, and when its
// deliver() may return.
class KafkaTopicOutput {
 public:
  KafkaTopicOutput(KafkaProducer& producer, std::string topic, const std::atomic<bool>& give_up,
                   AwaitAcks await)
      : producer_(producer), topic_(std::move(topic)), give_up_(give_up), await_(await) {}

  Status produce(std::string_view key, std::string_view value, const KafkaHeaders& headers,
                 int32_t partition = RdKafka::Topic::PARTITION_UA) {
    return producer_.produce(topic_, key, value, headers, give_up_, partition);
  }
  const std::string& topic() const { return topic_; }
  // The end of a deliver(): waits for the acknowledgements, or not at all
  // (see AwaitAcks).
  Status finish() {
    return await_ == AwaitAcks::kOnDeliver ? producer_.flush(give_up_) : Status::ok();
  }

 private:
  KafkaProducer& producer_;
  std::string topic_;
  const std::atomic<bool>& give_up_;
  AwaitAcks await_;
};

// CloudEvents structured mode: key = signal_id, header content-type.
class KafkaSignalSink final : public SignalSink {
 public:
  KafkaSignalSink(KafkaProducer& producer, std::string topic, std::string pipeline_name,
                  const std::atomic<bool>& give_up, AwaitAcks await = AwaitAcks::kOnDeliver)
      : out_(producer, std::move(topic), give_up, await),
        pipeline_name_(std::move(pipeline_name)) {}
  Status deliver(std::span<const Signal> signals) override;

 private:
  KafkaTopicOutput out_;
  std::string pipeline_name_;
};

// The original key and value, with vigil.error.* headers naming the reason
// and where the message came from; a truncated copy (dead_letter_fit.h) when
// the record would exceed `max_record_bytes`.
class KafkaDeadLetterSink final : public DeadLetterSink {
 public:
  KafkaDeadLetterSink(KafkaProducer& producer, std::string topic, std::string source_topic,
                      const std::atomic<bool>& give_up, AwaitAcks await = AwaitAcks::kOnDeliver)
      : out_(producer, std::move(topic), give_up, await), source_topic_(std::move(source_topic)) {}
  Status deliver(std::span<const DeadLetter> dead_letters, int32_t partition) override;

  // The largest record the dead-letter topic and the producer accept: the
  // smaller of the topic's max.message.bytes and the producer's
  // message.max.bytes. Until set, Kafka's default topic limit.
  void set_max_record_bytes(size_t bytes) { max_record_bytes_ = bytes; }
  size_t max_record_bytes() const { return max_record_bytes_; }
  // Called for every dead letter written as a truncated copy (metrics).
  void on_truncated(std::function<void()> callback) { on_truncated_ = std::move(callback); }

 private:
  KafkaTopicOutput out_;
  std::string source_topic_;
  size_t max_record_bytes_ = kKafkaDefaultMaxMessageBytes;
  std::function<void()> on_truncated_;
};

// Accepted events on their way to the merge stage: every record to each of
// `targets` (the repartition topic's partitions that run detectors), many
// records to a message (repartition_record.h).
class KafkaRepartitionSink {
 public:
  KafkaRepartitionSink(KafkaProducer& producer, std::string topic, std::vector<int32_t> targets,
                       const std::atomic<bool>& give_up, AwaitAcks await = AwaitAcks::kOnDeliver)
      : out_(producer, std::move(topic), give_up, await), targets_(std::move(targets)) {}
  Status deliver(const RepartitionBatch& batch);

 private:
  KafkaTopicOutput out_;
  std::vector<int32_t> targets_;
  std::string buffer_;
};

}  // namespace vigil

// Where `vigil serve` records a decision in Kafka mode: one record on the
// reviews topic, keyed by signal_id (so a signal's decisions keep their
// order on one partition), acknowledged by the brokers before publish()
// returns, so a decision the API answered 201 for is durable. The service's
// store takes it from there and again when the topic is read back.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "config/pipeline_config.h"
#include "core/result.h"
#include "kafka/kafka_producer.h"
#include "web/review_app.h"

namespace vigil {

class KafkaDecisionPublisher final : public DecisionPublisher {
 public:
  // An idempotent producer with the `kafka:` configuration's servers and
  // properties. Errors: kInvalidArgument naming a bad property.
  static Result<std::unique_ptr<KafkaDecisionPublisher>> create(const KafkaConfig& kafka,
                                                                std::string topic);

  // Produces encode_decision(d) and waits for its acknowledgement, at most
  // about kDecisionDeliveryTimeoutMs (review_kafka_conf.h). Errors:
  // kUnavailable when the record was not acknowledged (nothing recorded;
  // the reviewer may try again). Thread-safe: calls are serialised, so each
  // waits only for its own record and learns its own outcome.
  Status publish(const Decision& d) override;

  const std::string& topic() const { return topic_; }

 private:
  KafkaDecisionPublisher(std::string topic, std::unique_ptr<KafkaProducer> producer)
      : topic_(std::move(topic)), producer_(std::move(producer)) {}

  const std::string topic_;
  std::mutex mutex_;
  std::unique_ptr<KafkaProducer> producer_;
};

}  // namespace vigil

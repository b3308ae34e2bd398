#include "web/kafka_decision_publisher.h"

#include <atomic>

#include "web/review_kafka_conf.h"

namespace vigil {

Result<std::unique_ptr<KafkaDecisionPublisher>> KafkaDecisionPublisher::create(const KafkaConfig& kafka,
                                                                              std::string topic) {
  auto producer = KafkaProducer::create(kafka.bootstrap_servers, review_producer_props(kafka));
  if (!producer) return producer.error();
  return std::unique_ptr<KafkaDecisionPublisher>(
      new KafkaDecisionPublisher(std::move(topic), std::move(producer).value()));
}

Status KafkaDecisionPublisher::publish(const Decision& d) {
  const std::string value = encode_decision(d);
  std::lock_guard lock(mutex_);
  if (Status s = producer_->produce(topic_, d.signal_id, value, {}); !s.is_ok()) return s;
  // message.timeout.ms bounds the wait: an unacknowledged record fails
  // within it, and flush() then reports the failure.
  static const std::atomic<bool> kNeverGiveUp{false};
  Status flushed = producer_->flush(kNeverGiveUp);
  if (!flushed.is_ok()) {
    return make_error(ErrorKind::kUnavailable,
                      "decision not recorded on " + topic_ + ": " + flushed.message());
  }
  return Status::ok();
}

}  // namespace vigil

#include "web/kafka_decision_reader.h"

#include <spdlog/spdlog.h>

#include "web/review_kafka_conf.h"

namespace vigil {

Result<std::unique_ptr<KafkaDecisionReader>> KafkaDecisionReader::start(const KafkaConfig& kafka,
                                                                        const std::string& topic,
                                                                        OnDecision on_decision) {
  std::unique_ptr<KafkaDecisionReader> reader(new KafkaDecisionReader());
  auto follower = TopicFollower::start(
      review_consumer_props(kafka), topic,
      [r = reader.get(), on_decision = std::move(on_decision), topic](const TopicRecord& record) {
        auto decision = decode_decision(record.value);
        if (!decision) {
          spdlog::warn("{}[{}] offset {}: not a decision ({}); skipped", topic, record.partition,
                       record.offset, decision.error().message);
          r->skipped_.fetch_add(1);
          return;
        }
        on_decision(decision.value());
        r->decisions_.fetch_add(1);
      });
  if (!follower) return follower.error();
  reader->follower_ = std::move(follower).value();
  return reader;
}

}  // namespace vigil

#include "web/review_kafka_conf.h"

namespace vigil {

std::map<std::string, std::string> review_consumer_props(const KafkaConfig& kafka) {
  std::map<std::string, std::string> props = {
      {"bootstrap.servers", kafka.bootstrap_servers},
      {"isolation.level", "read_committed"},
  };
  for (const auto& [key, value] : kafka.properties) props[key] = value;
  return props;
}

std::map<std::string, std::string> review_producer_props(const KafkaConfig& kafka) {
  std::map<std::string, std::string> props = {
      {"message.timeout.ms", std::to_string(kDecisionDeliveryTimeoutMs)},
      // No batching wait: a decision is one record and a person waits for it.
      {"linger.ms", "0"},
  };
  for (const auto& [key, value] : kafka.properties) props[key] = value;
  return props;
}

}  // namespace vigil

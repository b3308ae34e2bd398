// The librdkafka properties of the review clients (`vigil serve`'s readers
// and publisher, `vigil run`'s decision reader): the `kafka:` section's
// bootstrap servers and extra properties (TLS, SASL), as `run` uses them.
#pragma once

#include <map>
#include <string>

#include "config/pipeline_config.h"

namespace vigil {

// For a TopicFollower: read_committed, so a transaction the pipeline
// aborted and redid is seen once; kafka.properties applied last.
std::map<std::string, std::string> review_consumer_props(const KafkaConfig& kafka);

// For KafkaProducer::create (which adds bootstrap.servers): a decision that
// cannot be delivered fails within kDecisionDeliveryTimeoutMs, so the
// reviewer gets an error instead of a request that never ends;
// kafka.properties applied last.
std::map<std::string, std::string> review_producer_props(const KafkaConfig& kafka);

inline constexpr int kDecisionDeliveryTimeoutMs = 10000;

}  // namespace vigil

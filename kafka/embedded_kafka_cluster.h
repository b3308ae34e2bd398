// librdkafka's in-process mock cluster, for `vigil demo` and for tests: real
// Kafka protocol on loopback ports, no broker to install. It cannot show
// transactions or read_committed (see PLATFORM-NOTES), which is why the
// exactly-once tests use a real broker instead.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace vigil {

class EmbeddedKafkaCluster {
 public:
  static Result<std::unique_ptr<EmbeddedKafkaCluster>> start(int brokers);
  ~EmbeddedKafkaCluster();

  const std::string& bootstrap_servers() const { return bootstrap_servers_; }
  Status create_topic(const std::string& name, int partitions);
  // Fault injection for tests: take a broker down or bring it back.
  Status set_broker_down(int broker_id, bool down);
  // Makes the next `count` requests of Kafka API `api_key` fail with `error`.
  void push_request_errors(int api_key, int count, int error);
  rd_kafka_mock_cluster_s* mock() { return cluster_; }

 private:
  EmbeddedKafkaCluster() = default;
  rd_kafka_s* handle_ = nullptr;
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
  std::string bootstrap_servers_;
};

}  // namespace vigil

#include "kafka/embedded_kafka_cluster.h"

#include <librdkafka/rdkafka.h>
// rdkafka_mock.h requires rdkafka.h first.
#include <librdkafka/rdkafka_mock.h>

#include <vector>

namespace vigil {

Result<std::unique_ptr<EmbeddedKafkaCluster>> EmbeddedKafkaCluster::start(int brokers) {
  std::unique_ptr<EmbeddedKafkaCluster> c(new EmbeddedKafkaCluster());
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The hosting handle only owns the cluster; keep its logging quiet.
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  c->handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (c->handle_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    return make_error(ErrorKind::kUnavailable, std::string("mock cluster host: ") + errstr);
  }
  c->cluster_ = rd_kafka_mock_cluster_new(c->handle_, brokers);
  if (c->cluster_ == nullptr) return make_error(ErrorKind::kUnavailable, "mock cluster did not start");
  c->bootstrap_servers_ = rd_kafka_mock_cluster_bootstraps(c->cluster_);
  return c;
}

EmbeddedKafkaCluster::~EmbeddedKafkaCluster() {
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
  if (handle_ != nullptr) rd_kafka_destroy(handle_);
}

Status EmbeddedKafkaCluster::create_topic(const std::string& name, int partitions) {
  const auto err = rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(ErrorKind::kUnavailable, "create topic " + name + ": " + rd_kafka_err2str(err));
  }
  return Status::ok();
}

Status EmbeddedKafkaCluster::set_broker_down(int broker_id, bool down) {
  const auto err = down ? rd_kafka_mock_broker_set_down(cluster_, broker_id)
                        : rd_kafka_mock_broker_set_up(cluster_, broker_id);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(ErrorKind::kUnavailable, std::string("broker state: ") + rd_kafka_err2str(err));
  }
  return Status::ok();
}

void EmbeddedKafkaCluster::push_request_errors(int api_key, int count, int error) {
  std::vector<rd_kafka_resp_err_t> errors(static_cast<size_t>(count),
                                          static_cast<rd_kafka_resp_err_t>(error));
  rd_kafka_mock_push_request_errors_array(cluster_, static_cast<int16_t>(api_key), errors.size(),
                                          errors.data());
}

}  // namespace vigil

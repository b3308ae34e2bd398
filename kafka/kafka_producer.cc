#include "kafka/kafka_producer.h"

#include "kafka/client_conf.h"

namespace vigil {

void KafkaProducer::DeliveryCounter::dr_cb(RdKafka::Message& message) {
  if (message.err() != RdKafka::ERR_NO_ERROR) {
    ++failed;
    last_error = message.errstr();
    // Records purged by the abort a refusal caused must not hide that
    // refusal: it is what names the batch.
    const bool purged =
        message.err() == RdKafka::ERR__PURGE_QUEUE || message.err() == RdKafka::ERR__PURGE_INFLIGHT;
    if (!purged || last_code.load() == RdKafka::ERR_NO_ERROR) last_code.store(message.err());
  }
}

Result<std::unique_ptr<KafkaProducer>> KafkaProducer::create(
    const std::string& bootstrap_servers, const std::map<std::string, std::string>& props) {
  std::map<std::string, std::string> all = {
      {"bootstrap.servers", bootstrap_servers},
      {"enable.idempotence", "true"},
      {"partitioner", "murmur2_random"},
      {"linger.ms", "5"},
      {"compression.type", "lz4"},
      // Bounded local queue: 64 MiB instead of librdkafka's 1 GiB default.
      {"queue.buffering.max.kbytes", "65536"},
      {"message.max.bytes", std::to_string(kDefaultMaxMessageBytes)},
  };
  for (const auto& [k, v] : props) all[k] = v;
  auto conf = make_kafka_conf(all);
  if (!conf) return conf.error();
  std::unique_ptr<KafkaProducer> p(new KafkaProducer());
  std::string err;
  if (conf.value()->set("dr_cb", &p->delivery_, err) != RdKafka::Conf::CONF_OK) {
    return make_error(ErrorKind::kInvalidArgument, err);
  }
  std::string max_bytes;
  if (conf.value()->get("message.max.bytes", max_bytes) != RdKafka::Conf::CONF_OK) {
    return make_error(ErrorKind::kInvalidArgument, "kafka producer: no message.max.bytes");
  }
  p->max_message_bytes_ = std::stoull(max_bytes);
  p->producer_.reset(RdKafka::Producer::create(conf.value().get(), err));
  if (!p->producer_) return make_error(ErrorKind::kInvalidArgument, "kafka producer: " + err);
  return p;
}

KafkaProducer::~KafkaProducer() {
  if (producer_) producer_->flush(5000);
}

Status KafkaProducer::produce(const std::string& topic, std::string_view key, std::string_view value,
                              const KafkaHeaders& headers, const std::atomic<bool>& give_up,
                              int32_t partition) {
  while (true) {
    RdKafka::Headers* h = nullptr;
    if (!headers.empty()) {
      h = RdKafka::Headers::create();
      for (const auto& [name, v] : headers) h->add(name, v.data(), v.size());
    }
    const auto err = producer_->produce(
        topic, partition, RdKafka::Producer::RK_MSG_COPY,
        const_cast<char*>(value.data()), value.size(), key.data(), key.size(), 0, h, nullptr);
    if (err == RdKafka::ERR_NO_ERROR) return Status::ok();  // librdkafka owns the headers now
    delete h;
    if (err != RdKafka::ERR__QUEUE_FULL) {
      return make_error(ErrorKind::kUnavailable, "producing to " + topic + ": " + RdKafka::err2str(err));
    }
    if (give_up.load()) {
      return make_error(ErrorKind::kUnavailable, "producing to " + topic + ": stopped while the queue was full");
    }
    producer_->poll(100);
  }
}

Status KafkaProducer::flush(const std::atomic<bool>& give_up) {
  while (producer_->outq_len() > 0) {
    producer_->flush(500);
    if (give_up.load() && producer_->outq_len() > 0) {
      return make_error(ErrorKind::kUnavailable, "stopped while records were still unacknowledged");
    }
  }
  const uint64_t failed = delivery_.failed.exchange(0);
  if (failed > 0) {
    return make_error(ErrorKind::kUnavailable,
                      std::to_string(failed) + " records failed delivery: " + delivery_.last_error);
  }
  return Status::ok();
}

}  // namespace vigil

// The producer signals and dead letters are sent with: idempotent (no
// duplicates or reordering from internal retries), murmur2 partitioning so
// keys land where Java clients expect, and a delivery check before a commit.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace vigil {

using KafkaHeaders = std::vector<std::pair<std::string, std::string>>;

class KafkaProducer {
 public:
  // `props` are applied after the defaults, so a configuration can override them.
  static Result<std::unique_ptr<KafkaProducer>> create(const std::string& bootstrap_servers,
                                                       const std::map<std::string, std::string>& props);
  ~KafkaProducer();

  // Enqueues one record, to `partition` or (by default) the partition the
  // key hashes to; waits (serving delivery reports) while the local queue is
  // full. Fails only on errors that retrying cannot fix.
  Status produce(const std::string& topic, std::string_view key, std::string_view value,
                 const KafkaHeaders& headers, int32_t partition = RdKafka::Topic::PARTITION_UA);

  // Waits until every enqueued record is acknowledged by the broker, however
  // long that takes (a broker that is down for a while only delays it),
  // unless `give_up` becomes true. Returns an error if any record failed for
  // good since the last call: the caller must then not commit its input.
  Status flush(const std::atomic<bool>& give_up);

  RdKafka::Producer& handle() { return *producer_; }

 private:
  class DeliveryCounter : public RdKafka::DeliveryReportCb {
   public:
    void dr_cb(RdKafka::Message& message) override;
    std::atomic<uint64_t> failed{0};
    std::string last_error;
  };

  KafkaProducer() = default;

  DeliveryCounter delivery_;
  std::unique_ptr<RdKafka::Producer> producer_;
};

}  // namespace vigil

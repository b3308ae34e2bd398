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

// The contract's largest input message (1 MiB, contract section 1) plus
// 64 KiB for its key and headers: a dead letter of any accepted-size message
// can always be produced (librdkafka's own default is 1,000,000 bytes).
inline constexpr size_t kDefaultMaxMessageBytes = (size_t{1} << 20) + (size_t{64} << 10);

class KafkaProducer {
 public:
  // `props` are applied after the defaults, so a configuration can override
  // them. message.max.bytes defaults to kDefaultMaxMessageBytes.
  static Result<std::unique_ptr<KafkaProducer>> create(const std::string& bootstrap_servers,
                                                       const std::map<std::string, std::string>& props);
  ~KafkaProducer();

  // Enqueues one record, to `partition` or (by default) the partition the
  // key hashes to; waits (serving delivery reports) while the local queue is
  // full, unless `give_up` becomes true. Fails on errors that retrying
  // cannot fix (a record over message.max.bytes among them) and on giving up.
  Status produce(const std::string& topic, std::string_view key, std::string_view value,
                 const KafkaHeaders& headers, const std::atomic<bool>& give_up,
                 int32_t partition = RdKafka::Topic::PARTITION_UA);
  // The same, never giving up while the queue is full (tools and tests).
  Status produce(const std::string& topic, std::string_view key, std::string_view value,
                 const KafkaHeaders& headers) {
    static const std::atomic<bool> never{false};
    return produce(topic, key, value, headers, never);
  }

  // The producer's message.max.bytes: no record (key, value and headers)
  // larger than this is accepted by produce().
  size_t max_message_bytes() const { return max_message_bytes_; }

  // Waits until every enqueued record is acknowledged by the broker, however
  // long that takes (a broker that is down for a while only delays it),
  // unless `give_up` becomes true. Returns an error if any record failed for
  // good since the last call: the caller must then not commit its input.
  Status flush(const std::atomic<bool>& give_up);

  // The error of the latest record that failed delivery since the last
  // call, ERR_NO_ERROR if none; clears it. Tells an outage (timed out) from
  // a refusal that names the record (too large, invalid).
  RdKafka::ErrorCode take_delivery_error() {
    return static_cast<RdKafka::ErrorCode>(delivery_.last_code.exchange(RdKafka::ERR_NO_ERROR));
  }

  RdKafka::Producer& handle() { return *producer_; }

 private:
  class DeliveryCounter : public RdKafka::DeliveryReportCb {
   public:
    void dr_cb(RdKafka::Message& message) override;
    std::atomic<uint64_t> failed{0};
    std::atomic<int> last_code{RdKafka::ERR_NO_ERROR};
    std::string last_error;
  };

  KafkaProducer() = default;

  DeliveryCounter delivery_;
  size_t max_message_bytes_ = 0;
  std::unique_ptr<RdKafka::Producer> producer_;
};

}  // namespace vigil

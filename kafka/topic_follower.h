// Reads a whole topic from its beginning and then follows it: for views
// rebuilt from a topic at every start (the review application's store from
// the signals and reviews topics, `run`'s latest decision per signal).
//
// It takes every partition itself (assign, no consumer group, no offsets
// committed): each start reads the topic again from the beginning, which is
// what a view that is not kept needs, and a second reader never takes
// partitions away from the first. New partitions of the topic are picked up
// within kRecheckInterval. A topic that does not exist yet counts as empty,
// and is read once it appears.
//
// One thread owns the consumer and calls `on_record` for each record in
// partition order; `on_record` must not call back into the follower.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "core/result.h"

namespace RdKafka {
class KafkaConsumer;
}

namespace vigil {

struct TopicRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string_view key;    // valid during the call only
  std::string_view value;  // valid during the call only
};

class TopicFollower {
 public:
  using OnRecord = std::function<void(const TopicRecord&)>;

  // How often the topic's partition count (and existence) is looked at again.
  static constexpr std::chrono::seconds kRecheckInterval{10};

  // Creates the consumer from `props` (librdkafka properties, with
  // bootstrap.servers; group.id, auto commit and offset reset are set here
  // unless given) and starts reading. Errors: kInvalidArgument naming a bad
  // property.
  static Result<std::unique_ptr<TopicFollower>> start(std::map<std::string, std::string> props,
                                                      std::string topic, OnRecord on_record);
  // Stops reading and closes the consumer.
  ~TopicFollower();
  TopicFollower(const TopicFollower&) = delete;
  TopicFollower& operator=(const TopicFollower&) = delete;

  // Whether every record the topic held when the follower started (its end
  // offsets at the first look) has been handed to on_record.
  bool caught_up() const { return caught_up_.load(); }
  // Waits until caught_up() or until `give_up` becomes true (looked at
  // every 100 ms). Errors: kUnavailable when it gave up.
  Status wait_caught_up(const std::atomic<bool>& give_up) const;

  const std::string& topic() const { return topic_; }
  uint64_t records_read() const { return records_.load(); }

 private:
  TopicFollower(std::string topic, OnRecord on_record);
  void run();

  const std::string topic_;
  const OnRecord on_record_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> caught_up_{false};
  std::atomic<uint64_t> records_{0};
  mutable std::mutex mutex_;
  mutable std::condition_variable caught_up_cv_;
  std::thread thread_;
};

}  // namespace vigil

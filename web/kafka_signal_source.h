// `vigil serve`'s source of signals in Kafka mode: the signals topic read
// from its beginning (read_committed) and then followed, each record decoded
// and handed on with its CloudEvents JSON as received (ReviewStore::
// add_signal). The store is a view rebuilt at every start, so the source
// commits nothing and needs no consumer group of its own.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "config/pipeline_config.h"
#include "core/result.h"
#include "core/signal.h"
#include "kafka/topic_follower.h"

namespace vigil {

class KafkaSignalSource {
 public:
  // Called on the source's own thread, in each partition's order.
  using OnSignal = std::function<void(const Signal& signal, std::string_view cloudevent_json)>;

  // Starts reading `topic` with the `kafka:` configuration's servers and
  // properties. Errors: kInvalidArgument naming a bad property.
  static Result<std::unique_ptr<KafkaSignalSource>> start(const KafkaConfig& kafka,
                                                          const std::string& topic,
                                                          OnSignal on_signal);

  // Every signal the topic held at start has been handed on (for /readyz).
  bool caught_up() const { return follower_->caught_up(); }
  Status wait_caught_up(const std::atomic<bool>& give_up) const {
    return follower_->wait_caught_up(give_up);
  }
  uint64_t signals_read() const { return signals_.load(); }
  // Records that are not a signal this version can read: logged by
  // partition and offset (never their content) and skipped.
  uint64_t records_skipped() const { return skipped_.load(); }

 private:
  KafkaSignalSource() = default;

  std::atomic<uint64_t> signals_{0};
  std::atomic<uint64_t> skipped_{0};
  std::unique_ptr<TopicFollower> follower_;  // last: stopped before the counters go
};

}  // namespace vigil

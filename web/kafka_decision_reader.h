// Decisions from the reviews topic (default vigil.reviews, key = signal_id):
// read from the beginning at start, since the topic is the audit trail and
// every view of it is rebuilt, then followed. `vigil serve` applies each to
// its store (ReviewStore::apply_decision, idempotent by decision_id, so its
// own decisions read back change nothing); `vigil run` keeps the latest per
// signal for the Alertmanager sink's suppression (review/latest_decisions.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "config/pipeline_config.h"
#include "core/result.h"
#include "kafka/topic_follower.h"
#include "review/decision.h"

namespace vigil {

class KafkaDecisionReader {
 public:
  // Called on the reader's own thread, in the topic's order for each signal.
  using OnDecision = std::function<void(const Decision&)>;

  // Errors: kInvalidArgument naming a bad property.
  static Result<std::unique_ptr<KafkaDecisionReader>> start(const KafkaConfig& kafka,
                                                            const std::string& topic,
                                                            OnDecision on_decision);

  // Every decision the topic held at start has been applied.
  bool caught_up() const { return follower_->caught_up(); }
  Status wait_caught_up(const std::atomic<bool>& give_up) const {
    return follower_->wait_caught_up(give_up);
  }
  uint64_t decisions_read() const { return decisions_.load(); }
  // Records that are not a decision: logged by partition and offset (a
  // decision's reason is a person's words, never logged) and skipped.
  uint64_t records_skipped() const { return skipped_.load(); }

 private:
  KafkaDecisionReader() = default;

  std::atomic<uint64_t> decisions_{0};
  std::atomic<uint64_t> skipped_{0};
  std::unique_ptr<TopicFollower> follower_;  // last: stopped before the counters go
};

}  // namespace vigil

#include "pipeline/kafka_transaction.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace vigil {
namespace {

// Each attempt waits this long for the brokers; a retriable error repeats it.
constexpr int kAttemptTimeoutMs = 10000;
constexpr auto kRetryPause = std::chrono::milliseconds(500);

enum class CallResult : uint8_t { kDone, kAbortRequired };

// Runs `call` until it succeeds, fails for good, or `give_up` is set. The
// Error objects librdkafka returns are owned here.
Result<CallResult> call_with_retries(const char* what, RdKafka::Producer& producer,
                                     const std::function<RdKafka::Error*()>& call,
                                     const std::atomic<bool>& give_up) {
  for (int attempt = 1;; ++attempt) {
    std::unique_ptr<RdKafka::Error> error(call());
    if (!error) return CallResult::kDone;
    const std::string message = std::string(what) + ": " + error->str();
    if (error->is_fatal()) return make_error(ErrorKind::kFatal, message + " (fatal)");
    if (error->txn_requires_abort()) {
      spdlog::warn("{}; aborting the transaction", message);
      return CallResult::kAbortRequired;
    }
    if (!error->is_retriable()) return make_error(ErrorKind::kFatal, message);
    if (give_up.load()) return make_error(ErrorKind::kUnavailable, message + " (stopping)");
    if (attempt == 1 || attempt % 10 == 0) spdlog::warn("{}; retrying (attempt {})", message, attempt);
    // Serves delivery reports while waiting: an abort cannot finish until
    // the reports of the records it purges have been taken.
    producer.poll(static_cast<int>(kRetryPause.count()));
  }
}

// call_with_retries() for a call an abort cannot answer (initialising
// transactions, aborting one): a request for an abort is then fatal, and
// `refusal` says so.
Status call_refusing_abort(const char* what, RdKafka::Producer& producer,
                           const std::function<RdKafka::Error*()>& call,
                           const std::atomic<bool>& give_up, const char* refusal) {
  auto done = call_with_retries(what, producer, call, give_up);
  if (!done) return done.error();
  if (done.value() == CallResult::kAbortRequired) return make_error(ErrorKind::kFatal, refusal);
  return Status::ok();
}

}  // namespace

Result<std::unique_ptr<KafkaTransaction>> KafkaTransaction::init(RdKafka::Producer& producer,
                                                                   const std::atomic<bool>& give_up) {
  Status done = call_refusing_abort(
      "initialising transactions", producer, [&] { return producer.init_transactions(kAttemptTimeoutMs); },
      give_up, "initialising transactions asked for an abort");
  if (!done.is_ok()) return done.error();
  return std::unique_ptr<KafkaTransaction>(new KafkaTransaction(producer, give_up));
}

Status KafkaTransaction::begin() {
  if (open_) return Status::ok();
  std::unique_ptr<RdKafka::Error> error(producer_.begin_transaction());
  if (error) return make_error(ErrorKind::kFatal, "beginning a transaction: " + error->str());
  open_ = true;
  return Status::ok();
}

Result<TransactionOutcome> KafkaTransaction::commit(
    const std::vector<RdKafka::TopicPartition*>& offsets, RdKafka::ConsumerGroupMetadata* group) {
  if (!open_) {
    Status begun = begin();
    if (!begun.is_ok()) return begun.error();
  }
  // What ends the commit after a step: its error, or, when it asked for an
  // abort, the abort's error or kAborted; nullopt to go on.
  const auto stop_after =
      [&](const Result<CallResult>& step) -> std::optional<Result<TransactionOutcome>> {
    if (!step) return Result<TransactionOutcome>(step.error());
    if (step.value() == CallResult::kDone) return std::nullopt;
    Status aborted = abort();
    if (!aborted.is_ok()) return Result<TransactionOutcome>(aborted.error());
    return Result<TransactionOutcome>(TransactionOutcome::kAborted);
  };
  if (!offsets.empty()) {
    // The group's generation travels with the offsets: a member that has lost
    // its partitions in a rebalance (a zombie) cannot commit them.
    auto stop = stop_after(call_with_retries(
        "sending offsets to the transaction", producer_,
        [&] { return producer_.send_offsets_to_transaction(offsets, group, kAttemptTimeoutMs); },
        give_up_));
    if (stop) return std::move(*stop);
  }
  auto stop = stop_after(call_with_retries(
      "committing the transaction", producer_, [&] { return producer_.commit_transaction(kAttemptTimeoutMs); },
      give_up_));
  if (stop) return std::move(*stop);
  open_ = false;
  return TransactionOutcome::kCommitted;
}

Status KafkaTransaction::abort() {
  if (!open_) return Status::ok();
  producer_.poll(0);  // delivery reports already due
  Status aborted = call_refusing_abort(
      "aborting the transaction", producer_, [&] { return producer_.abort_transaction(kAttemptTimeoutMs); },
      give_up_, "aborting the transaction asked for another abort");
  if (!aborted.is_ok()) return aborted;
  open_ = false;
  return Status::ok();
}

}  // namespace vigil

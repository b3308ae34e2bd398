// The transactional side of the exactly-once commit: one Kafka transaction
// per commit, holding the batch's signals and dead letters and the consumed
// offsets, with librdkafka's three kinds of transaction error handled as it
// documents them:
//   retriable      the same call is repeated (a broker away for a while
//                  only delays the commit);
//   abort-required the transaction is aborted, and the caller must rewind its
//                  input and state to the last commit;
//   fatal          (including being fenced by a newer instance with the same
//                  transactional.id) the producer is unusable: the caller
//                  stops, and its restart resumes from the committed state.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <memory>
#include <vector>

#include "core/result.h"

namespace vigil {

enum class TransactionOutcome : uint8_t {
  kCommitted,
  kAborted,  // nothing of the transaction is visible; rewind to the last commit
};

class KafkaTransaction {
 public:
  // Initialises transactions on `producer` (configured with a
  // transactional.id), which fences and aborts whatever a previous instance
  // with the same id left open. Retries while the cluster is unreachable
  // unless `give_up` becomes true.
  static Result<std::unique_ptr<KafkaTransaction>> init(RdKafka::Producer& producer,
                                                        const std::atomic<bool>& give_up);

  // Begins a transaction unless one is open. Records produced afterwards
  // belong to it.
  Status begin();
  bool open() const { return open_; }

  // Adds `offsets` (the next offset to consume, per partition) for the
  // consumer's group (`group`: its metadata, taken from the consumer when the
  // batch ended), then commits. kAborted: the transaction hit an error that
  // requires an abort, and has been aborted. An error: fatal, or `give_up`
  // was set while retrying; the transaction's fate is then decided by the
  // broker (committed or aborted), and the caller must stop.
  // May run on another thread than the consumer's (the pipeline commits in
  // the background while it processes the next batch), as long as nothing
  // else uses the producer meanwhile.
  Result<TransactionOutcome> commit(const std::vector<RdKafka::TopicPartition*>& offsets,
                                    RdKafka::ConsumerGroupMetadata* group);

  // Aborts the open transaction (e.g. when producing into it failed), retrying
  // while the cluster is unreachable. An error is fatal.
  Status abort();

 private:
  KafkaTransaction(RdKafka::Producer& producer, const std::atomic<bool>& give_up)
      : producer_(producer), give_up_(give_up) {}

  RdKafka::Producer& producer_;
  const std::atomic<bool>& give_up_;
  bool open_ = false;
};

}  // namespace vigil

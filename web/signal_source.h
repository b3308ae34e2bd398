// Where `vigil serve` gets its signals (and, in Kafka mode, its decisions):
// a file of signal events for reviewing a backtest, or the signals and
// reviews topics in a deployment. The command fills the store from the
// source before it serves, then lets the source follow new records until it
// stops.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "config/pipeline_config.h"
#include "core/result.h"
#include "review/review_store.h"
#include "web/review_app.h"

namespace vigil {

class SignalSource {
 public:
  virtual ~SignalSource() = default;

  // Everything there is now: the whole file; in Kafka mode, the topics up
  // to their end offsets at start (then they are followed on the source's
  // own threads, into the same store, until the source is destroyed).
  // Returns early, with an error, once `stop` is set. Errors name the source.
  virtual Status load(ReviewStore& store, const std::atomic<bool>& stop) = 0;

  // Where recorded decisions go before the store takes them (null: the
  // store in the state directory is the record).
  virtual DecisionPublisher* publisher() = 0;

  // For the start-up line, e.g. "signals.jsonl (1234 transitions)".
  virtual std::string describe() const = 0;
};

// The signals and reviews topics (Kafka mode): both read from their
// beginning, since the store is a view rebuilt at every start, and
// followed; decisions are published to the reviews topic before the store
// takes them (web/kafka_decision_publisher.h).
// Errors: kInvalidArgument naming a bad Kafka property (the publisher's
// producer is created here, so the application can be given it at start).
Result<std::unique_ptr<SignalSource>> make_kafka_review_source(KafkaConfig kafka,
                                                               std::string signals_topic,
                                                               std::string reviews_topic);

// A JSON Lines file of signal v1 CloudEvents, e.g. `vigil replay --signals`'s
// output. Blank lines are skipped; a line that is not a signal fails the
// load, naming its line number.
std::unique_ptr<SignalSource> make_signal_file_source(std::string path);

// The review store's file in a state directory: <dir>/review.sqlite.
std::string review_store_path(const std::string& state_dir);

}  // namespace vigil

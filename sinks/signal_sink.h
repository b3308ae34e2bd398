// Where signals and dead letters go. The pipeline delivers a batch's output
// through these interfaces and commits its state only once deliver() has
// succeeded, so an output that fails is produced again after a restart,
// never lost.
#pragma once

#include <span>

#include "core/result.h"
#include "core/signal.h"
#include "ingest/dead_letter.h"

namespace vigil {

class SignalSink {
 public:
  virtual ~SignalSink() = default;
  // Delivers `signals` in order and returns once they are durable (written
  // and flushed, or acknowledged by the broker).
  virtual Status deliver(std::span<const Signal> signals) = 0;
};

// A best-effort copy of the signal stream for people rather than systems
// (Alertmanager). The pipeline hands it each batch's signals, in order, only
// after they are durable in the SignalSink and the batch's state is
// committed. deliver() returns at once, never waiting on the network; an
// error (signals it had to drop) is for the caller to log and never stops
// the pipeline, because the SignalSink's output stays the durable record.
class SignalNotifier {
 public:
  virtual ~SignalNotifier() = default;
  virtual Status deliver(std::span<const Signal> signals) = 0;
};

// `source` names where the input came from (topic, or file) for headers.
class DeadLetterSink {
 public:
  virtual ~DeadLetterSink() = default;
  virtual Status deliver(std::span<const DeadLetter> dead_letters, int32_t partition) = 0;
};

}  // namespace vigil

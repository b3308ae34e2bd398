// The interface every detector implements.
//
// A detector is created per task that runs it (the merge partition it is
// placed on, or the only input partition when nothing is repartitioned) and
// owns that task's slice of its state. The pipeline drives it in event order:
//   restore() once, then for each event apply(+1) (and apply(-1) with the old
//   contents first when a report is revised), advance() whenever the
//   task's stream time moves forward, and save() at every commit.
// Detectors never read the wall clock: the same events in the same order give
// the same transitions, which is what makes signal ids deterministic.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.h"
#include "core/incident_event.h"
#include "core/result.h"
#include "core/signal.h"
#include "state/state_store.h"

namespace vigil {

// What apply() reports back about one event.
struct ApplyOutcome {
  bool late = false;  // the event's period was already closed by this detector
};

// A string literal as a template argument (the constructor is implicit so
// that the literal itself can be written).
template <size_t N>
struct KindName {
  constexpr KindName(const char (&name)[N]) { std::copy_n(name, N, text); }
  constexpr std::string_view view() const { return {text, N - 1}; }
  char text[N];
};

// What a detector kind's configuration struct derives from to be a row of
// the registration table (detectors/detector_kinds.h): `Built` is the
// detector it builds, whose static create(config, partition, column family)
// the factory calls; `Type` its `type:` in the configuration, which is also
// the method its signals carry unless the struct has a signal_method() of
// its own.
template <typename Built, KindName Type>
struct DetectorKind {
  using Detector = Built;
  static constexpr std::string_view kType = Type.view();
  std::string signal_method() const { return std::string(kType); }
};

// The error a detector's create() returns for a configuration it refuses:
// kInvalidArgument, "detector <name>: <what>".
inline Error config_error(const std::string& detector, const std::string& what) {
  return make_error(ErrorKind::kInvalidArgument, "detector " + detector + ": " + what);
}

class Detector {
 public:
  virtual ~Detector() = default;

  virtual const std::string& name() const = 0;

  // Loads this detector's state for its partition. Called once, before apply().
  virtual Status restore(const StateStore& store) = 0;

  // Adds (sign = +1) or takes back (sign = -1) one event's contribution.
  // Detectors that fire on single events (rules) append transitions to `out`.
  virtual ApplyOutcome apply(const IncidentEvent& event, int sign, std::vector<Signal>& out) = 0;

  // The partition's stream time (largest event time seen) is now `stream_time`:
  // closes every period that is due and appends resulting transitions to `out`.
  virtual void advance(Date stream_time, std::vector<Signal>& out) = 0;

  // Writes every state change since the last save into `batch`.
  virtual void save(StateBatch& batch) = 0;

  // Number of keys (series, groups) held in memory: for sizing and metrics.
  virtual size_t key_count() const = 0;

  // Number of keys whose signal episode is open (raised and not yet
  // resolved), as of the last apply()/advance(). Walks every key: call it
  // once per commit, not per event.
  virtual size_t open_signals() const = 0;

  // A detector may run on a thread of its own (pipeline/detached_detector.h)
  // when its apply() never appends a signal, reads nothing but the event and
  // its own state, and calls an event late by a rule that only advance()
  // changes: then the task can tell an event's lateness without waiting for
  // its apply(), and the detector's work overlaps the other detectors'.
  virtual bool can_run_apart() const { return false; }
  // For such a detector: the last day it has closed, or none before its
  // first event. Read only while apply() is not running.
  virtual std::optional<int32_t> closed_through() const { return std::nullopt; }
  // For such a detector: whether apply() finds `event` late when the last
  // closed day is `closed_through`. Depends on the configuration only, so it
  // may be called while apply() runs on another thread.
  virtual bool late_when_closed_through(const IncidentEvent&, int32_t) const { return false; }
};

}  // namespace vigil

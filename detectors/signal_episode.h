// The raised → updated → resolved lifecycle of one detector key.
//
// An episode starts when an evaluation alarms while no episode is open
// (raised), is updated when a later alarm's evidence has grown materially
// (observed ≥ growth × what was last reported), and resolves after a number of
// consecutive quiet evaluations. The episode's start period names it, so its
// signal id is stable across restarts and replays.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/signal.h"

namespace vigil {

struct LifecyclePolicy {
  double update_growth = 1.5;        // updated when observed ≥ this × last reported
  uint32_t resolve_after_quiet = 2;  // resolved after this many quiet evaluations
};

struct Episode {
  bool open = false;
  uint32_t sequence = 0;      // transitions emitted in the current episode
  int32_t start_period = 0;   // period whose alarm raised the episode
  int64_t last_reported = 0;  // observed at the last raised/updated
  uint32_t quiet = 0;         // consecutive quiet evaluations while open
  // Raised early from a period still open (start_period), not yet judged
  // when it closes: confirm() or withdraw() then.
  bool provisional = false;

  // Feeds one evaluation; returns the transition to emit, if any.
  std::optional<SignalType> step(bool alarm, int64_t observed, int32_t period,
                                 const LifecyclePolicy& policy);

  // Opens a provisional episode for the still-open `period` (raised).
  void raise_provisional(int64_t observed, int32_t period);
  // The provisional period has closed: alarm confirms it (updated, the
  // episode goes on as if raised by that verdict), no alarm withdraws it
  // (resolved).
  SignalType settle_provisional(bool alarm, int64_t observed);

  void encode(std::string& out) const;
  // Consumes the encoded episode from the front of `in`.
  [[nodiscard]] bool decode(std::string_view& in);
};

}  // namespace vigil

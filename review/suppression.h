// Whether a signal transition is notified again (queue and Alertmanager)
// after a reviewer marked its signal known_issue or dismissed: not while
// its episode continues, until the decision's date or until the observed
// count reaches the decision's multiple of what it was when decided. A
// resolved transition is always passed on (the alert must clear), and a new
// episode has a new signal_id, so it is never suppressed by an old decision.
#pragma once

#include <optional>

#include "core/signal.h"
#include "review/decision.h"

namespace vigil {

enum class NotifyVerdict : uint8_t {
  kNotify,            // no suppressing decision applies
  kSuppressed,        // held back by the latest decision
  kMaterialChange,    // suppressed before, but the count reached the multiple
  kSuppressionEnded,  // suppressed before, but its date has passed
};

// `latest`: the signal's most recent decision, if any.
NotifyVerdict notify_verdict(const std::optional<Decision>& latest, const Signal& transition);

inline bool notifies(NotifyVerdict v) { return v != NotifyVerdict::kSuppressed; }

}  // namespace vigil

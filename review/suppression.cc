#include "review/suppression.h"

#include <algorithm>

namespace vigil {

NotifyVerdict notify_verdict(const std::optional<Decision>& latest, const Signal& transition) {
  if (!latest || !suppresses_notification(latest->state)) return NotifyVerdict::kNotify;
  // A decision is about one episode; a transition of another is news.
  if (latest->signal_id != transition.signal_id) return NotifyVerdict::kNotify;
  if (transition.type == SignalType::kResolved) return NotifyVerdict::kNotify;
  if (latest->renotify_multiple) {
    // A decision taken before any count was seen (0) is measured against 1,
    // so that "twice what it was" still means a real rise rather than any
    // count at all.
    const double baseline = static_cast<double>(std::max<int64_t>(latest->observed_at_decision, 1));
    if (static_cast<double>(transition.observed) >= *latest->renotify_multiple * baseline) {
      return NotifyVerdict::kMaterialChange;
    }
  }
  // `until` is inclusive: a transition fired on that date is still held.
  if (latest->until && transition.fired_at > *latest->until) return NotifyVerdict::kSuppressionEnded;
  return NotifyVerdict::kSuppressed;
}

}  // namespace vigil

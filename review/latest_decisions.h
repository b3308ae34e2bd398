// The latest decision about each signal, in memory: what `vigil run`'s
// Alertmanager sink asks before it notifies (suppression.h), kept up to date
// from the reviews topic by a background reader. A few hundred bytes per
// decided signal; rebuilt from the topic at every start.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "review/decision.h"

namespace vigil {

// How a notifier asks for a signal's latest decision; an empty function
// means no decisions are known (nothing is suppressed).
using DecisionLookup = std::function<std::optional<Decision>(std::string_view signal_id)>;

// Thread-safe: the reader applies, the sink's threads look up.
class LatestDecisions {
 public:
  // Takes `d` as its signal's latest, unless a later decision of the same
  // signal is held already (a higher n in "<signal_id>-d<n>"; a decision
  // read twice changes nothing). Decisions of one signal arrive in order on
  // one partition of the reviews topic; the number only guards a re-read.
  void apply(const Decision& d);
  std::optional<Decision> latest(std::string_view signal_id) const;
  size_t size() const;

  // A DecisionLookup over this table (which must outlive it).
  DecisionLookup lookup() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Decision, std::less<>> latest_;
};

// n of "<signal_id>-d<n>"; 0 when the id has another form.
uint64_t decision_number(std::string_view decision_id);

}  // namespace vigil

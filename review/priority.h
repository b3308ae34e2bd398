// The queue's ranking: one documented score per signal, in the spirit of
// vigiRank (Caster et al. 2014, 2017), which combined several kinds of
// evidence rather than ranking by disproportionality alone. Each part is a
// number of points; the priority is their sum. The parts and their weights
// are listed in the README ("Signal review: the priority score").
//
// Recency is a linear cost per day since the signal last changed (stream
// time), so the order of two signals never depends on when the queue is
// read: the store sorts by `rank_key` (priority + recency cost of "now"),
// which it can index, and shows `total` at the time of the query.
#pragma once

#include "core/civil_date.h"
#include "core/signal.h"

namespace vigil {

struct PriorityParts {
  double strength = 0;  // how far beyond threshold: observed/threshold, EB05, IC025, PRR lower bound
  double severity = 0;  // the signal's severity (low .. critical)
  double spread = 0;    // organisations involved (and regions, when the key is national)
  double trend = 0;     // rising: updated transitions, the last periods of its series
  double recency = 0;   // minus points per day since it last changed, at `as_of`
  double total = 0;     // the sum
};

// Points per day that recency costs.
inline constexpr double kRecencyPointsPerDay = 0.5;

// The parts for `s`'s latest transition, recency measured at `as_of`.
PriorityParts priority_of(const Signal& s, Date as_of);

// priority_of(s, as_of).total + kRecencyPointsPerDay * as_of.days: the
// same for every `as_of`, so an index on it orders the queue.
double rank_key(const Signal& s);

}  // namespace vigil

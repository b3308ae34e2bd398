// Disclosure control for counts by patient stratum (a signal's `strata`):
// the one rule every output that publishes such counts applies (signals,
// the review pages and the review API), so that no published cell can
// single out a patient.
//
//   1. Cells under kMinDisclosedCount (5) are pooled into one "other" cell
//      (primary suppression). An "other" cell already in the input (e.g. a
//      signal written by an older version) joins the pool.
//   2. When the pool itself is 1..4, the smallest published cell joins it
//      too (secondary suppression; of equal cells the last in order, so the
//      result depends only on the input). One cell always suffices: it is at
//      least 5, so the pool becomes at least 6.
//   3. When there is no cell left to pool with (the whole dimension counts
//      1..4 reports), the dimension is withheld entirely.
// No cell is ever dropped while its dimension is published, so the
// published cells of a dimension add up to its total: the total (the
// signal's evidence count) and the cells together never reveal more than
// the cells alone (total minus the published named cells is "other", which
// is itself at least 5).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/signal.h"

namespace vigil {

inline constexpr int64_t kMinDisclosedCount = 5;
inline constexpr std::string_view kPooledStratum = "other";

// Applies the rule above to one dimension's cells, in place, keeping the
// named cells in their order and "other" last; zero (and negative) cells are
// dropped. Returns false when the dimension must be withheld (its counts are
// then cleared).
bool apply_disclosure_control(StratumCounts& stratum);

// `strata` with the rule applied to every dimension and withheld dimensions
// removed.
std::vector<StratumCounts> disclosed_strata(std::vector<StratumCounts> strata);

}  // namespace vigil

// Multiplicity control across the many series a detector judges at once.
//
// A count detector keyed by category x organisation judges thousands of
// series every week. Judging each at a fixed alpha either floods the queue
// (alpha 0.05) or, tuned by hand to the number of series, blinds it to local
// risks. The Benjamini-Hochberg step-up procedure (Benjamini & Hochberg 1995,
// JRSS B 57:289) controls the expected share of false alarms among those
// raised at `fdr` for independent (and positively dependent) tests, adapts
// to how many series were judged and, when nothing is going on, controls the
// chance of any false alarm at `fdr` too.
#pragma once

#include <vector>

namespace vigil {

// The Benjamini-Hochberg cutoff for `p_values`: the largest p_(k) with
// p_(k) <= k * fdr / m, m the number of finite p-values (NaN ones are tests
// that could not be made and are left out); 0 when none qualifies, so
// "p <= cutoff" rejects exactly the hypotheses BH rejects (a p-value of 0
// is always rejected). Sorts its own copy.
double benjamini_hochberg_cutoff(std::vector<double> p_values, double fdr);

}  // namespace vigil

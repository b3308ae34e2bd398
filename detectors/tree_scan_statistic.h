// The tree-temporal scan statistic (Kulldorff et al. 2003, "A tree-based scan
// statistic for database disease surveillance", Biometrics 59:323; its
// tree-temporal form in Kulldorff et al. 2013, "Drug safety data mining with a
// tree-based scan statistic", Pharmacoepidemiol Drug Saf 22:517, the method
// FDA Sentinel's TreeScan runs), conditioned on each node's total and on the
// overall temporal distribution of cases: which branch of a hierarchy has
// more of its own cases in the last few days than the rest of the tree has.
//
// Data: C cases over a study period of T days; each node G (a leaf or an
// internal node; the root is not scanned) has n_G of them. For a window w of
// the last 1..M days, C_w cases of the whole tree fell in it and c_Gw of G's.
// Given n_G, and the tree's temporal distribution, under the null each of
// G's cases falls in the window with probability C_w / C, independently of
// the node, so c_Gw ~ Binomial(n_G, C_w / C) with
//   E_Gw = n_G · C_w / C.
// The binomial log-likelihood ratio of "G's cases fall in the window with
// probability q > C_w/C" against the null, maximised over q (q̂ = c/n):
//   LLR_Gw = c·ln(c/E) + (n−c)·ln((n−c)/(n−E))   when c > E, else 0
// (the second term 0 when c = n). This is TreeScan's tree-temporal LLR
// conditioned on node and time. The test statistic is the largest LLR over
// every node and window with c ≥ min_cases: restricting to cuts with enough
// cases, in the data and in every replicate alike, keeps the test exact and
// stops rare leaves (2 cases ever, both this week) from being the maximum.
//
// Monte Carlo: cases are grouped into classes that share their set of nodes
// (an event naming two medicines counts once at each leaf and once at each
// shared ancestor, so it must move as one case). For each replicate, each
// class keeps its study-period total; how many of its cases fall in the last
// M days is drawn Binomial(n, C_M/C) and each of those falls on day d of the
// M with probability C_d/C_M: the case days are drawn independently from the
// observed temporal distribution, given every node's total (the multinomial
// form of permuting days among cases; exact as C grows, and with
// E recomputed from each replicate's own C_w). p = rank / (R+1), the rank
// counting the data's own statistic; sequential stopping (Besag & Clifford
// 1991): once more replicates exceed the observed maximum than an alarm at
// `alpha` allows, the day cannot alarm and p = h / l (h exceedances in l
// replicates), so a quiet day costs a few replicates. The alarm decision is
// exactly the full-R test's.
//
// Secondary cuts: after the most likely cut, the nodes with the next largest
// LLR that are neither ancestors nor descendants of an earlier cut, each
// ranked against the same replicate maxima (SaTScan's conservative rule).
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace vigil {

inline constexpr uint32_t kNoParent = std::numeric_limits<uint32_t>::max();

// One analysis day's data, in a deterministic order (the Monte Carlo draws
// follow the order of `classes`).
struct TreeScanData {
  int32_t max_window = 7;        // M: windows of the last 1..M days
  std::vector<uint32_t> parent;  // per node: its parent, or kNoParent under the root
  struct CaseClass {
    std::vector<uint32_t> nodes;  // every node its cases count at, each once
    int64_t total = 0;            // cases over the study period
    std::vector<int64_t> recent;  // M counts: [0] the analysis day, [1] the day before, ...
  };
  std::vector<CaseClass> classes;
};

struct TreeScanSettings {
  int32_t replicates = 999;
  double alpha = 0.01;
  int64_t min_cases = 3;
  int32_t max_cuts = 1;  // the most likely cut and up to max_cuts - 1 secondary ones
  uint64_t seed = 0;     // the whole random stream of one analysis
};

// A node and window: the cut.
struct TreeCut {
  uint32_t node = 0;
  int32_t window_days = 0;
  int64_t observed = 0;  // c
  double expected = 0;   // E
  int64_t node_total = 0;  // n
  double llr = 0;
  double p_value = 1;
};

struct TreeScanResult {
  // The most likely cut first, then the secondary ones with their p-values;
  // empty when no cut has c ≥ min_cases and c > E.
  std::vector<TreeCut> cuts;
  // Each node's best window (largest LLR, c ≥ min_cases), LLR 0 when none;
  // indexed by node. For the numbers of a resolved signal.
  std::vector<TreeCut> best_by_node;
  int32_t replicates_run = 0;
};

// LLR of c cases in a window where E were expected out of n (0 unless c > E).
double tree_llr(int64_t c, int64_t n, double expected);

// The statistic on the data and its Monte Carlo p-values. Deterministic:
// the same data and settings give the same result on every machine.
TreeScanResult tree_scan(const TreeScanData& data, const TreeScanSettings& settings);

// Draws of Binomial(n, p) and uniforms from a 64-bit generator, written out
// so that every standard library gives the same numbers. Exposed for tests.
class TreeScanRandom {
 public:
  explicit TreeScanRandom(uint64_t seed);
  double uniform();  // in (0, 1)
  int64_t binomial(int64_t n, double p);

 private:
  uint64_t next();
  uint64_t state_[4];
};

}  // namespace vigil

#include "detectors/tree_scan_statistic.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vigil {
namespace {

// Binomial draws invert the pmf summed from 0 over chunks of n whose mean is
// at most this (exp(-mean) far from underflow, a handful of terms each).
constexpr double kDirectInversionMean = 30.0;

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// Working buffers of one scan: simulated (or observed) counts per node and
// day of the window, the nodes touched, and the tree's counts per day.
struct Workspace {
  int32_t m = 0;
  std::vector<int64_t> counts;  // node * m + day
  std::vector<uint8_t> touched_flag;
  std::vector<uint32_t> touched;
  std::vector<int64_t> root;  // per day
  std::vector<double> window_share;  // C_w / C per window
  void add(const TreeScanData::CaseClass& cls, int32_t day, int64_t k) {
    for (const uint32_t node : cls.nodes) {
      counts[static_cast<size_t>(node) * static_cast<size_t>(m) + static_cast<size_t>(day)] += k;
      if (!touched_flag[node]) {
        touched_flag[node] = 1;
        touched.push_back(node);
      }
    }
    root[static_cast<size_t>(day)] += k;
  }
  void clear() {
    for (const uint32_t node : touched) {
      touched_flag[node] = 0;
      std::fill_n(counts.begin() + static_cast<std::ptrdiff_t>(node) * m, m, 0);
    }
    touched.clear();
    std::fill(root.begin(), root.end(), 0);
  }
};

// The largest LLR over the touched nodes and every window; with `best`,
// also each node's best cut.
// A replicate needs its maximum only as far as `enough` (the observed
// statistic): every p-value counts the replicates whose maximum reaches a
// cut's llr, and no cut's llr exceeds the observed maximum, so the scan of a
// replicate stops at the first llr that reaches it.
double max_llr(Workspace& ws, const std::vector<int64_t>& node_total, int64_t total,
               int64_t min_cases, std::vector<TreeCut>* best,
               double enough = std::numeric_limits<double>::infinity()) {
  std::vector<double>& window_share = ws.window_share;
  window_share.resize(static_cast<size_t>(ws.m));
  int64_t cum = 0;
  for (int32_t d = 0; d < ws.m; ++d) {
    cum += ws.root[static_cast<size_t>(d)];
    window_share[static_cast<size_t>(d)] = static_cast<double>(cum) / static_cast<double>(total);
  }
  // The data's best cuts visit nodes in index order, so that a tie goes to
  // the node listed first (a replicate needs only its maximum).
  if (best != nullptr) std::sort(ws.touched.begin(), ws.touched.end());
  double top = 0;
  for (const uint32_t node : ws.touched) {
    const int64_t n = node_total[node];
    const int64_t* row = &ws.counts[static_cast<size_t>(node) * static_cast<size_t>(ws.m)];
    int64_t c = 0;
    for (int32_t d = 0; d < ws.m; ++d) {
      c += row[d];
      if (c < min_cases) continue;
      const double e = static_cast<double>(n) * window_share[static_cast<size_t>(d)];
      const double llr = tree_llr(c, n, e);
      if (llr > top) {
        top = llr;
        if (top >= enough) return top;
      }
      if (best != nullptr && llr > (*best)[node].llr) {
        (*best)[node] = TreeCut{node, d + 1, c, e, n, llr, 1.0};
      }
    }
  }
  return top;
}

// Binomial(n, p) draws for one p and a fixed set of n, as
// TreeScanRandom::binomial makes them, with the pmf at 0 of every chunk
// worked out once rather than on every draw (an exp and a log1p a class a
// replicate): the same expressions, so the same doubles and the same draws.
class BinomialDraws {
 public:
  explicit BinomialDraws(double p)
      : p_(p),
        chunk_(p > 0 && p < 1 ? std::max<int64_t>(1, static_cast<int64_t>(kDirectInversionMean / p))
                              : 1),
        odds_(p / (1 - p)),
        pmf0_chunk_(p > 0 && p < 1 ? start(chunk_) : 0) {}

  // P(K = 0) of a chunk of m trials.
  double start(int64_t m) const { return std::exp(static_cast<double>(m) * std::log1p(-p_)); }

  // The pmf at 0 of n's last (short) chunk, for draw(): 0 when n has none.
  double last_start(int64_t n) const {
    const int64_t rest = n % chunk_;
    return rest > 0 ? start(rest) : 0;
  }

  int64_t draw(TreeScanRandom& rng, int64_t n, double last_pmf0) const {
    if (n <= 0 || p_ <= 0) return 0;
    if (p_ >= 1) return n;
    int64_t drawn = 0;
    for (int64_t left = n; left > 0;) {
      const int64_t m = std::min(left, chunk_);
      left -= m;
      const double u = rng.uniform();
      double pmf = m == chunk_ ? pmf0_chunk_ : last_pmf0;
      double cdf = pmf;
      int64_t k = 0;
      while (cdf < u && k < m) {
        pmf *= static_cast<double>(m - k) / static_cast<double>(k + 1) * odds_;
        ++k;
        cdf += pmf;
      }
      drawn += k;
    }
    return drawn;
  }

 private:
  double p_;
  int64_t chunk_;
  double odds_;
  double pmf0_chunk_;
};

bool related(const std::vector<uint32_t>& parent, uint32_t a, uint32_t b) {
  for (uint32_t x = a; x != kNoParent; x = parent[x]) {
    if (x == b) return true;
  }
  for (uint32_t x = b; x != kNoParent; x = parent[x]) {
    if (x == a) return true;
  }
  return false;
}

}  // namespace

double tree_llr(int64_t c, int64_t n, double expected) {
  const auto cd = static_cast<double>(c);
  const auto nd = static_cast<double>(n);
  if (!(cd > expected) || expected <= 0) return 0.0;
  double llr = cd * std::log(cd / expected);
  if (c < n) llr += (nd - cd) * std::log((nd - cd) / (nd - expected));
  return llr;
}

TreeScanRandom::TreeScanRandom(uint64_t seed) {
  for (auto& s : state_) s = splitmix64(seed);
}

uint64_t TreeScanRandom::next() {
  // xoshiro256** (Blackman & Vigna 2018).
  const uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

double TreeScanRandom::uniform() {
  return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53;
}

int64_t TreeScanRandom::binomial(int64_t n, double p) {
  // Inversion: the smallest k with P(K <= k) >= u, the pmf by its recurrence
  // from P(K = 0) = (1-p)^n. For a large mean the draw is the sum of draws
  // over chunks of n with mean at most kDirectInversionMean each (a sum of
  // binomials with the same p is binomial), so (1-p)^chunk never underflows
  // and the cost stays proportional to n·p, the cases it places.
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  const BinomialDraws draws(p);
  return draws.draw(*this, n, draws.last_start(n));
}

TreeScanResult tree_scan(const TreeScanData& data, const TreeScanSettings& settings) {
  TreeScanResult result;
  const size_t nodes = data.parent.size();
  const int32_t m = data.max_window;
  Workspace ws;
  ws.m = m;
  ws.counts.assign(nodes * static_cast<size_t>(m), 0);
  ws.touched_flag.assign(nodes, 0);
  ws.root.assign(static_cast<size_t>(m), 0);

  std::vector<int64_t> node_total(nodes, 0);
  int64_t total = 0;
  for (const auto& cls : data.classes) {
    total += cls.total;
    for (const uint32_t node : cls.nodes) node_total[node] += cls.total;
    for (int32_t d = 0; d < m; ++d) {
      if (cls.recent[static_cast<size_t>(d)] != 0) ws.add(cls, d, cls.recent[static_cast<size_t>(d)]);
    }
  }
  result.best_by_node.resize(nodes);
  for (uint32_t i = 0; i < nodes; ++i) result.best_by_node[i] = TreeCut{i, 0, 0, 0, node_total[i], 0, 1};
  if (total == 0) return result;
  std::vector<double> day_share(static_cast<size_t>(m));  // C_d / C_M, cumulative
  int64_t in_window = 0;
  for (int32_t d = 0; d < m; ++d) in_window += ws.root[static_cast<size_t>(d)];
  {
    int64_t cum = 0;
    for (int32_t d = 0; d < m; ++d) {
      cum += ws.root[static_cast<size_t>(d)];
      day_share[static_cast<size_t>(d)] =
          in_window > 0 ? static_cast<double>(cum) / static_cast<double>(in_window) : 1.0;
    }
  }
  const double observed = max_llr(ws, node_total, total, settings.min_cases, &result.best_by_node);
  ws.clear();
  if (!(observed > 0)) return result;

  // The most likely cut, then secondary ones unrelated to any earlier cut.
  std::vector<uint32_t> order;
  for (uint32_t i = 0; i < nodes; ++i) {
    if (result.best_by_node[i].llr > 0) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return result.best_by_node[a].llr > result.best_by_node[b].llr;
  });
  for (const uint32_t node : order) {
    if (static_cast<int32_t>(result.cuts.size()) >= std::max(settings.max_cuts, 1)) break;
    const bool clash = std::any_of(result.cuts.begin(), result.cuts.end(),
                                   [&](const TreeCut& c) { return related(data.parent, c.node, node); });
    if (!clash) result.cuts.push_back(result.best_by_node[node]);
  }

  // Exceedances an alarm at alpha tolerates: p = (g + 1) / (R + 1) <= alpha.
  const auto allowed =
      static_cast<int64_t>(std::floor(settings.alpha * (settings.replicates + 1) + 1e-9)) - 1;
  const double p_window = static_cast<double>(in_window) / static_cast<double>(total);
  TreeScanRandom rng(settings.seed);
  const BinomialDraws binomial(p_window);
  std::vector<double> last_pmf0;
  last_pmf0.reserve(data.classes.size());
  for (const auto& cls : data.classes) last_pmf0.push_back(binomial.last_start(cls.total));
  std::vector<double> maxima;
  maxima.reserve(static_cast<size_t>(settings.replicates));
  int64_t exceed = 0;
  for (int32_t r = 0; r < settings.replicates; ++r) {
    for (size_t c = 0; c < data.classes.size(); ++c) {
      const auto& cls = data.classes[c];
      const int64_t k = binomial.draw(rng, cls.total, last_pmf0[c]);
      for (int64_t j = 0; j < k; ++j) {
        const double u = rng.uniform();
        const auto day = static_cast<int32_t>(
            std::lower_bound(day_share.begin(), day_share.end(), u) - day_share.begin());
        ws.add(cls, std::min(day, m - 1), 1);
      }
    }
    const double sim = max_llr(ws, node_total, total, settings.min_cases, nullptr, observed);
    ws.clear();
    maxima.push_back(sim);
    if (sim >= observed) ++exceed;
    result.replicates_run = r + 1;
    if (exceed > allowed) {
      // Besag & Clifford: stopped at h exceedances after l replicates.
      for (auto& cut : result.cuts) cut.p_value = static_cast<double>(exceed) / (r + 1);
      for (size_t i = 1; i < result.cuts.size(); ++i) result.cuts[i].p_value = 1.0;
      return result;
    }
  }
  for (auto& cut : result.cuts) {
    const auto rank = std::count_if(maxima.begin(), maxima.end(),
                                    [&](double v) { return v >= cut.llr; });
    cut.p_value = static_cast<double>(rank + 1) / (settings.replicates + 1);
  }
  return result;
}

}  // namespace vigil

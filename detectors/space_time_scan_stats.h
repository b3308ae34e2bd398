// The prospective space-time permutation scan statistic (Kulldorff,
// Heffernan, Hartman, Assunção and Mostashari 2005, PLoS Medicine 2(3):e59),
// as SaTScan computes it, on one table of case counts by zone and day.
//
// With c_zd the cases of zone z on day d of the study period, C_z and C_d
// its margins and C the total, the cases expected in a cylinder A (a set of
// zones × a set of days) if the days of the cases were independent of their
// zones are
//   mu_A = Σ_{z,d ∈ A} C_z·C_d / C = C_zones(A) · C_days(A) / C
// (a cylinder's zones and days are a product, so the sum factorises). The
// cylinder's generalised likelihood ratio for an excess (c_A > mu_A) is
//   GLR = (c_A/mu_A)^c_A · ((C−c_A)/(C−mu_A))^(C−c_A),
// worked in logs (llr). The scan is prospective: the days of a cylinder are
// the last 1..max_window_days of the study period, ending on its last day.
// The most likely cluster is the cylinder of largest llr.
//
// Significance: Monte Carlo. A replicate keeps every case's zone and
// permutes the days among the cases (both margins are kept, so mu_A is the
// same in every replicate); p = (hits + 1)/(R + 1), where hits counts the
// replicates whose largest llr reaches the observed one. Two shortcuts
// give the same answer as scoring every cylinder of every replicate:
//  - Only which cases receive the days of the longest window matters, so a
//    replicate draws them by a partial Fisher–Yates shuffle of the cases'
//    zones: O(cases in the window), not O(C).
//  - A replicate's llr is compared, never reported: for each cylinder the
//    smallest count whose llr reaches the observed maximum is found once
//    (the llr grows with c_A for c_A > mu_A), and a replicate hits when
//    one cylinder's count reaches its critical count. Integer comparisons,
//    and a replicate stops at its first hit.
// Sequential Monte Carlo (Besag and Clifford 1991): the replicates stop as
// soon as `early_stop_hits` of them hit, with p = hits / replicates run; an
// ordinary day (p large) costs about early_stop_hits / p replicates rather
// than R. When R replicates run out first, p = (hits + 1)/(R + 1) as usual.
//
// The random stream is a SplitMix64 seeded from the configured seed and the
// caller's stream id (group and day), so an analysis gives the same p-value
// whenever and however often it is run.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace vigil {

// Case counts of a study period: counts[z * days + d], zone z, day d
// (0 = the oldest day, days - 1 = the analysis day).
struct ScanTable {
  uint32_t zones = 0;
  uint32_t days = 0;
  std::vector<uint32_t> counts;

  uint32_t& at(uint32_t zone, uint32_t day) { return counts[zone * days + day]; }
  uint32_t at(uint32_t zone, uint32_t day) const { return counts[zone * days + day]; }
};

// Candidate zone sets, in nested families: each prefix of `zones` whose
// length is listed in `sizes` (ascending) is one zone set. An organisation
// alone is a chain of one zone and size 1; an ICB a chain of its
// organisations with one size (all); a circle of nearest neighbours a chain
// of the neighbours by distance with every size up to the largest allowed.
struct ZoneChain {
  std::vector<uint32_t> zones;
  std::vector<uint32_t> sizes;
};

struct ScanSettings {
  int32_t max_window_days = 7;
  int32_t replicates = 999;
  int32_t early_stop_hits = 50;  // 0: never stop early
  uint64_t seed = 0;
  // The verdict a caller draws, when it needs only that: the cluster alarms
  // when recurrence_interval_days(p) >= alarm_recurrence_days and it has at
  // least alarm_min_cases cases. With alarm_recurrence_days > 0 the Monte
  // Carlo is skipped when the cluster has too few cases, and stops at the
  // hit after which no outcome of the remaining replicates could alarm; the
  // p-value is then a bound (ScanResult::p_bound) that fails the alarm test
  // just as the full run's would. 0: always the full sequential p-value.
  double alarm_recurrence_days = 0;
  int64_t alarm_min_cases = 0;
};

struct ScanCluster {
  uint32_t chain = 0;  // index into the zone chains
  uint32_t size = 0;   // zones in the set: the chain's first `size` zones
  int32_t window_days = 0;
  int64_t observed = 0;
  double expected = 0;
  double llr = 0;
};

struct ScanResult {
  bool found = false;  // some cylinder has more cases than expected
  ScanCluster best;    // the most likely cluster, when found
  double p_value = 1;
  int32_t replicates_run = 0;
  int32_t hits = 0;    // replicates whose largest llr reached best.llr
  // The Monte Carlo stopped (or never ran) once the verdict was certain not
  // to alarm: p_value is the smallest p-value the full run could have given,
  // not an estimate (ScanSettings::alarm_recurrence_days).
  bool p_bound = false;
};

// log GLR of a cylinder with `observed` cases against `expected`, out of
// `total`: 0 unless observed > expected.
double scan_llr(double observed, double expected, double total);

// The most likely cluster of `table` over the cylinders the chains and
// windows form, and its Monte Carlo p-value. `stream` separates the random
// streams of different analyses with the same seed.
//
// With `only_chain` set, the cluster reported is the most likely one among
// that chain's cylinders alone, and its p-value still compares it with the
// largest llr of each replicate over every cylinder: SaTScan's p-value of a
// secondary cluster. The same `stream` draws the same replicates, so the
// p-values of one analysis are consistent with each other.
ScanResult space_time_scan(const ScanTable& table, const std::vector<ZoneChain>& chains,
                           const ScanSettings& settings, uint64_t stream,
                           std::optional<uint32_t> only_chain = std::nullopt);

// The recurrence interval of a daily prospective analysis, as SaTScan
// reports it: 1/p days (one analysis a day, so a cluster this unusual
// arises by chance once in 1/p analyses). With R replicates it is at most
// R + 1 days.
inline double recurrence_interval_days(double p_value) { return 1.0 / p_value; }

}  // namespace vigil

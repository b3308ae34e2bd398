// A signal transition (contract section 2): what a detector emits when a
// signal is raised, grows, or clears. Signals are rare, so this type owns its
// strings; the event hot path never builds one.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/civil_date.h"

namespace vigil {

enum class SignalType : uint8_t { kRaised, kUpdated, kResolved };
enum class Severity : uint8_t { kLow, kMedium, kHigh, kCritical };

std::string_view to_string(SignalType t);  // "raised" | "updated" | "resolved"
std::string_view to_string(Severity s);    // "low" | ... | "critical"

// One key dimension of a signal, e.g. {"category", "medication"}.
using KeyPart = std::pair<std::string, std::string>;

// Counts of a signal's evidence by one stratum dimension (e.g. ethnicity).
struct StratumCounts {
  std::string dimension;
  std::vector<std::pair<std::string, int64_t>> counts;
};

// The 2x2 table behind a disproportionality signal: a = item & outcome,
// b = item & other outcomes, c = other items & outcome, d = the rest.
struct ContingencyTable {
  int64_t a = 0, b = 0, c = 0, d = 0;
};

// One period of the series a detector judged (extension data.series). For a
// count method `value` is the period's count, `expected` and `threshold` what
// the method computed for it; for a statistic over time (e.g. ic025) `value`
// is the statistic and `expected` is NaN. `flagged`: the detector's verdict
// for that period was an alarm.
struct PeriodPoint {
  Date start;
  Date end;
  double value = 0;
  double expected = std::numeric_limits<double>::quiet_NaN();
  double threshold = std::numeric_limits<double>::quiet_NaN();
  bool flagged = false;
};

// The recent series behind a signal, oldest period first, ending with the
// period the signal judges. `measure` names what `value` is: "count" or a
// statistic name from `statistics` (e.g. "ic025", "eb05", "prr").
struct SignalSeries {
  std::string measure;
  std::vector<PeriodPoint> points;
};

// One unit (e.g. an organisation) on a funnel plot (extension data.funnel):
// its observed count, the count expected from its volume and the limits of
// the ratio observed/expected at that expected count.
struct FunnelPoint {
  // The unit's key values joined by ',' in the detector's unit dimension
  // order: for the usual one-dimension unit exactly the value in the signal's
  // key (e.g. "RXX").
  std::string unit;
  int64_t observed = 0;
  double expected = 0;
  double lower = 0;  // ratio limits
  double upper = 0;
};

struct FunnelPlot {
  double coverage = 0;  // e.g. 0.998
  // The units judged that week, the signal's own unit always included; at
  // most kMaxFunnelPoints: the own unit and those with the largest expected
  // counts (ties by unit), in unit order.
  std::vector<FunnelPoint> points;
};

// How a transition came about (extension data.detection). A count detector
// judges a period for good only when it closes (its end plus the grace for
// late reports), but may raise on the day the running count of a still-open
// period crosses its threshold: that signal is provisional until the period
// closes, then confirmed (updated) or withdrawn (resolved).
enum class DetectionReason : uint8_t {
  kEarly,      // raised: the running count of an open period crossed its threshold
  kClosed,     // raised/updated: a closed period's verdict
  kConfirmed,  // updated: the closed period confirmed a provisional alarm
  kWithdrawn,  // resolved: the closed period did not confirm a provisional alarm
  kQuiet,      // resolved: quiet periods after the alarm
};
std::string_view to_string(DetectionReason r);

struct Detection {
  bool provisional = false;  // the judged period is still open
  DetectionReason reason = DetectionReason::kClosed;
};

struct Signal {
  SignalType type = SignalType::kRaised;
  std::string signal_id;  // 16 lowercase hex digits
  uint32_t sequence = 1;  // 1 for raised, then +1 per transition
  std::string detector;
  std::string method;
  std::vector<KeyPart> key;  // in the detector's dimension order
  Date period_start;
  Date period_end;
  Date fired_at;  // the event time (stream time) at which it fired
  int64_t observed = 0;
  // NaN where a method gives no such number; encoded as JSON null.
  double expected = std::numeric_limits<double>::quiet_NaN();
  double threshold = std::numeric_limits<double>::quiet_NaN();
  double score = std::numeric_limits<double>::quiet_NaN();
  Severity severity = Severity::kLow;
  int64_t evidence_count = 0;
  int64_t evidence_orgs = 0;
  std::vector<std::string> event_ids;  // at most kMaxEvidenceIds
  std::vector<StratumCounts> strata;   // optional extension: evidence by stratum
  // Optional extension: the method's own numbers (e.g. prr, chi2_yates,
  // ic025, upper_limit), in the order the method lists them.
  std::vector<std::pair<std::string, double>> statistics;
  std::optional<ContingencyTable> table;  // optional extension: evidence.table
  std::optional<SignalSeries> series;     // optional extension: data.series
  std::optional<FunnelPlot> funnel;       // optional extension: data.funnel
  std::optional<Detection> detection;     // optional extension: data.detection
  std::string summary;                 // one plain-English line, no patient details
};

inline constexpr size_t kMaxEvidenceIds = 50;
// At most this many periods in data.series (a year of weeks) and units in
// data.funnel (every acute trust in England fits), so a signal stays small.
inline constexpr size_t kMaxSeriesPoints = 52;
inline constexpr size_t kMaxFunnelPoints = 300;

// "k=v,k=v" as used in the CloudEvents subject.
std::string render_key(const std::vector<KeyPart>& key);

// Stable 64-bit FNV-1a hash, rendered as 16 hex digits: the same detector,
// key and episode always give the same signal id on every machine.
std::string make_signal_id(std::string_view detector, const std::vector<KeyPart>& key,
                           std::string_view episode);

}  // namespace vigil

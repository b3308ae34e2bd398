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
  std::string summary;                 // one plain-English line, no patient details
};

inline constexpr size_t kMaxEvidenceIds = 50;

// "k=v,k=v" as used in the CloudEvents subject.
std::string render_key(const std::vector<KeyPart>& key);

// Stable 64-bit FNV-1a hash, rendered as 16 hex digits: the same detector,
// key and episode always give the same signal id on every machine.
std::string make_signal_id(std::string_view detector, const std::vector<KeyPart>& key,
                           std::string_view episode);

}  // namespace vigil

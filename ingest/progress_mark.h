// Progress marks (an extension of the events topic, README "Progress marks").
//
// A producer may send, on each partition of the events topic, a message
//   {"vigil_progress_mark": {"reported_through": "2025-03-01T10:15:30Z"}}
// saying that the reports it sends on that partition from now on were
// reported at or after that instant. It carries no report. The merge stage
// (pipeline/merge_task.h) orders reports by a clock to the second and can
// release a report only once every input partition has moved past it: a
// partition that is quiet for a while holds everything back until its next
// report, a minute or more at national volume over six partitions. A mark
// moves the partition on without a report, and because it sits in the
// topic, replaying the topic gives the same order again.
//
// A mark that is not true (a later report reported earlier) changes nothing
// but how closely the merge order follows reported_at: the merge lifts such
// a report to the partition's clock, as it does for any late report.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/invalid_reason.h"

namespace vigil {

inline constexpr std::string_view kProgressMarkMember = "vigil_progress_mark";

// True when `value` is meant as a progress mark: a JSON object whose first
// member is "vigil_progress_mark" (whitespace allowed). Cheap: looks at the
// first bytes only, so every event pays almost nothing for it.
bool looks_like_progress_mark(std::string_view value);

struct ProgressMark {
  int64_t reported_through = 0;  // Unix seconds, UTC (fractions dropped)
};

struct ProgressMarkError {
  InvalidReason reason = InvalidReason::kBadValue;
  std::string detail;
};

// Reads a message looks_like_progress_mark() accepted. The object must hold
// exactly that member, an object holding exactly `reported_through`, an
// RFC 3339 date-time with a zone.
std::optional<ProgressMark> read_progress_mark(std::string_view value, ProgressMarkError& error);

// The message for a mark at `unix_seconds` (`...Z`, whole seconds).
std::string progress_mark_message(int64_t unix_seconds);

}  // namespace vigil

// Refuses events dated in the future before they can move stream time
// (issue 15, item 2; docs/hardening-future-events.md).
//
// Stream time only moves forward: one event dated 2099 would close every
// window, resolve every open signal and make every later event late, for
// good, and with several input partitions the merge would hold that
// partition's records forever. So an input task judges each event's time
// before applying it:
//
//   - Against the wall clock (`vigil run` only): reported_at more than the
//     tolerance after now is refused. Honest data is never ahead of the
//     clock of the process reading it live.
//   - Against the partition's stream time G (the latest occurred_on it
//     accepted): occurred_on more than the tolerance after G is refused,
//     and so is a reported_at more than kReportedLeadDays after it (late
//     reports are honest, but not a report from 2099: volume detectors
//     count by reported_at and the merge orders by it). A fresh partition
//     has no G: in run its first event is bounded by the wall clock; in
//     replay it is judged against the median latest date of the
//     partition's first events (start_reference.h), which one bad date
//     cannot set. The first event accepted sets G to its latest date (the
//     later of occurred_on and the date of reported_at), so a late report
//     first does not leave G in the past.
//   - A stream that really moves on after a gap longer than the tolerance
//     (an outage with no reports) must not be refused forever. Refused far
//     events in a row (distinct reports; any accepted event starts the
//     count again) are remembered; the kJumpConfirmations-th moves G to the
//     median of their dates and is judged again against it. So the stream
//     moves on at the cost of kJumpConfirmations - 1 dead letters, and one
//     bad date among them cannot carry G with it.
//
// G and the far events in a row are stored with the task's position, so
// restarts decide alike, and every decision depends only on the
// partition's own events (and, in run, the wall clock, which honest data
// never reaches): a replay over files gives what `vigil run` gave on the
// same topic (docs/hardening-future-events.md says where the two starts
// can differ).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.h"
#include "core/incident_event.h"

namespace vigil {

// The default of pipeline.future_tolerance_days.
inline constexpr int32_t kDefaultFutureToleranceDays = 2;

// How far after the partition's stream time a report's reported_at may be:
// late reports trickle in for months after the events they describe (the
// end of a finite stream, a partition with only late reports), so this is
// a bound for absurd dates, not a tolerance.
inline constexpr int32_t kReportedLeadDays = 366;

// How many refused far events in a row move the reference on (odd: their
// median is one of them).
inline constexpr uint32_t kJumpConfirmations = 3;

struct EventTimeLimits {
  // Days an event may be ahead of the partition's reference (and, with a
  // wall clock, of now). 0 or less: no limit (tools that only measure).
  int32_t tolerance_days = kDefaultFutureToleranceDays;
  // Now, in Unix seconds: set by `vigil run`, empty in replay.
  std::function<int64_t()> wall_clock;
};

// A refused far event, remembered until an event is accepted.
struct FarEvent {
  Date time;        // its latest_date()
  uint64_t report;  // report_fingerprint() of its id
};

// What an input task judges by, stored with its position.
struct EventTimeGateState {
  std::optional<Date> reference;  // G; none before anything was judged
  std::vector<FarEvent> far;      // refused far events in a row, < kJumpConfirmations
  bool empty() const { return !reference && far.empty(); }
};

// Judges `event` against G: the one in `state`, else `stream_time` (stored
// by an earlier version, a date it accepted), else `start_reference` (replay;
// it only judges, the first event accepted sets G), else none (the first
// event is bounded by the wall clock only, or not at all: replay from
// standard input). Returns std::nullopt when the event may be applied, else
// the dead-letter detail (fixed phrases and numbers only, never message
// text).
std::optional<std::string> judge_event_time(const IncidentEvent& event,
                                            std::optional<Date> stream_time,
                                            std::optional<Date> start_reference,
                                            const EventTimeLimits& limits,
                                            EventTimeGateState& state);

// The date an event is judged by: the later of occurred_on and the date of
// reported_at.
Date latest_date(const IncidentEvent& event);

// The fingerprint kept of a report id (FNV-1a, 64 bits).
uint64_t report_fingerprint(std::string_view id);

}  // namespace vigil

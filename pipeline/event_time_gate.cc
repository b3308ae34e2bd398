#include "pipeline/event_time_gate.h"

#include <algorithm>

#include "core/fnv1a.h"

namespace vigil {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

std::string days_phrase(int64_t days) {
  return std::to_string(days) + (days == 1 ? " day" : " days");
}

}  // namespace

Date latest_date(const IncidentEvent& event) { return std::max(event.occurred_on, event.reported_on); }

uint64_t report_fingerprint(std::string_view id) { return fnv1a_64(id); }

std::optional<std::string> judge_event_time(const IncidentEvent& event,
                                            std::optional<Date> stream_time,
                                            std::optional<Date> start_reference,
                                            const EventTimeLimits& limits,
                                            EventTimeGateState& state) {
  const int32_t tolerance = limits.tolerance_days;
  // G: stored, else a stream time stored by an earlier version (a date it
  // accepted), else the start reference, which only judges: the first
  // event accepted sets G, as in run.
  const std::optional<Date> accepted_before = state.reference ? state.reference : stream_time;
  std::optional<Date> reference = accepted_before ? accepted_before : start_reference;
  const auto accept = [&]() -> std::optional<std::string> {
    // The first event's latest date, so that a late report first does not
    // leave G in the past; then the latest occurred_on.
    state.reference = accepted_before ? std::max(*accepted_before, event.occurred_on) : latest_date(event);
    state.far.clear();
    return std::nullopt;
  };
  // How far each date is past G + its allowance (> 0: too far).
  const auto occurred_past = [&] {
    return int64_t{event.occurred_on.days} - reference->days - tolerance;
  };
  const auto reported_past = [&] {
    return int64_t{event.reported_on.days} - reference->days -
           std::max<int64_t>(tolerance, kReportedLeadDays);
  };
  if (tolerance <= 0) return accept();

  if (limits.wall_clock) {
    const int64_t ahead = event.reported_at_unix_seconds - limits.wall_clock();
    if (ahead > int64_t{tolerance} * kSecondsPerDay) {
      // Not remembered as a far event: the stream can never legitimately
      // be ahead of the clock of the process reading it live.
      return "reported_at: " + days_phrase(ahead / kSecondsPerDay) +
             " after the wall clock (tolerance " + days_phrase(tolerance) + ")";
    }
  }
  if (!reference || (occurred_past() <= 0 && reported_past() <= 0)) return accept();

  // A far event: a bad date, or the stream moving on after a gap.
  const uint64_t report = report_fingerprint(event.id);
  const bool repeated = std::any_of(state.far.begin(), state.far.end(),
                                    [&](const FarEvent& f) { return f.report == report; });
  if (!repeated) state.far.push_back(FarEvent{latest_date(event), report});
  if (state.far.size() >= kJumpConfirmations) {
    // Enough far events in a row: the stream has moved on. Follow it to
    // their median date, which one bad date among them cannot set.
    std::vector<int32_t> days;
    for (const FarEvent& f : state.far) days.push_back(f.time.days);
    std::nth_element(days.begin(), days.begin() + days.size() / 2, days.end());
    reference = std::max(*reference, Date{days[days.size() / 2]});
    state.reference = reference;
    state.far.clear();
    if (occurred_past() <= 0 && reported_past() <= 0) return accept();
  } else if (!state.reference) {
    // Keep the start judged by, so a restart from this commit judges alike.
    state.reference = reference;
  }
  const std::string rule = "; " + std::to_string(kJumpConfirmations) + " such reports in a row move it on)";
  if (occurred_past() > 0) {
    return "occurred_on: " + days_phrase(int64_t{event.occurred_on.days} - reference->days) +
           " after the partition's stream time (tolerance " + days_phrase(tolerance) + rule;
  }
  return "reported_at: " + days_phrase(int64_t{event.reported_on.days} - reference->days) +
         " after the partition's stream time (at most " +
         days_phrase(std::max<int64_t>(tolerance, kReportedLeadDays)) + rule;
}

}  // namespace vigil

// Calendar dates as day numbers, and the strict text forms the contracts use.
//
// A Date is the number of days since 1970-01-01 (proleptic Gregorian), so date
// arithmetic is integer arithmetic. Weeks are ISO weeks (Monday to Sunday),
// numbered from the week holding 1970-01-01.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

struct Date {
  int32_t days = 0;
  friend auto operator<=>(const Date&, const Date&) = default;
};

struct Timestamp {
  int64_t unix_seconds = 0;  // the instant, UTC
  Date local_date;           // the calendar date as written, in its own zone offset
};

// Parses exactly `YYYY-MM-DD` with a valid month and day; nullopt otherwise.
std::optional<Date> parse_date(std::string_view text);

// Parses an RFC 3339 date-time with a zone (`Z` or `±hh:mm`), optional
// fractional seconds; nullopt for anything else (no zone, bad field ranges).
std::optional<Timestamp> parse_rfc3339(std::string_view text);

// `YYYY-MM-DD`.
std::string format_date(Date date);
// Appends `YYYY-MM-DD` to `out` without allocating when capacity allows.
void append_date(std::string& out, Date date);
// `YYYY-MM-DDT00:00:00Z`: the start of the day, for CloudEvents `time`.
std::string format_date_as_rfc3339(Date date);

// ISO week number since the week containing 1970-01-01 (a Thursday).
constexpr int32_t week_of(Date date) {
  const int32_t shifted = date.days + 3;  // day 0 of week 0 is Monday 1969-12-29
  return shifted >= 0 ? shifted / 7 : -((-shifted + 6) / 7);
}
constexpr Date week_start(int32_t week) { return Date{week * 7 - 3}; }
constexpr Date week_end(int32_t week) { return Date{week * 7 + 3}; }

}  // namespace vigil

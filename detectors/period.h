// Calendar periods a count detector aggregates by: days, or ISO weeks
// (Monday to Sunday) as the national team reports them.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/civil_date.h"

namespace vigil {

enum class PeriodUnit : uint8_t { kDay, kWeek };

constexpr int32_t period_of(PeriodUnit unit, Date date) {
  switch (unit) {
    case PeriodUnit::kDay: return date.days;
    case PeriodUnit::kWeek: return week_of(date);
  }
  return 0;
}
constexpr Date period_start(PeriodUnit unit, int32_t period) {
  switch (unit) {
    case PeriodUnit::kDay: return Date{period};
    case PeriodUnit::kWeek: return week_start(period);
  }
  return Date{};
}
constexpr Date period_end(PeriodUnit unit, int32_t period) {
  switch (unit) {
    case PeriodUnit::kDay: return Date{period};
    case PeriodUnit::kWeek: return week_end(period);
  }
  return Date{};
}
// Periods per year, the `freq` of R surveillance's sts objects.
constexpr int periods_per_year(PeriodUnit unit) { return unit == PeriodUnit::kDay ? 365 : 52; }

constexpr std::string_view to_string(PeriodUnit unit) {
  switch (unit) {
    case PeriodUnit::kDay: return "day";
    case PeriodUnit::kWeek: return "week";
  }
  return "?";
}

}  // namespace vigil

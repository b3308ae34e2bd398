// Dates in the forms UK clinical text writes them. Whether a date is a date
// of birth is decided by the callers (a cue, a birth-like year, a name just
// before it); this file only reads the shapes.
#include <array>

#include "text/char_class.h"
#include "text/recognisers.h"

namespace vigil::text_detail {
namespace {

int number(std::string_view t, size_t from, size_t to) {
  int v = 0;
  for (size_t i = from; i < to; ++i) v = v * 10 + (t[i] - '0');
  return v;
}

bool plausible_year4(int y) { return y >= 1880 && y <= 2099; }

// A year of 4 (or, with `two_ok`, 2) digits at `pos` ending at a boundary.
bool match_year(std::string_view t, size_t pos, bool two_ok, DateMatch& m) {
  const size_t e = digits_end(t, pos);
  const size_t len = e - pos;
  if (!boundary_after(t, e)) return false;
  if (len == 4 && plausible_year4(number(t, pos, e))) {
    m.year = number(t, pos, e);
    m.two_digit_year = false;
  } else if (len == 2 && two_ok) {
    m.year = number(t, pos, e);
    m.two_digit_year = true;
  } else {
    return false;
  }
  m.end = e;
  return true;
}

// An ordinal suffix after a day number ("12th").
size_t skip_ordinal(std::string_view t, size_t pos) {
  if (starts_with_ci(t, pos, "st") || starts_with_ci(t, pos, "nd") ||
      starts_with_ci(t, pos, "rd") || starts_with_ci(t, pos, "th"))
    return pos + 2;
  return pos;
}

// Spaces, or one dash or comma with spaces around it, between date parts.
size_t skip_date_separator(std::string_view t, size_t pos) {
  size_t p = pos;
  while (at(t, p) == ' ') ++p;
  if (at(t, p) == '-' || at(t, p) == ',' || at(t, p) == '/') ++p;
  while (at(t, p) == ' ') ++p;
  return p - pos <= 3 ? p : pos;
}

// A month name at `pos`, with an optional abbreviation dot; sets `after`.
int match_month(std::string_view t, size_t pos, size_t& after) {
  const size_t e = letters_end(t, pos);
  const int month = month_number(t, pos, e);
  if (month == 0) return 0;
  after = at(t, e) == '.' ? e + 1 : e;
  return month;
}

bool numeric_date(std::string_view t, size_t pos, bool partial_ok, DateMatch& m) {
  const size_t a_end = digits_end(t, pos);
  const size_t a_len = a_end - pos;
  const char sep = at(t, a_end);
  if (sep != '/' && sep != '-' && sep != '.') return false;
  const size_t b = a_end + 1;
  const size_t b_end = digits_end(t, b);
  const size_t b_len = b_end - b;
  if (b_len == 0) return false;
  if (a_len == 4 && (sep == '-' || sep == '/') && b_len <= 2 && at(t, b_end) == sep) {
    // ISO 1950-03-12
    const size_t c = b_end + 1;
    const size_t c_end = digits_end(t, c);
    if (c_end - c == 0 || c_end - c > 2 || !boundary_after(t, c_end)) return false;
    const int y = number(t, pos, a_end);
    const int mo = number(t, b, b_end);
    const int d = number(t, c, c_end);
    if (!plausible_year4(y) || mo < 1 || mo > 12 || d < 1 || d > 31) return false;
    m = DateMatch{c_end, y, false, true};
    return true;
  }
  if (a_len > 2) return false;
  const int a = number(t, pos, a_end);
  if (b_len <= 2 && at(t, b_end) == sep && is_digit(at(t, b_end + 1))) {
    const int b_val = number(t, b, b_end);
    // Day first (UK) or month first (US), either must be a real pair.
    const bool day_month = a >= 1 && a <= 31 && b_val >= 1 && b_val <= 12;
    const bool month_day = a >= 1 && a <= 12 && b_val >= 1 && b_val <= 31;
    if (!day_month && !month_day) return false;
    if (!match_year(t, b_end + 1, true, m)) return false;
    m.full = true;
    return true;
  }
  // Month and year only: 03/1950.
  if (partial_ok && sep == '/' && a >= 1 && a <= 12 && match_year(t, b, false, m)) {
    m.full = false;
    return true;
  }
  return false;
}

// 12 March 1950, 12th Mar 1950, 12-Mar-50.
bool day_month_name_date(std::string_view t, size_t pos, DateMatch& m) {
  const size_t d_end = digits_end(t, pos);
  if (d_end - pos > 2) return false;
  const int day = number(t, pos, d_end);
  if (day < 1 || day > 31) return false;
  const size_t month_at = skip_date_separator(t, skip_ordinal(t, d_end));
  if (month_at == d_end && !is_letter(at(t, month_at))) return false;
  size_t after = 0;
  if (match_month(t, month_at, after) == 0) return false;
  const size_t year_at = skip_date_separator(t, after);
  if (year_at == after) return false;
  if (!match_year(t, year_at, true, m)) return false;
  m.full = true;
  return true;
}

}  // namespace

int month_number(std::string_view t, size_t pos, size_t end) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "january", "february", "march",     "april",   "may",      "june",
      "july",    "august",   "september", "october", "november", "december"};
  const size_t len = end - pos;
  if (len < 3 || len > 9) return 0;
  const char first = to_lower(t[pos]);
  for (size_t k = 0; k < kMonths.size(); ++k) {
    if (kMonths[k][0] != first) continue;
    const std::string_view name = kMonths[k];
    // The full name, its three-letter abbreviation, or "sept".
    if (len == name.size() || len == 3 || (k == 8 && len == 4)) {
      if (len <= name.size() && starts_with_ci(t, pos, name.substr(0, len)))
        return static_cast<int>(k) + 1;
    }
  }
  return 0;
}

bool match_date(std::string_view t, size_t pos, bool partial_ok, DateMatch& m) {
  const char c = at(t, pos);
  if (is_digit(c)) {
    if (numeric_date(t, pos, partial_ok, m)) return true;
    if (day_month_name_date(t, pos, m)) return true;
    if (partial_ok && match_year(t, pos, false, m)) {
      m.full = false;
      return true;
    }
    return false;
  }
  if (!is_letter(c)) return false;
  // March 12, 1950 / March 12th 1950 / (partial) March 1950.
  size_t after = 0;
  if (match_month(t, pos, after) == 0) return false;
  const size_t next = skip_date_separator(t, after);
  if (next == after) return false;
  const size_t d_end = digits_end(t, next);
  if (d_end - next >= 1 && d_end - next <= 2) {
    const int day = number(t, next, d_end);
    const size_t year_at = skip_date_separator(t, skip_ordinal(t, d_end));
    if (day >= 1 && day <= 31 && year_at != d_end && match_year(t, year_at, false, m)) {
      m.full = true;
      return true;
    }
  }
  if (partial_ok && match_year(t, next, false, m)) {
    m.full = false;
    return true;
  }
  return false;
}

bool birth_year_like(const DateMatch& m) {
  if (!m.full) return false;
  return m.two_digit_year ? m.year >= 30 : m.year < 2000;
}

}  // namespace vigil::text_detail

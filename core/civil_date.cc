#include "core/civil_date.h"

#include <chrono>
#include <cstdio>

namespace vigil {
namespace {

bool read_digits(std::string_view text, size_t pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

std::optional<Date> make_date(int year, int month, int day) {
  const std::chrono::year_month_day ymd{std::chrono::year{year},
                                        std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  return Date{static_cast<int32_t>(std::chrono::sys_days{ymd}.time_since_epoch().count())};
}

}  // namespace

std::optional<Date> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int year = 0, month = 0, day = 0;
  if (!read_digits(text, 0, 4, year) || !read_digits(text, 5, 2, month) ||
      !read_digits(text, 8, 2, day)) {
    return std::nullopt;
  }
  return make_date(year, month, day);
}

std::optional<Timestamp> parse_rfc3339(std::string_view text) {
  // YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm)
  if (text.size() < 20) return std::nullopt;
  const auto date = parse_date(text.substr(0, 10));
  if (!date) return std::nullopt;
  const char sep = text[10];
  if (sep != 'T' && sep != 't' && sep != ' ') return std::nullopt;
  int hour = 0, minute = 0, second = 0;
  if (!read_digits(text, 11, 2, hour) || text[13] != ':' || !read_digits(text, 14, 2, minute) ||
      text[16] != ':' || !read_digits(text, 17, 2, second)) {
    return std::nullopt;
  }
  // Leap second 60 is allowed by RFC 3339.
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const size_t first_digit = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == first_digit) return std::nullopt;
  }
  if (pos >= text.size()) return std::nullopt;
  int offset_seconds = 0;
  const char zone = text[pos];
  if (zone == 'Z' || zone == 'z') {
    if (pos + 1 != text.size()) return std::nullopt;
  } else if (zone == '+' || zone == '-') {
    int oh = 0, om = 0;
    if (pos + 6 != text.size() || !read_digits(text, pos + 1, 2, oh) || text[pos + 3] != ':' ||
        !read_digits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_seconds = (oh * 3600 + om * 60) * (zone == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  const int64_t local = static_cast<int64_t>(date->days) * 86400 + hour * 3600 + minute * 60 + second;
  return Timestamp{local - offset_seconds, *date};
}

void append_date(std::string& out, Date date) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{date.days}}};
  char buf[16];
  const int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                              static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  out.append(buf, static_cast<size_t>(n));
}

std::string format_date(Date date) {
  std::string out;
  append_date(out, date);
  return out;
}

std::string format_date_as_rfc3339(Date date) {
  std::string out = format_date(date);
  out += "T00:00:00Z";
  return out;
}

}  // namespace vigil

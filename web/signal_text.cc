#include "web/signal_text.h"

#include <charconv>
#include <cmath>
#include <ctime>

#include "web/url_codec.h"

namespace vigil {

std::vector<KeyLabel> key_labels(const std::vector<KeyPart>& key, const ReferenceNames& names) {
  std::vector<KeyLabel> out;
  out.reserve(key.size());
  for (const auto& [dimension, code] : key) {
    KeyLabel label{dimension, code, "", names.label(dimension, code)};
    if (const auto name = names.name(dimension, code)) label.name = std::string(*name);
    out.push_back(std::move(label));
  }
  return out;
}

std::string key_title(const std::vector<KeyPart>& key, const ReferenceNames& names) {
  if (key.empty()) return "(all)";
  std::string out;
  for (const auto& [dimension, code] : key) {
    if (!out.empty()) out += ", ";
    out += dimension;
    out += ' ';
    out += names.label(dimension, code);
  }
  return out;
}

std::string readable_number(double value) {
  if (!std::isfinite(value)) return "n/a";
  const bool whole = value == std::floor(value) && std::fabs(value) < 1e15;
  char buf[64];
  const auto result =
      std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, whole ? 0 : 2);
  if (result.ec != std::errc()) return "n/a";
  std::string out(buf, result.ptr);
  if (out == "-0" || out == "-0.00") out.erase(0, 1);
  return out;
}

std::string plain_summary(const SignalRow& row, const ReferenceNames& names) {
  // The row holds the latest transition: once resolved, its numbers are
  // those of the period in which the condition cleared, not of the alarm.
  const bool resolved = row.latest == SignalType::kResolved;
  std::string out = "Detector " + row.detector + " (method " + row.method + ") " +
                    (resolved ? "no longer flags " : "flagged ") +
                    (row.key.empty() ? std::string("all reports") : key_title(row.key, names)) +
                    (resolved ? ", latest period judged: " : ": ") + std::to_string(row.observed) +
                    (row.observed == 1 ? " report" : " reports") + " in the period " +
                    format_date(row.period_start) + " to " + format_date(row.period_end);
  const bool expected = std::isfinite(row.expected);
  if (expected) out += ", against " + readable_number(row.expected) + " expected";
  if (std::isfinite(row.threshold)) {
    out += (expected ? " and a threshold of " : ", against a threshold of ") +
           readable_number(row.threshold);
  }
  out += ". Severity " + std::string(to_string(row.severity)) + "; reports from " +
         std::to_string(row.orgs) + (row.orgs == 1 ? " organisation" : " organisations") +
         ". Raised on " + format_date(row.first_fired);
  switch (row.latest) {
    case SignalType::kRaised:
      break;
    case SignalType::kUpdated:
      out += ", last updated on " + format_date(row.last_fired);
      break;
    case SignalType::kResolved:
      out += ", resolved on " + format_date(row.last_fired);
      break;
  }
  out += ".";
  return out;
}

namespace {

std::tm utc_of(int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return tm;
}

}  // namespace

std::string format_time_ms(int64_t unix_ms) {
  const std::tm tm = utc_of(unix_ms);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

std::string rfc3339_ms(int64_t unix_ms) {
  const std::tm tm = utc_of(unix_ms);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  const int millis = static_cast<int>(((unix_ms % 1000) + 1000) % 1000);
  char out[64];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, millis);
  return out;
}

std::string report_url(std::string_view url_template, std::string_view report_id) {
  if (url_template.empty()) return "";
  constexpr std::string_view kSlot = "{id}";
  std::string out;
  const std::string encoded = url_encode(report_id);
  size_t from = 0;
  for (size_t at = url_template.find(kSlot); at != std::string_view::npos;
       at = url_template.find(kSlot, from)) {
    out.append(url_template.substr(from, at - from));
    out += encoded;
    from = at + kSlot.size();
  }
  out.append(url_template.substr(from));
  return out;
}

std::string own_funnel_unit(const Signal& s, std::string* dimension) {
  if (!s.funnel) return "";
  auto key_dimension_of = [&](std::string_view value) -> const std::string* {
    for (const auto& [dim, code] : s.key) {
      if (code == value) return &dim;
    }
    return nullptr;
  };
  for (const FunnelPoint& p : s.funnel->points) {
    std::string_view rest = p.unit;
    size_t parts = 0;
    const std::string* last_dimension = nullptr;
    bool all_in_key = !rest.empty();
    while (all_in_key && !rest.empty()) {
      const size_t comma = rest.find(',');
      last_dimension = key_dimension_of(rest.substr(0, comma));
      all_in_key = last_dimension != nullptr;
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      ++parts;
    }
    if (!all_in_key) continue;
    if (dimension != nullptr) *dimension = parts == 1 ? *last_dimension : "";
    return p.unit;
  }
  return "";
}

std::string iso_week_label(Date date) {
  // The ISO year is the year of the week's Thursday.
  const Date thursday{week_start(week_of(date)).days + 3};
  const std::string thursday_text = format_date(thursday);
  const int year = std::stoi(thursday_text.substr(0, 4));
  const Date january_4 = *parse_date(std::to_string(year) + "-01-04");
  const int week = week_of(date) - week_of(january_4) + 1;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-W%02d", year, week);
  return buf;
}

}  // namespace vigil

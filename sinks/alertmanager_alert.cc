#include "sinks/alertmanager_alert.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/civil_date.h"
#include "sinks/alertmanager_options.h"

namespace vigil {

namespace {

constexpr std::array<std::string_view, 6> kReservedLabels = {
    "alertname", "signal_id", "detector", "method", "severity", "pipeline"};

constexpr std::string_view kSignalIdPlaceholder = "{signal_id}";

// Anything outside [A-Za-z0-9_] becomes '_', and a leading digit gets a '_'
// in front. Dimension names are slugs already; this only guards the format.
std::string sanitize_label_name(std::string_view name) {
  std::string out;
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) out += '_';
  for (const char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_';
    out += ok ? c : '_';
  }
  return out;
}

bool label_taken(const LabelPairs& labels, std::string_view name) {
  for (const auto& [n, v] : labels) {
    if (n == name) return true;
  }
  return false;
}

void add(LabelPairs& pairs, std::string_view name, std::string value) {
  if (value.empty()) return;
  pairs.emplace_back(std::string(name), std::move(value));
}

// Two decimals for people; empty when the method gives no such number.
std::string decimal(double value) {
  if (!std::isfinite(value)) return {};
  char buf[48];
  const auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, 2);
  if (r.ec != std::errc()) {
    const auto g = std::to_chars(buf, buf + sizeof buf, value);
    return std::string(buf, g.ptr);
  }
  return std::string(buf, r.ptr);
}

std::string description(const Signal& s, std::string_view period) {
  std::string out = s.detector;
  out += " (";
  out += s.method;
  out += ") ";
  out += to_string(s.type);
  out += " for ";
  out += s.key.empty() ? std::string("all reports") : render_key(s.key);
  out += ": observed ";
  out += std::to_string(s.observed);
  out += " in ";
  out += period;
  const std::string expected = decimal(s.expected);
  const std::string threshold = decimal(s.threshold);
  if (!expected.empty() || !threshold.empty()) {
    out += " (expected ";
    out += expected.empty() ? "n/a" : expected;
    out += ", threshold ";
    out += threshold.empty() ? "n/a" : threshold;
    out += ')';
  }
  out += "; evidence ";
  out += std::to_string(s.evidence_count);
  out += s.evidence_count == 1 ? " report from " : " reports from ";
  out += std::to_string(s.evidence_orgs);
  out += s.evidence_orgs == 1 ? " organisation" : " organisations";
  out += ". Event time ";
  out += format_date(s.fired_at);
  out += "; signal ";
  out += s.signal_id;
  out += '.';
  return out;
}

}  // namespace

bool is_reserved_alert_label(std::string_view name) {
  for (const auto reserved : kReservedLabels) {
    if (reserved == name) return true;
  }
  return false;
}

bool is_valid_label_name(std::string_view name) {
  return !name.empty() && sanitize_label_name(name) == name;
}

AlertContent make_alert_content(const Signal& s, Severity label_severity,
                                const AlertMappingOptions& options) {
  AlertContent c;
  c.labels.reserve(kReservedLabels.size() + s.key.size() + options.static_labels.size());
  add(c.labels, "alertname", kAlertName);
  add(c.labels, "signal_id", s.signal_id);
  add(c.labels, "detector", s.detector);
  add(c.labels, "method", s.method);
  add(c.labels, "severity", std::string(to_string(label_severity)));
  add(c.labels, "pipeline", options.pipeline_name);
  for (const auto& [dimension, value] : s.key) {
    std::string name = sanitize_label_name(dimension);
    if (is_reserved_alert_label(name) || label_taken(c.labels, name)) name = "key_" + name;
    for (const auto& [static_name, static_value] : options.static_labels) {
      if (static_name == name) name = "key_" + name;
    }
    if (label_taken(c.labels, name)) continue;  // two parts of one name: keep the first
    add(c.labels, name, value);
  }
  for (const auto& [name, value] : options.static_labels) {
    if (!label_taken(c.labels, name)) add(c.labels, name, value);
  }

  std::string period = format_date(s.period_start);
  period += '/';
  period += format_date(s.period_end);
  std::string cloudevent_id = s.signal_id;
  cloudevent_id += '-';
  cloudevent_id += std::to_string(s.sequence);
  std::string subject = s.detector;
  subject += '/';
  subject += render_key(s.key);

  add(c.annotations, "summary", s.summary);
  add(c.annotations, "description", description(s, period));
  add(c.annotations, "signal_type", std::string(to_string(s.type)));
  add(c.annotations, "sequence", std::to_string(s.sequence));
  add(c.annotations, "cloudevent_id", std::move(cloudevent_id));
  add(c.annotations, "subject", std::move(subject));
  add(c.annotations, "observed", std::to_string(s.observed));
  add(c.annotations, "expected", decimal(s.expected));
  add(c.annotations, "threshold", decimal(s.threshold));
  add(c.annotations, "score", decimal(s.score));
  add(c.annotations, "evidence_count", std::to_string(s.evidence_count));
  add(c.annotations, "evidence_orgs", std::to_string(s.evidence_orgs));
  add(c.annotations, "period", std::move(period));
  add(c.annotations, "fired_at", format_date(s.fired_at));

  if (!options.generator_url.empty()) {
    c.generator_url = options.generator_url;
    for (size_t at = c.generator_url.find(kSignalIdPlaceholder); at != std::string::npos;
         at = c.generator_url.find(kSignalIdPlaceholder, at + s.signal_id.size())) {
      c.generator_url.replace(at, kSignalIdPlaceholder.size(), s.signal_id);
    }
  }
  return c;
}

void append_postable_alert(JsonWriter& w, const AlertContent& content,
                           std::chrono::system_clock::time_point starts_at,
                           std::chrono::system_clock::time_point ends_at) {
  w.begin_object();
  w.key("labels").begin_object();
  for (const auto& [name, value] : content.labels) w.key(name).string_value(value);
  w.end_object();
  w.key("annotations").begin_object();
  for (const auto& [name, value] : content.annotations) w.key(name).string_value(value);
  w.end_object();
  w.key("startsAt").string_value(format_rfc3339_millis(starts_at));
  w.key("endsAt").string_value(format_rfc3339_millis(ends_at));
  if (!content.generator_url.empty()) w.key("generatorURL").string_value(content.generator_url);
  w.end_object();
}

std::string format_rfc3339_millis(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(t).time_since_epoch().count();
  const int64_t day_ms = 86'400'000;
  // Floor division: instants before 1970 still land on the right day.
  const int64_t days = ms >= 0 ? ms / day_ms : -((-ms + day_ms - 1) / day_ms);
  const int64_t of_day = ms - days * day_ms;
  std::string out = format_date(Date{static_cast<int32_t>(days)});
  char buf[32];  // "THH:MM:SS.mmmZ"; room to spare for the compiler's range analysis
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d.%03dZ", static_cast<int>(of_day / 3'600'000),
                static_cast<int>(of_day / 60'000 % 60), static_cast<int>(of_day / 1000 % 60),
                static_cast<int>(of_day % 1000));
  out += buf;
  return out;
}

}  // namespace vigil

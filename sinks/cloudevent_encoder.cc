#include "sinks/cloudevent_encoder.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "core/disclosure_control.h"
#include "core/json_writer.h"

namespace vigil {

namespace {

constexpr std::string_view kSpecVersion = "1.0";
constexpr std::string_view kDataContentType = "application/json";
constexpr std::string_view kDataSchema = "urn:vigil:schema:signal:v1";
constexpr std::string_view kSourcePrefix = "/vigil/";
constexpr std::string_view kTypePrefix = "vigil.signal.";

// Column widths of the console line, chosen to fit typical detector names
// and two-dimension keys while staying under ~120 characters.
constexpr size_t kTypeWidth = 8;       // "RESOLVED"
constexpr size_t kSeverityWidth = 8;   // "critical"
constexpr size_t kDetectorWidth = 24;
constexpr size_t kKeyWidth = 32;
constexpr std::string_view kNoNumber = "\xE2\x80\x93";  // en dash, U+2013

bool is_uri_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~';
}

std::string make_source(std::string_view pipeline_name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out(kSourcePrefix);
  for (const char ch : pipeline_name) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_uri_unreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

void append_int(std::string& out, int64_t value) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, result.ptr);
}

// Two decimals for the console; the JSON keeps full precision.
void append_console_number(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += kNoNumber;
    return;
  }
  char buf[48];
  const auto result = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, 2);
  if (result.ec != std::errc()) {  // beyond 1e40 or so: fall back to shortest form
    append_json_double(out, value);
    return;
  }
  out.append(buf, result.ptr);
}

void append_padded(std::string& out, std::string_view text, size_t width) {
  out += text;
  out.append(text.size() < width ? width - text.size() : 0, ' ');
  out += ' ';
}

std::string upper(std::string_view text) {
  std::string out(text);
  // ASCII only, and not std::toupper: the result must not depend on the locale.
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  });
  return out;
}

void write_funnel(JsonWriter& w, const FunnelPlot& funnel) {
  w.key("funnel").begin_object();
  w.key("coverage").double_value(funnel.coverage);
  w.key("points").begin_array();
  for (const FunnelPoint& p : funnel.points) {
    w.begin_object();
    w.key("unit").string_value(p.unit);
    w.key("observed").int_value(p.observed);
    w.key("expected").double_value(p.expected);
    w.key("lower").double_value(p.lower);
    w.key("upper").double_value(p.upper);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

}  // namespace

std::string_view signal_data_schema() { return kDataSchema; }

void write_series(JsonWriter& w, const SignalSeries& series) {
  w.key("series").begin_object();
  w.key("measure").string_value(series.measure);
  w.key("points").begin_array();
  for (const PeriodPoint& p : series.points) {
    w.begin_object();
    w.key("start").string_value(format_date(p.start));
    w.key("end").string_value(format_date(p.end));
    w.key("value").double_value(p.value);
    w.key("expected").double_value(p.expected);
    w.key("threshold").double_value(p.threshold);
    w.key("flagged").bool_value(p.flagged);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void write_table(JsonWriter& w, const ContingencyTable& table) {
  w.key("table").begin_object();
  w.key("a").int_value(table.a);
  w.key("b").int_value(table.b);
  w.key("c").int_value(table.c);
  w.key("d").int_value(table.d);
  w.end_object();
}

void write_strata(JsonWriter& w, const std::vector<StratumCounts>& strata) {
  w.key("strata").begin_array();
  // Disclosure control once more at the boundary: whatever built the signal
  // (a detector, or a decoder reading one written by an older version), no
  // cell of 1..4 leaves the process.
  for (const StratumCounts& stratum : disclosed_strata(strata)) {
    w.begin_object();
    w.key("dimension").string_value(stratum.dimension);
    w.key("counts").begin_object();
    for (const auto& [value, count] : stratum.counts) w.key(value).int_value(count);
    w.end_object();
    w.end_object();
  }
  w.end_array();
}

std::string encode_cloudevent(const Signal& s, std::string_view pipeline_name) {
  std::string id = s.signal_id;
  id += '-';
  append_int(id, s.sequence);

  std::string type(kTypePrefix);
  type += to_string(s.type);

  std::string subject = s.detector;
  subject += '/';
  subject += render_key(s.key);

  JsonWriter w;
  w.begin_object();
  w.key("specversion").string_value(kSpecVersion);
  w.key("id").string_value(id);
  w.key("source").string_value(make_source(pipeline_name));
  w.key("type").string_value(type);
  w.key("subject").string_value(subject);
  w.key("time").string_value(format_date_as_rfc3339(s.fired_at));
  w.key("datacontenttype").string_value(kDataContentType);
  w.key("dataschema").string_value(kDataSchema);

  w.key("data").begin_object();
  w.key("signal_id").string_value(s.signal_id);
  w.key("detector").string_value(s.detector);
  w.key("method").string_value(s.method);
  w.key("key").begin_object();
  for (const auto& [dimension, value] : s.key) w.key(dimension).string_value(value);
  w.end_object();
  w.key("period").begin_object();
  w.key("start").string_value(format_date(s.period_start));
  w.key("end").string_value(format_date(s.period_end));
  w.end_object();
  w.key("observed").int_value(s.observed);
  w.key("expected").double_value(s.expected);
  w.key("threshold").double_value(s.threshold);
  w.key("score").double_value(s.score);
  w.key("severity").string_value(to_string(s.severity));
  w.key("evidence").begin_object();
  w.key("count").int_value(s.evidence_count);
  w.key("orgs").int_value(s.evidence_orgs);
  w.key("event_ids").begin_array();
  const size_t id_count = std::min(s.event_ids.size(), kMaxEvidenceIds);
  for (size_t i = 0; i < id_count; ++i) w.string_value(s.event_ids[i]);
  w.end_array();
  if (s.table) write_table(w, *s.table);
  w.end_object();
  w.key("summary").string_value(s.summary);
  if (!s.statistics.empty()) {
    w.key("statistics").begin_object();
    for (const auto& [name, value] : s.statistics) w.key(name).double_value(value);
    w.end_object();
  }
  if (!disclosed_strata(s.strata).empty()) write_strata(w, s.strata);
  if (s.series) write_series(w, *s.series);
  if (s.funnel) write_funnel(w, *s.funnel);
  if (s.detection) {
    w.key("detection").begin_object();
    w.key("provisional").bool_value(s.detection->provisional);
    w.key("detected_on").string_value(format_date(s.fired_at));
    w.key("reason").string_value(to_string(s.detection->reason));
    w.end_object();
  }
  w.end_object();  // data

  w.end_object();
  return std::move(w).take();
}

std::string render_signal_line(const Signal& s) {
  std::string out;
  out.reserve(160 + s.summary.size());
  append_date(out, s.fired_at);
  out += ' ';
  append_padded(out, upper(to_string(s.type)), kTypeWidth);
  append_padded(out, to_string(s.severity), kSeverityWidth);
  append_padded(out, s.detector, kDetectorWidth);
  append_padded(out, s.key.empty() ? std::string("(all)") : render_key(s.key), kKeyWidth);
  out += "observed ";
  append_int(out, s.observed);
  out += " (expected ";
  append_console_number(out, s.expected);
  out += ", threshold ";
  append_console_number(out, s.threshold);
  out += ")  | ";
  // The summary is plain text by contract; a stray line break would split
  // the console line, so control characters become spaces.
  for (const char c : s.summary) out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  return out;
}

}  // namespace vigil

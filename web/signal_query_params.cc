#include "web/signal_query_params.h"

#include <charconv>

#include "core/named_values.h"
#include "web/url_codec.h"

namespace vigil {
namespace {

Error bad(std::string_view name, std::string_view why) {
  return make_error(ErrorKind::kInvalidArgument,
                    "query parameter '" + std::string(name) + "' " + std::string(why));
}

std::optional<size_t> parse_size(std::string_view text) {
  size_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

void add(std::string& out, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  if (!out.empty()) out += '&';
  out += name;
  out += '=';
  out += url_encode(value);
}

}  // namespace

Result<SignalQuery> parse_signal_query(std::string_view query_string) {
  auto params = parse_query_string(query_string);
  if (!params) return bad("(query string)", "has a malformed %-escape");
  SignalQuery q;
  for (const auto& [name, value] : *params) {
    if (value.empty()) continue;
    std::string* text_field = name == "detector"     ? &q.detector
                              : name == "method"     ? &q.method
                              : name == "region"     ? &q.region
                              : name == "org"        ? &q.org
                              : name == "medication" ? &q.medication
                              : name == "device"     ? &q.device
                              : name == "category"   ? &q.category
                              : name == "text"       ? &q.text
                                                     : nullptr;
    if (text_field != nullptr) {
      // Codes and names never hold control characters; a search for one
      // (e.g. %00) would only confuse the text index.
      for (const char c : value) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return bad(name, "holds a control character");
      }
      *text_field = value;
    } else if (name == "status") {
      if (value != "open" && value != "resolved" && value != "all") {
        return bad(name, "must be open, resolved or all");
      }
      q.status = value;
    } else if (name == "state") {
      q.state = parse_review_state(value);
      if (!q.state) return bad(name, "is not a review state");
    } else if (name == "suppressed") {
      if (value != "include" && value != "hide") return bad(name, "must be include or hide");
      q.include_suppressed = value == "include";
    } else if (name == "severity") {
      q.severity = parse_enum(
          value, {Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical});
      if (!q.severity) return bad(name, "must be low, medium, high or critical");
    } else if (name == "from" || name == "to" || name == "fired_from" || name == "fired_to") {
      const auto date = parse_date(value);
      if (!date) return bad(name, "must be a date YYYY-MM-DD");
      (name == "from"         ? q.from
       : name == "to"         ? q.to
       : name == "fired_from" ? q.fired_from
                              : q.fired_to) = date;
    } else if (name == "offset") {
      const auto n = parse_size(value);
      // Far beyond any store, and small enough for SQLite's 64-bit integers.
      if (!n || *n > 1'000'000'000) return bad(name, "must be a whole number up to 1000000000");
      q.offset = *n;
    } else if (name == "limit") {
      const auto n = parse_size(value);
      if (!n || *n < 1 || *n > kMaxPageSize)
        return bad(name, "must be 1.." + std::to_string(kMaxPageSize));
      q.limit = *n;
    } else {
      return bad(name, "is not a filter");
    }
  }
  return q;
}

std::string signal_query_string(const SignalQuery& q) {
  std::string out;
  if (q.status != "open") add(out, "status", q.status);
  if (q.state) add(out, "state", to_string(*q.state));
  if (q.include_suppressed) add(out, "suppressed", "include");
  add(out, "detector", q.detector);
  add(out, "method", q.method);
  if (q.severity) add(out, "severity", to_string(*q.severity));
  add(out, "region", q.region);
  add(out, "org", q.org);
  add(out, "medication", q.medication);
  add(out, "device", q.device);
  add(out, "category", q.category);
  if (q.from) add(out, "from", format_date(*q.from));
  if (q.to) add(out, "to", format_date(*q.to));
  if (q.fired_from) add(out, "fired_from", format_date(*q.fired_from));
  if (q.fired_to) add(out, "fired_to", format_date(*q.fired_to));
  add(out, "text", q.text);
  if (q.offset != 0) add(out, "offset", std::to_string(q.offset));
  if (q.limit != SignalQuery{}.limit) add(out, "limit", std::to_string(q.limit));
  return out;
}

}  // namespace vigil

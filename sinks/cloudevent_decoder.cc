#include "sinks/cloudevent_decoder.h"

#include <simdjson.h>

#include <cmath>

#include "core/named_values.h"

namespace vigil {
namespace {

Error missing(std::string_view what) {
  return make_error(ErrorKind::kInvalidArgument, "cloudevent: bad or missing " + std::string(what));
}

double number_or_nan(simdjson::dom::element e) {
  if (e.is_null()) return std::nan("");
  double d = 0;
  if (e.get_double().get(d) == simdjson::SUCCESS) return d;
  int64_t i = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS) return static_cast<double>(i);
  return std::nan("");
}

}  // namespace

Result<Signal> decode_cloudevent(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) return missing("JSON");
  Signal s;
  std::string_view text;
  if (root["type"].get(text) != simdjson::SUCCESS) return missing("type");
  constexpr std::string_view kTypePrefix = "vigil.signal.";
  const auto type =
      text.starts_with(kTypePrefix)
          ? parse_enum(text.substr(kTypePrefix.size()),
                       {SignalType::kRaised, SignalType::kUpdated, SignalType::kResolved})
          : std::nullopt;
  if (!type) return missing("type");
  s.type = *type;
  if (root["time"].get(text) != simdjson::SUCCESS) return missing("time");
  auto fired = parse_date(text.substr(0, 10));
  if (!fired) return missing("time");
  s.fired_at = *fired;
  std::string_view id;
  if (root["id"].get(id) != simdjson::SUCCESS) return missing("id");
  const size_t dash = id.rfind('-');
  if (dash == std::string_view::npos) return missing("id");
  s.sequence = static_cast<uint32_t>(std::stoul(std::string(id.substr(dash + 1))));
  simdjson::dom::object data;
  if (root["data"].get(data) != simdjson::SUCCESS) return missing("data");
  auto str = [&](const char* field, std::string& out) {
    std::string_view v;
    if (data[field].get(v) != simdjson::SUCCESS) return false;
    out.assign(v);
    return true;
  };
  std::string severity;
  if (!str("signal_id", s.signal_id) || !str("detector", s.detector) || !str("method", s.method) ||
      !str("summary", s.summary) || !str("severity", severity)) {
    return missing("data fields");
  }
  if (const auto sev = parse_enum(severity, {Severity::kLow, Severity::kMedium, Severity::kHigh,
                                               Severity::kCritical})) {
    s.severity = *sev;
  }
  simdjson::dom::object key;
  if (data["key"].get(key) != simdjson::SUCCESS) return missing("key");
  for (auto field : key) {
    std::string_view v;
    if (field.value.get(v) != simdjson::SUCCESS) return missing("key value");
    s.key.emplace_back(std::string(field.key), std::string(v));
  }
  std::string_view start, end;
  if (data["period"]["start"].get(start) != simdjson::SUCCESS ||
      data["period"]["end"].get(end) != simdjson::SUCCESS || !parse_date(start) || !parse_date(end)) {
    return missing("period");
  }
  s.period_start = *parse_date(start);
  s.period_end = *parse_date(end);
  int64_t observed = 0;
  if (data["observed"].get(observed) != simdjson::SUCCESS) return missing("observed");
  s.observed = observed;
  s.expected = number_or_nan(data["expected"]);
  s.threshold = number_or_nan(data["threshold"]);
  s.score = number_or_nan(data["score"]);
  simdjson::dom::object evidence;
  if (data["evidence"].get(evidence) != simdjson::SUCCESS) return missing("evidence");
  int64_t n = 0;
  if (evidence["count"].get(n) != simdjson::SUCCESS) return missing("evidence.count");
  s.evidence_count = n;
  if (evidence["orgs"].get(n) != simdjson::SUCCESS) return missing("evidence.orgs");
  s.evidence_orgs = n;
  simdjson::dom::array ids;
  if (evidence["event_ids"].get(ids) != simdjson::SUCCESS) return missing("evidence.event_ids");
  for (auto e : ids) {
    std::string_view v;
    if (e.get(v) != simdjson::SUCCESS) return missing("evidence.event_ids");
    s.event_ids.emplace_back(v);
  }
  return s;
}

}  // namespace vigil

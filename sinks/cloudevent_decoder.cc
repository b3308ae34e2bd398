#include "sinks/cloudevent_decoder.h"

#include <simdjson.h>

#include <cmath>
#include <limits>
#include <optional>

#include "core/named_values.h"

namespace vigil {
namespace {

Error missing(std::string_view what) {
  return make_error(ErrorKind::kInvalidArgument, "cloudevent: bad or missing " + std::string(what));
}

using Member = simdjson::simdjson_result<simdjson::dom::element>;

// NaN for null, for a missing member and for anything not a number.
double number_or_nan(Member member) {
  simdjson::dom::element e;
  if (member.get(e) != simdjson::SUCCESS || e.is_null()) return std::nan("");
  double d = 0;
  if (e.get_double().get(d) == simdjson::SUCCESS) return d;
  int64_t i = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS) return static_cast<double>(i);
  return std::nan("");
}

std::optional<Date> date_of(Member e) {
  std::string_view text;
  if (e.get(text) != simdjson::SUCCESS) return std::nullopt;
  return parse_date(text);
}

Result<SignalSeries> decode_series(simdjson::dom::object in) {
  SignalSeries series;
  std::string_view measure;
  simdjson::dom::array points;
  if (in["measure"].get(measure) != simdjson::SUCCESS ||
      in["points"].get(points) != simdjson::SUCCESS) {
    return missing("series");
  }
  series.measure.assign(measure);
  for (auto e : points) {
    PeriodPoint p;
    const auto start = date_of(e["start"]);
    const auto end = date_of(e["end"]);
    if (!start || !end || e["flagged"].get(p.flagged) != simdjson::SUCCESS) {
      return missing("series point");
    }
    p.start = *start;
    p.end = *end;
    p.value = number_or_nan(e["value"]);
    p.expected = number_or_nan(e["expected"]);
    p.threshold = number_or_nan(e["threshold"]);
    series.points.push_back(p);
  }
  return series;
}

Result<FunnelPlot> decode_funnel(simdjson::dom::object in) {
  FunnelPlot funnel;
  simdjson::dom::array points;
  if (in["points"].get(points) != simdjson::SUCCESS) return missing("funnel");
  funnel.coverage = number_or_nan(in["coverage"]);
  for (auto e : points) {
    FunnelPoint p;
    std::string_view unit;
    if (e["unit"].get(unit) != simdjson::SUCCESS ||
        e["observed"].get(p.observed) != simdjson::SUCCESS) {
      return missing("funnel point");
    }
    p.unit.assign(unit);
    p.expected = number_or_nan(e["expected"]);
    p.lower = number_or_nan(e["lower"]);
    // An upper limit of null is the unbounded limit of a unit not judged.
    simdjson::dom::element upper;
    p.upper = e["upper"].get(upper) == simdjson::SUCCESS && upper.is_null()
                  ? std::numeric_limits<double>::infinity()
                  : number_or_nan(e["upper"]);
    funnel.points.push_back(std::move(p));
  }
  return funnel;
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
  simdjson::dom::object table;
  if (evidence["table"].get(table) == simdjson::SUCCESS) {
    ContingencyTable t;
    if (table["a"].get(t.a) != simdjson::SUCCESS || table["b"].get(t.b) != simdjson::SUCCESS ||
        table["c"].get(t.c) != simdjson::SUCCESS || table["d"].get(t.d) != simdjson::SUCCESS) {
      return missing("evidence.table");
    }
    s.table = t;
  }
  // The optional extensions: absent members stay empty.
  simdjson::dom::object statistics;
  if (data["statistics"].get(statistics) == simdjson::SUCCESS) {
    for (auto field : statistics) {
      s.statistics.emplace_back(std::string(field.key), number_or_nan(Member(simdjson::dom::element(field.value))));
    }
  }
  simdjson::dom::array strata;
  if (data["strata"].get(strata) == simdjson::SUCCESS) {
    for (auto e : strata) {
      StratumCounts stratum;
      std::string_view dimension;
      simdjson::dom::object counts;
      if (e["dimension"].get(dimension) != simdjson::SUCCESS ||
          e["counts"].get(counts) != simdjson::SUCCESS) {
        return missing("strata");
      }
      stratum.dimension.assign(dimension);
      for (auto field : counts) {
        int64_t count = 0;
        if (field.value.get(count) != simdjson::SUCCESS) return missing("strata counts");
        stratum.counts.emplace_back(std::string(field.key), count);
      }
      s.strata.push_back(std::move(stratum));
    }
  }
  simdjson::dom::object series;
  if (data["series"].get(series) == simdjson::SUCCESS) {
    auto decoded = decode_series(series);
    if (!decoded) return decoded.error();
    s.series = std::move(decoded).value();
  }
  simdjson::dom::object funnel;
  if (data["funnel"].get(funnel) == simdjson::SUCCESS) {
    auto decoded = decode_funnel(funnel);
    if (!decoded) return decoded.error();
    s.funnel = std::move(decoded).value();
  }
  return s;
}

}  // namespace vigil

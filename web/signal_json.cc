#include "web/signal_json.h"

#include "core/json_writer.h"
#include "sinks/cloudevent_encoder.h"
#include "web/signal_query_params.h"
#include "web/signal_text.h"

namespace vigil {
namespace {

void write_key(JsonWriter& w, const std::vector<KeyPart>& key, const ReferenceNames& names) {
  w.key("key").begin_object();
  for (const auto& [dimension, code] : key) w.key(dimension).string_value(code);
  w.end_object();
  // Only the codes the reference tables name: a code without a name stays a code.
  w.key("key_names").begin_object();
  for (const auto& [dimension, code] : key) {
    if (const auto name = names.name(dimension, code)) w.key(dimension).string_value(*name);
  }
  w.end_object();
}

void write_row_members(JsonWriter& w, const SignalRow& row, const ReferenceNames& names) {
  w.key("signal_id").string_value(row.signal_id);
  w.key("url").string_value("/signals/" + row.signal_id);
  w.key("priority").double_value(row.priority.total);
  w.key("priority_parts").begin_object();
  w.key("strength").double_value(row.priority.strength);
  w.key("severity").double_value(row.priority.severity);
  w.key("spread").double_value(row.priority.spread);
  w.key("trend").double_value(row.priority.trend);
  w.key("recency").double_value(row.priority.recency);
  w.end_object();
  w.key("state").string_value(to_string(row.state));
  w.key("suppressed").bool_value(row.suppressed);
  w.key("detector").string_value(row.detector);
  w.key("method").string_value(row.method);
  write_key(w, row.key, names);
  w.key("period").begin_object();
  w.key("start").string_value(format_date(row.period_start));
  w.key("end").string_value(format_date(row.period_end));
  w.end_object();
  w.key("first_fired").string_value(format_date(row.first_fired));
  w.key("last_fired").string_value(format_date(row.last_fired));
  w.key("latest").string_value(to_string(row.latest));
  w.key("sequence").int_value(row.sequence);
  w.key("severity").string_value(to_string(row.severity));
  w.key("observed").int_value(row.observed);
  w.key("expected").double_value(row.expected);
  w.key("threshold").double_value(row.threshold);
  w.key("orgs").int_value(row.orgs);
  w.key("summary").string_value(row.summary);
}

void write_decision(JsonWriter& w, const Decision& d) {
  w.begin_object();
  w.key("decision_id").string_value(d.decision_id);
  w.key("signal_id").string_value(d.signal_id);
  w.key("state").string_value(to_string(d.state));
  w.key("reason").string_value(d.reason);
  w.key("reviewer").string_value(d.reviewer);
  w.key("time_ms").int_value(d.time_ms);
  w.key("time").string_value(rfc3339_ms(d.time_ms));
  if (d.until) w.key("until").string_value(format_date(*d.until));
  if (d.renotify_multiple) w.key("renotify_multiple").double_value(*d.renotify_multiple);
  w.key("observed_at_decision").int_value(d.observed_at_decision);
  w.end_object();
}

void write_evidence(JsonWriter& w, const Signal& s, const ReviewOptions& options) {
  w.key("evidence").begin_object();
  w.key("count").int_value(s.evidence_count);
  w.key("orgs").int_value(s.evidence_orgs);
  w.key("event_ids").begin_array();
  for (const auto& id : s.event_ids) w.string_value(id);
  w.end_array();
  if (!options.report_url_template.empty()) {
    w.key("report_urls").begin_array();
    for (const auto& id : s.event_ids) w.string_value(report_url(options.report_url_template, id));
    w.end_array();
  }
  w.end_object();
}

void write_analysis(JsonWriter& w, const Signal& s, const ReferenceNames& names) {
  w.key("score").double_value(s.score);
  w.key("statistics").begin_object();
  for (const auto& [name, value] : s.statistics) w.key(name).double_value(value);
  w.end_object();
  if (s.table) write_table(w, *s.table);
  write_strata(w, s.strata);
  if (s.series) write_series(w, *s.series);
  if (s.funnel) {
    std::string unit_dimension;
    const std::string own_unit = own_funnel_unit(s, &unit_dimension);
    w.key("funnel").begin_object();
    w.key("coverage").double_value(s.funnel->coverage);
    if (!own_unit.empty()) w.key("own_unit").string_value(own_unit);
    w.key("points").begin_array();
    for (const FunnelPoint& p : s.funnel->points) {
      w.begin_object();
      w.key("unit").string_value(p.unit);
      if (unit_dimension.empty()) {
        // A unit of several dimensions has no one name.
      } else if (const auto name = names.name(unit_dimension, p.unit)) {
        w.key("unit_name").string_value(*name);
      }
      w.key("observed").int_value(p.observed);
      w.key("expected").double_value(p.expected);
      w.key("lower").double_value(p.lower);
      w.key("upper").double_value(p.upper);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
}

}  // namespace

std::string signal_page_json(const SignalPage& page, const SignalQuery& query,
                             std::optional<Date> as_of, const ReferenceNames& names) {
  JsonWriter w;
  w.begin_object();
  w.key("total").int_value(static_cast<int64_t>(page.total));
  w.key("offset").int_value(static_cast<int64_t>(query.offset));
  w.key("limit").int_value(static_cast<int64_t>(query.limit));
  if (as_of) {
    w.key("as_of").string_value(format_date(*as_of));
  } else {
    w.key("as_of").null_value();
  }
  w.key("items").begin_array();
  for (const SignalRow& row : page.rows) {
    w.begin_object();
    write_row_members(w, row, names);
    w.end_object();
  }
  w.end_array();
  if (query.offset + page.rows.size() < page.total) {
    SignalQuery next = query;
    next.offset = query.offset + query.limit;
    w.key("next").string_value("/api/v1/signals?" + signal_query_string(next));
  }
  if (query.offset > 0) {
    SignalQuery prev = query;
    prev.offset = query.offset > query.limit ? query.offset - query.limit : 0;
    w.key("prev").string_value("/api/v1/signals?" + signal_query_string(prev));
  }
  w.end_object();
  return std::move(w).take();
}

std::string signal_detail_json(const SignalDetail& detail, const std::optional<Signal>& latest,
                               const ReferenceNames& names, const ReviewOptions& options) {
  JsonWriter w;
  w.begin_object();
  write_row_members(w, detail.row, names);
  w.key("plain_summary").string_value(plain_summary(detail.row, names));
  if (latest) {
    write_evidence(w, *latest, options);
    write_analysis(w, *latest, names);
  }
  w.key("lifecycle").begin_array();
  for (const LifecycleStep& step : detail.lifecycle) {
    w.begin_object();
    w.key("type").string_value(to_string(step.type));
    w.key("sequence").int_value(step.sequence);
    w.key("fired_at").string_value(format_date(step.fired_at));
    w.key("observed").int_value(step.observed);
    w.key("severity").string_value(to_string(step.severity));
    w.end_object();
  }
  w.end_array();
  w.key("decisions").begin_array();
  for (const Decision& d : detail.decisions) write_decision(w, d);
  w.end_array();
  w.end_object();
  return std::move(w).take();
}

std::string decision_json(const Decision& d) {
  JsonWriter w;
  write_decision(w, d);
  return std::move(w).take();
}

std::string error_json(std::string_view message) {
  JsonWriter w;
  w.begin_object().key("error").string_value(message).end_object();
  return std::move(w).take();
}

}  // namespace vigil

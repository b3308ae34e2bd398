#include "web/review_pages.h"

#include <cmath>
#include <kainjow/mustache.hpp>

#include "core/disclosure_control.h"
#include "core/version.h"
#include "web/signal_query_params.h"
#include "web/signal_text.h"
#include "web/svg_chart.h"
#include "web/web_assets.h"

namespace vigil {
namespace {

namespace mu = kainjow::mustache;

std::string asset_text(std::string_view name) {
  const auto text = web_asset(name);
  return text ? std::string(*text) : std::string();
}

// Renders templates/<name>.mustache with the header and footer partials
// and the identity shown in the header.
std::string render(std::string_view name, mu::data data, const Identity& who) {
  data.set("header", mu::partial([] { return asset_text("templates/header.mustache"); }));
  data.set("footer", mu::partial([] { return asset_text("templates/footer.mustache"); }));
  if (!who.user.empty()) data.set("user", who.user);
  data.set("role", std::string(to_string(who.role)));
  data.set("version", std::string(kVersion));
  mu::mustache tmpl(asset_text("templates/" + std::string(name) + ".mustache"));
  if (!tmpl.is_valid()) return "template " + std::string(name) + ": " + tmpl.error_message();
  return tmpl.render(data);
}

mu::data key_list(const std::vector<KeyPart>& key, const ReferenceNames& names) {
  mu::data list{mu::data::type::list};
  for (const KeyLabel& label : key_labels(key, names)) {
    mu::data item;
    item.set("dimension", label.dimension);
    item.set("code", label.code);
    item.set("label", label.label);
    if (!label.name.empty()) item.set("name", label.name);
    list.push_back(item);
  }
  return list;
}

std::string one_decimal(double value) {
  if (!std::isfinite(value)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", value);
  return std::string_view(buf) == "-0.0" ? "0.0" : buf;
}

// The parts in the queue's narrow column, in the order its header names them.
std::string parts_compact(const PriorityParts& p) {
  return one_decimal(p.strength) + " · " + one_decimal(p.severity) + " · " + one_decimal(p.spread) +
         " · " + one_decimal(p.trend) + " · " + one_decimal(p.recency);
}

std::string parts_text(const PriorityParts& p) {
  return "strength " + one_decimal(p.strength) + " + severity " + one_decimal(p.severity) +
         " + spread " + one_decimal(p.spread) + " + trend " + one_decimal(p.trend) + " + recency " +
         one_decimal(p.recency);
}

// The members a queue row and a signal page share.
void set_row(mu::data& d, const SignalRow& row, const ReferenceNames& names) {
  d.set("signal_id", row.signal_id);
  d.set("priority", one_decimal(row.priority.total));
  d.set("priority_exact", readable_number(row.priority.total));
  d.set("priority_title",
        "priority " + one_decimal(row.priority.total) + " = " + parts_text(row.priority));
  d.set("parts", parts_text(row.priority));
  d.set("parts_compact", parts_compact(row.priority));
  d.set("state", std::string(to_string(row.state)));
  std::string state_label(to_string(row.state));
  for (char& c : state_label) c = c == '_' ? ' ' : c;
  d.set("state_label", state_label);
  d.set("key", key_list(row.key, names));
  d.set("detector", row.detector);
  d.set("method", row.method);
  d.set("severity", std::string(to_string(row.severity)));
  d.set("period_start", format_date(row.period_start));
  d.set("period_end", format_date(row.period_end));
  d.set("observed", std::to_string(row.observed));
  d.set("expected", readable_number(row.expected));
  d.set("threshold", readable_number(row.threshold));
  d.set("orgs", std::to_string(row.orgs));
  d.set("latest", std::string(to_string(row.latest)));
  d.set("last_fired", format_date(row.last_fired));
  d.set("summary", row.summary);
}

mu::data options(std::initializer_list<std::pair<std::string, std::string>> values,
                 std::string_view selected) {
  mu::data list{mu::data::type::list};
  for (const auto& [value, label] : values) {
    mu::data item;
    item.set("value", value);
    item.set("label", label);
    if (value == selected) item.set("selected", true);
    list.push_back(item);
  }
  return list;
}

std::string statistic_value(double value) {
  if (!std::isfinite(value)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", value);
  return buf;
}

void set_chart(mu::data& d, const Signal& s, const ReferenceNames& names) {
  std::string svg, heading = "Chart", caption;
  if (s.series && !s.series->points.empty()) {
    svg = render_series_chart(*s.series);
    size_t flagged = 0;
    for (const PeriodPoint& p : s.series->points) flagged += p.flagged ? 1 : 0;
    const bool counts = s.series->measure == "count";
    heading = counts ? "Reports per period" : "Statistic " + s.series->measure + " over time";
    caption =
        std::to_string(s.series->points.size()) + " periods from " +
        format_date(s.series->points.front().start) + " to " +
        format_date(s.series->points.back().end) + "; " + std::to_string(flagged) +
        " flagged by the detector (red). Lines: expected (green) and threshold (red, dashed).";
  } else if (s.funnel && !s.funnel->points.empty()) {
    std::string unit_dimension;
    const std::string own_unit = own_funnel_unit(s, &unit_dimension);
    svg = render_funnel_chart(*s.funnel, own_unit, [&](std::string_view unit) {
      return names.label(unit_dimension, unit);
    });
    heading = "Funnel plot";
    caption = std::to_string(s.funnel->points.size()) + " units; " +
              (own_unit.empty() ? std::string("the signal's unit is not among them")
                                : "this signal's unit " + names.label(unit_dimension, own_unit) +
                                      " highlighted") +
              "; dashed lines: the " + one_decimal(s.funnel->coverage * 100) + "% limits.";
  }
  d.set("chart_heading", heading);
  if (!svg.empty()) {
    d.set("has_chart", true);
    d.set("chart_svg", svg);
    d.set("chart_caption", caption);
  }
}

void set_analysis(mu::data& d, const Signal& s, const ReviewOptions& options) {
  if (std::isfinite(s.score)) d.set("score", statistic_value(s.score));
  if (s.table) {
    mu::data table;
    table.set("a", std::to_string(s.table->a));
    table.set("b", std::to_string(s.table->b));
    table.set("c", std::to_string(s.table->c));
    table.set("d", std::to_string(s.table->d));
    d.set("table", table);
  }
  mu::data statistics{mu::data::type::list};
  for (const auto& [name, value] : s.statistics) {
    mu::data item;
    item.set("name", name);
    item.set("value", statistic_value(value));
    statistics.push_back(item);
  }
  if (!s.statistics.empty()) d.set("has_statistics", true);
  d.set("statistics", statistics);
  mu::data strata{mu::data::type::list};
  // Disclosure control again: a signal from the topic may have been written
  // by an older version that published cells of 1..4.
  const std::vector<StratumCounts> shown_strata = disclosed_strata(s.strata);
  for (const StratumCounts& stratum : shown_strata) {
    mu::data item;
    item.set("dimension", stratum.dimension);
    mu::data counts{mu::data::type::list};
    for (const auto& [value, count] : stratum.counts) {
      mu::data c;
      c.set("label", value);
      c.set("count", std::to_string(count));
      counts.push_back(c);
    }
    item.set("counts", counts);
    strata.push_back(item);
  }
  if (!shown_strata.empty()) d.set("has_strata", true);
  d.set("strata", strata);
  d.set("evidence_count",
        std::to_string(s.evidence_count) + (s.evidence_count == 1 ? " report" : " reports"));
  d.set("evidence_orgs", std::to_string(s.evidence_orgs) +
                             (s.evidence_orgs == 1 ? " organisation" : " organisations"));
  if (static_cast<int64_t>(s.event_ids.size()) < s.evidence_count) {
    d.set("more_reports", true);
    d.set("shown_reports", std::to_string(s.event_ids.size()));
  }
  mu::data reports{mu::data::type::list};
  for (const std::string& id : s.event_ids) {
    mu::data item;
    item.set("id", id);
    const std::string url = report_url(options.report_url_template, id);
    if (!url.empty()) item.set("url", url);
    reports.push_back(item);
  }
  d.set("reports", reports);
}

}  // namespace

std::string render_queue_page(const SignalPage& page, const SignalQuery& query,
                              std::optional<Date> as_of, const Identity& who,
                              const ReferenceNames& names) {
  mu::data d;
  d.set("page_title", "Queue");
  d.set("status_options",
        options({{"open", "open"}, {"resolved", "resolved"}, {"all", "all"}}, query.status));
  d.set("state_options", options({{"", "any"},
                                  {"new", "new"},
                                  {"under_review", "under review"},
                                  {"validated", "validated"},
                                  {"dismissed", "dismissed"},
                                  {"known_issue", "known issue"},
                                  {"closed", "closed"}},
                                 query.state ? to_string(*query.state) : ""));
  d.set("severity_options", options({{"", "any"},
                                     {"low", "low"},
                                     {"medium", "medium"},
                                     {"high", "high"},
                                     {"critical", "critical"}},
                                    query.severity ? to_string(*query.severity) : ""));
  mu::data text_filters{mu::data::type::list};
  for (const auto& [name, label, value] :
       std::initializer_list<std::tuple<std::string, std::string, std::string>>{
           {"detector", "Detector", query.detector},
           {"method", "Method", query.method},
           {"region", "Region", query.region},
           {"org", "Organisation", query.org},
           {"medication", "Medicine", query.medication},
           {"device", "Device", query.device},
           {"category", "Category", query.category},
           {"text", "Search keys and names", query.text}}) {
    mu::data item;
    item.set("name", name);
    item.set("label", label);
    item.set("value", value);
    item.set("size", name == "text" ? "24" : "10");
    text_filters.push_back(item);
  }
  d.set("text_filters", text_filters);
  if (query.from) d.set("from", format_date(*query.from));
  if (query.to) d.set("to", format_date(*query.to));
  d.set("total", std::to_string(page.total));
  if (page.total == 1) d.set("one", true);
  if (!page.rows.empty()) {
    mu::data shown;
    shown.set("first", std::to_string(query.offset + 1));
    shown.set("last", std::to_string(query.offset + page.rows.size()));
    d.set("shown", shown);
  }
  if (as_of) d.set("as_of", format_date(*as_of));
  mu::data rows{mu::data::type::list};
  size_t rank = query.offset;
  for (const SignalRow& row : page.rows) {
    mu::data item;
    set_row(item, row, names);
    item.set("rank", std::to_string(++rank));
    rows.push_back(item);
  }
  d.set("rows", rows);
  if (query.offset > 0) {
    SignalQuery prev = query;
    prev.offset = query.offset > query.limit ? query.offset - query.limit : 0;
    mu::data link;
    link.set("href", "/?" + signal_query_string(prev));
    d.set("prev", link);
  }
  if (query.offset + page.rows.size() < page.total) {
    SignalQuery next = query;
    next.offset = query.offset + query.limit;
    mu::data link;
    link.set("href", "/?" + signal_query_string(next));
    d.set("next", link);
  }
  return render("queue", std::move(d), who);
}

std::string render_signal_page(const SignalDetail& detail, const std::optional<Signal>& latest,
                               const Identity& who, const ReferenceNames& names,
                               const ReviewOptions& options) {
  mu::data d;
  const SignalRow& row = detail.row;
  d.set("page_title", "Signal " + row.signal_id);
  set_row(d, row, names);
  d.set("plain_summary", plain_summary(row, names));
  d.set("chart_heading", "Chart");
  if (latest) {
    set_chart(d, *latest, names);
    set_analysis(d, *latest, options);
  }
  mu::data lifecycle{mu::data::type::list};
  for (const LifecycleStep& step : detail.lifecycle) {
    mu::data item;
    item.set("type", std::string(to_string(step.type)));
    item.set("sequence", std::to_string(step.sequence));
    item.set("fired_at", format_date(step.fired_at));
    item.set("observed", std::to_string(step.observed));
    item.set("severity", std::string(to_string(step.severity)));
    lifecycle.push_back(item);
  }
  d.set("lifecycle", lifecycle);
  mu::data decisions{mu::data::type::list};
  for (const Decision& decision : detail.decisions) {
    mu::data item;
    item.set("decision_id", decision.decision_id);
    item.set("time", format_time_ms(decision.time_ms));
    item.set("reviewer", decision.reviewer);
    item.set("state", std::string(to_string(decision.state)));
    item.set("reason", decision.reason);
    std::string suppression;
    if (decision.until) suppression = "until " + format_date(*decision.until);
    if (decision.renotify_multiple) {
      if (!suppression.empty()) suppression += "; ";
      suppression += "until " + statistic_value(*decision.renotify_multiple) + " × " +
                     std::to_string(decision.observed_at_decision) + " reports";
    }
    item.set("suppression", suppression);
    decisions.push_back(item);
  }
  d.set("decisions", decisions);
  if (who.role == Role::kReviewer) {
    d.set("can_decide", true);
    mu::data states{mu::data::type::list};
    for (const ReviewState s :
         {ReviewState::kUnderReview, ReviewState::kValidated, ReviewState::kDismissed,
          ReviewState::kKnownIssue, ReviewState::kClosed}) {
      if (!check_review_transition(row.state, s).is_ok()) continue;
      mu::data item;
      item.set("value", std::string(to_string(s)));
      std::string label(to_string(s));
      for (char& c : label) c = c == '_' ? ' ' : c;
      item.set("label", label);
      states.push_back(item);
    }
    d.set("decision_states", states);
  } else {
    d.set("read_only_note", who.role == Role::kViewer
                                ? "You can read this signal; recording decisions is for reviewers."
                                : "Sign in as a reviewer to record a decision.");
  }
  return render("signal", std::move(d), who);
}

std::string render_error_page(std::string_view heading, std::string_view message,
                              const Identity& who) {
  mu::data d;
  d.set("page_title", std::string(heading));
  d.set("heading", std::string(heading));
  d.set("message", std::string(message));
  return render("error", std::move(d), who);
}

}  // namespace vigil

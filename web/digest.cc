#include "web/digest.h"

#include <cmath>
#include <kainjow/mustache.hpp>

#include "web/signal_text.h"
#include "web/web_assets.h"

namespace vigil {
namespace {

namespace mu = kainjow::mustache;

// Backslash before every character Markdown (CommonMark) could read as
// markup, and entities for the ones raw HTML would use.
std::string escape_markdown(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '(':
      case ')':
      case '|':
      case '#':
      case '~':
      case '!':
        out += '\\';
        out += c;
        break;
      case '\n':
      case '\r':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string priority_text(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", std::isfinite(value) ? value : 0.0);
  return buf;
}

std::string link_for(std::string_view base_url, const std::string& signal_id) {
  std::string base(base_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/signals/" + signal_id;
}

}  // namespace

Result<IsoWeek> parse_iso_week(std::string_view text) {
  auto bad = [&] {
    return make_error(
        ErrorKind::kInvalidArgument,
        "week '" + std::string(text) + "' is not an ISO week YYYY-Www (e.g. 2024-W05)");
  };
  if (text.size() != 8 || text[4] != '-' || text[5] != 'W') return bad();
  for (const size_t i : {0, 1, 2, 3, 6, 7}) {
    if (text[i] < '0' || text[i] > '9') return bad();
  }
  const std::string year(text.substr(0, 4));
  const int week = std::stoi(std::string(text.substr(6, 2)));
  const auto january_4 = parse_date(year + "-01-04");
  if (!january_4 || week < 1) return bad();
  IsoWeek out;
  out.label = std::string(text);
  out.monday = Date{week_start(week_of(*january_4) + week - 1)};
  out.sunday = Date{out.monday.days + 6};
  // Week 53 exists only when that week's Thursday is still in the year.
  if (format_date(Date{out.monday.days + 3}).substr(0, 4) != year) return bad();
  return out;
}

Result<std::string> render_digest(const ReviewStore& store, const IsoWeek& week,
                                  DigestFormat format, std::string_view base_url,
                                  const ReferenceNames& names) {
  SignalQuery query;
  query.status = "all";
  // Every signal with a transition that week, decided or held back alike,
  // so a week's digest reads the same whenever it is made.
  query.include_suppressed = true;
  query.fired_from = week.monday;
  query.fired_to = week.sunday;
  query.limit = kMaxPageSize;
  std::vector<SignalRow> rows;
  size_t total = 0;
  do {
    auto page = store.query(query);
    if (!page) return page.error();
    total = page.value().total;
    for (SignalRow& row : page.value().rows) rows.push_back(std::move(row));
    if (page.value().rows.empty()) break;
    query.offset += page.value().rows.size();
  } while (rows.size() < total);

  if (format == DigestFormat::kMarkdown) {
    std::string out = "# Vigil weekly digest, " + week.label + "\n\n" +
                      std::to_string(rows.size()) + (rows.size() == 1 ? " signal" : " signals") +
                      " fired from " + format_date(week.monday) + " to " +
                      format_date(week.sunday) + ", highest priority first.\n";
    if (!rows.empty()) {
      out +=
          "\n| # | Priority | Signal | Detector | Severity | Observed | Expected | State | Latest "
          "|\n"
          "|---|---|---|---|---|---|---|---|---|\n";
    }
    size_t rank = 0;
    for (const SignalRow& row : rows) {
      out += "| " + std::to_string(++rank) + " | " + priority_text(row.priority.total) + " | [" +
             escape_markdown(key_title(row.key, names)) + "](" + link_for(base_url, row.signal_id) +
             ") | " + escape_markdown(row.detector) + " (" + escape_markdown(row.method) + ") | " +
             std::string(to_string(row.severity)) + " | " + std::to_string(row.observed) + " | " +
             readable_number(row.expected) + " | " + std::string(to_string(row.state)) + " | " +
             std::string(to_string(row.latest)) + " " + format_date(row.last_fired) + " |\n";
    }
    return out;
  }

  mu::data d;
  d.set("week", week.label);
  d.set("week_start", format_date(week.monday));
  d.set("week_end", format_date(week.sunday));
  d.set("total", std::to_string(rows.size()));
  if (rows.size() == 1) d.set("one", true);
  if (!rows.empty()) d.set("has_rows", true);
  mu::data list{mu::data::type::list};
  size_t rank = 0;
  for (const SignalRow& row : rows) {
    mu::data item;
    item.set("rank", std::to_string(++rank));
    item.set("priority", priority_text(row.priority.total));
    item.set("url", link_for(base_url, row.signal_id));
    item.set("title", key_title(row.key, names));
    item.set("detector", row.detector);
    item.set("method", row.method);
    item.set("severity", std::string(to_string(row.severity)));
    item.set("observed", std::to_string(row.observed));
    item.set("expected", readable_number(row.expected));
    item.set("state", std::string(to_string(row.state)));
    item.set("latest", std::string(to_string(row.latest)));
    item.set("last_fired", format_date(row.last_fired));
    list.push_back(item);
  }
  d.set("rows", list);
  const auto text = web_asset("templates/digest.mustache");
  mu::mustache tmpl(text ? std::string(*text) : std::string());
  if (!tmpl.is_valid())
    return make_error(ErrorKind::kFatal, "digest template: " + tmpl.error_message());
  return tmpl.render(d);
}

}  // namespace vigil

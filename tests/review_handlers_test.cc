// The review application's routes (web/review_handlers.h) over an in-memory
// store: the queue in priority order as JSON and HTML, a signal's page and
// JSON with its chart and evidence, recording decisions and every refusal
// of contract §3 (400, 403, 404, 409, 415), and escaping of markup that
// came from reports.
#include "web/review_handlers.h"

#include <simdjson.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <memory>
#include <regex>
#include <string>

#include "core/civil_date.h"
#include "core/signal.h"
#include "review/review_store.h"
#include "sinks/cloudevent_encoder.h"
#include "web/http_exchange.h"

namespace vigil {
namespace {

constexpr int64_t kNow = 1717236000000;  // 2024-06-01T10:00:00Z
constexpr std::string_view kMarkupDevice = "<script>alert(1)</script>\"><img src=x>";

Date date(const char* text) { return *parse_date(text); }

Signal make_signal(std::string id, Severity severity, int64_t observed, std::vector<KeyPart> key) {
  Signal s;
  s.signal_id = std::move(id);
  s.detector = "device_farrington";
  s.method = "farringtonFlexible";
  s.key = std::move(key);
  s.period_start = date("2024-05-20");
  s.period_end = date("2024-05-26");
  s.fired_at = date("2024-05-27");
  s.observed = observed;
  s.expected = 3.5;
  s.threshold = 7.25;
  s.score = 2.0;
  s.severity = severity;
  s.evidence_count = observed;
  s.evidence_orgs = 3;
  s.event_ids = {"LFPSE-1", "LFPSE 2/x"};
  s.summary = "device reports rose";
  return s;
}

SignalSeries series_of(size_t n, size_t flagged_last) {
  SignalSeries series;
  series.measure = "count";
  for (size_t i = 0; i < n; ++i) {
    PeriodPoint p;
    p.start = Date{date("2023-05-29").days + static_cast<int32_t>(7 * i)};
    p.end = Date{p.start.days + 6};
    p.value = static_cast<double>(i % 5);
    p.expected = 3.5;
    p.threshold = 7.25;
    p.flagged = i + flagged_last >= n;
    series.points.push_back(p);
  }
  return series;
}

struct Fixture {
  Fixture() {
    auto opened = ReviewStore::open(":memory:", names);
    BOOST_REQUIRE(opened.is_ok());
    store = std::move(opened).value();
    names.add("org", "RXX", "Royal Example NHS Trust");
    Signal markup = make_signal("a000000000000001", Severity::kHigh, 12,
                                {{"device", std::string(kMarkupDevice)}, {"org", "RXX"}});
    markup.series = series_of(52, 2);
    add(markup);
    add(make_signal("a000000000000002", Severity::kCritical, 30, {{"device", "infusion pump"}}));
    add(make_signal("a000000000000003", Severity::kLow, 8, {{"device", "catheter"}}));
    Signal funnel = make_signal("a000000000000004", Severity::kMedium, 20, {{"org", "RXX"}});
    funnel.method = "funnel";
    funnel.funnel = FunnelPlot{0.998, {{"RAA", 5, 5.0, 0.5, 1.6}, {"RXX", 20, 5.0, 0.5, 1.6}}};
    funnel.table = ContingencyTable{20, 80, 100, 9800};
    funnel.statistics = {{"prr", 2.5}, {"ic025", 0.75}};
    add(funnel);
    options.identity.local_reviewer = "alice";
    options.report_url_template = "https://reports.example/r/{id}";
  }

  void add(const Signal& s) {
    BOOST_REQUIRE(store->add_signal(s, encode_cloudevent(s, "national")).is_ok());
  }

  HttpResponse request(const std::string& method, const std::string& target, std::string body = "",
                       std::string content_type = "application/json", std::string origin = "",
                       std::string host = "127.0.0.1:8080") {
    ReviewHandlers handlers(options, *store, names, nullptr, [] { return kNow; });
    HttpRequest r;
    r.method = method;
    const size_t q = target.find('?');
    r.path = target.substr(0, q);
    r.query = q == std::string::npos ? "" : target.substr(q + 1);
    r.remote_address = "127.0.0.1";
    r.headers["host"] = host;
    if (!content_type.empty()) r.headers["content-type"] = content_type;
    if (!origin.empty()) r.headers["origin"] = origin;
    r.body = std::move(body);
    return handlers.handle(r);
  }

  ReferenceNames names;
  std::unique_ptr<ReviewStore> store;
  ReviewOptions options;
};

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

size_t count_class(const std::string& html, const std::string& css_class) {
  const std::regex pattern("class=\"([^\"]* )?" + css_class + "( [^\"]*)?\"");
  return static_cast<size_t>(std::distance(std::sregex_iterator(html.begin(), html.end(), pattern),
                                           std::sregex_iterator()));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(review_handlers_test)

BOOST_FIXTURE_TEST_CASE(the_api_lists_signals_by_priority_with_their_parts, Fixture) {
  const HttpResponse r = request("GET", "/api/v1/signals");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.content_type == "application/json");
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(r.body);
  BOOST_TEST(int64_t(root["total"]) == 4);
  std::vector<double> priorities;
  for (simdjson::dom::element item : simdjson::dom::array(root["items"])) {
    priorities.push_back(double(item["priority"]));
    BOOST_TEST(std::string_view(item["state"]) == "new");
    const double parts =
        double(item["priority_parts"]["strength"]) + double(item["priority_parts"]["severity"]) +
        double(item["priority_parts"]["spread"]) + double(item["priority_parts"]["trend"]) +
        double(item["priority_parts"]["recency"]);
    BOOST_TEST(parts == double(item["priority"]), boost::test_tools::tolerance(1e-9));
  }
  BOOST_TEST(priorities.size() == 4u);
  BOOST_TEST(std::is_sorted(priorities.rbegin(), priorities.rend()));

  // Filters and paging.
  simdjson::dom::element filtered =
      parser.parse(request("GET", "/api/v1/signals?severity=high&limit=1").body);
  BOOST_TEST(int64_t(filtered["total"]) == 2);  // high and critical
  BOOST_TEST(simdjson::dom::array(filtered["items"]).size() == 1u);
  BOOST_TEST(std::string_view(filtered["next"]) ==
             "/api/v1/signals?severity=high&offset=1&limit=1");
  BOOST_TEST(request("GET", "/api/v1/signals?colour=red").status == 400);
  BOOST_TEST(request("GET", "/api/v1/signals?limit=0").status == 400);
  BOOST_TEST(request("GET", "/api/v1/signals?from=2024-13-01").status == 400);
  BOOST_TEST(request("DELETE", "/api/v1/signals").status == 405);
}

BOOST_FIXTURE_TEST_CASE(the_queue_page_ranks_rows_as_the_api_does, Fixture) {
  const HttpResponse page = request("GET", "/");
  BOOST_TEST(page.status == 200);
  BOOST_TEST(page.content_type == "text/html; charset=utf-8");
  const std::regex row("<tr class=\"signal-row[^\"]*\" data-signal-id=\"([0-9a-f]+)\"");
  std::vector<std::string> page_order;
  for (auto it = std::sregex_iterator(page.body.begin(), page.body.end(), row);
       it != std::sregex_iterator(); ++it) {
    page_order.push_back((*it)[1].str());
  }
  simdjson::dom::parser parser;
  std::vector<std::string> api_order;
  for (simdjson::dom::element item :
       simdjson::dom::array(parser.parse(request("GET", "/api/v1/signals").body)["items"])) {
    api_order.emplace_back(std::string_view(item["signal_id"]));
  }
  BOOST_TEST(page_order == api_order, boost::test_tools::per_element());
  // Names beside codes.
  BOOST_TEST(page.body.find("Royal Example NHS Trust (RXX)") != std::string::npos);
  BOOST_TEST(request("GET", "/?state=sleeping").status == 400);
}

BOOST_FIXTURE_TEST_CASE(markup_from_reports_is_escaped_everywhere, Fixture) {
  for (const std::string target : {"/", "/signals/a000000000000001", "/?text=script"}) {
    const HttpResponse page = request("GET", target);
    BOOST_TEST_CONTEXT(target) {
      BOOST_TEST(page.status == 200);
      BOOST_TEST(page.body.find("<script>alert") == std::string::npos);
      BOOST_TEST(page.body.find("<img src=x>") == std::string::npos);
      BOOST_TEST(
          page.body.find("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x&gt;") !=
          std::string::npos);
    }
  }
  // The API carries the key exactly, as JSON (served as application/json, nosniff).
  simdjson::dom::parser parser;
  simdjson::dom::element detail =
      parser.parse(request("GET", "/api/v1/signals/a000000000000001").body);
  BOOST_TEST(std::string_view(detail["key"]["device"]) == kMarkupDevice);
}

BOOST_FIXTURE_TEST_CASE(pages_and_api_show_no_stratum_cell_of_one_to_four, Fixture) {
  // A signal from the topic as an older version wrote it: "other" 2, and a
  // sex breakdown of 3 reports in all. The page and the API pool the small
  // "other" with the smallest named cell and leave out the sex breakdown.
  Signal s = make_signal("a000000000000005", Severity::kMedium, 17, {{"device", "stent"}});
  s.strata = {{"ethnicity", {{"A", 10}, {"M", 5}, {"Z", 9}}}, {"sex", {{"female", 10}, {"male", 5}}}};
  std::string json = encode_cloudevent(s, "national");
  const std::string written = R"({"A":10,"M":5,"Z":9}},{"dimension":"sex","counts":{"female":10,"male":5}})";
  const std::string older = R"({"A":10,"M":5,"other":2}},{"dimension":"sex","counts":{"female":3}})";
  BOOST_TEST_REQUIRE(json.find(written) != std::string::npos, json);
  json.replace(json.find(written), written.size(), older);
  BOOST_REQUIRE(store->add_signal(s, json).is_ok());

  const HttpResponse page = request("GET", "/signals/a000000000000005");
  BOOST_TEST(page.status == 200);
  BOOST_TEST(count(page.body, "<tr class=\"stratum\">") == 2u, page.body);
  BOOST_TEST(count(page.body, "<td>A</td><td class=\"num\">10</td>") == 1u);
  BOOST_TEST(count(page.body, "<td>other</td><td class=\"num\">7</td>") == 1u);
  BOOST_TEST(count(page.body, "<caption>sex</caption>") == 0u);

  simdjson::dom::parser parser;
  simdjson::dom::element detail = parser.parse(request("GET", "/api/v1/signals/a000000000000005").body);
  simdjson::dom::array strata = detail["strata"];
  BOOST_TEST_REQUIRE(strata.size() == 1u);
  BOOST_TEST(int64_t(strata.at(0)["counts"]["A"]) == 10);
  BOOST_TEST(int64_t(strata.at(0)["counts"]["other"]) == 7);
  BOOST_TEST(simdjson::dom::object(strata.at(0)["counts"]).size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(the_signal_page_shows_chart_evidence_and_form, Fixture) {
  const HttpResponse page = request("GET", "/signals/a000000000000001");
  BOOST_TEST(page.status == 200);
  BOOST_TEST(count_class(page.body, "point") == 52u);
  BOOST_TEST(count_class(page.body, "flagged") == 2u);
  BOOST_TEST(count(page.body, "id=\"decision-form\"") == 1u);
  BOOST_TEST(count(page.body, "<script src=\"/static/decision.js\"></script>") == 1u);
  BOOST_TEST(count(page.body, "<script") == 1u);  // no inline script
  // Report ids linked through the template, URL-encoded.
  BOOST_TEST(count(page.body, "href=\"https://reports.example/r/LFPSE%202%2Fx\"") == 1u);
  BOOST_TEST(page.body.find("Royal Example NHS Trust") != std::string::npos);

  const HttpResponse funnel = request("GET", "/signals/a000000000000004");
  BOOST_TEST(count_class(funnel.body, "point") == 2u);
  BOOST_TEST(count_class(funnel.body, "highlighted") == 1u);
  BOOST_TEST(count(funnel.body, "id=\"cell-d\">9800<") == 1u);
  BOOST_TEST(count_class(funnel.body, "statistic") == 2u);

  simdjson::dom::parser parser;
  simdjson::dom::element detail =
      parser.parse(request("GET", "/api/v1/signals/a000000000000004").body);
  BOOST_TEST(int64_t(detail["table"]["d"]) == 9800);
  BOOST_TEST(double(detail["statistics"]["prr"]) == 2.5);
  BOOST_TEST(std::string_view(detail["funnel"]["own_unit"]) == "RXX");
  BOOST_TEST(std::string_view(detail["funnel"]["points"].at(1)["unit_name"]) ==
             "Royal Example NHS Trust");
  BOOST_TEST(simdjson::dom::array(detail["lifecycle"]).size() == 1u);
  BOOST_TEST(std::string_view(detail["evidence"]["report_urls"].at(1)) ==
             "https://reports.example/r/LFPSE%202%2Fx");

  BOOST_TEST(request("GET", "/signals/ffffffffffffffff").status == 404);
  BOOST_TEST(request("GET", "/api/v1/signals/ffffffffffffffff").status == 404);
  BOOST_TEST(request("GET", "/signals/<x>").status == 404);
}

BOOST_FIXTURE_TEST_CASE(a_reviewer_records_decisions_kept_in_the_audit_trail, Fixture) {
  const HttpResponse created =
      request("POST", "/api/v1/signals/a000000000000002/decisions",
              R"({"state":"under_review","reason":"checking with the MHRA"})",
              "application/json; charset=utf-8", "http://127.0.0.1:8080");
  BOOST_TEST(created.status == 201);
  simdjson::dom::parser parser;
  simdjson::dom::element d = parser.parse(created.body);
  BOOST_TEST(std::string_view(d["decision_id"]) == "a000000000000002-d1");
  BOOST_TEST(std::string_view(d["state"]) == "under_review");
  BOOST_TEST(std::string_view(d["reviewer"]) == "alice");
  BOOST_TEST(int64_t(d["time_ms"]) == kNow);
  BOOST_TEST(std::string_view(d["time"]) == "2024-06-01T10:00:00.000Z");
  BOOST_TEST(int64_t(d["observed_at_decision"]) == 30);

  const HttpResponse second =
      request("POST", "/api/v1/signals/a000000000000002/decisions",
              R"({"state":"known_issue","reason":"known pump fault","renotify_multiple":2})");
  BOOST_TEST(second.status == 201);
  simdjson::dom::element detail =
      parser.parse(request("GET", "/api/v1/signals/a000000000000002").body);
  BOOST_TEST(std::string_view(detail["state"]) == "known_issue");
  BOOST_TEST(simdjson::dom::array(detail["decisions"]).size() == 2u);
  BOOST_TEST(std::string_view(detail["decisions"].at(0)["reason"]) == "checking with the MHRA");

  const HttpResponse page = request("GET", "/signals/a000000000000002");
  BOOST_TEST(count(page.body, "<tr class=\"decision\"") == 2u);
  BOOST_TEST(page.body.find("known pump fault") != std::string::npos);
  BOOST_TEST(page.body.find("2024-06-01 10:00 UTC") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(refusals_follow_the_contract, Fixture) {
  const std::string id = "a000000000000003";
  const std::string path = "/api/v1/signals/" + id + "/decisions";
  const std::string ok_body = R"({"state":"closed","reason":"duplicate of another signal"})";
  BOOST_TEST(request("POST", path, ok_body, "text/plain").status == 415);
  BOOST_TEST(request("POST", path, ok_body, "application/x-www-form-urlencoded").status == 415);
  BOOST_TEST(request("POST", path, ok_body, "").status == 415);
  BOOST_TEST(request("POST", path, ok_body, "application/json", "https://evil.example").status ==
             403);
  BOOST_TEST(request("POST", path, ok_body, "application/json", "null").status == 403);
  BOOST_TEST(request("POST", path, "{not json", "application/json").status == 400);
  BOOST_TEST(request("POST", path, R"({"state":"new","reason":"x"})").status == 400);
  BOOST_TEST(request("POST", path, R"({"state":"closed"})").status == 400);
  BOOST_TEST(request("POST", "/api/v1/signals/ffffffffffffffff/decisions", ok_body).status == 404);
  BOOST_TEST(request("GET", path).status == 405);
  BOOST_TEST(request("POST", path, ok_body).status == 201);
  // Closed: only "under review" reopens it.
  BOOST_TEST(request("POST", path, R"({"state":"validated","reason":"x"})").status == 409);
  BOOST_TEST(request("POST", path, R"({"state":"under_review","reason":"reopened"})").status ==
             201);

  // Nobody identified, and a viewer: 403, and no form on the page.
  options.identity.local_reviewer.clear();
  BOOST_TEST(request("POST", path, ok_body).status == 403);
  BOOST_TEST(count(request("GET", "/signals/" + id).body, "decision-form") == 0u);
  options.identity.local_reviewer = "victor";
  options.identity.reviewers = {"alice"};
  const HttpResponse viewer = request("POST", path, ok_body);
  BOOST_TEST(viewer.status == 403);
  BOOST_TEST(viewer.body == R"({"error":"only reviewers may record decisions"})");
}

BOOST_FIXTURE_TEST_CASE(static_files_and_probes, Fixture) {
  const HttpResponse css = request("GET", "/static/review.css");
  BOOST_TEST(css.status == 200);
  BOOST_TEST(css.content_type == "text/css; charset=utf-8");
  BOOST_TEST(request("GET", "/static/decision.js").content_type ==
             "text/javascript; charset=utf-8");
  BOOST_TEST(request("GET", "/static/../templates/queue.mustache").status == 404);
  BOOST_TEST(request("GET", "/static/templates/queue.mustache").status == 404);
  BOOST_TEST(request("GET", "/healthz").status == 200);
  BOOST_TEST(request("GET", "/readyz").status == 200);
  BOOST_TEST(request("GET", "/nowhere").status == 404);
  bool csp = false;
  for (const auto& [name, value] : security_headers()) {
    if (name == "Content-Security-Policy") {
      csp = value.find("default-src 'none'") != std::string::npos &&
            value.find("script-src 'self'") != std::string::npos &&
            value.find("frame-ancestors 'none'") != std::string::npos;
    }
  }
  BOOST_TEST(csp);
}

BOOST_FIXTURE_TEST_CASE(only_known_host_names_are_answered, Fixture) {
  // A rebound name (a page's own domain resolving to 127.0.0.1) is refused,
  // reads and decisions alike; the probes answer whatever name they use.
  const std::string decision = R"({"state":"under_review","reason":"look"})";
  BOOST_TEST(request("GET", "/", "", "", "", "evil.example:8080").status == 421);
  BOOST_TEST(request("GET", "/api/v1/signals", "", "", "", "evil.example").status == 421);
  BOOST_TEST(request("POST", "/api/v1/signals/a000000000000002/decisions", decision,
                     "application/json", "http://evil.example:8080", "evil.example:8080")
                 .status == 421);
  BOOST_TEST(request("GET", "/healthz", "", "", "", "10.1.2.3:8080").status == 200);
  BOOST_TEST(request("GET", "/", "", "", "", "localhost:8080").status == 200);
  BOOST_TEST(request("GET", "/", "", "", "", "[::1]:8080").status == 200);
  // The external name of a deployment, from review.base_url.
  options.base_url = "https://vigil.example.nhs.uk";
  BOOST_TEST(request("GET", "/", "", "", "", "vigil.example.nhs.uk").status == 200);
  BOOST_TEST(request("GET", "/", "", "", "", "other.example.nhs.uk").status == 421);
  BOOST_TEST(request("POST", "/api/v1/signals/a000000000000002/decisions", decision,
                     "application/json", "https://vigil.example.nhs.uk", "vigil.example.nhs.uk")
                 .status == 201);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace vigil

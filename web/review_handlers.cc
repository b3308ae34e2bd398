#include "web/review_handlers.h"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "sinks/cloudevent_decoder.h"
#include "web/identity.h"
#include "web/review_pages.h"
#include "web/signal_json.h"
#include "web/signal_query_params.h"
#include "web/web_assets.h"

namespace vigil {
namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kApiSignals = "/api/v1/signals";
constexpr std::string_view kDecisions = "/decisions";

HttpResponse json_answer(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = std::string(kJson);
  r.body = std::move(body);
  return r;
}

HttpResponse json_error(int status, std::string_view message) {
  return json_answer(status, error_json(message));
}

HttpResponse html_answer(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse method_not_allowed(std::string_view allow, bool api) {
  HttpResponse r =
      api ? json_error(405, "method not allowed") : html_answer(405, "method not allowed");
  if (!api) r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

// Signal ids are 16 hex digits (contract §2); the check also keeps any odd
// path out of the store and out of messages.
bool plausible_signal_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

bool is_read(const HttpRequest& request) {
  return request.method == "GET" || request.method == "HEAD";
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "application/json; charset=utf-8" -> "application/json".
std::string media_type(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  while (!type.empty() && type.front() == ' ') type.remove_prefix(1);
  return lower(type);
}

// "https://host:port/path" -> "https://host:port".
std::string origin_of(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  const size_t path = url.find('/', scheme + 3);
  return lower(url.substr(0, path));
}

std::optional<Signal> decode_latest(const SignalDetail& detail) {
  auto decoded = decode_cloudevent(detail.cloudevent);
  if (!decoded) return std::nullopt;
  return std::move(decoded).value();
}

}  // namespace

ReviewHandlers::ReviewHandlers(ReviewOptions options, ReviewStore& store,
                               const ReferenceNames& names, DecisionPublisher* publisher,
                               Clock clock, const std::atomic<bool>* ready)
    : options_(std::move(options)),
      store_(store),
      names_(names),
      publisher_(publisher),
      clock_(std::move(clock)),
      ready_(ready) {}

int64_t ReviewHandlers::system_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The host part of a Host header or URL authority: "[::1]:8080" -> "[::1]",
// "example.org:443" -> "example.org".
std::string host_name(std::string_view authority) {
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    return lower(authority.substr(0, close == std::string_view::npos ? authority.size() : close + 1));
  }
  return lower(authority.substr(0, authority.find(':')));
}

// DNS rebinding: a web page whose name was made to resolve to 127.0.0.1
// would otherwise reach a local `vigil serve --reviewer NAME`, same-origin
// in the browser's eyes, and record decisions as NAME. The service answers
// only to names it knows: loopback names, its bind address and the host of
// review.base_url; with a wildcard bind and no base_url it cannot know, and
// answers any (a deployment sets base_url).
bool ReviewHandlers::host_allowed(const HttpRequest& request) const {
  const std::string_view host = request.header("host");
  if (host.empty()) return true;  // HTTP/1.0: no name to rebind
  const std::string name = host_name(host);
  if (name == "localhost" || name == "127.0.0.1" || name == "[::1]") return true;
  if (!options_.base_url.empty()) {
    const std::string base = origin_of(options_.base_url);
    const size_t scheme = base.find("://");
    if (scheme != std::string::npos && name == host_name(std::string_view(base).substr(scheme + 3))) return true;
  }
  const std::string bind = lower(options_.bind);
  if (bind == "0.0.0.0" || bind == "::" || bind == "[::]") return options_.base_url.empty();
  return name == bind || name == "[" + bind + "]";
}

HttpResponse ReviewHandlers::handle(const HttpRequest& request) const {
  const std::string_view path = request.path;
  // Probes name the pod's address; they read nothing a page could misuse.
  if (path != "/healthz" && path != "/readyz" && !host_allowed(request)) {
    return html_answer(421, "this service does not answer to that host name");
  }
  if (path.starts_with(kApiSignals)) {
    std::string_view rest = path.substr(kApiSignals.size());
    if (rest.empty() || rest == "/") {
      if (!is_read(request)) return method_not_allowed("GET, HEAD", true);
      return list_signals(request);
    }
    rest.remove_prefix(1);
    if (rest.ends_with(kDecisions)) {
      const std::string_view id = rest.substr(0, rest.size() - kDecisions.size());
      if (!plausible_signal_id(id)) return json_error(404, "no such signal");
      if (request.method != "POST") return method_not_allowed("POST", true);
      return post_decision(request, id);
    }
    if (!plausible_signal_id(rest)) return json_error(404, "no such signal");
    if (!is_read(request)) return method_not_allowed("GET, HEAD", true);
    return get_signal(rest);
  }
  if (path.starts_with("/api/")) return json_error(404, "no such resource");
  if (!is_read(request)) return method_not_allowed("GET, HEAD", false);
  if (path == "/") return queue_page(request);
  constexpr std::string_view kSignals = "/signals/";
  if (path.starts_with(kSignals)) return signal_page(request, path.substr(kSignals.size()));
  if (path.starts_with("/static/")) return static_file(path.substr(1));
  if (path == "/healthz") {
    HttpResponse r = html_answer(200, "ok");
    r.content_type = "text/plain; charset=utf-8";
    return r;
  }
  if (path == "/readyz") {
    // Ready once the source has filled the store with what it held at start.
    const bool ready = ready_ == nullptr || ready_->load(std::memory_order_acquire);
    HttpResponse r = html_answer(ready ? 200 : 503, ready ? "ready" : "not ready");
    r.content_type = "text/plain; charset=utf-8";
    return r;
  }
  return html_answer(404, render_error_page("Not found", "There is no page at this address.",
                                            identify(request, options_.identity)));
}

HttpResponse ReviewHandlers::queue_page(const HttpRequest& request) const {
  const Identity who = identify(request, options_.identity);
  auto query = parse_signal_query(request.query);
  if (!query) return html_answer(400, render_error_page("Bad filter", query.error().message, who));
  auto page = store_.query(query.value());
  if (!page) return html_answer(500, render_error_page("Store failure", page.error().message, who));
  return html_answer(
      200, render_queue_page(page.value(), query.value(), store_.stream_time(), who, names_));
}

HttpResponse ReviewHandlers::signal_page(const HttpRequest& request,
                                         std::string_view signal_id) const {
  const Identity who = identify(request, options_.identity);
  if (!plausible_signal_id(signal_id)) {
    return html_answer(404, render_error_page("Unknown signal", "There is no such signal.", who));
  }
  auto detail = store_.get(signal_id);
  if (!detail) {
    const bool missing = detail.error().kind == ErrorKind::kNotFound;
    return html_answer(
        missing ? 404 : 500,
        render_error_page(
            missing ? "Unknown signal" : "Store failure",
            missing ? "There is no signal " + std::string(signal_id) + "." : detail.error().message,
            who));
  }
  return html_answer(200, render_signal_page(detail.value(), decode_latest(detail.value()), who,
                                             names_, options_));
}

HttpResponse ReviewHandlers::list_signals(const HttpRequest& request) const {
  auto query = parse_signal_query(request.query);
  if (!query) return json_error(400, query.error().message);
  auto page = store_.query(query.value());
  if (!page) return json_error(500, page.error().message);
  return json_answer(200,
                     signal_page_json(page.value(), query.value(), store_.stream_time(), names_));
}

HttpResponse ReviewHandlers::get_signal(std::string_view signal_id) const {
  auto detail = store_.get(signal_id);
  if (!detail) {
    const bool missing = detail.error().kind == ErrorKind::kNotFound;
    return json_error(missing ? 404 : 500, missing ? "no such signal" : detail.error().message);
  }
  return json_answer(
      200, signal_detail_json(detail.value(), decode_latest(detail.value()), names_, options_));
}

bool ReviewHandlers::same_origin(const HttpRequest& request) const {
  const std::string_view origin = request.header("origin");
  if (origin.empty()) return true;  // not sent by a browser's cross-site request
  const std::string claimed = lower(origin);
  if (!options_.base_url.empty() && claimed == origin_of(options_.base_url)) return true;
  const std::string host = lower(request.header("host"));
  return !host.empty() && (claimed == "http://" + host || claimed == "https://" + host);
}

HttpResponse ReviewHandlers::post_decision(const HttpRequest& request,
                                           std::string_view signal_id) const {
  if (media_type(request.header("content-type")) != kJson) {
    return json_error(415, "a decision is sent as Content-Type application/json");
  }
  if (!same_origin(request))
    return json_error(403, "cross-origin requests may not record decisions");
  const Identity who = identify(request, options_.identity);
  if (who.role != Role::kReviewer) {
    return json_error(403, who.role == Role::kViewer ? "only reviewers may record decisions"
                                                     : "sign in as a reviewer to record decisions");
  }
  if (request.body.size() > kMaxRequestBodyBytes) return json_error(413, "request body too large");
  auto parsed = parse_decision_request(request.body);
  if (!parsed) return json_error(400, parsed.error().message);
  // One decision at a time from preparing to storing: a second reviewer's
  // decision on the same signal is checked against the state the first one
  // left and gets the next number, never the same one.
  std::lock_guard recording(*decisions_mu_);
  auto decision = store_.prepare_decision(signal_id, parsed.value(), who.user, clock_());
  if (!decision) {
    switch (decision.error().kind) {
      case ErrorKind::kNotFound:
        return json_error(404, "no such signal");
      case ErrorKind::kInvalidArgument:
        return json_error(409, decision.error().message);
      case ErrorKind::kIo:
      case ErrorKind::kCorruption:
      case ErrorKind::kUnavailable:
      case ErrorKind::kFatal:
        return json_error(500, decision.error().message);
    }
  }
  // Durable first (the reviews topic in Kafka mode), then the view.
  if (publisher_ != nullptr) {
    Status published = publisher_->publish(decision.value());
    if (!published) return json_error(503, "decision not recorded: " + published.message());
  }
  Status applied = store_.apply_decision(decision.value());
  if (!applied) {
    return json_error(applied.error().kind == ErrorKind::kInvalidArgument ? 409 : 500,
                      "decision not stored: " + applied.message());
  }
  HttpResponse r = json_answer(201, decision_json(decision.value()));
  r.headers.emplace_back("Location", "/api/v1/signals/" + std::string(signal_id));
  return r;
}

HttpResponse ReviewHandlers::static_file(std::string_view name) const {
  const auto text = name.starts_with("static/") ? web_asset(name) : std::nullopt;
  if (!text) {
    HttpResponse r = html_answer(404, "not found");
    r.content_type = "text/plain; charset=utf-8";
    return r;
  }
  HttpResponse r = html_answer(200, std::string(*text));
  r.content_type = name.ends_with(".css")  ? "text/css; charset=utf-8"
                   : name.ends_with(".js") ? "text/javascript; charset=utf-8"
                                           : "text/plain; charset=utf-8";
  return r;
}

}  // namespace vigil

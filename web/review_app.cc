#include "web/review_app.h"

#include <civetweb.h>

#include <array>
#include <cctype>
#include <cstring>
#include <exception>
#include <string>

#include "telemetry/civetweb_hardening.h"
#include "web/http_exchange.h"
#include "web/review_handlers.h"

namespace vigil {
namespace {

// civetweb reports why a start failed only through its log callback, which
// has no user data; it runs on the starting thread (as in
// telemetry/http_endpoints.cc).
thread_local std::string* start_log = nullptr;

int capture_start_log(const mg_connection* /*conn*/, const char* message) {
  if (start_log == nullptr || message == nullptr) return 0;
  if (!start_log->empty()) start_log->append("; ");
  start_log->append(message);
  return 1;
}

std::string lower(const char* text) {
  std::string out(text == nullptr ? "" : text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Reads the request into plain values; false when the body is larger than
// the handlers accept (it is then not read at all).
bool read_request(mg_connection* conn, HttpRequest& request) {
  const mg_request_info* info = mg_get_request_info(conn);
  request.method = info->request_method != nullptr ? info->request_method : "";
  request.path = info->local_uri != nullptr ? info->local_uri : "/";
  request.query = info->query_string != nullptr ? info->query_string : "";
  request.remote_address = info->remote_addr;
  for (int i = 0; i < info->num_headers; ++i) {
    request.headers[lower(info->http_headers[i].name)] =
        info->http_headers[i].value != nullptr ? info->http_headers[i].value : "";
  }
  if (info->content_length > static_cast<long long>(kMaxRequestBodyBytes)) return false;
  std::array<char, 8192> buffer{};
  while (request.body.size() <= kMaxRequestBodyBytes) {
    const int n = mg_read(conn, buffer.data(), buffer.size());
    if (n <= 0) break;
    request.body.append(buffer.data(), static_cast<size_t>(n));
  }
  return request.body.size() <= kMaxRequestBodyBytes;
}

int send(mg_connection* conn, const HttpResponse& response, bool head) {
  const std::string length = std::to_string(response.body.size());
  mg_response_header_start(conn, response.status);
  mg_response_header_add(conn, "Content-Type", response.content_type.c_str(), -1);
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  for (const auto& [name, value] : security_headers()) {
    mg_response_header_add(conn, name.c_str(), value.c_str(), -1);
  }
  for (const auto& [name, value] : response.headers) {
    mg_response_header_add(conn, name.c_str(), value.c_str(), -1);
  }
  mg_response_header_send(conn);
  if (!head && !response.body.empty()) mg_write(conn, response.body.data(), response.body.size());
  return response.status;
}

}  // namespace

struct ReviewApp::Impl {
  explicit Impl(ReviewHandlers h) : handlers(std::move(h)) {}
  ~Impl() {
    if (context != nullptr) mg_stop(context);
  }

  static int serve(mg_connection* conn, void* self) {
    const auto* impl = static_cast<const Impl*>(self);
    HttpRequest request;
    const bool complete = read_request(conn, request);
    const bool head = request.method == "HEAD";
    // An exception must not unwind into civetweb's C worker thread.
    try {
      if (!complete) {
        HttpResponse too_large;
        too_large.status = 413;
        too_large.content_type = "application/json";
        too_large.body = R"({"error":"request body too large"})";
        return send(conn, too_large, head);
      }
      return send(conn, impl->handlers.handle(request), head);
    } catch (const std::exception& e) {
      HttpResponse failed;
      failed.status = 500;
      failed.content_type = "text/plain; charset=utf-8";
      failed.body = std::string("internal error: ") + e.what();
      return send(conn, failed, head);
    }
  }

  ReviewHandlers handlers;
  mg_context* context = nullptr;  // owned; mg_stop in the destructor
  uint16_t port = 0;
};

ReviewApp::ReviewApp(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ReviewApp::~ReviewApp() = default;
uint16_t ReviewApp::port() const { return impl_->port; }

Result<std::unique_ptr<ReviewApp>> ReviewApp::start(const ReviewOptions& options,
                                                    ReviewStore& store, const ReferenceNames& names,
                                                    DecisionPublisher* publisher,
                                                    const std::atomic<bool>* ready) {
  auto impl = std::make_unique<Impl>(
      ReviewHandlers(options, store, names, publisher, ReviewHandlers::system_clock_ms, ready));
  const bool ipv6 = options.bind.find(':') != std::string::npos;
  const std::string address =
      (ipv6 ? "[" + options.bind + "]" : options.bind) + ":" + std::to_string(options.port);
  // See telemetry/civetweb_hardening.h and docs/hardening-civetweb.md.
  const std::string threads = std::to_string(kReviewWorkerThreads);
  const std::string timeout = std::to_string(kReviewRequestTimeoutMs);
  const std::string max_request = std::to_string(kReviewMaxRequestBytes);
  const char* config[] = {
      "listening_ports",
      address.c_str(),
      // Workers to spare: each slow client holds one for up to the request
      // timeout, and /healthz must still find one free.
      "num_threads",
      threads.c_str(),
      "request_timeout_ms",
      timeout.c_str(),
      // Request line and headers, which a single sign-on proxy may fill with
      // its own (the body is limited separately, kMaxRequestBodyBytes).
      "max_request_size",
      max_request.c_str(),
      "enable_keep_alive",
      "yes",
      nullptr,
  };
  mg_callbacks callbacks;
  std::memset(&callbacks, 0, sizeof callbacks);
  callbacks.log_message = &capture_start_log;
  callbacks.begin_request = &reject_unsafe_request_target;
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.user_data = impl.get();
  init.configuration_options = config;
  std::array<char, 256> error_text{};
  unsigned error_code = 0;
  mg_error_data error{};
  error.code = &error_code;
  error.text = error_text.data();
  error.text_buffer_size = error_text.size();

  std::string log;
  start_log = &log;
  impl->context = mg_start2(&init, &error);
  start_log = nullptr;
  if (impl->context == nullptr) {
    std::string reason = log.empty() ? std::string(error_text.data()) : log;
    if (reason.empty()) reason = "civetweb error code " + std::to_string(error_code);
    return make_error(ErrorKind::kUnavailable,
                      "review application: cannot listen on " + address + ": " + reason);
  }
  std::array<mg_server_port, 4> ports{};
  const int count =
      mg_get_server_ports(impl->context, static_cast<int>(ports.size()), ports.data());
  if (count < 1 || ports[0].port <= 0 || ports[0].port > 65535) {
    return make_error(ErrorKind::kUnavailable,
                      "review application: no listening port after binding " + address);
  }
  impl->port = static_cast<uint16_t>(ports[0].port);
  // "**": every path; the handlers route and answer 404 themselves.
  mg_set_request_handler(impl->context, "**", &Impl::serve, impl.get());
  return std::unique_ptr<ReviewApp>(new ReviewApp(std::move(impl)));
}

}  // namespace vigil

#include "telemetry/http_endpoints.h"

#include <civetweb.h>

#include <array>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include <prometheus/text_serializer.h>

#include "telemetry/civetweb_hardening.h"

namespace vigil {

namespace {

constexpr const char* kTextPlain = "text/plain; charset=utf-8";
constexpr const char* kPrometheusText = "text/plain; version=0.0.4; charset=utf-8";

enum class Method : uint8_t { kGet, kHead, kOther };

Method method_of(const mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  if (info == nullptr || info->request_method == nullptr) return Method::kOther;
  const std::string_view method = info->request_method;
  if (method == "GET") return Method::kGet;
  if (method == "HEAD") return Method::kHead;
  return Method::kOther;
}

// Sends a complete response and returns `status` for civetweb's access log.
int respond(mg_connection* conn, int status, const char* content_type, std::string_view body,
            Method method) {
  const std::string length = std::to_string(body.size());
  mg_response_header_start(conn, status);
  mg_response_header_add(conn, "Content-Type", content_type, -1);
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  // Health answers must reflect the moment; no proxy may replay them.
  mg_response_header_add(conn, "Cache-Control", "no-store", -1);
  if (status == 405) mg_response_header_add(conn, "Allow", "GET, HEAD", -1);
  mg_response_header_send(conn);
  if (method != Method::kHead && !body.empty()) mg_write(conn, body.data(), body.size());
  return status;
}

// Answers methods other than GET and HEAD; returns 0 when the caller should
// go on and serve the request.
int reject_unsupported_method(mg_connection* conn, Method method) {
  if (method != Method::kOther) return 0;
  return respond(conn, 405, kTextPlain, "method not allowed", method);
}

// civetweb reports why a start failed (e.g. "cannot bind to ...: 98 (Address
// already in use)") only through the log_message callback, which has no
// user data. mg_start2 calls it on the starting thread, so a thread-local
// pointer set around that call collects the messages of exactly that start.
thread_local std::string* start_log = nullptr;

int capture_start_log(const mg_connection* /*conn*/, const char* message) {
  if (start_log == nullptr || message == nullptr) return 0;
  if (!start_log->empty()) start_log->append("; ");
  start_log->append(message);
  return 1;
}

}  // namespace

HttpEndpoints::HttpEndpoints(std::shared_ptr<prometheus::Registry> registry,
                             std::shared_ptr<std::atomic<bool>> ready)
    : registry_(std::move(registry)), ready_(std::move(ready)) {}

HttpEndpoints::~HttpEndpoints() {
  if (context_ != nullptr) mg_stop(context_);
}

Result<std::unique_ptr<HttpEndpoints>> HttpEndpoints::start(
    std::string bind_address, std::shared_ptr<prometheus::Registry> registry,
    std::shared_ptr<std::atomic<bool>> ready) {
  if (registry == nullptr || ready == nullptr) {
    return make_error(ErrorKind::kInvalidArgument,
                      "http endpoints: registry and readiness flag are required");
  }
  if (bind_address.empty()) {
    return make_error(ErrorKind::kInvalidArgument, "http endpoints: empty bind address");
  }
  // Not make_unique: the constructor is private.
  std::unique_ptr<HttpEndpoints> self(new HttpEndpoints(std::move(registry), std::move(ready)));

  // See telemetry/civetweb_hardening.h and docs/hardening-civetweb.md.
  const std::string threads = std::to_string(kHttpWorkerThreads);
  const std::string timeout = std::to_string(kHttpRequestTimeoutMs);
  const std::string max_request = std::to_string(kHttpMaxRequestBytes);
  const char* options[] = {
      "listening_ports", bind_address.c_str(),
      // Workers to spare: each slow client holds one for up to the request
      // timeout, and /healthz must still find one free.
      "num_threads", threads.c_str(),
      "request_timeout_ms", timeout.c_str(),
      // Request line and headers; a probe's or a scrape's are a few hundred
      // bytes.
      "max_request_size", max_request.c_str(),
      nullptr,
  };
  mg_callbacks callbacks;
  std::memset(&callbacks, 0, sizeof callbacks);
  callbacks.log_message = &capture_start_log;
  callbacks.begin_request = &reject_unsafe_request_target;
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.user_data = self.get();
  init.configuration_options = options;
  std::array<char, 256> error_text{};
  unsigned error_code = 0;
  mg_error_data error{};
  error.code = &error_code;
  error.text = error_text.data();
  error.text_buffer_size = error_text.size();

  std::string log;
  start_log = &log;
  self->context_ = mg_start2(&init, &error);
  start_log = nullptr;
  if (self->context_ == nullptr) {
    std::string reason = log.empty() ? std::string(error_text.data()) : log;
    if (reason.empty()) reason = "civetweb error code " + std::to_string(error_code);
    return make_error(ErrorKind::kUnavailable,
                      "http endpoints: cannot listen on " + bind_address + ": " + reason);
  }

  std::array<mg_server_port, 4> ports{};
  const int port_count = mg_get_server_ports(self->context_, static_cast<int>(ports.size()),
                                             ports.data());
  if (port_count < 1 || ports[0].port <= 0 || ports[0].port > 65535) {
    return make_error(ErrorKind::kUnavailable,
                      "http endpoints: no listening port after binding " + bind_address);
  }
  self->port_ = static_cast<uint16_t>(ports[0].port);

  // "**": every URI is claimed by this handler, which always answers (404
  // for unknown paths), so no request reaches civetweb's file serving.
  mg_set_request_handler(self->context_, "**", &HttpEndpoints::handle_any, self.get());
  return self;
}

int HttpEndpoints::handle_any(mg_connection* conn, void* self) {
  const mg_request_info* info = mg_get_request_info(conn);
  const std::string_view path =
      info != nullptr && info->local_uri != nullptr ? info->local_uri : std::string_view();
  if (path == "/metrics") return handle_metrics(conn, self);
  if (path == "/healthz") return handle_healthz(conn, self);
  if (path == "/readyz") return handle_readyz(conn, self);
  return respond(conn, 404, kTextPlain, "not found\n", method_of(conn));
}

int HttpEndpoints::handle_metrics(mg_connection* conn, void* self) {
  const Method method = method_of(conn);
  if (const int status = reject_unsupported_method(conn, method)) return status;
  // An exception must not unwind into civetweb's C worker thread.
  try {
    const auto* endpoints = static_cast<const HttpEndpoints*>(self);
    const std::string body =
        prometheus::TextSerializer().Serialize(endpoints->registry_->Collect());
    return respond(conn, 200, kPrometheusText, body, method);
  } catch (const std::exception& e) {
    return respond(conn, 500, kTextPlain, std::string("metrics unavailable: ") + e.what() + "\n",
                   method);
  }
}

int HttpEndpoints::handle_healthz(mg_connection* conn, void* /*self*/) {
  const Method method = method_of(conn);
  if (const int status = reject_unsupported_method(conn, method)) return status;
  return respond(conn, 200, kTextPlain, "ok", method);
}

int HttpEndpoints::handle_readyz(mg_connection* conn, void* self) {
  const Method method = method_of(conn);
  if (const int status = reject_unsupported_method(conn, method)) return status;
  const auto* endpoints = static_cast<const HttpEndpoints*>(self);
  if (endpoints->ready_->load(std::memory_order_acquire)) {
    return respond(conn, 200, kTextPlain, "ready", method);
  }
  return respond(conn, 503, kTextPlain, "not ready", method);
}

}  // namespace vigil

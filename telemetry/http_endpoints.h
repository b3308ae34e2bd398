// The operator-facing HTTP endpoints of contract section 5, on one port:
//   GET /metrics  200, Prometheus text format 0.0.4 of the registry
//   GET /healthz  200 "ok" while the process serves requests at all
//   GET /readyz   200 "ready" while the readiness flag is true, else
//                 503 "not ready"
// Anything else is 404. HEAD is answered like GET without a body; other
// methods get 405. Request targets that are too long or malformed get 414 or
// 400, requests over kHttpMaxRequestBytes 400 (telemetry/civetweb_hardening.h).
//
// Served by civetweb's C API directly rather than prometheus::Exposer: the
// Exposer's civetweb callbacks are plain function pointers whose only user
// data is the Exposer's private server object, so a /readyz answered there
// could not reach this instance's readiness flag without process-wide state.
// /metrics uses prometheus::TextSerializer, exactly as the Exposer does.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <prometheus/registry.h>

#include "core/result.h"

struct mg_context;
struct mg_connection;

namespace vigil {

// Worker threads: each slow client holds one for up to the request timeout;
// with this many, a handful cannot starve /healthz (it was 2).
inline constexpr int kHttpWorkerThreads = 16;
// How long a worker waits for one request (and for writing its answer).
inline constexpr int kHttpRequestTimeoutMs = 5000;
// The largest request line plus headers.
inline constexpr int kHttpMaxRequestBytes = 8192;

class HttpEndpoints {
 public:
  // Starts serving on `bind_address` ("127.0.0.1:0", "0.0.0.0:9464", "9464";
  // port 0 picks a free port, see port()) with kHttpWorkerThreads. `ready`
  // is read on every /readyz request; the pipeline stores true once its
  // assigned partitions are restored and consuming, and false while it
  // rebalances or shuts down.
  // Errors: kInvalidArgument for a null registry or flag; kUnavailable,
  // naming the address and the server's reason, when the address cannot be
  // bound (e.g. the port is in use). Never throws.
  static Result<std::unique_ptr<HttpEndpoints>> start(
      std::string bind_address, std::shared_ptr<prometheus::Registry> registry,
      std::shared_ptr<std::atomic<bool>> ready);

  // Stops the server; returns once in-flight requests have finished.
  ~HttpEndpoints();
  HttpEndpoints(const HttpEndpoints&) = delete;
  HttpEndpoints& operator=(const HttpEndpoints&) = delete;

  // The port actually bound (the chosen one when started with port 0).
  uint16_t port() const { return port_; }

 private:
  HttpEndpoints(std::shared_ptr<prometheus::Registry> registry,
                std::shared_ptr<std::atomic<bool>> ready);

  static int handle_any(mg_connection* conn, void* self);
  static int handle_metrics(mg_connection* conn, void* self);
  static int handle_healthz(mg_connection* conn, void* self);
  static int handle_readyz(mg_connection* conn, void* self);

  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<std::atomic<bool>> ready_;
  mg_context* context_ = nullptr;  // owned; mg_stop in the destructor
  uint16_t port_ = 0;
};

}  // namespace vigil

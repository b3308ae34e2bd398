// The review application's routes as a function of a request (routes in
// web/review_app.h), independent of the HTTP server so tests call it
// directly. Thread-safe: the store serialises its own calls and nothing
// here is mutable.
//
// The API's defence against cross-site requests (contract §3): a POST is
// taken only with Content-Type application/json (415 otherwise), which a
// cross-site HTML form cannot send, and an Origin that is absent or names
// this service (the request's own Host, or options.base_url's origin; 403
// otherwise). Recording a decision needs the reviewer role (403 for a
// viewer or an anonymous request, web/identity.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "review/decision.h"
#include "review/reference_names.h"
#include "review/review_options.h"
#include "review/review_store.h"
#include "web/http_exchange.h"
#include "web/review_app.h"

namespace vigil {

// A decision's body is a state, a reason of at most kMaxReasonBytes and
// two optional members: anything near this size is not a decision.
inline constexpr size_t kMaxRequestBodyBytes = 64 * 1024;

class ReviewHandlers {
 public:
  // Unix milliseconds now: when a decision is recorded.
  using Clock = std::function<int64_t()>;

  // `store`, `names`, `publisher` (may be null) and `ready` (may be null:
  // always ready; read by /readyz) must outlive the handlers.
  ReviewHandlers(ReviewOptions options, ReviewStore& store, const ReferenceNames& names,
                 DecisionPublisher* publisher, Clock clock = system_clock_ms,
                 const std::atomic<bool>* ready = nullptr);

  // Every route's answer, security headers not included (the server adds
  // security_headers() to every answer, this one's and its own errors').
  HttpResponse handle(const HttpRequest& request) const;

  static int64_t system_clock_ms();

 private:
  HttpResponse queue_page(const HttpRequest& request) const;
  HttpResponse signal_page(const HttpRequest& request, std::string_view signal_id) const;
  HttpResponse list_signals(const HttpRequest& request) const;
  HttpResponse get_signal(std::string_view signal_id) const;
  HttpResponse post_decision(const HttpRequest& request, std::string_view signal_id) const;
  HttpResponse static_file(std::string_view name) const;
  bool same_origin(const HttpRequest& request) const;
  bool host_allowed(const HttpRequest& request) const;

  ReviewOptions options_;
  ReviewStore& store_;
  const ReferenceNames& names_;
  DecisionPublisher* publisher_;
  // Held from preparing a decision to storing it (a pointer: handlers move).
  std::unique_ptr<std::mutex> decisions_mu_ = std::make_unique<std::mutex>();
  Clock clock_;
  const std::atomic<bool>* ready_;
};

}  // namespace vigil

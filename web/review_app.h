// The review application (`vigil serve`, `vigil demo --ui-port`): HTML pages
// and the JSON API of contract §3 on one port, over a ReviewStore.
//   GET  /                                   the ranked queue (filters as query parameters)
//   GET  /signals/{signal_id}                one signal: summary, chart, evidence, audit trail
//   GET  /api/v1/signals                     the queue as JSON
//   GET  /api/v1/signals/{signal_id}         everything the page shows, as JSON
//   POST /api/v1/signals/{signal_id}/decisions  record a decision (201)
//   GET  /static/...                         the pages' own CSS (and scripts), from the binary
//   GET  /healthz, /readyz                   for probes
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "core/result.h"
#include "review/decision.h"
#include "review/reference_names.h"
#include "review/review_options.h"
#include "review/review_store.h"

struct mg_context;

namespace vigil {

// civetweb's limits for the review application (docs/hardening-civetweb.md):
// worker threads (each slow client holds one for up to the request timeout;
// it was 8), the request timeout (it was 15 s) and the largest request line
// plus headers.
inline constexpr int kReviewWorkerThreads = 32;
inline constexpr int kReviewRequestTimeoutMs = 10000;
inline constexpr int kReviewMaxRequestBytes = 16384;

// Where a recorded decision goes before the store takes it: the reviews
// topic in Kafka mode (produced and flushed, so the decision is durable
// before the reviewer sees 201), nowhere else over a file of signals (the
// store in the state directory is then the record).
class DecisionPublisher {
 public:
  virtual ~DecisionPublisher() = default;
  virtual Status publish(const Decision& d) = 0;
};

class ReviewApp {
 public:
  // Serves on options.bind:options.port (port 0: any free port, see
  // port()). `store` and `names` must outlive the app; `publisher` may be
  // null (file mode). `ready` (may be null: always ready) is read on every
  // /readyz: false while the source is still filling the store. Errors:
  // kUnavailable naming the address when it cannot be bound.
  static Result<std::unique_ptr<ReviewApp>> start(const ReviewOptions& options, ReviewStore& store,
                                                  const ReferenceNames& names,
                                                  DecisionPublisher* publisher,
                                                  const std::atomic<bool>* ready = nullptr);
  ~ReviewApp();  // stops serving; returns once in-flight requests finish
  ReviewApp(const ReviewApp&) = delete;
  ReviewApp& operator=(const ReviewApp&) = delete;

  uint16_t port() const;

 private:
  struct Impl;
  explicit ReviewApp(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil

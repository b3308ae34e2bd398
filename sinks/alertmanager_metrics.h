// Metrics of the Alertmanager sink. Registered only when the sink is on, so
// a scrape without them means no Alertmanager is configured. Every label
// value is fixed, created at 0 up front.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace vigil {

struct AlertmanagerMetrics {
  explicit AlertmanagerMetrics(prometheus::Registry& registry);

  // vigil_alertmanager_sends_total{result}: POST requests by outcome:
  // success (2xx), error (no answer, timeout, 5xx, 408, 429: retried) and
  // rejected (any other status: not retried).
  prometheus::Counter& sends_success;
  prometheus::Counter& sends_error;
  prometheus::Counter& sends_rejected;
  // vigil_alertmanager_alerts_sent_total{state}: alerts in accepted requests,
  // firing (including periodic re-sends) or resolved.
  prometheus::Counter& alerts_sent_firing;
  prometheus::Counter& alerts_sent_resolved;
  // vigil_alertmanager_alerts_dropped_total{reason}: signal transitions or
  // alerts given up: queue_full (the sink held max_alerts already) or
  // rejected (Alertmanager refused a resolved alert).
  prometheus::Counter& dropped_queue_full;
  prometheus::Counter& dropped_rejected;
  // vigil_alertmanager_queue_depth: alerts whose latest state Alertmanager
  // has not acknowledged yet.
  prometheus::Gauge& queue_depth;
  // vigil_alertmanager_open_alerts: open signals held and re-sent.
  prometheus::Gauge& open_alerts;
  // vigil_alertmanager_suppressed_alerts: open signals held back by a
  // reviewer's decision (known_issue, dismissed): resolved in Alertmanager.
  prometheus::Gauge& suppressed_alerts;
  // vigil_alertmanager_send_seconds: duration of each POST, any outcome.
  prometheus::Histogram& send_seconds;
};

}  // namespace vigil

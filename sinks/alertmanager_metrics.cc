#include "sinks/alertmanager_metrics.h"

#include <prometheus/family.h>

namespace vigil {

namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Registry;

Family<Counter>& counters(Registry& registry, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}

prometheus::Gauge& gauge(Registry& registry, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

// From a local round trip (a few ms) to the default 10 s timeout.
const prometheus::Histogram::BucketBoundaries& send_buckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0};
  return kBuckets;
}

Family<Counter>& sends(Registry& r) {
  return counters(r, "vigil_alertmanager_sends_total",
                  "Requests posting alerts to Alertmanager, by result (success, error: retried, "
                  "rejected: not retried).");
}
Family<Counter>& sent(Registry& r) {
  return counters(r, "vigil_alertmanager_alerts_sent_total",
                  "Alerts Alertmanager accepted, by state (firing, including re-sends, or "
                  "resolved).");
}
Family<Counter>& dropped(Registry& r) {
  return counters(r, "vigil_alertmanager_alerts_dropped_total",
                  "Signal transitions or alerts the Alertmanager sink gave up, by reason "
                  "(queue_full, rejected).");
}

}  // namespace

AlertmanagerMetrics::AlertmanagerMetrics(Registry& registry)
    : sends_success(sends(registry).Add({{"result", "success"}})),
      sends_error(sends(registry).Add({{"result", "error"}})),
      sends_rejected(sends(registry).Add({{"result", "rejected"}})),
      alerts_sent_firing(sent(registry).Add({{"state", "firing"}})),
      alerts_sent_resolved(sent(registry).Add({{"state", "resolved"}})),
      dropped_queue_full(dropped(registry).Add({{"reason", "queue_full"}})),
      dropped_rejected(dropped(registry).Add({{"reason", "rejected"}})),
      queue_depth(gauge(registry, "vigil_alertmanager_queue_depth",
                        "Alerts whose latest state Alertmanager has not acknowledged yet.")),
      open_alerts(gauge(registry, "vigil_alertmanager_open_alerts",
                        "Open signals held by the Alertmanager sink and re-sent periodically.")),
      suppressed_alerts(gauge(registry, "vigil_alertmanager_suppressed_alerts",
                              "Open signals held back by a reviewer's decision (known issue, "
                              "dismissed) and resolved in Alertmanager.")),
      send_seconds(prometheus::BuildHistogram()
                       .Name("vigil_alertmanager_send_seconds")
                       .Help("Seconds per request posting alerts to Alertmanager.")
                       .Register(registry)
                       .Add({}, send_buckets())) {}

}  // namespace vigil

// `vigil demo`: the whole pipeline on an embedded default (contract §3).
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace vigil {

struct DemoOptions {
  double seconds = 120;
  // Length of the synthetic stream in days of occurrence dates. Two years by
  // default: the national default's Farrington detectors need a year of
  // history, and the planted risks start in the second year.
  int days = 730;
  bool json = false;
  uint16_t metrics_port = 9464;
  uint64_t seed = 20240101;
  std::string alertmanager_url;  // extension: also send signals there; empty: off
  // Extension: serve the review application (`vigil serve`'s pages and API)
  // over the demo's signals on this port (0: any free port); absent: off.
  std::optional<uint16_t> ui_port;
};

// Starts an in-process Kafka cluster, produces a synthetic national stream
// with planted risks into it, runs the real pipeline (national default
// configuration) against it, and prints each signal from the signals topic
// on `out` as it fires (one readable line, or signal v1 JSON with --json).
// With `alertmanager_url`, signals also go to that Alertmanager (default
// alertmanager settings otherwise).
//
// The stream is bounded (`days`). Once the producer has delivered all of it,
// the pipeline has consumed and committed it through both stages (events
// topic and repartition topic, see KafkaPipeline::drained_since) and every
// signal on the signals topic is printed, one line goes to `err`:
//   vigil demo: stream drained: N events; signals raised R, updated U, resolved S
// The demo then keeps running (metrics, Alertmanager re-sends) until
// `seconds` have passed or SIGINT/SIGTERM. For a given seed and days the
// signals are then always the same, however loaded the machine: tests wait
// for that line rather than for a number of seconds.
//
// A summary goes to `err`. Returns 0, 1 if any stage failed, or 2 for an
// unusable option (Alertmanager URL, days).
int run_demo_command(const DemoOptions& options, std::ostream& out, std::ostream& err);

}  // namespace vigil

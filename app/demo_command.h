// `vigil demo`: the whole pipeline on an embedded default (contract §3).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace vigil {

struct DemoOptions {
  double seconds = 120;
  bool json = false;
  uint16_t metrics_port = 9464;
  uint64_t seed = 20240101;
  std::string alertmanager_url;  // extension: also send signals there; empty: off
};

// Starts an in-process Kafka cluster, produces a synthetic national stream
// with planted risks into it, runs the real pipeline (national default
// configuration) against it, and prints each signal from the signals topic
// on `out` as it fires (one readable line, or signal v1 JSON with --json).
// With `alertmanager_url`, signals also go to that Alertmanager (default
// alertmanager settings otherwise). A summary goes to `err`. Returns 0, 1 if
// any stage failed, or 2 for an unusable Alertmanager URL.
int run_demo_command(const DemoOptions& options, std::ostream& out, std::ostream& err);

}  // namespace vigil

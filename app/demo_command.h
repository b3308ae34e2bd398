// `vigil demo`: the whole pipeline on an embedded default (contract §3).
#pragma once

#include <cstdint>
#include <ostream>

namespace vigil {

struct DemoOptions {
  double seconds = 60;
  bool json = false;
  uint16_t metrics_port = 9464;
  uint64_t seed = 20240101;
};

// Starts an in-process Kafka cluster, produces a synthetic national stream
// with planted risks into it, runs the real pipeline (national default
// configuration) against it, and prints each signal from the signals topic
// on `out` as it fires (one readable line, or signal v1 JSON with --json).
// A summary goes to `err`. Returns 0, or 1 if any stage failed.
int run_demo_command(const DemoOptions& options, std::ostream& out, std::ostream& err);

}  // namespace vigil

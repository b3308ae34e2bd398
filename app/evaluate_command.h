// `vigil evaluate` (an extension of contract §3): how well a configuration
// finds the risks planted in the synthetic national stream, and how often it
// fires for nothing. Generates the stream in process (no file), runs the
// detectors over it exactly as `vigil replay` would, and reports
//   - each planted risk: found by which detector, how many days after onset;
//   - raised signals no planted risk explains, per detector and per week,
//     over the whole stream and over its second half (every detector warm);
//   - severity-rule signals separately: they are a rule (every death and
//     never event is reviewed), not a statistical alarm.
#pragma once

#include <ostream>
#include <string>

#include "synthetic/stream.h"

namespace vigil {

struct EvaluateOptions {
  std::string config_path;  // empty: the built-in national default
  SyntheticStreamOptions stream;
  std::string signals;      // optional: also write every signal as JSON Lines here
};

// 0 on success, 1 on a runtime failure, 2 on a bad configuration.
int run_evaluate_command(const EvaluateOptions& options, std::ostream& out, std::ostream& err);

}  // namespace vigil

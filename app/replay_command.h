// `vigil replay`: the detectors over a JSON Lines file (contract §3).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace vigil {

struct ReplayOptions {
  std::string config_path;    // empty: built-in default
  std::vector<std::string> inputs;  // paths or "-"; several: one per partition
  std::string signals;        // path or "-"
  std::string dead_letters;   // path or empty
  std::string state_dir;      // empty: a fresh temporary directory, removed afterwards
  std::string metrics_file;   // extension: write the final metrics scrape here
  std::string format = "auto";  // auto | event_v1 | fhir (ingest/message_format.h)
};

// Returns the process exit status: 0 success, 1 runtime failure, 2 bad
// configuration. Prints the summary line on `err`.
int run_replay_command(const ReplayOptions& options, std::ostream& err);

}  // namespace vigil

// `vigil generate`: writes the synthetic national event stream (with its
// planted risks) as JSON Lines, for demos, benchmarks and replay tests.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "synthetic/stream.h"

namespace vigil {

struct GenerateOptions {
  std::string output;  // a file path, or "-" for standard output
  SyntheticStreamOptions stream;
  // Stop after this many lines; 0 = the whole stream. The stream runs in
  // reported order, so a cut stream covers only its first days: for N lines
  // spanning all stream.days (every planted risk included), set
  // stream.events_per_year to about N * 365 / stream.days instead.
  uint64_t max_events = 0;
  // "event_v1" (contract section 1) or "fhir": each event as an LFPSE FHIR
  // AdverseEvent (synthetic/fhir_writer.h); invalid lines stay as they are.
  std::string format = "event_v1";
};

// Writes the stream to options.output, one event per line, then a summary
// on `err`: lines by kind (first reports, revisions, re-sends, invalid) and
// each planted risk with its onset and where it is. Returns 0 on success, 1
// if the output cannot be opened or written, 2 for options out of range
// (with a one-line message naming the option).
int run_generate(const GenerateOptions& options, std::ostream& err);

}  // namespace vigil

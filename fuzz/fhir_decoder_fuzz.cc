// libFuzzer target: the LFPSE FHIR decoder (ingest/fhir_decoder.h), fed any
// bytes as one message (an AdverseEvent or a Bundle). It must never crash,
// hang or read out of bounds; a refusal must name where it failed, and every
// event it accepts must be whole: every view readable, and the per-id record
// written from it must decode back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/event_record_check.h"
#include "ingest/fhir_decoder.h"

namespace {

// One decoder for the whole run, as in the pipeline, so stale buffers from
// one message to the next would show.
vigil::FhirDecoder& decoder() {
  static vigil::FhirDecoder d;
  return d;
}

void check_event(const vigil::IncidentEvent& event) {
  if (event.id.empty() || event.org.empty()) std::abort();
  vigil::fuzz::check_record_round_trip(event);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view message(reinterpret_cast<const char*>(data), size);
  static std::vector<vigil::IncidentEvent> events;
  vigil::DecodeFailure failure;
  events.clear();
  if (!decoder().decode(message, events, failure)) {
    if (failure.detail.empty()) std::abort();  // a refusal always says where
    return 0;
  }
  if (events.empty()) std::abort();  // accepted means at least one event
  for (const auto& e : events) check_event(e);
  return 0;
}

// libFuzzer target: the incident event decoder (ingest/event_decoder.h), fed
// any bytes as one Kafka message. It must never crash, hang or read out of
// bounds, and an event it accepts must be whole: every view readable, and the
// per-id record written from it must decode back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/event_record_check.h"
#include "ingest/event_decoder.h"

namespace {

// One decoder for the whole run, as in the pipeline: its buffers are reused
// from one message to the next, so stale state would show.
vigil::EventDecoder& decoder() {
  static vigil::EventDecoder d;
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view message(reinterpret_cast<const char*>(data), size);
  static vigil::IncidentEvent event;
  vigil::DecodeFailure failure;
  if (!decoder().decode(message, event, failure)) {
    // The detail is built from field names and fixed phrases; it is never empty.
    if (failure.detail.empty()) std::abort();
    return 0;
  }
  vigil::fuzz::check_record_round_trip(event);
  return 0;
}

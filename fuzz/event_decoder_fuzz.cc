// libFuzzer target: the incident event decoder (ingest/event_decoder.h), fed
// any bytes as one Kafka message. It must never crash, hang or read out of
// bounds, and an event it accepts must be whole: every view readable, and the
// per-id record written from it must decode back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ingest/event_decoder.h"
#include "state/event_record.h"

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
  // Touches every byte of every view (ASan checks each read) and checks the
  // state's view of the event survives a round trip.
  static std::string record, again;
  static vigil::IncidentEvent decoded;
  record.clear();
  vigil::encode_event_record(event, record);
  if (!vigil::decode_event_record(record, decoded)) std::abort();
  again.clear();
  vigil::encode_event_record(decoded, again);
  if (again != record) std::abort();
  volatile size_t sum = event.description.size();
  for (char c : event.description) sum = sum + static_cast<unsigned char>(c);
  return 0;
}

// One simdjson kernel's implementation of EventDecoder::decode (see
// json_kernel.h): EventDecoder holds the one best_json_kernel() picked.
#pragma once

#include <memory>
#include <string_view>

#include "core/incident_event.h"
#include "ingest/event_decoder.h"

namespace vigil {

class DecoderKernel {
 public:
  virtual ~DecoderKernel() = default;
  // EventDecoder::decode's contract.
  virtual bool decode(std::string_view message, IncidentEvent& out,
                      DecodeFailure& failure) noexcept = 0;
};

namespace fallback {
std::unique_ptr<DecoderKernel> make_decoder_kernel();
}
namespace haswell {
// Only where VIGIL_HASWELL_JSON_KERNEL is 1, and only for a CPU that runs it.
std::unique_ptr<DecoderKernel> make_decoder_kernel();
}

}  // namespace vigil

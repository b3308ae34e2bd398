// One simdjson kernel's implementation of a decoder's decode (see
// json_kernel.h): EventDecoder and FhirDecoder each hold the one kernel
// best_json_kernel() picked.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "core/incident_event.h"
#include "ingest/event_decoder.h"

namespace vigil {

// The decode contract shared by the kernels; `Output` is what one message
// decodes to (one event, or the events of a FHIR Bundle).
template <typename Output>
class JsonDecoderKernel {
 public:
  virtual ~JsonDecoderKernel() = default;
  // EventDecoder::decode's (or FhirDecoder::decode's) contract.
  virtual bool decode(std::string_view message, Output& out,
                      DecodeFailure& failure) noexcept = 0;
};

using FhirDecoderKernel = JsonDecoderKernel<std::vector<IncidentEvent>>;

namespace fallback {
std::unique_ptr<DecoderKernel> make_decoder_kernel();
std::unique_ptr<FhirDecoderKernel> make_fhir_decoder_kernel();
}
namespace haswell {
// Only where VIGIL_HASWELL_JSON_KERNEL is 1, and only for a CPU that runs it.
std::unique_ptr<DecoderKernel> make_decoder_kernel();
std::unique_ptr<FhirDecoderKernel> make_fhir_decoder_kernel();
}

}  // namespace vigil

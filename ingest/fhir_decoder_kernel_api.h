// One simdjson kernel's implementation of FhirDecoder::decode (see
// json_kernel.h): FhirDecoder holds the one best_json_kernel() picked.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "core/incident_event.h"
#include "ingest/event_decoder.h"

namespace vigil {

class FhirDecoderKernel {
 public:
  virtual ~FhirDecoderKernel() = default;
  // FhirDecoder::decode's contract.
  virtual bool decode(std::string_view message, std::vector<IncidentEvent>& out,
                      DecodeFailure& failure) noexcept = 0;
};

namespace fallback {
std::unique_ptr<FhirDecoderKernel> make_fhir_decoder_kernel();
}
namespace haswell {
// Only where VIGIL_HASWELL_JSON_KERNEL is 1, and only for a CPU that runs it.
std::unique_ptr<FhirDecoderKernel> make_fhir_decoder_kernel();
}

}  // namespace vigil

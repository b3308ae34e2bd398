// Placeholder so the API links while the decoder is written; replaced by the
// real decoder before any release.
#include "ingest/fhir_decoder.h"

namespace vigil {

struct FhirDecoder::Impl {};

FhirDecoder::FhirDecoder() : impl_(std::make_unique<Impl>()) {}
FhirDecoder::~FhirDecoder() = default;
FhirDecoder::FhirDecoder(FhirDecoder&& other) noexcept = default;
FhirDecoder& FhirDecoder::operator=(FhirDecoder&& other) noexcept = default;

bool FhirDecoder::decode(std::string_view, std::vector<IncidentEvent>& out,
                         DecodeFailure& failure) noexcept {
  out.clear();
  failure = DecodeFailure{InvalidReason::kNotJson, "FHIR decoding is not built yet"};
  return false;
}

}  // namespace vigil

// FhirDecoder: the kernel best_json_kernel() picks (see json_kernel.h).
#include "ingest/fhir_decoder.h"

#include "ingest/decoder_kernel.h"
#include "ingest/json_kernel_choice.h"

namespace vigil {

struct FhirDecoder::Impl {
  std::unique_ptr<FhirDecoderKernel> kernel;
};

namespace {

std::unique_ptr<FhirDecoderKernel> make_kernel(JsonKernel kernel) {
  switch (kernel) {
    case JsonKernel::kFallback: break;
    case JsonKernel::kHaswell:
#if VIGIL_HASWELL_JSON_KERNEL
      return haswell::make_fhir_decoder_kernel();
#else
      break;
#endif
  }
  return fallback::make_fhir_decoder_kernel();
}

}  // namespace

FhirDecoder::FhirDecoder() : impl_(std::make_unique<Impl>(Impl{make_kernel(best_json_kernel())})) {}
FhirDecoder::~FhirDecoder() = default;
FhirDecoder::FhirDecoder(FhirDecoder&& other) noexcept = default;
FhirDecoder& FhirDecoder::operator=(FhirDecoder&& other) noexcept = default;

bool FhirDecoder::decode(std::string_view message, std::vector<IncidentEvent>& out,
                         DecodeFailure& failure) noexcept {
  return impl_->kernel->decode(message, out, failure);
}

}  // namespace vigil

#include "ingest/event_decoder.h"

#include "ingest/decoder_kernel.h"

namespace vigil {
namespace {

std::unique_ptr<DecoderKernel> make_kernel(JsonKernel kernel) {
  switch (kernel) {
    case JsonKernel::kFallback: break;
    case JsonKernel::kHaswell:
#if VIGIL_HASWELL_JSON_KERNEL
      return haswell::make_decoder_kernel();
#else
      break;
#endif
  }
  return fallback::make_decoder_kernel();
}

}  // namespace

EventDecoder::EventDecoder() : EventDecoder(best_json_kernel()) {}
EventDecoder::EventDecoder(JsonKernel kernel) : kernel_(make_kernel(kernel)) {}
EventDecoder::~EventDecoder() = default;
EventDecoder::EventDecoder(EventDecoder&& other) noexcept = default;
EventDecoder& EventDecoder::operator=(EventDecoder&& other) noexcept = default;

bool EventDecoder::decode(std::string_view message, IncidentEvent& out,
                          DecodeFailure& failure) noexcept {
  return kernel_->decode(message, out, failure);
}

}  // namespace vigil

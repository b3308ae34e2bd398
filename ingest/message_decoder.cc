#include "ingest/message_decoder.h"

namespace vigil {

std::span<const IncidentEvent> MessageDecoder::decode(std::string_view message, MessageFormat format,
                                                      DecodeFailure& failure) noexcept {
  if (format == MessageFormat::kFhir) {
    if (!fhir_.decode(message, events_, failure)) return {};
    if (events_.empty()) {
      // A Bundle without entries carries no report: refused, not silently dropped.
      failure = DecodeFailure{InvalidReason::kMissingField, "entry: a Bundle without entries"};
      return {};
    }
    return events_;
  }
  // The same IncidentEvent each time, so v1 decoding stays allocation-free.
  if (events_.size() != 1) events_.resize(1);
  if (!event_v1_.decode(message, events_.front(), failure)) return {};
  return std::span<const IncidentEvent>(events_.data(), 1);
}

}  // namespace vigil

// Decodes one input message of either format (ingest/message_format.h) to
// the events it carries: an event v1 message gives exactly one, an LFPSE
// FHIR AdverseEvent one, a FHIR Bundle one per entry in document order. A
// message is accepted or refused whole, so a refused one is a single dead
// letter that can be reprocessed once fixed.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "core/incident_event.h"
#include "ingest/event_decoder.h"
#include "ingest/fhir_decoder.h"
#include "ingest/message_format.h"

namespace vigil {

// Not thread-safe: use one decoder per thread.
class MessageDecoder {
 public:
  MessageDecoder() = default;
  MessageDecoder(MessageDecoder&&) noexcept = default;
  MessageDecoder& operator=(MessageDecoder&&) noexcept = default;

  // On success returns the message's events, at least one (views into this
  // decoder, valid until the next decode(); their text fields likewise). On
  // failure returns an empty span and fills `failure`, whose detail for
  // FHIR names the JSON path at fault. Never throws.
  [[nodiscard]] std::span<const IncidentEvent> decode(std::string_view message, MessageFormat format,
                                                      DecodeFailure& failure) noexcept;

 private:
  EventDecoder event_v1_;
  FhirDecoder fhir_;
  std::vector<IncidentEvent> events_ = std::vector<IncidentEvent>(1);
};

}  // namespace vigil

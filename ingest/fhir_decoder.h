// Decoding of the national recording service's own format (issue 13): an
// LFPSE FHIR R4 AdverseEvent (profile patient-safety-adverse-event-5, or the
// earlier -4), or a Bundle of them, to the same IncidentEvent as event v1.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "core/incident_event.h"
#include "ingest/event_decoder.h"

namespace vigil {

// Not thread-safe: use one decoder per thread.
class FhirDecoder {
 public:
  FhirDecoder();
  ~FhirDecoder();
  FhirDecoder(FhirDecoder&& other) noexcept;
  FhirDecoder& operator=(FhirDecoder&& other) noexcept;
  FhirDecoder(const FhirDecoder&) = delete;
  FhirDecoder& operator=(const FhirDecoder&) = delete;

  // Decodes one message: an AdverseEvent gives one event, a Bundle one per
  // entry, in document order. On success `out` holds exactly those events
  // (resized; text fields are views valid until the next decode() on this
  // decoder) and returns true. On failure returns false, `out` is empty,
  // and `failure.detail` names the JSON path of the field at fault, e.g.
  // "entry[2].resource.extension[adverse-event-physical-harm]: unknown code 7".
  // A Bundle is accepted or refused whole, so a dead letter can be replayed.
  [[nodiscard]] bool decode(std::string_view message, std::vector<IncidentEvent>& out,
                            DecodeFailure& failure) noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil

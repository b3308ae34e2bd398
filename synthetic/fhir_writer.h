// Renders incident events as LFPSE FHIR R4 AdverseEvents (profile
// patient-safety-adverse-event-5), one JSON object per line, for
// `vigil generate --format fhir` (issue 13). The rendition decodes with
// FhirDecoder (ingest/fhir_decoder.h) to the very same IncidentEvent, every
// field included: where LFPSE has no place for a field, or records it more
// coarsely than Vigil, the writer adds Vigil's own extension
// (fhir::kVigilExtensionUrl, docs/fhir.md) for that field only.
#pragma once

#include <string>
#include <string_view>

#include "core/incident_event.h"
#include "ingest/event_decoder.h"

namespace vigil::synthetic {

// Appends `event` as one AdverseEvent (no newline). Returns false, appending
// nothing, when the event holds a value no code system and no Vigil
// extension can carry (an agent slug outside contract section 1); `problem`
// then names the field.
bool append_fhir_adverse_event(const IncidentEvent& event, std::string& out,
                               std::string& problem);

// Converts event v1 lines to FHIR lines. A line that is not a valid event is
// kept as it is (it dead-letters either way, perhaps for another reason).
class FhirLineWriter {
 public:
  // Appends the FHIR form of `v1_line` (no newline) to `out`.
  void convert(std::string_view v1_line, std::string& out);
  uint64_t converted() const { return converted_; }
  uint64_t kept() const { return kept_; }

 private:
  EventDecoder decoder_;
  IncidentEvent event_;
  DecodeFailure failure_;
  std::string problem_;
  uint64_t converted_ = 0;
  uint64_t kept_ = 0;
};

}  // namespace vigil::synthetic

// Free text for synthetic incident reports: short descriptions in the terse
// style of real local risk management records, some carrying fake patient
// identifiers so that redaction and no-leak checks have something to find.
//
// Every identifier is obviously fake: NHS numbers come from the 999 range
// NHS England reserves for testing (with a valid modulus 11 check digit),
// telephone numbers from Ofcom's 07700 900xxx drama range, and names are the
// placeholder names of UK forms (J. Bloggs, A. Smith, P. Example, ...).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/incident_event.h"
#include "synthetic/catalogue.h"

namespace vigil::synthetic {

// What a report is about, beyond its category: a routine report, a never
// event, or one of the planted risks (which have their own recurring wording,
// as a real cluster does, so that text clustering can find them).
enum class Story : uint8_t {
  kRoutine,
  kNeverEvent,
  kInsulinPen,
  kPumpOverInfusion,
  kFallsCluster,
  kNeverEventCluster,
  kMaternityHarm,
};

struct DescriptionFacts {
  Category category = Category::kTreatment;
  ServiceArea area = ServiceArea::kAcuteInpatient;
  PhysicalHarm harm = PhysicalHarm::kUnknown;
  Story story = Story::kRoutine;
  std::string_view drug;          // short name; empty when none
  std::string_view device_type;   // e.g. "Volumetric infusion pump"; empty when none
  std::string_view device_model;  // e.g. "VP-300"
  bool multi_line = false;        // the feed writes immediate actions on a new line
  bool revised = false;           // a later revision: says the harm was reviewed
};

// Appends the description (raw text, not escaped) to `out`. The same facts
// and seed always give the same text. About 6% of descriptions carry at least
// one fake identifier.
void write_description(const DescriptionFacts& facts, uint64_t seed, std::string& out);

// Appends `text` as a JSON string literal, quotes included: escapes `"`, `\`
// and control characters; UTF-8 passes through unchanged.
void append_json_string(std::string& out, std::string_view text);

}  // namespace vigil::synthetic

#include "core/incident_event.h"

namespace vigil {

std::string_view to_string(RecordType t) {
  switch (t) {
    case RecordType::kIncident: return "incident";
    case RecordType::kOutcome: return "outcome";
    case RecordType::kRisk: return "risk";
    case RecordType::kGoodCare: return "good_care";
  }
  return "?";
}

std::string_view to_string(PhysicalHarm h) {
  switch (h) {
    case PhysicalHarm::kUnknown: return "unknown";
    case PhysicalHarm::kNone: return "none";
    case PhysicalHarm::kLow: return "low";
    case PhysicalHarm::kModerate: return "moderate";
    case PhysicalHarm::kSevere: return "severe";
    case PhysicalHarm::kFatal: return "fatal";
  }
  return "?";
}

std::string_view to_string(PsychologicalHarm h) {
  switch (h) {
    case PsychologicalHarm::kUnknown: return "unknown";
    case PsychologicalHarm::kNone: return "none";
    case PsychologicalHarm::kLow: return "low";
    case PsychologicalHarm::kModerate: return "moderate";
    case PsychologicalHarm::kSevere: return "severe";
  }
  return "?";
}

}  // namespace vigil

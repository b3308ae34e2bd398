// The decoded form of an incident event (contract section 1).
//
// Text fields are views into a buffer owned by whoever produced the event (the
// decoder's parser, or a stored per-id record), valid until that owner decodes
// the next event. Reusing one IncidentEvent across decodes keeps the vectors'
// capacity, so the hot path allocates nothing per event.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/civil_date.h"
#include "core/text_fingerprint.h"

namespace vigil {

enum class RecordType : uint8_t { kIncident, kOutcome, kRisk, kGoodCare };

// LFPSE OT001. kUnknown when the field is absent.
enum class PhysicalHarm : uint8_t { kUnknown, kNone, kLow, kModerate, kSevere, kFatal };

// LFPSE OT002. kUnknown when the field is absent.
enum class PsychologicalHarm : uint8_t { kUnknown, kNone, kLow, kModerate, kSevere };

struct Medication {
  std::string_view code;  // dm+d (SNOMED CT) id
  std::string_view name;
};

struct Device {
  std::string_view code;  // may be empty: optional in the contract
  std::string_view name;
  std::string_view manufacturer;
  std::string_view model;
};

// Patient details are used only to form strata; they never leave the process
// except as aggregate counts.
struct PatientDetails {
  std::string_view age_band;  // empty when absent
  std::string_view sex;       // empty when absent
  char ethnicity = 0;         // NHS ethnic category letter, 0 when absent
  uint8_t imd_decile = 0;     // 1..10, 0 when absent
};

struct IncidentEvent {
  std::string_view id;
  int64_t revision = 0;
  int64_t reported_at_unix_seconds = 0;
  Date reported_on;  // the date of reported_at as written
  Date occurred_on;  // event time: occurred_on, else reported_on
  bool has_occurred_on = false;
  std::string_view org;
  std::string_view icb;
  std::string_view region;
  std::string_view service_area;
  std::string_view specialty;
  RecordType record_type = RecordType::kIncident;
  std::string_view category;
  std::vector<std::string_view> agents;
  std::vector<Medication> medications;
  std::vector<Device> devices;
  PhysicalHarm physical_harm = PhysicalHarm::kUnknown;
  PsychologicalHarm psychological_harm = PsychologicalHarm::kUnknown;
  bool never_event = false;
  bool has_patient = false;
  PatientDetails patient;
  // Free text: may contain patient identifiers. Never logged, never stored in
  // state, never copied into a signal.
  std::string_view description;
  // Past the input task the description is gone (the per-id record and the
  // repartition topic never carry it): what the input task derived from it
  // for text detectors, or null when it derived nothing (no text detector
  // configured, or a record written before version 5). Owned by whoever
  // decoded the event, like the views.
  const TextFingerprint* text = nullptr;

  // Resets every field while keeping the vectors' capacity.
  void clear() {
    id = {};
    revision = 0;
    reported_at_unix_seconds = 0;
    reported_on = {};
    occurred_on = {};
    has_occurred_on = false;
    org = icb = region = service_area = specialty = category = {};
    record_type = RecordType::kIncident;
    agents.clear();
    medications.clear();
    devices.clear();
    physical_harm = PhysicalHarm::kUnknown;
    psychological_harm = PsychologicalHarm::kUnknown;
    never_event = false;
    has_patient = false;
    patient = {};
    description = {};
    text = nullptr;
  }
};

// Event time, the clock every detector runs on.
inline Date event_time(const IncidentEvent& e) { return e.occurred_on; }

std::string_view to_string(RecordType t);
std::string_view to_string(PhysicalHarm h);
std::string_view to_string(PsychologicalHarm h);

}  // namespace vigil

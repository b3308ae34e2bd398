// One synthetic report in compact form, and its rendering as an incident
// event v1 JSON line (contract section 1), or as a deliberately broken line.
//
// A pending report is held in this form (about 64 bytes) rather than as text,
// and its free text is regenerated from `text_seed` when it is written, so
// the stream's memory is the queue of reports not yet due.
#pragma once

#include <cstdint>
#include <string>

#include "core/incident_event.h"
#include "synthetic/catalogue.h"
#include "synthetic/stream.h"
#include "synthetic/text.h"

namespace vigil::synthetic {

inline constexpr int64_t kMillisPerDay = 86'400'000;

struct Report {
  int64_t reported_ms = 0;  // submission instant, ms since 1970-01-01T00:00:00Z
  uint64_t text_seed = 0;   // seeds the free text and whether it is present
  uint64_t number = 0;      // the id's number
  int32_t occurred = 0;     // occurred_on as a day number
  uint16_t org = 0;         // index into Catalogue::orgs()
  ServiceArea area = ServiceArea::kAcuteInpatient;
  uint8_t specialty = 0;  // index into Catalogue::specialties()
  RecordType record_type = RecordType::kIncident;
  Category category = Category::kTreatment;
  PhysicalHarm harm = PhysicalHarm::kUnknown;
  PsychologicalHarm psychological = PsychologicalHarm::kUnknown;
  uint8_t medications[2] = {kAbsent, kAbsent};  // indices into Catalogue::medications()
  uint8_t device_model = kAbsent;               // index into Catalogue::device_models()
  uint8_t age_band = kAbsent;                   // kAbsent: no patient details
  uint8_t sex = 0;
  uint8_t ethnicity = 0;   // index into kEthnicLetters
  uint8_t imd_decile = 0;  // 1..10, 0 when absent
  uint8_t revision = 0;
  Story story = Story::kRoutine;
  uint8_t invalid = kAbsent;  // an InvalidKind, or kAbsent for a valid line
  uint8_t invalid_variant = 0;
  bool occurred_on_absent = false;
  bool never_event = false;
};

struct CivilDate {
  int year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};
// Proleptic Gregorian conversions between day numbers (days since
// 1970-01-01) and calendar dates, without the C library.
CivilDate civil_from_days(int64_t day);
int64_t days_from_civil(int year, unsigned month, unsigned day);

constexpr int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// Offset of UK civil time from UTC at `utc_ms`: one hour during British Summer
// Time (last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC).
int64_t london_offset_ms(int64_t utc_ms);

// Appends `report` as one JSON line without a newline: the valid event, or,
// when report.invalid is set, the broken form of that kind. `scratch` is
// reused working space.
void render_report(const Report& report, std::string& out, std::string& scratch);

}  // namespace vigil::synthetic

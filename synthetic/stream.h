// A deterministic synthetic national stream of incident events (contract
// section 1) with planted risks, for `vigil demo`, benchmarks and tests.
//
// It imitates England's LFPSE feed: ~3.3 million reports a year from ~220
// trusts, a sample of GP practices and the ten ambulance trusts, with
// heavy-tailed organisation sizes, a winter peak (+15%) and quieter weekends
// (-30%), realistic category, harm, record type and patient mixes, report
// lags of mostly 0-3 days with a long tail, a few organisations that upload a
// month of reports at once, exact re-sends, later revisions, optional
// deliberately invalid lines, and six planted risks of realistic size.
//
// The stream is generated one occurrence day at a time and held only as a
// queue of reports not yet due, so memory stays bounded (tens of thousands
// of pending reports at national volume) however long the stream.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.h"

namespace vigil {

// A risk planted in the stream: excess reports in one stratum from `onset`
// (or, for a stop, no reports at all). Fields left empty are not part of the
// stratum; values are written as the event contract writes them.
struct PlantedRisk {
  std::string name;         // stable slug, e.g. "insulin_pen_overdose"
  std::string description;  // plain English: what, where, how big, how it evolves
  std::string detection;    // which detector dimension should find it
  Date onset;               // first occurred_on date affected
  Date end;                 // last occurred_on date affected (the span's end if it never clears)
  std::string org;          // organisation ODS code
  std::vector<std::string> regions;  // region ODS codes; empty: national
  std::string service_area;
  std::string category;
  std::string medication_code;  // dm+d code
  std::string device_model;     // devices[].model
  std::string device_code;      // devices[].code of that model (a report may give it)
  std::string ethnicity;        // patient.ethnicity letter
  std::string min_physical_harm;
  bool never_event = false;
  // Expected number of planted reports over the whole risk (0 for a stop);
  // counted by occurred_on, before any revision or re-send.
  double expected_reports = 0;
};

struct SyntheticStreamOptions {
  uint64_t seed = 20250101;
  Date start = Date{19723};  // first occurred_on date: 2024-01-01
  int days = 730;            // length of the occurred-date span
  // National volume of first submissions; 3.3e6 is England's LFPSE volume.
  // Re-sends and revisions come on top.
  double events_per_year = 3.3e6;
  // Fraction of first submissions written as a deliberately invalid line,
  // cycling through the kinds of InvalidKind.
  double invalid_fraction = 0.0;
  // Exact re-sends of an earlier report, per report delivered.
  double duplicate_fraction = 0.002;
  // Later revisions of an earlier report (revision 1, harm regraded), per
  // first report.
  double revision_fraction = 0.02;
  bool plant_risks = true;
};

// The contract violations the stream plants, in the order it cycles through
// them. Each maps to the dead-letter reason a validator should give.
enum class InvalidKind : uint8_t {
  kNotJson,             // not_json: truncated or single-quoted
  kMissingField,        // missing_field: id, reported_at, org, record_type or category absent
  kWrongType,           // wrong_type: id or org a number, category an array
  kBadValue,            // bad_value: unknown record_type, org or id breaking its pattern
  kBadTimestamp,        // bad_timestamp: no zone, impossible date or hour, not RFC 3339
  kDescriptionTooLong,  // bad_value: description over 32 KiB
};
inline constexpr size_t kInvalidKindCount = 6;
// The dead-letter reason code a validator should give for `kind`.
std::string_view reason_code(InvalidKind kind);
// A short name of the kind itself, e.g. "description_too_long".
std::string_view kind_name(InvalidKind kind);

struct SyntheticStreamStats {
  uint64_t lines = 0;                                 // every line written
  uint64_t first_reports = 0;                         // revision-0 submissions (valid or not)
  uint64_t revisions = 0;                             // later revisions
  uint64_t duplicates = 0;                            // exact re-sends
  uint64_t planted = 0;                               // lines belonging to a planted risk
  std::array<uint64_t, kInvalidKindCount> invalid{};  // invalid lines by kind
  uint64_t dropped_after_stop = 0;                    // reports of the stopped trust not written
  size_t max_pending = 0;                             // high-water mark of the pending queue
  // Occurrence days generated so far: start + days_generated - 1 is the last.
  int days_generated = 0;
};

class SyntheticStream {
 public:
  explicit SyntheticStream(SyntheticStreamOptions options);
  ~SyntheticStream();
  SyntheticStream(SyntheticStream&&) noexcept;
  SyntheticStream& operator=(SyntheticStream&&) noexcept;

  // Appends the next report as one JSON line (no trailing newline) to `line`;
  // false when the stream is over. Reports come out in the order they are
  // reported (reported_at ascending), as a live feed delivers them; an exact
  // re-send repeats its original bytes, so it may follow later reports.
  // Same options, same bytes: every distribution is the stream's own code on
  // std::mt19937_64, so the platform enters only through std::exp, std::log,
  // std::cos and std::sqrt.
  bool next(std::string& line);

  const std::vector<PlantedRisk>& planted_risks() const;
  uint64_t emitted() const;
  // The planted risk (PlantedRisk::name) whose recurring wording the line
  // last written carries; empty for routine text. For evaluating text
  // detectors by the ids of the reports each risk planted.
  std::string_view last_line_wording() const;
  const SyntheticStreamStats& stats() const;
  // Reports generated but not yet written (the memory the stream holds).
  size_t pending() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil

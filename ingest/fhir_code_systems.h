// The LFPSE taxonomy code systems Vigil reads and writes (issue 13), in one
// place: each a table of the taxonomy's numeric codes, the taxonomy versions
// (4, 5) that define each code, and the Vigil slug of contract section 1 it
// stands for. Taken from the public copy of the taxonomy documentation
// (github cuperman007/lfpse-taxonomy, .mkdocs/docs/v{4,5}/code-systems.md and
// code-systems/specialty.md); docs/fhir.md gives the mapping decisions.
//
// Decoding accepts a code defined by either version, so a record's profile
// version need not be known before its codes are read. Outside specialty no
// code changes meaning between v4 and v5 in a way that changes its Vigil
// slug; specialty names a code both define after its v5 display, which for
// a few codes is not what v4 meant (see kSpecialty).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace vigil {

enum class FhirCodeSystemId : uint8_t {
  kAgentType,          // agent-type: AdverseEventAgent.InvolvedAgents -> agents
  kServiceType,        // service-type: LocationDetails.ServiceArea -> service_area
  kSpecialty,          // specialty: LocationDetails.ResponsibleSpecialty -> specialty
  kPhysicalHarm,       // level-of-physical-harm (OT001) -> physical_harm
  kPsychologicalHarm,  // level-of-psychological-harm (OT002) -> psychological_harm
  kAgeBracket,         // age-brackets: PatientInformation.AgeBracket (v4 AgeYears) -> age band
  kGender,             // gender: PatientInformation.Gender -> patient.sex
  kEthnicity,          // ethnicity (v5 only): PatientInformation.PatientEthnicity -> letter
  kSafetyChallenges,   // safety-challenges -> category evidence
  kHealthcareProcess,  // healthcare-process: AdverseEventProcess.Process -> category evidence
  kRiskTheme,          // risk-themes: AdverseEventRiskDetails.RiskTheme -> category evidence
  kOutcomeType,        // outcome-type: AdverseEventOutcome.OutcomeType -> record_type outcome
};
inline constexpr size_t kFhirCodeSystemCount = 12;

// Bit per taxonomy version.
inline constexpr uint8_t kTaxonomyV4 = 1;
inline constexpr uint8_t kTaxonomyV5 = 2;

struct FhirCode {
  std::string_view code;  // as written in valueCode, e.g. "5"
  // The Vigil value: a slug (agents, service area, specialty, category
  // evidence), a harm, age band or sex as spelled in contract section 1, an
  // NHS ethnic category letter, or empty when the code carries nothing Vigil
  // keeps ("I don't know", "None of the above", an age bracket straddling
  // two Vigil bands). Static storage.
  std::string_view vigil;
  uint8_t versions;  // kTaxonomyV4 | kTaxonomyV5
};

struct FhirCodeSystem {
  std::string_view name;    // the taxonomy id without its version, e.g. "agent-type"
  std::string_view source;  // where in the taxonomy documentation the codes come from
  std::span<const FhirCode> codes;
};

const FhirCodeSystem& fhir_code_system(FhirCodeSystemId id);

// The row of `code` in `id` (either version), or nullptr when the taxonomy
// defines no such code. Constant time.
const FhirCode* find_fhir_code(FhirCodeSystemId id, std::string_view code);

// The v5 code the FHIR writer uses for the Vigil value `vigil` (the first
// v5 row with that value), or empty when v5 has none.
std::string_view fhir_code_for(FhirCodeSystemId id, std::string_view vigil);

// The category Vigil derives for a record with no Vigil category extension,
// from the taxonomy evidence in order of precedence: the first safety
// challenge, the first involved agent, the first healthcare process, the
// first risk theme (each as its Vigil value, empty when absent or mapped to
// nothing); "unclassified" when none gives one. Static storage.
std::string_view derive_fhir_category(std::string_view safety_challenge, std::string_view agent,
                                      std::string_view process, std::string_view risk_theme);

// The category evidence of an agent slug (agents differ from categories in
// a few names: buildings and estates are both the estates category, blood
// products the blood category). Empty for an agent with no category.
std::string_view category_of_agent(std::string_view agent_slug);

// Vigil's age band for an age at the incident in days (taxonomy v5
// AgeAtTimeOfIncidentDays), and for one in whole years (v4
// AgeAtTimeOfIncident, read as years): empty when negative, or for 0 years
// (three bands below one year). Years are whole years of 365.25 days.
std::string_view age_band_from_days(int64_t days);
std::string_view age_band_from_years(int64_t years);
// An age in days inside `band` (a contract band) that age_band_from_days
// maps back to it, for the writer; -1 for an unknown band.
int64_t representative_age_days(std::string_view band);

}  // namespace vigil

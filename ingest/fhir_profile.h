// The names of the LFPSE FHIR profile that Vigil reads and writes (issue 13),
// shared by the decoder and the synthetic FHIR writer. Taken from the
// taxonomy documentation (github cuperman007/lfpse-taxonomy,
// .mkdocs/docs/v{4,5}/taxonomy.md): extension URLs end in the extension's id
// and taxonomy version, sub-extensions are named by their slice names.
#pragma once

#include <string_view>

namespace vigil::fhir {

// The base of the taxonomy's StructureDefinition URLs as documented. The
// decoder matches extensions by their last path segment (id and version)
// only, so the live service's host is read the same way.
inline constexpr std::string_view kStructureDefinitionBase =
    "https://psims-uat.azure-api.net/taxonomy/fhir/StructureDefinition/";
inline constexpr std::string_view kAdverseEventProfile = "patient-safety-adverse-event-5";

// Extension ids (without the version suffix "-4"/"-5").
inline constexpr std::string_view kAgentExtension = "adverse-event-agent";
inline constexpr std::string_view kOutcomeExtension = "adverse-event-outcome";
inline constexpr std::string_view kProcessExtension = "adverse-event-process";
inline constexpr std::string_view kRiskDetailsExtension = "adverse-event-risk-details";
inline constexpr std::string_view kWentWellExtension = "adverse-event-went-well";
inline constexpr std::string_view kSafetyChallengesExtension = "adverse-event-safety-challenges";
inline constexpr std::string_view kGovernanceExtension = "adverse-event-governance";
inline constexpr std::string_view kEstimatedDateExtension = "adverse-event-estimated-date";
inline constexpr std::string_view kPatientInformationExtension = "patient-information";
inline constexpr std::string_view kLocationDetailsExtension = "location-details";

// Vigil's own extension on the AdverseEvent, for the event v1 fields LFPSE
// has no place for (icb, region, imd_decile) or records more coarsely than
// Vigil (service_area, specialty, category, age_band, ethnicity). Each
// sub-extension is named after its event v1 field and, when present,
// overrides what the LFPSE fields give. The FHIR writer adds one only where
// the LFPSE fields alone would not decode to the event's value.
inline constexpr std::string_view kVigilExtensionUrl = "urn:vigil:fhir:event-v1";

// Coding systems accepted for a medication's dm+d code.
inline constexpr std::string_view kSnomedSystem = "http://snomed.info/sct";
inline constexpr std::string_view kDmdSystem = "https://dmd.nhs.uk";

}  // namespace vigil::fhir

#include "synthetic/fhir_writer.h"

#include <charconv>
#include <string>

#include "core/json_writer.h"
#include "ingest/fhir_code_systems.h"
#include "ingest/fhir_profile.h"

namespace vigil::synthetic {
namespace {

void append_int(std::string& out, int64_t value) {
  char digits[24];
  char* end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

void append_two(std::string& out, int64_t value) {
  out += static_cast<char>('0' + value / 10);
  out += static_cast<char>('0' + value % 10);
}

// reported_at again: the instant, written in the whole-hour offset (UTC
// first) whose calendar date is the date as originally written.
void append_reported_at(std::string& out, const IncidentEvent& e) {
  int64_t offset_hours = 0;
  for (int64_t h : {0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 8, -8, 9, -9, 10, -10, 11,
                    -11, 12, -12, 13, -13, 14}) {
    const int64_t local = e.reported_at_unix_seconds + h * 3600;
    const int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    if (day == e.reported_on.days) {
      offset_hours = h;
      break;
    }
  }
  const int64_t local = e.reported_at_unix_seconds + offset_hours * 3600;
  const int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  const int64_t second_of_day = local - day * 86400;
  append_date(out, Date{static_cast<int32_t>(day)});
  out += 'T';
  append_two(out, second_of_day / 3600);
  out += ':';
  append_two(out, second_of_day / 60 % 60);
  out += ':';
  append_two(out, second_of_day % 60);
  if (offset_hours == 0) {
    out += 'Z';
  } else {
    out += offset_hours < 0 ? '-' : '+';
    append_two(out, offset_hours < 0 ? -offset_hours : offset_hours);
    out += ":00";
  }
}

// Appends `,` unless `first`, which it then clears.
void separate(std::string& out, bool& first) {
  if (!first) out += ',';
  first = false;
}

void append_url(std::string& out, std::string_view id) {
  out += R"("url":")";
  out.append(fhir::kStructureDefinitionBase);
  out.append(id);
  out += R"(-5")";
}

void append_coded(std::string& out, bool& first, std::string_view name, std::string_view code) {
  separate(out, first);
  out += R"({"url":")";
  out.append(name);
  out += R"(","valueCode":)";
  append_json_string(out, code);
  out += '}';
}

// The service type written for a Vigil service area LFPSE splits more
// coarsely (acute care is one code).
std::string_view service_type_code(std::string_view area) {
  const std::string_view code = fhir_code_for(FhirCodeSystemId::kServiceType, area);
  if (!code.empty()) return code;
  if (area == "acute_inpatient" || area == "emergency_department" || area == "acute_outpatient") {
    return fhir_code_for(FhirCodeSystemId::kServiceType, "acute");
  }
  return {};
}

std::string_view decoded(FhirCodeSystemId system, std::string_view code) {
  const FhirCode* row = code.empty() ? nullptr : find_fhir_code(system, code);
  return row ? row->vigil : std::string_view();
}

}  // namespace

bool append_fhir_adverse_event(const IncidentEvent& e, std::string& out, std::string& problem) {
  // Codes first, so that a value nothing can carry appends nothing.
  std::string_view agent_codes[kMaxListItems];
  std::string_view agent_category;
  for (size_t i = 0; i < e.agents.size() && i < kMaxListItems; ++i) {
    agent_codes[i] = fhir_code_for(FhirCodeSystemId::kAgentType, e.agents[i]);
    if (agent_codes[i].empty()) {
      problem = "agents[" + std::to_string(i) + "]: no LFPSE agent type";
      return false;
    }
    if (agent_category.empty()) agent_category = category_of_agent(e.agents[i]);
  }
  const std::string_view area_code = service_type_code(e.service_area);
  const std::string_view specialty_code = fhir_code_for(FhirCodeSystemId::kSpecialty, e.specialty);
  const std::string_view challenge_code =
      fhir_code_for(FhirCodeSystemId::kSafetyChallenges, e.category);
  const std::string_view process_code =
      challenge_code.empty() ? fhir_code_for(FhirCodeSystemId::kHealthcareProcess, e.category)
                             : std::string_view();
  const bool risk = e.record_type == RecordType::kRisk;
  const std::string_view derived_category = derive_fhir_category(
      decoded(FhirCodeSystemId::kSafetyChallenges, challenge_code), agent_category,
      decoded(FhirCodeSystemId::kHealthcareProcess, process_code), {});
  const std::string_view sex_code = fhir_code_for(FhirCodeSystemId::kGender, e.patient.sex);
  const char letter[1] = {e.patient.ethnicity};
  const std::string_view ethnicity_code =
      e.patient.ethnicity == 0
          ? std::string_view()
          : fhir_code_for(FhirCodeSystemId::kEthnicity, std::string_view(letter, 1));
  const int64_t age_days =
      e.patient.age_band.empty() ? -1 : representative_age_days(e.patient.age_band);
  const bool demographics = age_days >= 0 || !sex_code.empty() || !ethnicity_code.empty();

  out += R"({"resourceType":"AdverseEvent","id":)";
  append_json_string(out, e.id);
  out += R"(,"meta":{"versionId":")";
  append_int(out, e.revision);
  out += R"(","profile":[")";
  out.append(fhir::kStructureDefinitionBase);
  out.append(fhir::kAdverseEventProfile);
  out += R"("]},"contained":[)";
  // The patient's details, with the harm levels LFPSE keeps per patient.
  const bool harm = e.physical_harm != PhysicalHarm::kUnknown ||
                    e.psychological_harm != PsychologicalHarm::kUnknown;
  const bool patient = (e.has_patient && demographics) || harm;
  if (patient) {
    out += R"({"resourceType":"Patient","id":"patient1","extension":[{)";
    append_url(out, fhir::kPatientInformationExtension);
    out += R"(,"extension":[{"url":"PatientSequence","valueInteger":1})";
    bool first = false;
    if (e.physical_harm != PhysicalHarm::kUnknown) {
      append_coded(out, first, "PhysicalHarm",
                   fhir_code_for(FhirCodeSystemId::kPhysicalHarm, to_string(e.physical_harm)));
    }
    if (e.psychological_harm != PsychologicalHarm::kUnknown) {
      append_coded(out, first, "PsychologicalHarm",
                   fhir_code_for(FhirCodeSystemId::kPsychologicalHarm,
                                 to_string(e.psychological_harm)));
    }
    if (e.has_patient) {
      if (age_days >= 0) {
        out += R"(,{"url":"AgeAtTimeOfIncidentDays","valueInteger":)";
        append_int(out, age_days);
        out += '}';
      }
      if (!sex_code.empty()) append_coded(out, first, "Gender", sex_code);
      if (!ethnicity_code.empty()) append_coded(out, first, "PatientEthnicity", ethnicity_code);
    }
    out += "]}]},";
  }
  out += R"({"resourceType":"Location","id":"location1","extension":[{)";
  append_url(out, fhir::kLocationDetailsExtension);
  out += R"(,"extension":[)";
  {
    bool first = true;
    append_coded(out, first, "Organisation", e.org);
    if (!area_code.empty()) append_coded(out, first, "ServiceArea", area_code);
    if (!specialty_code.empty()) append_coded(out, first, "ResponsibleSpecialty", specialty_code);
  }
  out += "]}]}";
  for (size_t i = 0; i < e.medications.size(); ++i) {
    out += R"(,{"resourceType":"Medication","id":"medication)";
    append_int(out, static_cast<int64_t>(i + 1));
    out += R"(","code":{"coding":[{"system":")";
    out.append(fhir::kSnomedSystem);
    out += R"(","code":)";
    append_json_string(out, e.medications[i].code);
    out += R"(,"display":)";
    append_json_string(out, e.medications[i].name);
    out += "}]}}";
  }
  for (size_t i = 0; i < e.devices.size(); ++i) {
    const Device& d = e.devices[i];
    out += R"(,{"resourceType":"Device","id":"device)";
    append_int(out, static_cast<int64_t>(i + 1));
    out += '"';
    if (!d.code.empty()) {
      out += R"(,"udiCarrier":[{"deviceIdentifier":)";
      append_json_string(out, d.code);
      out += "}]";
    }
    out += R"(,"deviceName":[{"name":)";
    append_json_string(out, d.name);
    out += R"(,"type":"user-friendly-name"}])";
    if (!d.manufacturer.empty()) {
      out += R"(,"manufacturer":)";
      append_json_string(out, d.manufacturer);
    }
    if (!d.model.empty()) {
      out += R"(,"modelNumber":)";
      append_json_string(out, d.model);
    }
    out += '}';
  }
  out += R"(],"extension":[)";
  bool first_extension = true;
  const auto open_extension = [&](std::string_view id) {
    separate(out, first_extension);
    out += '{';
    append_url(out, id);
    out += R"(,"extension":[)";
  };
  if (!e.agents.empty()) {
    open_extension(fhir::kAgentExtension);
    bool first = true;
    for (size_t i = 0; i < e.agents.size(); ++i) {
      append_coded(out, first, "InvolvedAgents", agent_codes[i]);
    }
    out += "]}";
  }
  if (!challenge_code.empty()) {
    open_extension(fhir::kSafetyChallengesExtension);
    bool first = true;
    append_coded(out, first, "SafetyChallenges", challenge_code);
    out += "]}";
  }
  if (!process_code.empty()) {
    open_extension(fhir::kProcessExtension);
    bool first = true;
    append_coded(out, first, "Process", process_code);
    out += "]}";
  }
  if (risk) {
    open_extension(fhir::kRiskDetailsExtension);
    bool first = true;
    append_coded(out, first, "RiskTheme", "8");  // Other: no category evidence
    out += "]}";
  } else if (e.record_type == RecordType::kGoodCare) {
    open_extension(fhir::kWentWellExtension);
    bool first = true;
    append_coded(out, first, "GoodCareDetectionFactor", "4");  // during direct care
    out += "]}";
  } else if (e.record_type == RecordType::kOutcome) {
    open_extension(fhir::kOutcomeExtension);
    bool first = true;
    append_coded(out, first, "OutcomeType", "2");  // unplanned reattendance or readmission
    out += "]}";
  }
  if (e.never_event) {
    open_extension(fhir::kGovernanceExtension);
    out += R"({"url":"NeverEvent","valueBoolean":true}]})";
  }
  // Vigil's extension: only the fields the LFPSE rendition above would not
  // decode to the event's own values.
  std::string vigil;
  bool first_vigil = true;
  if (!e.icb.empty()) append_coded(vigil, first_vigil, "icb", e.icb);
  if (!e.region.empty()) append_coded(vigil, first_vigil, "region", e.region);
  if (decoded(FhirCodeSystemId::kServiceType, area_code) != e.service_area) {
    append_coded(vigil, first_vigil, "service_area", e.service_area);
  }
  if (decoded(FhirCodeSystemId::kSpecialty, specialty_code) != e.specialty) {
    append_coded(vigil, first_vigil, "specialty", e.specialty);
  }
  if (derived_category != e.category) append_coded(vigil, first_vigil, "category", e.category);
  if (e.has_patient) {
    if (e.patient.ethnicity != 0 && ethnicity_code.empty()) {
      append_coded(vigil, first_vigil, "ethnicity", std::string_view(letter, 1));
    }
    if (e.patient.imd_decile != 0) {
      separate(vigil, first_vigil);
      vigil += R"({"url":"imd_decile","valueInteger":)";
      append_int(vigil, e.patient.imd_decile);
      vigil += '}';
    }
    if (!demographics && e.patient.imd_decile == 0 && e.patient.ethnicity == 0) {
      separate(vigil, first_vigil);
      vigil += R"({"url":"patient","valueBoolean":true})";
    }
  }
  if (!vigil.empty()) {
    separate(out, first_extension);
    out += R"({"url":")";
    out.append(fhir::kVigilExtensionUrl);
    out += R"(","extension":[)";
    out += vigil;
    out += "]}";
  }
  out += R"(],"actuality":)";
  out += risk ? R"("potential")" : R"("actual")";
  if (patient) out += R"(,"subject":{"reference":"#patient1"})";
  if (e.has_occurred_on) {
    out += R"(,"date":")";
    append_date(out, e.occurred_on);
    out += '"';
  }
  out += R"(,"recordedDate":")";
  append_reported_at(out, e);
  out += R"(","location":{"reference":"#location1"})";
  if (!e.medications.empty() || !e.devices.empty()) {
    out += R"(,"suspectEntity":[)";
    bool first = true;
    for (size_t i = 0; i < e.medications.size(); ++i) {
      separate(out, first);
      out += R"({"instance":{"reference":"#medication)";
      append_int(out, static_cast<int64_t>(i + 1));
      out += R"("}})";
    }
    for (size_t i = 0; i < e.devices.size(); ++i) {
      separate(out, first);
      out += R"({"instance":{"reference":"#device)";
      append_int(out, static_cast<int64_t>(i + 1));
      out += R"("}})";
    }
    out += ']';
  }
  if (!e.description.empty()) {
    out += R"(,"description":)";
    append_json_string(out, e.description);
  }
  out += '}';
  return true;
}

void FhirLineWriter::convert(std::string_view v1_line, std::string& out) {
  const size_t start = out.size();
  if (decoder_.decode(v1_line, event_, failure_) &&
      append_fhir_adverse_event(event_, out, problem_)) {
    ++converted_;
    return;
  }
  out.resize(start);
  out.append(v1_line);
  ++kept_;
}

}  // namespace vigil::synthetic

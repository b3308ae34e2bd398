// The clinical half of the synthetic catalogue: the taxonomy rates (which
// categories each service sees, how harmful each is), medicines, devices,
// specialties and patient demographics.
#include <cstddef>
#include <string>

#include "synthetic/catalogue.h"

namespace vigil::synthetic {
namespace {

// Category mix per service area, in Category order (NRLS/LFPSE-like shares:
// falls and pressure ulcers dominate inpatient wards, self-harm and violence
// mental health, delayed response ambulance services, prescribing GPs).
constexpr double kCategoryMix[kServiceAreaCount][kCategoryCount] = {
    {22, 14, 11, 8, 5, 9, 8, 4, 3, 4, 0.5, 2.5, 0.3, 1.3, 2, 2.5, 1.5, 1, 1.2, 0},  // inpatient
    {6, 3, 10, 10, 14, 12, 18, 4, 4, 6, 3, 7, 1, 2, 0.5, 1.5, 2, 1, 0.5, 0},        // ED
    {1, 0.2, 8, 15, 20, 8, 20, 10, 8, 3, 0, 1, 0, 1, 0.3, 1, 6, 0.5, 0.5, 0},       // outpatient
    {0.5, 0.3, 6, 10, 6, 10, 6, 4, 4, 4, 0, 0.5, 0, 2, 1.5, 1, 1, 0.5, 2, 45},      // maternity
    {5, 0.5, 8, 1, 1, 7, 7, 4, 3, 3, 30, 22, 3, 6, 0.3, 0.3, 1, 2, 0, 0},           // mental health
    {8, 0.5, 8, 1, 1, 8, 4, 4, 4, 3, 12, 30, 2, 12, 0.3, 0.5, 0.5, 2, 0, 0},        // LD & autism
    {12, 38, 12, 3, 2, 10, 8, 4, 4, 2, 0.5, 1, 0, 3, 1, 2, 2, 0.5, 0.2, 0},         // community
    {3, 0, 5, 15, 12, 8, 30, 3, 6, 3, 1, 6, 0, 2, 0.2, 8, 4, 0.5, 0, 0.3},          // ambulance
    {1, 0.5, 30, 6, 20, 1, 10, 10, 12, 1, 0, 1, 0, 3, 0.3, 0.5, 8, 0.5, 0.2, 0},    // primary care
};

// Physical harm per category: none, low, moderate, severe, fatal (percent).
// Overall this gives ~94% no or low harm, ~5% moderate, <1% severe, ~0.2%
// fatal, as in the NHS England quarterly publications.
constexpr double kHarmMix[kCategoryCount][5] = {
    {58, 37.5, 3.5, 0.7, 0.15},   // fall
    {22, 66, 11, 0.6, 0.05},      // pressure ulcer
    {81, 15.8, 2.8, 0.3, 0.07},   // medication
    {63, 31, 5, 0.8, 0.25},       // treatment
    {60, 32, 6.8, 1.2, 0.5},      // diagnosis
    {62, 31.5, 5.4, 1.0, 0.45},   // care and monitoring
    {72, 24.5, 2.9, 0.45, 0.2},   // access, transfer, discharge
    {89, 10.1, 0.8, 0.07, 0},     // documentation
    {82, 16.3, 1.5, 0.18, 0.02},  // communication
    {86, 13.2, 0.8, 0.07, 0},     // staffing
    {38, 50, 9, 2, 1.0},          // self-harm
    {50, 44, 5.4, 0.55, 0.02},    // violence and aggression
    {80, 17.5, 2.2, 0.3, 0.1},    // absconding
    {72, 24.5, 3.0, 0.4, 0.1},    // safeguarding
    {40, 45, 12.5, 2, 0.8},       // infection
    {76, 20.6, 3.0, 0.4, 0.08},   // device
    {93, 6.55, 0.4, 0.04, 0},     // IT system
    {92, 7.5, 0.45, 0.02, 0},     // estates
    {81, 16.3, 2.3, 0.25, 0.05},  // blood
    {54, 35, 8.5, 1.6, 0.25},     // labour and birth
};

// Service areas per organisation kind, in ServiceArea order.
constexpr double kServiceAreaMix[kOrgKindCount][kServiceAreaCount] = {
    {63, 13, 10, 7, 0, 0, 7, 0, 0},  // acute teaching
    {65, 14, 7, 7, 0, 0, 7, 0, 0},   // acute
    {0, 0, 0, 0, 84, 6, 10, 0, 0},   // mental health
    {0, 0, 0, 0, 5, 2, 90, 0, 3},    // community
    {0, 0, 0, 0, 0, 0, 0, 100, 0},   // ambulance
    {0, 0, 0, 0, 0, 0, 0, 0, 100},   // general practice
};

struct MedicationRow {
  std::string_view name, short_name;
  std::array<double, kCareSettingCount> weight;  // acute, maternity, MH, community, GP, ambulance
};
constexpr MedicationRow kMedications[] = {
    {"Insulin lispro 200units/ml solution for injection 3ml pre-filled pens",
     "insulin lispro 200 units/ml pen",
     {2, 0.2, 0.2, 3, 2, 0}},
    {"Insulin aspart 100units/ml solution for injection 3ml pre-filled pens",
     "insulin aspart",
     {6, 0.5, 0.5, 6, 3, 0}},
    {"Insulin glargine 100units/ml solution for injection 3ml pre-filled pens",
     "insulin glargine",
     {5, 0.5, 0.5, 6, 4, 0}},
    {"Soluble insulin human 100units/ml solution for injection 10ml vials",
     "soluble insulin",
     {4, 0.5, 0, 0.5, 0.2, 0}},
    {"Warfarin 1mg tablets", "warfarin", {4, 0, 0.5, 3, 6, 0}},
    {"Warfarin 5mg tablets", "warfarin 5mg", {2, 0, 0.3, 2, 4, 0}},
    {"Apixaban 5mg tablets", "apixaban", {4, 0, 0.5, 2, 5, 0}},
    {"Rivaroxaban 20mg tablets", "rivaroxaban", {3, 0, 0.3, 1.5, 4, 0}},
    {"Enoxaparin sodium 40mg/0.4ml solution for injection pre-filled syringes",
     "enoxaparin",
     {6, 3, 0.2, 3, 0.5, 0}},
    {"Heparin sodium 1,000units/ml solution for injection 5ml ampoules",
     "heparin",
     {3, 0.2, 0, 0.2, 0, 0}},
    {"Morphine sulfate 10mg/5ml oral solution", "oral morphine", {5, 0.5, 0.2, 2, 1, 0.5}},
    {"Morphine sulfate 10mg/1ml solution for injection ampoules",
     "morphine injection",
     {4, 0.5, 0, 3, 0.2, 5}},
    {"Oxycodone 5mg capsules", "oxycodone", {4, 0, 0.2, 1.5, 1, 0}},
    {"Oxycodone 10mg/1ml solution for injection ampoules",
     "oxycodone injection",
     {2, 0, 0, 1, 0, 0}},
    {"Diamorphine 10mg powder for solution for injection ampoules",
     "diamorphine",
     {1.5, 0.5, 0, 2.5, 0, 0}},
    {"Fentanyl 12micrograms/hour transdermal patches", "fentanyl patch", {1.5, 0, 0, 2, 1, 0}},
    {"Midazolam 10mg/2ml solution for injection ampoules", "midazolam", {2, 0, 0.5, 1.5, 0, 1}},
    {"Gentamicin 80mg/2ml solution for injection ampoules", "gentamicin", {4, 0.5, 0, 0, 0, 0}},
    {"Vancomycin 1g powder for solution for infusion vials", "vancomycin", {2.5, 0, 0, 0, 0, 0}},
    {"Co-amoxiclav 1000mg/200mg powder for solution for injection vials",
     "IV co-amoxiclav",
     {3, 0.5, 0, 0, 0, 0}},
    {"Piperacillin 4g / Tazobactam 500mg powder for solution for infusion vials",
     "piperacillin-tazobactam",
     {3, 0, 0, 0, 0, 0}},
    {"Amoxicillin 500mg capsules", "amoxicillin", {2, 0.5, 0.3, 0.5, 3, 0}},
    {"Methotrexate 2.5mg tablets", "methotrexate", {1, 0, 0, 0.5, 4, 0}},
    {"Paracetamol 500mg tablets", "paracetamol", {5, 1, 1, 1.5, 2, 0.5}},
    {"Paracetamol 1g/100ml solution for infusion vials", "IV paracetamol", {3, 0.5, 0, 0, 0, 0.5}},
    {"Potassium chloride 0.3% / Sodium chloride 0.9% solution for infusion 1litre bags",
     "potassium chloride infusion",
     {3, 0, 0, 0, 0, 0}},
    {"Sodium chloride 0.9% solution for infusion 1litre bags",
     "sodium chloride 0.9%",
     {3, 0.5, 0, 0.2, 0, 1}},
    {"Levetiracetam 500mg tablets", "levetiracetam", {2, 0.2, 0.5, 0.5, 1, 0}},
    {"Co-careldopa 25mg/100mg tablets", "co-careldopa", {2, 0, 0.3, 1, 1, 0}},
    {"Prednisolone 5mg tablets", "prednisolone", {1.5, 0, 0.2, 0.5, 2, 0}},
    {"Dexamethasone 3.3mg/1ml solution for injection ampoules",
     "dexamethasone",
     {1.5, 0.2, 0, 0.3, 0, 0}},
    {"Clozapine 100mg tablets", "clozapine", {0.3, 0, 8, 0.5, 0.3, 0}},
    {"Lithium carbonate 400mg modified-release tablets", "lithium", {0.3, 0, 6, 0.5, 1.5, 0}},
    {"Olanzapine 10mg tablets", "olanzapine", {0.3, 0, 7, 0.5, 0.5, 0}},
    {"Lorazepam 1mg tablets", "lorazepam", {1, 0, 6, 0.3, 0.2, 0}},
    {"Haloperidol 5mg/1ml solution for injection ampoules", "haloperidol", {0.5, 0, 4, 0.2, 0, 0}},
    {"Sertraline 50mg tablets", "sertraline", {0.3, 0.2, 3, 0.3, 1.5, 0}},
    {"Amlodipine 5mg tablets", "amlodipine", {1, 0, 0.3, 0.5, 2, 0}},
    {"Furosemide 40mg tablets", "furosemide", {2, 0, 0.2, 1.5, 1.5, 0}},
    {"Metformin 500mg tablets", "metformin", {1, 0.2, 0.3, 0.5, 2.5, 0}},
    {"Digoxin 125microgram tablets", "digoxin", {1, 0, 0, 0.5, 1, 0}},
    {"Oxytocin 10units/1ml solution for injection ampoules", "oxytocin", {0, 6, 0, 0, 0, 0}},
    {"Magnesium sulfate 50% (2mmol/ml) solution for injection 10ml ampoules",
     "magnesium sulfate",
     {0.5, 4, 0, 0, 0, 0}},
    {"Adrenaline (epinephrine) 1mg/10ml (1 in 10,000) solution for injection pre-filled syringes",
     "adrenaline",
     {0.5, 0.2, 0, 0, 0, 4}},
    {"Tacrolimus 1mg capsules", "tacrolimus", {0.8, 0, 0, 0, 0.5, 0}},
    {"Salbutamol 100micrograms/dose inhaler CFC free",
     "salbutamol inhaler",
     {0.5, 0, 0, 0.3, 1, 3}},
    {"Glyceryl trinitrate 400micrograms/dose sublingual spray",
     "GTN spray",
     {0.3, 0, 0, 0, 0.3, 3}},
};

struct DeviceTypeRow {
  std::string_view name;
  std::array<double, kCareSettingCount> weight;  // acute, maternity, MH, community, GP, ambulance
};
constexpr DeviceTypeRow kDeviceTypes[] = {
    {"Volumetric infusion pump", {10, 4, 0.2, 1, 0, 0.5}},
    {"Syringe driver", {5, 1, 0.1, 8, 0, 1}},
    {"Enteral feeding pump", {2, 0, 0.2, 2, 0, 0}},
    {"Blood glucose meter", {3, 1, 0.5, 3, 1, 2}},
    {"Multi-parameter patient monitor", {6, 2, 0.5, 0.5, 0, 3}},
    {"Defibrillator", {1.5, 0.3, 0.5, 0.2, 0.5, 6}},
    {"Ventilator", {2, 0, 0, 0.3, 0, 2}},
    {"Alternating pressure mattress", {3, 0.2, 0.5, 5, 0, 0}},
    {"Patient hoist", {2, 0, 1, 4, 0, 0.5}},
    {"Bed rails", {2, 0, 0.5, 2, 0, 0}},
    {"Peripheral intravenous cannula", {3, 1, 0, 0.2, 0, 1}},
    {"Urinary catheter", {2, 0.5, 0.2, 4, 0.2, 0}},
    {"Nasogastric tube", {2, 0, 0.1, 1, 0, 0}},
    {"Central venous catheter", {1.5, 0, 0, 0.5, 0, 0}},
    {"Cardiotocograph", {0, 6, 0, 0, 0, 0}},
    {"Pulse oximeter", {1, 0.5, 1, 1, 1, 2}},
    {"Ambulance stretcher", {0.5, 0, 0, 0, 0, 4}},
    {"Blood pressure monitor", {1, 0.5, 0.5, 1, 2, 0.5}},
    {"Tracheostomy tube", {1, 0, 0, 0.3, 0, 0}},
    {"Surgical stapler", {1, 0.3, 0, 0, 0, 0}},
};

// Models grouped by type (kDeviceTypes index); each fictional manufacturer
// has its own fictional GS1 company prefix.
struct DeviceModelRow {
  uint8_t type;
  std::string_view manufacturer;
  std::string_view company_prefix;
  std::string_view model;
};
constexpr DeviceModelRow kDeviceModels[] = {
    {0, "Meridian Medical", "63580", "VP-300"},
    {0, "Calder Biomedical", "61742", "Infusia V2"},
    {0, "Pennine MedTech", "62915", "FlowSafe 8"},
    {1, "Meridian Medical", "63580", "SD-20"},
    {1, "Tamar Devices", "64127", "SyriDrive 2"},
    {2, "Calder Biomedical", "61742", "EnteraFlow 3"},
    {3, "Fenland Diagnostics", "60388", "GlucoCheck 5"},
    {3, "Northwood Healthcare", "65204", "SugarSense"},
    {4, "Severn Clinical Systems", "66031", "VitalView 12"},
    {4, "Calder Biomedical", "61742", "CareWatch M"},
    {5, "Severn Clinical Systems", "66031", "ShockGuard AED+"},
    {5, "Northwood Healthcare", "65204", "Resus One"},
    {6, "Northwood Healthcare", "65204", "AirPro 7"},
    {7, "Wessex Care Equipment", "67459", "DynaRest Alt"},
    {8, "Wessex Care Equipment", "67459", "LiftAssist 180"},
    {9, "Wessex Care Equipment", "67459", "SafeSide BR"},
    {10, "Tamar Devices", "64127", "VenaFlex 20G"},
    {11, "Northwood Healthcare", "65204", "Foley 2-way 14Ch"},
    {12, "Calder Biomedical", "61742", "FineBore NG 8Fr"},
    {13, "Tamar Devices", "64127", "CVC Triple-lumen 7Fr"},
    {14, "Severn Clinical Systems", "66031", "FetalTrace 2"},
    {15, "Fenland Diagnostics", "60388", "OxiClip 3"},
    {16, "Pennine MedTech", "62915", "CarryFlex"},
    {17, "Fenland Diagnostics", "60388", "BP Check Pro"},
    {18, "Tamar Devices", "64127", "TrachSafe 8"},
    {19, "Pennine MedTech", "62915", "CloseLine 60"},
};

constexpr Specialty kSpecialties[] = {
    {"general_medicine", ServiceArea::kAcuteInpatient, 20, false},
    {"elderly_care", ServiceArea::kAcuteInpatient, 18, false},
    {"general_surgery", ServiceArea::kAcuteInpatient, 10, false},
    {"trauma_orthopaedics", ServiceArea::kAcuteInpatient, 9, false},
    {"cardiology", ServiceArea::kAcuteInpatient, 6, false},
    {"respiratory_medicine", ServiceArea::kAcuteInpatient, 6, false},
    {"gastroenterology", ServiceArea::kAcuteInpatient, 4, false},
    {"oncology", ServiceArea::kAcuteInpatient, 4, false},
    {"haematology", ServiceArea::kAcuteInpatient, 3, false},
    {"renal_medicine", ServiceArea::kAcuteInpatient, 2, false},
    {"neurology", ServiceArea::kAcuteInpatient, 2, false},
    {"stroke_medicine", ServiceArea::kAcuteInpatient, 4, false},
    {"urology", ServiceArea::kAcuteInpatient, 3, false},
    {"critical_care", ServiceArea::kAcuteInpatient, 4, false},
    {"anaesthetics", ServiceArea::kAcuteInpatient, 2, false},
    {"paediatrics", ServiceArea::kAcuteInpatient, 5, true},
    {"neonatology", ServiceArea::kAcuteInpatient, 2, true},
    {"emergency_medicine", ServiceArea::kEmergencyDepartment, 90, false},
    {"paediatric_emergency_medicine", ServiceArea::kEmergencyDepartment, 10, true},
    {"ophthalmology", ServiceArea::kAcuteOutpatient, 15, false},
    {"dermatology", ServiceArea::kAcuteOutpatient, 8, false},
    {"ent", ServiceArea::kAcuteOutpatient, 10, false},
    {"cardiology", ServiceArea::kAcuteOutpatient, 10, false},
    {"oncology", ServiceArea::kAcuteOutpatient, 15, false},
    {"radiology", ServiceArea::kAcuteOutpatient, 20, false},
    {"trauma_orthopaedics", ServiceArea::kAcuteOutpatient, 10, false},
    {"general_surgery", ServiceArea::kAcuteOutpatient, 7, false},
    {"paediatrics", ServiceArea::kAcuteOutpatient, 5, true},
    {"obstetrics", ServiceArea::kMaternity, 55, false},
    {"midwifery", ServiceArea::kMaternity, 35, false},
    {"neonatology", ServiceArea::kMaternity, 10, true},
    {"adult_mental_health", ServiceArea::kMentalHealth, 55, false},
    {"older_adult_mental_health", ServiceArea::kMentalHealth, 18, false},
    {"camhs", ServiceArea::kMentalHealth, 9, true},
    {"forensic_psychiatry", ServiceArea::kMentalHealth, 8, false},
    {"eating_disorders", ServiceArea::kMentalHealth, 3, false},
    {"substance_misuse", ServiceArea::kMentalHealth, 5, false},
    {"perinatal_mental_health", ServiceArea::kMentalHealth, 2, false},
    {"learning_disability", ServiceArea::kLearningDisability, 100, false},
    {"district_nursing", ServiceArea::kCommunity, 45, false},
    {"community_rehabilitation", ServiceArea::kCommunity, 15, false},
    {"community_hospital", ServiceArea::kCommunity, 15, false},
    {"palliative_care", ServiceArea::kCommunity, 10, false},
    {"podiatry", ServiceArea::kCommunity, 5, false},
    {"community_paediatrics", ServiceArea::kCommunity, 5, true},
    {"sexual_health", ServiceArea::kCommunity, 5, false},
    {"emergency_ambulance", ServiceArea::kAmbulance, 75, false},
    {"nhs_111", ServiceArea::kAmbulance, 15, false},
    {"patient_transport", ServiceArea::kAmbulance, 10, false},
    {"general_practice", ServiceArea::kPrimaryCare, 100, false},
};

// Age bands (kAgeBands order) per AgeProfile.
constexpr double kAgeMix[kAgeProfileCount][12] = {
    {0.3, 0.1, 0.4, 1.2, 0.8, 1.0, 0.6, 5, 15, 24, 20, 31.6},  // general
    {0, 0, 0, 0.1, 0.1, 0.1, 0.1, 1, 4, 14, 22, 58},           // older: falls, pressure ulcers
    {0, 0, 0, 0, 0, 0, 0.5, 18, 80, 1.5, 0, 0},                // mother
    {70, 15, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0},                   // neonate
    {3, 2, 12, 25, 18, 25, 15, 0, 0, 0, 0, 0},                 // child
    {0, 0, 0, 0, 0.5, 4, 5, 18, 38, 25, 6, 3.5},               // mental health
};

// Ethnic category (kEthnicLetters order), 2021 Census-like with ~8-10% not
// stated; London is far more diverse than the rest of England.
constexpr double kEthnicityElsewhere[] = {78,  0.6, 5,   0.8, 0.3, 0.6, 0.5, 2.5, 2.5,
                                          0.6, 1.2, 0.6, 1.5, 0.3, 0.5, 1.5, 8};
constexpr double kEthnicityLondon[] = {36,  2,   14,  1.5, 1, 1.2, 1.7, 7, 3.2,
                                       3.5, 4.5, 3.8, 7.5, 2, 1.6, 6,   10};

// Verhoeff check digit, as SNOMED CT identifiers carry.
char verhoeff_check_digit(std::string_view digits) {
  static constexpr uint8_t d[10][10] = {
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
      {2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
      {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
      {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
      {8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
  static constexpr uint8_t p[8][10] = {
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
      {5, 8, 0, 3, 7, 9, 6, 1, 4, 2}, {8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
      {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
      {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};
  static constexpr uint8_t inv[10] = {0, 4, 3, 2, 1, 5, 6, 7, 8, 9};
  int c = 0;
  for (size_t i = 0; i < digits.size(); ++i) {
    const int digit = digits[digits.size() - 1 - i] - '0';
    c = d[c][p[(i + 1) % 8][digit]];
  }
  return static_cast<char>('0' + inv[c]);
}

// GS1 check digit (weights 3,1,3,... from the right).
char gs1_check_digit(std::string_view digits) {
  int sum = 0;
  for (size_t i = 0; i < digits.size(); ++i) {
    const int digit = digits[digits.size() - 1 - i] - '0';
    sum += digit * (i % 2 == 0 ? 3 : 1);
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

template <size_t N>
Categorical table(const double (&weights)[N]) {
  return Categorical(std::span<const double>(weights, N));
}

// Per care setting, the draw of one of `items` by their weight in that setting.
template <typename Item>
std::array<Categorical, kCareSettingCount> by_setting(const std::vector<Item>& items) {
  std::array<Categorical, kCareSettingCount> tables;
  for (size_t s = 0; s < kCareSettingCount; ++s) {
    std::vector<double> weights;
    for (const Item& item : items) weights.push_back(item.weight[s]);
    tables[s] = Categorical(weights);
  }
  return tables;
}

}  // namespace

void Catalogue::build_tables() {
  for (size_t k = 0; k < kOrgKindCount; ++k) service_area_[k] = table(kServiceAreaMix[k]);
  static constexpr double kRecordTypes[] = {96.7, 1.2, 1.4, 0.7};  // RecordType order
  record_type_ = table(kRecordTypes);
  for (size_t a = 0; a < kServiceAreaCount; ++a) category_[a] = table(kCategoryMix[a]);
  for (size_t c = 0; c < kCategoryCount; ++c) harm_[c] = table(kHarmMix[c]);
  static constexpr double kPsychological[] = {74, 19, 6, 1};
  psychological_harm_ = table(kPsychological);

  specialties_.assign(std::begin(kSpecialties), std::end(kSpecialties));
  for (size_t a = 0; a < kServiceAreaCount; ++a) {
    std::vector<double> weights;
    for (size_t s = 0; s < specialties_.size(); ++s) {
      if (static_cast<size_t>(specialties_[s].area) != a) continue;
      weights.push_back(specialties_[s].weight);
      specialty_ids_[a].push_back(static_cast<uint8_t>(s));
    }
    specialty_[a] = Categorical(weights);
  }

  for (size_t i = 0; i < std::size(kMedications); ++i) {
    // Invented ids in the UK drug extension form: item, namespace 1000001,
    // partition 10 (a concept in an extension), Verhoeff check digit.
    std::string code = std::to_string(3417263 + i * 104729) + "100000110";
    code += verhoeff_check_digit(code);
    medications_.push_back({std::move(code), kMedications[i].name, kMedications[i].short_name,
                            kMedications[i].weight});
  }
  medication_ = by_setting(medications_);

  for (size_t t = 0; t < std::size(kDeviceTypes); ++t) {
    device_types_.push_back({kDeviceTypes[t].name, kDeviceTypes[t].weight, 0, 0});
  }
  for (size_t m = 0; m < std::size(kDeviceModels); ++m) {
    const DeviceModelRow& row = kDeviceModels[m];
    // GTIN-14: indicator 0, GS1 UK prefix 50, company prefix, item, check.
    std::string code = "050" + std::string(row.company_prefix) + std::to_string(10001 + m * 37);
    code += gs1_check_digit(code);
    DeviceType& type = device_types_[row.type];
    if (type.model_count == 0) type.first_model = static_cast<uint8_t>(m);
    ++type.model_count;
    device_models_.push_back({std::move(code), row.manufacturer, row.model, row.type});
  }
  device_type_ = by_setting(device_types_);

  for (size_t p = 0; p < kAgeProfileCount; ++p) age_[p] = table(kAgeMix[p]);
  static constexpr double kSexGeneral[] = {52, 46, 1.5, 0.5};
  static constexpr double kSexMother[] = {1, 0, 0, 0};
  static constexpr double kSexChild[] = {48, 50, 2, 0};
  sex_general_ = table(kSexGeneral);
  sex_mother_ = table(kSexMother);
  sex_child_ = table(kSexChild);
  ethnicity_london_ = table(kEthnicityLondon);
  ethnicity_elsewhere_ = table(kEthnicityElsewhere);
  static constexpr double kImd[] = {13, 12, 11, 10.5, 10, 9.5, 9, 8.5, 8, 8};
  imd_ = table(kImd);
}

const Categorical& Catalogue::sexes(AgeProfile p) const {
  switch (p) {
    case AgeProfile::kMother:
      return sex_mother_;
    case AgeProfile::kNeonate:
    case AgeProfile::kChild:
      return sex_child_;
    case AgeProfile::kGeneral:
    case AgeProfile::kOlder:
    case AgeProfile::kMentalHealth:
      return sex_general_;
  }
  return sex_general_;
}

}  // namespace vigil::synthetic

// The phrasebook of synthetic free text: templates in the terse style of
// local risk management records, chosen by care setting, category, harm and
// story. Phrases are plain text except for slots that the text writer fills:
// @W ward or place, @T clock time, @D medicine, @V device, @N small count,
// @H hours, @M minutes, @C pressure ulcer category, @B capillary glucose,
// @K potassium, @L blood loss (ml), @F over-infused volume (ml).
#include "synthetic/phrases.h"

#include <array>
#include <vector>

namespace vigil::synthetic {
namespace {

// Generic text by category.
constexpr std::string_view kRoutine[kCategoryCount][3] = {
    {"Patient found on floor beside bed on @W at @T. Unwitnessed fall; patient said \"I didn't "
     "want to bother the nurses\" and was trying to reach the toilet.",
     "Witnessed fall while mobilising with frame on @W. Patient lost balance turning; staff unable "
     "to reach in time.",
     "Patient slipped in bathroom on @W at @T. Call bell out of reach; enhanced observation had "
     "been requested but was not in place."},
    {"Category @C pressure ulcer to sacrum found on admission to @W; no skin assessment documented "
     "by the referring unit.",
     "Device-related pressure damage to ear from oxygen tubing noted on @W.",
     "Heel pressure ulcer deteriorated to category @C; gaps of up to @H hours in the repositioning "
     "chart."},
    {"@D dose omitted on @W at @T; chart not checked after transfer from another ward.",
     "Patient given @D prescribed for another patient in the same bay; identified at the next drug "
     "round.",
     "@D not reconciled on admission; usual dose missed for @N days until pharmacist review."},
    {"Procedure delayed by @H hours due to theatre list overrun; patient fasted throughout.",
     "Cannula left in situ for @N days without review; phlebitis noted on @W.",
     "Wound dressing not changed as per care plan for @N days."},
    {"Abnormal blood result (potassium @K mmol/L) not acted on for @H hours.",
     "Fracture missed on initial x-ray; identified on radiology report @N days later.",
     "Sepsis screen not completed on arrival despite NEWS2 of @N; antibiotics delayed by @M "
     "minutes."},
    {"Observations not recorded for @H hours on @W; NEWS2 of @N when repeated.",
     "Fluid balance chart not maintained on @W; patient developed acute kidney injury.",
     "Deteriorating patient not escalated to the medical team as per NEWS2 policy."},
    {"Patient discharged from @W without medicines to take home; district nurses not informed.",
     "Ambulance handover delayed by @M minutes; patient waited on a trolley in the corridor.",
     "Transfer to @W delayed by bed capacity; patient spent @H hours in the emergency department."},
    {"Incorrect patient label on blood sample; sample rejected by the laboratory and repeated.",
     "Consent form missing from notes when patient arrived for procedure.",
     "Allergy status not recorded on the electronic record before prescribing."},
    {"Interpreter not booked for consultation; a family member was used to interpret.",
     "Shift handover on @W did not include the patient's falls risk.",
     "Relative not informed of patient's deterioration until the next day."},
    {"@W staffed with two registered nurses for @N0 patients on the night shift.",
     "No site manager available overnight; escalation of bed pressures delayed.",
     "Agency nurse unable to access the electronic record for the whole shift."},
    {"Patient self-harmed with a ligature on @W at @T; removed by staff, no loss of consciousness.",
     "Patient found with superficial cuts to forearm on @W; wound care provided.",
     "Patient ingested a foreign object; transferred to the emergency department for review."},
    {"Patient assaulted a member of staff during restraint on @W.",
     "Verbal aggression and threats towards staff on @W at @T; patient de-escalated.",
     "Patient-on-patient assault in the communal area of @W."},
    {"Detained patient failed to return from section 17 leave; police informed.",
     "Patient absconded from @W via a fire exit at @T; returned by police @H hours later.",
     "Informal patient left @W without informing staff; welfare check requested."},
    {"Safeguarding concern raised: unexplained bruising noted on admission to @W.",
     "Concern about neglect at the patient's care home raised with the local authority.",
     "Child safeguarding referral made after disclosure during assessment."},
    {"Patient developed C. difficile infection on @W; isolation delayed by @H hours.",
     "Temperature 38.6°C on day @N post-op; MRSA screen not done pre-operatively.",
     "Norovirus outbreak on @W: bay closed to admissions."},
    {"@V alarmed repeatedly and stopped during use on @W; replacement found and device sent to "
     "EBME.",
     "@V found to be past its service date during use.",
     "@V failed during use at @T; backup available and no delay to care."},
    {"Electronic patient record unavailable for @H hours; paper downtime procedures used.",
     "Results not transmitted from the pathology system; @N0 results delayed.",
     "E-prescribing system outage at @T; drug round delayed."},
    {"Water leak from ceiling in @W bay; patients moved.",
     "Lift out of order; patient transfer delayed by @M minutes.",
     "Heating failure: temperature on @W below 18°C overnight."},
    {"Blood transfusion started without a second independent check; checked retrospectively.",
     "Wrong blood in tube: sample labelled with another patient's details; identified by the "
     "laboratory.",
     "Unit of red cells wasted after a cold chain breach."},
    {"Delay in escalation of an abnormal CTG on the labour ward; category 1 caesarean section "
     "performed.",
     "Postpartum haemorrhage of @L ml following birth; obstetric team attended.",
     "Induction of labour delayed by @H hours due to midwife staffing."},
};

// Wording for settings where the generic text above would not fit (a GP
// practice has no bays, an ambulance crew no ward). Settings and categories
// without an entry use the generic text.
struct SettingText {
  CareSetting setting;
  Category category;
  std::string_view text;
};
constexpr SettingText kSettingTexts[] = {
    {CareSetting::kPrimary, Category::kMedication,
     "@D issued on repeat after the medication review date had passed; identified by the community "
     "pharmacist."},
    {CareSetting::kPrimary, Category::kMedication,
     "Wrong strength of @D on the repeat template; patient queried the change with the pharmacy."},
    {CareSetting::kPrimary, Category::kMedication,
     "@D prescribed despite a recorded allergy; alert overridden in a busy surgery."},
    {CareSetting::kPrimary, Category::kDiagnosis,
     "Abnormal blood result (potassium @K mmol/L) filed as normal without review; patient recalled "
     "@N days later."},
    {CareSetting::kPrimary, Category::kDiagnosis,
     "Two-week-wait referral for suspected cancer not sent; identified @N weeks later."},
    {CareSetting::kPrimary, Category::kDiagnosis,
     "Signs of sepsis not recognised at a telephone consultation; patient admitted the next day."},
    {CareSetting::kPrimary, Category::kAccessTransferDischarge,
     "Urgent referral rejected by the hospital and not followed up for @N weeks."},
    {CareSetting::kPrimary, Category::kAccessTransferDischarge,
     "Discharge letter with medication changes not actioned for @N days."},
    {CareSetting::kPrimary, Category::kCommunication,
     "Hospital discharge summary not received; practice unaware of the new diagnosis."},
    {CareSetting::kPrimary, Category::kCommunication,
     "Test result letter sent to the wrong address."},
    {CareSetting::kPrimary, Category::kDocumentation,
     "Consultation recorded in another patient's record."},
    {CareSetting::kPrimary, Category::kDocumentation,
     "Diagnosis not coded in the record, so the annual recall was not triggered."},
    {CareSetting::kPrimary, Category::kItSystem,
     "Clinical system unavailable for @H hours; surgeries run on paper."},
    {CareSetting::kPrimary, Category::kItSystem,
     "Electronic prescription failed to transmit to the pharmacy."},
    {CareSetting::kPrimary, Category::kTreatment,
     "Vaccine given @N weeks earlier than the scheduled interval."},
    {CareSetting::kPrimary, Category::kTreatment,
     "Wrong vaccine given at the practice clinic; identified at the end of the session."},
    {CareSetting::kPrimary, Category::kFall,
     "Patient fell in the waiting room; assessed by the duty doctor."},
    {CareSetting::kAmbulance, Category::kAccessTransferDischarge,
     "Category 2 response delayed by @M minutes; patient waited on the floor at home."},
    {CareSetting::kAmbulance, Category::kAccessTransferDischarge,
     "Hospital handover delayed by @H hours; crew held outside the emergency department."},
    {CareSetting::kAmbulance, Category::kAccessTransferDischarge,
     "NHS 111 clinical callback not made within the target time; patient called 999."},
    {CareSetting::kAmbulance, Category::kTreatment,
     "Patient not conveyed after assessment; called again @H hours later having deteriorated."},
    {CareSetting::kAmbulance, Category::kTreatment,
     "Cannulation attempted @N times on scene; delay in pain relief."},
    {CareSetting::kAmbulance, Category::kDiagnosis,
     "Stroke symptoms not recognised at triage; patient taken to a hospital without a stroke "
     "unit."},
    {CareSetting::kAmbulance, Category::kDiagnosis,
     "No ECG on scene despite chest pain; STEMI identified at hospital."},
    {CareSetting::kAmbulance, Category::kCareMonitoring,
     "Observations not repeated during a @M minute journey; NEWS2 of @N at handover."},
    {CareSetting::kAmbulance, Category::kCommunication,
     "Wrong address passed to the crew; @M minute delay in reaching the patient."},
    {CareSetting::kAmbulance, Category::kMedication,
     "@D drawn up at the wrong concentration on scene; noticed before administration."},
    {CareSetting::kAmbulance, Category::kMedication,
     "Controlled drug register discrepancy for @D at the station."},
    {CareSetting::kAmbulance, Category::kFall,
     "Patient fell from the stretcher while being moved into the ambulance."},
    {CareSetting::kAmbulance, Category::kViolenceAggression,
     "Crew member assaulted on scene; police attended."},
    {CareSetting::kCommunity, Category::kAccessTransferDischarge,
     "Patient discharged home without a district nursing referral; insulin doses missed."},
    {CareSetting::kCommunity, Category::kAccessTransferDischarge,
     "Equipment for discharge not delivered; patient stayed in hospital @N days longer."},
    {CareSetting::kCommunity, Category::kMedication,
     "District nursing visit missed; @D dose not given."},
    {CareSetting::kCommunity, Category::kMedication,
     "Care home gave @D from the old chart after a dose change."},
    {CareSetting::kCommunity, Category::kCareMonitoring,
     "Planned district nursing visit missed; patient found unwell the next day."},
    {CareSetting::kCommunity, Category::kTreatment,
     "Catheter change overdue by @N weeks; urinary retention."},
    {CareSetting::kCommunity, Category::kFall,
     "Patient found on the floor at home during a district nursing visit; had been there "
     "overnight."},
    {CareSetting::kCommunity, Category::kPressureUlcer,
     "Category @C pressure ulcer to sacrum found at the first district nursing visit; "
     "pressure-relieving mattress not yet delivered."},
    {CareSetting::kCommunity, Category::kPressureUlcer,
     "Heel pressure ulcer deteriorated to category @C; gaps in repositioning at the care home."},
    {CareSetting::kMentalHealth, Category::kAccessTransferDischarge,
     "Patient waited @H hours in the emergency department for a mental health bed."},
    {CareSetting::kMentalHealth, Category::kAccessTransferDischarge,
     "Out-of-area placement arranged as no local bed was available."},
    {CareSetting::kMentalHealth, Category::kCareMonitoring,
     "Enhanced observations not completed as prescribed on @W; gap of @M minutes."},
    {CareSetting::kMentalHealth, Category::kTreatment,
     "Depot injection given @N days late; patient's mental state deteriorated."},
    {CareSetting::kMentalHealth, Category::kTreatment,
     "Baseline ECG not done before starting @D on @W."},
    {CareSetting::kMentalHealth, Category::kDiagnosis,
     "Physical deterioration not recognised on @W; NEWS2 of @N not escalated."},
    {CareSetting::kMentalHealth, Category::kDiagnosis,
     "Risk assessment not updated after a disclosure of suicidal thoughts."},
    {CareSetting::kMaternity, Category::kAccessTransferDischarge,
     "Transfer to the labour ward delayed by @H hours due to acuity."},
};

constexpr std::string_view kNeverEvents[3][2] = {
    {"Never event: wrong site surgery - procedure started on the wrong side; stopped when "
     "identified.",
     "Never event: retained swab identified on post-operative x-ray; return to theatre."},
    {"Never event: oral liquid medicine administered intravenously on @W.",
     "Never event: insulin overdose after the abbreviation 'U' on the prescription was read as a "
     "zero."},
    {"Never event: ABO-incompatible red cells transfused on @W; transfusion stopped.",
     "Never event: ABO-incompatible blood component given in theatre."},
};

constexpr std::string_view kInsulinPen[3] = {
    "Hypoglycaemia (CBG @B mmol/L) @H hours after an insulin lispro 200 units/ml pen dose on @W. "
    "Dose dialled and checked by two nurses, but the pen appears to have delivered more than "
    "dialled. Pen retained for investigation; IV glucose given.",
    "Patient found drowsy and clammy at @T, CBG @B mmol/L. Had self-administered the usual dose "
    "with a new high-strength insulin lispro pen; dose window stuck between units. Treated per "
    "hypoglycaemia protocol.",
    "Recurrent hypoglycaemia (lowest CBG @B mmol/L) after switch to insulin lispro 200 units/ml "
    "pre-filled pen; district nurse notes the pen dial skipping. Pen and batch number sent to "
    "pharmacy.",
};

constexpr std::string_view kPump[3] = {
    "@V continued infusing after an occlusion alarm was cleared; approx @F ml of @D over-infused "
    "on @W. Pump quarantined and sent to EBME; reported to MHRA.",
    "Free flow from @V at @T after the door was reopened mid-infusion: @F ml of @D given over "
    "minutes. Pump removed from use.",
    "@V displayed the correct rate but @F ml more @D was infused than programmed. Same fault seen "
    "on another pump this week.",
};

constexpr std::string_view kNeverEventCluster[2] = {
    "Never event: misplaced nasogastric tube not detected before feed started on @W; aspiration "
    "and cardiac arrest. Position check relied on an x-ray that was misinterpreted.",
    "Never event: feed given via a nasogastric tube placed in the lung; x-ray not reviewed against "
    "the checklist. Patient deteriorated rapidly.",
};

constexpr std::string_view kMaternity[3] = {
    "Postpartum haemorrhage of @L ml on the postnatal ward; concerns raised by the woman about "
    "bleeding were not escalated for @H hours.",
    "Delay in recognising sepsis in a postnatal woman on the postnatal ward; transferred to ITU.",
    "Abnormal CTG not escalated for @M minutes; emergency caesarean section and baby admitted to "
    "the neonatal unit.",
};

// Outcome sentences by PhysicalHarm (kUnknown..kFatal).
constexpr std::string_view kOutcomes[6][2] = {
    {"Harm not yet assessed.", "Awaiting review by the ward manager."},
    {"No harm to patient.", "No injury sustained; observations stable."},
    {"Minor harm; reviewed by doctor, no further treatment needed.",
     "Low harm: first aid given and patient monitored."},
    {"Moderate harm: additional treatment required and length of stay extended.",
     "Further intervention needed; family informed under duty of candour."},
    {"Severe harm: transferred to critical care; duty of candour commenced.",
     "Permanent harm likely; escalated to the divisional director."},
    {"Patient died; coroner informed and a PSII is being considered.",
     "Patient subsequently died; reported to the medical examiner."},
};

constexpr std::string_view kFallInjury[2] = {
    "X-ray confirmed fractured neck of femur; referred to orthopaedics.",
    "CT head showed a subdural haematoma; neurosurgical advice sought."};

constexpr std::string_view kActions[4] = {"Reviewed by doctor.", "Discussed at the safety huddle.",
                                          "Escalated to the nurse in charge.", "Family informed."};

constexpr std::array<std::string_view, 8> kAcuteWards = {
    "Ward 7", "Ward 12", "Ward 4B", "AMU", "SAU", "Elm Ward", "Cedar Ward", "the frailty unit"};
constexpr std::array<std::string_view, 4> kEdPlaces = {"majors", "resus", "minors",
                                                       "the ED corridor"};
constexpr std::array<std::string_view, 4> kMaternityWards = {
    "the labour ward", "the delivery suite", "the birth centre", "the postnatal ward"};
constexpr std::array<std::string_view, 4> kMentalHealthWards = {"Ash Ward", "Rowan Ward (PICU)",
                                                                "Beech Ward", "Laurel House"};
constexpr std::array<std::string_view, 3> kCommunityPlaces = {
    "the patient's home", "the community hospital ward", "the care home"};
constexpr std::array<std::string_view, 3> kAmbulancePlaces = {"scene", "the ambulance",
                                                              "hospital handover"};
constexpr std::array<std::string_view, 2> kPracticePlaces = {"the surgery", "reception"};

constexpr std::array<std::string_view, 6> kFakeNames = {"Mr J. Bloggs",   "Mrs A. Smith",
                                                        "Ms P. Example",  "Mr T. Testpatient",
                                                        "Miss L. Sample", "Mr J. Doe"};

// kSettingTexts indexed by setting and category.
using SettingIndex =
    std::array<std::array<std::vector<std::string_view>, kCategoryCount>, kCareSettingCount>;
const SettingIndex& setting_index() {
  static const SettingIndex index = [] {
    SettingIndex built;
    for (const SettingText& t : kSettingTexts) {
      built[static_cast<size_t>(t.setting)][static_cast<size_t>(t.category)].push_back(t.text);
    }
    return built;
  }();
  return index;
}

}  // namespace

std::span<const std::string_view> routine_phrases(CareSetting setting, Category category) {
  const auto& special =
      setting_index()[static_cast<size_t>(setting)][static_cast<size_t>(category)];
  if (!special.empty()) return special;
  return kRoutine[static_cast<size_t>(category)];
}

std::span<const std::string_view> never_event_phrases(Category category) {
  switch (category) {
    case Category::kMedication:
      return kNeverEvents[1];
    case Category::kBlood:
      return kNeverEvents[2];
    default:
      return kNeverEvents[0];
  }
}

std::span<const std::string_view> story_phrases(Story story) {
  switch (story) {
    case Story::kInsulinPen:
      return kInsulinPen;
    case Story::kPumpOverInfusion:
      return kPump;
    case Story::kNeverEventCluster:
      return kNeverEventCluster;
    case Story::kMaternityHarm:
      return kMaternity;
    case Story::kRoutine:
    case Story::kNeverEvent:
    case Story::kFallsCluster:
      break;
  }
  return {};
}

std::span<const std::string_view> outcome_phrases(PhysicalHarm harm) {
  return kOutcomes[static_cast<size_t>(harm)];
}

std::span<const std::string_view> fall_injury_phrases() { return kFallInjury; }

std::span<const std::string_view> immediate_actions() { return kActions; }

std::span<const std::string_view> places(ServiceArea area) {
  switch (area) {
    case ServiceArea::kAcuteInpatient:
    case ServiceArea::kAcuteOutpatient:
      return kAcuteWards;
    case ServiceArea::kEmergencyDepartment:
      return kEdPlaces;
    case ServiceArea::kMaternity:
      return kMaternityWards;
    case ServiceArea::kMentalHealth:
    case ServiceArea::kLearningDisability:
      return kMentalHealthWards;
    case ServiceArea::kCommunity:
      return kCommunityPlaces;
    case ServiceArea::kAmbulance:
      return kAmbulancePlaces;
    case ServiceArea::kPrimaryCare:
      return kPracticePlaces;
  }
  return kAcuteWards;
}

std::span<const std::string_view> fake_names() { return kFakeNames; }

}  // namespace vigil::synthetic

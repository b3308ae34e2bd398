// Reference lists behind the synthetic national event stream: NHS England
// regions and integrated care boards, an invented but plausible set of
// organisations, the LFPSE-like taxonomy slugs, medicines, devices and the
// rates that tie them together (which categories each service sees, how
// harmful each category is, who the patients are).
//
// Region and ICB codes are the real ODS codes of 2022-; the ten ambulance
// trusts carry their real codes. Every other organisation code, every dm+d
// code and every device identifier is invented: codes have the right shape
// (SNOMED CT UK drug extension ids with a valid Verhoeff check digit, GS1
// GTIN-14 device identifiers with a valid check digit) but name nothing real,
// and manufacturers are fictional so no planted fault names a real company.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/incident_event.h"
#include "synthetic/random.h"

namespace vigil::synthetic {

// Marks an absent small index (no medication, no device, no patient).
inline constexpr uint8_t kAbsent = 255;

enum class OrgKind : uint8_t {
  kAcuteTeaching,
  kAcute,
  kMentalHealth,
  kCommunity,
  kAmbulance,
  kGeneralPractice,
};
inline constexpr size_t kOrgKindCount = 6;

enum class ServiceArea : uint8_t {
  kAcuteInpatient,
  kEmergencyDepartment,
  kAcuteOutpatient,
  kMaternity,
  kMentalHealth,
  kLearningDisability,
  kCommunity,
  kAmbulance,
  kPrimaryCare,
};
inline constexpr size_t kServiceAreaCount = 9;

enum class Category : uint8_t {
  kFall,
  kPressureUlcer,
  kMedication,
  kTreatment,
  kDiagnosis,
  kCareMonitoring,
  kAccessTransferDischarge,
  kDocumentation,
  kCommunication,
  kStaffing,
  kSelfHarm,
  kViolenceAggression,
  kAbsconding,
  kSafeguarding,
  kInfection,
  kDevice,
  kItSystem,
  kEstates,
  kBlood,
  kLabourBirth,
};
inline constexpr size_t kCategoryCount = 20;

// How an organisation's local risk management system writes events. Real
// feeds differ in which optional fields they fill and how they write times;
// the stream mixes all three so consumers meet each form.
enum class FeedProfile : uint8_t {
  kFull,      // every optional field, explicit defaults, local time with offset
  kStandard,  // icb/region, defaults omitted, UTC with milliseconds
  kMinimal,   // no icb/region/specialty, device codes omitted, UTC seconds,
              // multi-line free text
};

// Medicines and devices are weighted by care setting, a coarser grouping of
// service areas.
enum class CareSetting : uint8_t {
  kAcute,
  kMaternity,
  kMentalHealth,
  kCommunity,
  kPrimary,
  kAmbulance
};
inline constexpr size_t kCareSettingCount = 6;
CareSetting care_setting(ServiceArea area);

std::string_view slug(ServiceArea area);
std::string_view slug(Category category);
std::string_view slug(OrgKind kind);  // "acute teaching trust", ... (prose)

struct Region {
  std::string_view code;  // e.g. "Y56"
  std::string_view name;
  bool london;
};

struct Icb {
  std::string_view code;  // e.g. "QWE"
  std::string_view name;
  uint8_t region;  // index into regions()
  double population_millions;
};

struct Organisation {
  std::string code;  // ODS code
  OrgKind kind;
  uint8_t icb;     // index into icbs()
  uint8_t region;  // index into regions()
  // Expected reports a year at the national volume of kNationalReportsPerYear,
  // before the stream scales to the volume it was asked for.
  double annual_reports;
  bool monthly_batches;  // uploads a month's reports at once, early next month
  FeedProfile profile;
  uint32_t procurement;  // selects the organisation's model of each device type
};

struct MedicationInfo {
  std::string code;             // dm+d-shaped SNOMED CT id (invented)
  std::string_view name;        // VMP-style description
  std::string_view short_name;  // how free text refers to it
  std::array<double, kCareSettingCount> weight;
};

struct DeviceType {
  std::string_view name;
  std::array<double, kCareSettingCount> weight;
  uint8_t first_model;
  uint8_t model_count;
};

struct DeviceModel {
  std::string code;  // GTIN-14-shaped device identifier (invented)
  std::string_view manufacturer;
  std::string_view model;
  uint8_t type;  // index into device_types()
};

struct Specialty {
  std::string_view slug;
  ServiceArea area;
  double weight;
  bool paediatric;  // patients are children or neonates
};

// Which age-band table a patient is drawn from.
enum class AgeProfile : uint8_t { kGeneral, kOlder, kMother, kNeonate, kChild, kMentalHealth };
inline constexpr size_t kAgeProfileCount = 6;

inline constexpr double kNationalReportsPerYear = 3.3e6;

// Share of incidents and outcomes that grade physical harm (the rest leave
// it unknown).
inline constexpr double kHarmRecorded = 0.97;

class Catalogue {
 public:
  // The one catalogue, built on first use from a fixed internal seed: the
  // same organisation codes in every stream whatever its seed. Thread-safe.
  static const Catalogue& get();

  const std::vector<Region>& regions() const { return regions_; }
  const std::vector<Icb>& icbs() const { return icbs_; }
  const std::vector<Organisation>& orgs() const { return orgs_; }
  const std::vector<MedicationInfo>& medications() const { return medications_; }
  const std::vector<DeviceType>& device_types() const { return device_types_; }
  const std::vector<DeviceModel>& device_models() const { return device_models_; }
  const std::vector<Specialty>& specialties() const { return specialties_; }

  // Index of the organisation with this code, or orgs().size().
  size_t find_org(std::string_view code) const;
  // Index of the medication / device model with this short name / model.
  size_t find_medication(std::string_view short_name) const;
  size_t find_device_model(std::string_view model) const;
  // Index into specialties() of `slug` within `area`, or specialties().size().
  size_t find_specialty(ServiceArea area, std::string_view slug) const;
  // The model of device type `type` that organisation `org` has bought.
  uint8_t device_model_for(size_t org, size_t type) const;

  // The rates. Each table is a distribution over the enum or list it names.
  const Categorical& service_areas(OrgKind kind) const {
    return service_area_[static_cast<size_t>(kind)];
  }
  const Categorical& record_types() const { return record_type_; }  // over RecordType
  const Categorical& categories(ServiceArea a) const { return category_[static_cast<size_t>(a)]; }
  // Over PhysicalHarm kNone..kFatal as indices 0..4, for incidents and outcomes.
  const Categorical& harms(Category c) const { return harm_[static_cast<size_t>(c)]; }
  const Categorical& psychological_harms() const { return psychological_harm_; }  // kNone..kSevere
  const Categorical& specialties_in(ServiceArea a) const {
    return specialty_[static_cast<size_t>(a)];
  }
  // Index i of specialties_in(a) maps to specialties()[specialty_index(a, i)].
  uint8_t specialty_index(ServiceArea a, size_t i) const {
    return specialty_ids_[static_cast<size_t>(a)][i];
  }
  const Categorical& medications_in(CareSetting s) const {
    return medication_[static_cast<size_t>(s)];
  }
  const Categorical& device_types_in(CareSetting s) const {
    return device_type_[static_cast<size_t>(s)];
  }
  const Categorical& age_bands(AgeProfile p) const { return age_[static_cast<size_t>(p)]; }
  const Categorical& sexes(AgeProfile p) const;
  const Categorical& ethnicities(bool london) const {
    return london ? ethnicity_london_ : ethnicity_elsewhere_;
  }
  const Categorical& imd_deciles() const { return imd_; }

  // Probability that a report in category `c` has a patient record.
  static double patient_probability(Category c);

 private:
  Catalogue();
  void build_organisations();
  void build_tables();

  std::vector<Region> regions_;
  std::vector<Icb> icbs_;
  std::vector<Organisation> orgs_;
  std::vector<MedicationInfo> medications_;
  std::vector<DeviceType> device_types_;
  std::vector<DeviceModel> device_models_;
  std::vector<Specialty> specialties_;

  std::array<Categorical, kOrgKindCount> service_area_;
  Categorical record_type_;
  std::array<Categorical, kServiceAreaCount> category_;
  std::array<Categorical, kCategoryCount> harm_;
  Categorical psychological_harm_;
  std::array<Categorical, kServiceAreaCount> specialty_;
  std::array<std::vector<uint8_t>, kServiceAreaCount> specialty_ids_;
  std::array<Categorical, kCareSettingCount> medication_;
  std::array<Categorical, kCareSettingCount> device_type_;
  std::array<Categorical, kAgeProfileCount> age_;
  Categorical sex_general_, sex_mother_, sex_child_;
  Categorical ethnicity_london_, ethnicity_elsewhere_;
  Categorical imd_;
};

// Contract value lists, in the index order the tables above use.
inline constexpr std::array<std::string_view, 12> kAgeBands = {"0-14d", "15-28d", "1-11m", "1-4",
                                                               "5-9",   "10-15",  "16-17", "18-25",
                                                               "26-45", "46-65",  "66-75", "76+"};
inline constexpr std::array<std::string_view, 4> kSexes = {"female", "male", "unknown", "withheld"};
// NHS ethnic category letters (I, O and Q are not used), then Z "not stated".
inline constexpr std::string_view kEthnicLetters = "ABCDEFGHJKLMNPRSZ";

}  // namespace vigil::synthetic

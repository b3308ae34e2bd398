#include "synthetic/catalogue.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/check.h"

namespace vigil::synthetic {
namespace {

// The catalogue's own seed: organisation codes and sizes never depend on the
// stream seed, so the planted places are the same in every stream.
constexpr uint64_t kCatalogueSeed = 0x5AFE7E1A2024ULL;

constexpr std::array<std::string_view, kServiceAreaCount> kServiceAreaSlugs = {
    "acute_inpatient", "emergency_department", "acute_outpatient", "maternity",
    "mental_health",   "learning_disability",  "community",        "ambulance",
    "primary_care"};

constexpr std::array<std::string_view, kCategoryCount> kCategorySlugs = {
    "fall",
    "pressure_ulcer",
    "medication",
    "treatment",
    "diagnosis",
    "care_monitoring",
    "access_transfer_discharge",
    "documentation",
    "communication",
    "staffing",
    "self_harm",
    "violence_aggression",
    "absconding",
    "safeguarding",
    "infection",
    "device",
    "it_system",
    "estates",
    "blood",
    "labour_birth"};

// Relative annual reports by organisation kind; a lognormal jitter on top
// makes the tail heavy (a large teaching trust reports ~10x a small acute).
constexpr double kKindSize[kOrgKindCount] = {40000, 15000, 10000, 8000, 9000, 60};

constexpr Region kRegions[] = {
    {"Y56", "London", true},
    {"Y58", "South West", false},
    {"Y59", "South East", false},
    {"Y60", "Midlands", false},
    {"Y61", "East of England", false},
    {"Y62", "North West", false},
    {"Y63", "North East and Yorkshire", false},
};

constexpr Icb kIcbs[] = {
    {"QMJ", "North Central London", 0, 1.55},
    {"QMF", "North East London", 0, 2.2},
    {"QRV", "North West London", 0, 2.1},
    {"QKK", "South East London", 0, 1.9},
    {"QWE", "South West London", 0, 1.5},
    {"QOX", "Bath and North East Somerset, Swindon and Wiltshire", 1, 0.97},
    {"QUY", "Bristol, North Somerset and South Gloucestershire", 1, 1.0},
    {"QT6", "Cornwall and the Isles of Scilly", 1, 0.58},
    {"QJK", "Devon", 1, 1.2},
    {"QVV", "Dorset", 1, 0.8},
    {"QR1", "Gloucestershire", 1, 0.66},
    {"QSL", "Somerset", 1, 0.58},
    {"QU9", "Buckinghamshire, Oxfordshire and Berkshire West", 2, 1.9},
    {"QNX", "Sussex", 2, 1.7},
    {"QRL", "Hampshire and Isle of Wight", 2, 1.9},
    {"QKS", "Kent and Medway", 2, 1.9},
    {"QXU", "Surrey Heartlands", 2, 1.1},
    {"QNQ", "Frimley", 2, 0.8},
    {"QHL", "Birmingham and Solihull", 3, 1.3},
    {"QUA", "Black Country", 3, 1.3},
    {"QWU", "Coventry and Warwickshire", 3, 1.0},
    {"QJ2", "Derby and Derbyshire", 3, 1.1},
    {"QGH", "Herefordshire and Worcestershire", 3, 0.8},
    {"QK1", "Leicester, Leicestershire and Rutland", 3, 1.1},
    {"QJM", "Lincolnshire", 3, 0.77},
    {"QPM", "Northamptonshire", 3, 0.8},
    {"QT1", "Nottingham and Nottinghamshire", 3, 1.1},
    {"QOC", "Shropshire, Telford and Wrekin", 3, 0.5},
    {"QNC", "Staffordshire and Stoke-on-Trent", 3, 1.1},
    {"QHG", "Bedfordshire, Luton and Milton Keynes", 4, 1.0},
    {"QUE", "Cambridgeshire and Peterborough", 4, 0.9},
    {"QM7", "Hertfordshire and West Essex", 4, 1.6},
    {"QMM", "Norfolk and Waveney", 4, 1.1},
    {"QH8", "Mid and South Essex", 4, 1.2},
    {"QJG", "Suffolk and North East Essex", 4, 1.0},
    {"QYG", "Cheshire and Merseyside", 5, 2.7},
    {"QOP", "Greater Manchester", 5, 2.9},
    {"QE1", "Lancashire and South Cumbria", 5, 1.8},
    {"QHM", "North East and North Cumbria", 6, 3.1},
    {"QOQ", "Humber and North Yorkshire", 6, 1.7},
    {"QF7", "South Yorkshire", 6, 1.4},
    {"QWO", "West Yorkshire", 6, 2.4},
};

struct AmbulanceTrust {
  std::string_view code;
  uint8_t region;
};
constexpr AmbulanceTrust kAmbulanceTrusts[] = {
    {"RRU", 0}, {"RYF", 1}, {"RYD", 2}, {"RYE", 2}, {"RYA", 3},
    {"RX9", 3}, {"RYC", 4}, {"RX7", 5}, {"RX6", 6}, {"RX8", 6},
};

// First letters of GP practice codes by region, after the historic
// regional prefixes (A8 North East, N8 North West, E8 London, ...).
constexpr std::string_view kPracticeLetters[] = {"EF", "JL", "GHK", "MC", "D", "NP", "AB"};
constexpr int kPracticeSample = 600;

}  // namespace

CareSetting care_setting(ServiceArea area) {
  switch (area) {
    case ServiceArea::kAcuteInpatient:
    case ServiceArea::kEmergencyDepartment:
    case ServiceArea::kAcuteOutpatient:
      return CareSetting::kAcute;
    case ServiceArea::kMaternity:
      return CareSetting::kMaternity;
    case ServiceArea::kMentalHealth:
    case ServiceArea::kLearningDisability:
      return CareSetting::kMentalHealth;
    case ServiceArea::kCommunity:
      return CareSetting::kCommunity;
    case ServiceArea::kAmbulance:
      return CareSetting::kAmbulance;
    case ServiceArea::kPrimaryCare:
      return CareSetting::kPrimary;
  }
  return CareSetting::kAcute;
}

std::string_view slug(ServiceArea area) { return kServiceAreaSlugs[static_cast<size_t>(area)]; }
std::string_view slug(Category category) { return kCategorySlugs[static_cast<size_t>(category)]; }

std::string_view slug(OrgKind kind) {
  switch (kind) {
    case OrgKind::kAcuteTeaching:
      return "acute teaching trust";
    case OrgKind::kAcute:
      return "acute trust";
    case OrgKind::kMentalHealth:
      return "mental health trust";
    case OrgKind::kCommunity:
      return "community trust";
    case OrgKind::kAmbulance:
      return "ambulance trust";
    case OrgKind::kGeneralPractice:
      return "GP practice";
  }
  return "organisation";
}

double Catalogue::patient_probability(Category c) {
  switch (c) {
    case Category::kStaffing:
    case Category::kEstates:
      return 0.25;
    case Category::kItSystem:
      return 0.3;
    case Category::kDocumentation:
    case Category::kCommunication:
      return 0.85;
    default:
      return 0.93;
  }
}

const Catalogue& Catalogue::get() {
  static const Catalogue catalogue;
  return catalogue;
}

Catalogue::Catalogue() {
  regions_.assign(std::begin(kRegions), std::end(kRegions));
  icbs_.assign(std::begin(kIcbs), std::end(kIcbs));
  build_organisations();
  build_tables();
  // Events are written with these strings copied verbatim between quotes.
  const auto json_safe = [](std::string_view text) {
    return std::none_of(text.begin(), text.end(), [](char c) {
      return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
    });
  };
  for (const Region& r : regions_)
    VIGIL_CHECK(json_safe(r.code) && json_safe(r.name), "catalogue string");
  for (const Icb& i : icbs_)
    VIGIL_CHECK(json_safe(i.code) && json_safe(i.name), "catalogue string");
  for (const Organisation& o : orgs_) VIGIL_CHECK(json_safe(o.code), "catalogue string");
  for (const MedicationInfo& m : medications_)
    VIGIL_CHECK(json_safe(m.code) && json_safe(m.name), "catalogue string");
  for (const DeviceType& t : device_types_) VIGIL_CHECK(json_safe(t.name), "catalogue string");
  for (const DeviceModel& d : device_models_) {
    VIGIL_CHECK(json_safe(d.code) && json_safe(d.manufacturer) && json_safe(d.model),
                "catalogue string");
  }
  for (const Specialty& s : specialties_) VIGIL_CHECK(json_safe(s.slug), "catalogue string");
}

void Catalogue::build_organisations() {
  Rng rng(kCatalogueSeed);
  std::set<std::string> used;
  for (const auto& a : kAmbulanceTrusts) used.emplace(a.code);
  // Trust codes look like real ones: R, then a letter or 0/1, then a letter
  // or digit (I and O are avoided, as in ODS).
  constexpr std::string_view kSecond = "ABCDEFGHJKLMNPQRTVWXY01";
  constexpr std::string_view kThird = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
  const auto trust_code = [&] {
    for (;;) {
      std::string code = "R";
      code += kSecond[rng.below(kSecond.size())];
      code += kThird[rng.below(kThird.size())];
      if (used.insert(code).second) return code;
    }
  };
  const auto add = [&](std::string code, OrgKind kind, size_t icb) {
    Organisation org;
    org.code = std::move(code);
    org.kind = kind;
    org.icb = static_cast<uint8_t>(icb);
    org.region = icbs_[icb].region;
    org.annual_reports = kKindSize[static_cast<size_t>(kind)] * rng.lognormal(1.0, 0.4);
    org.monthly_batches = false;
    const double u = rng.uniform();
    org.profile = u < 0.45   ? FeedProfile::kFull
                  : u < 0.85 ? FeedProfile::kStandard
                             : FeedProfile::kMinimal;
    org.procurement = static_cast<uint32_t>(rng.next_u64() >> 32);
    orgs_.push_back(std::move(org));
  };

  double population = 0;
  for (const Icb& icb : icbs_) population += icb.population_millions;
  for (size_t i = 0; i < icbs_.size(); ++i) {
    const double pop = icbs_[i].population_millions;
    const long acute = std::max(1L, std::lround(pop * 2.3));
    const long teaching =
        std::min(acute, pop >= 1.4 ? (regions_[icbs_[i].region].london ? 2L : 1L) : 0L);
    for (long k = 0; k < acute; ++k)
      add(trust_code(), k < teaching ? OrgKind::kAcuteTeaching : OrgKind::kAcute, i);
    const long mental_health = std::max(1L, std::lround(pop * 0.85));
    for (long k = 0; k < mental_health; ++k) add(trust_code(), OrgKind::kMentalHealth, i);
    const long community = std::lround(pop * 0.35);
    for (long k = 0; k < community; ++k) add(trust_code(), OrgKind::kCommunity, i);
  }
  for (const auto& a : kAmbulanceTrusts) {
    // Ambulance trusts are hosted by the region's most populous ICB.
    size_t host = 0;
    double best = -1;
    for (size_t i = 0; i < icbs_.size(); ++i) {
      if (icbs_[i].region == a.region && icbs_[i].population_millions > best) {
        best = icbs_[i].population_millions;
        host = i;
      }
    }
    add(std::string(a.code), OrgKind::kAmbulance, host);
  }
  for (size_t i = 0; i < icbs_.size(); ++i) {
    const long practices = std::lround(kPracticeSample * icbs_[i].population_millions / population);
    const std::string_view letters = kPracticeLetters[icbs_[i].region];
    for (long k = 0; k < practices; ++k) {
      std::string code;
      do {
        code.clear();
        code += letters[rng.below(letters.size())];
        code += '8';
        code += static_cast<char>('1' + rng.below(9));
        const uint64_t n = 1 + rng.below(150);
        code += static_cast<char>('0' + n / 100);
        code += static_cast<char>('0' + n / 10 % 10);
        code += static_cast<char>('0' + n % 10);
      } while (!used.insert(code).second);
      add(std::move(code), OrgKind::kGeneralPractice, i);
      if (rng.chance(0.05)) orgs_.back().monthly_batches = true;
    }
  }
  // A few trusts still upload in monthly batches, as many did to the NRLS:
  // the smallest acute trust in the East of England, the first mental health
  // trust in the South West and the first community trust in the East.
  size_t smallest = orgs_.size();
  for (size_t i = 0; i < orgs_.size(); ++i) {
    const Organisation& o = orgs_[i];
    if (o.kind == OrgKind::kAcute && regions_[o.region].code == "Y61" &&
        (smallest == orgs_.size() || o.annual_reports < orgs_[smallest].annual_reports)) {
      smallest = i;
    }
  }
  if (smallest < orgs_.size()) orgs_[smallest].monthly_batches = true;
  const auto first_of = [&](OrgKind kind, std::string_view region) {
    for (Organisation& o : orgs_) {
      if (o.kind == kind && regions_[o.region].code == region) {
        o.monthly_batches = true;
        return;
      }
    }
  };
  first_of(OrgKind::kMentalHealth, "Y58");
  first_of(OrgKind::kCommunity, "Y61");
  // Sizes are relative; scale them to the national volume they describe.
  double total = 0;
  for (const Organisation& o : orgs_) total += o.annual_reports;
  for (Organisation& o : orgs_) o.annual_reports *= kNationalReportsPerYear / total;
}

size_t Catalogue::find_org(std::string_view code) const {
  for (size_t i = 0; i < orgs_.size(); ++i) {
    if (orgs_[i].code == code) return i;
  }
  return orgs_.size();
}

size_t Catalogue::find_specialty(ServiceArea area, std::string_view slug) const {
  for (size_t i = 0; i < specialties_.size(); ++i) {
    if (specialties_[i].area == area && specialties_[i].slug == slug) return i;
  }
  return specialties_.size();
}

size_t Catalogue::find_medication(std::string_view short_name) const {
  for (size_t i = 0; i < medications_.size(); ++i) {
    if (medications_[i].short_name == short_name) return i;
  }
  return medications_.size();
}

size_t Catalogue::find_device_model(std::string_view model) const {
  for (size_t i = 0; i < device_models_.size(); ++i) {
    if (device_models_[i].model == model) return i;
  }
  return device_models_.size();
}

uint8_t Catalogue::device_model_for(size_t org, size_t type) const {
  const DeviceType& t = device_types_[type];
  uint64_t h = (static_cast<uint64_t>(orgs_[org].procurement) << 8) ^ type;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return static_cast<uint8_t>(t.first_model + h % t.model_count);
}

}  // namespace vigil::synthetic

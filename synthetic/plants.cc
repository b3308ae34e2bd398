#include "synthetic/plants.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "core/check.h"
#include "synthetic/text.h"

namespace vigil::synthetic {
namespace {

constexpr std::string_view kPlantedMedication = "insulin lispro 200 units/ml pen";
constexpr std::string_view kPlantedDeviceModel = "VP-300";
// The pump firmware fault reached these regions only.
constexpr std::string_view kPumpRegions[] = {"Y60", "Y61", "Y62", "Y63"};
constexpr std::string_view kInfusedMedicines[] = {"heparin",
                                                  "soluble insulin",
                                                  "morphine injection",
                                                  "gentamicin",
                                                  "potassium chloride infusion",
                                                  "IV paracetamol"};

// Harm of the excess reports (none, low, moderate, severe, fatal).
constexpr double kMedicationHarm[] = {0, 8, 70, 19, 3};
constexpr double kDeviceHarm[] = {20, 45, 28, 6, 1};
constexpr double kFallsHarm[] = {0, 50, 40, 8, 2};
constexpr double kMaternityHarm[] = {0, 0, 85, 13, 2};

double at_least_moderate(const Catalogue& c, Category category) {
  const Categorical& h = c.harms(category);
  return h.probability(2) + h.probability(3) + h.probability(4);
}

// A trust of `kind` in `region` that uploads continuously and is not already
// used: the largest, or the first listed.
size_t pick_trust(const Catalogue& c, OrgKind kind, std::string_view region, bool largest,
                  const std::vector<size_t>& taken) {
  size_t best = c.orgs().size();
  for (size_t i = 0; i < c.orgs().size(); ++i) {
    const Organisation& o = c.orgs()[i];
    if (o.kind != kind || o.monthly_batches || c.regions()[o.region].code != region) continue;
    if (std::find(taken.begin(), taken.end(), i) != taken.end()) continue;
    if (!largest) return i;
    if (best == c.orgs().size() || o.annual_reports > c.orgs()[best].annual_reports) best = i;
  }
  VIGIL_CHECK(best < c.orgs().size(), "the catalogue has a trust for each planted risk");
  return best;
}

std::string describe_org(const Catalogue& c, size_t i) {
  const Organisation& o = c.orgs()[i];
  return o.code + " (" + std::string(slug(o.kind)) + ", " + std::string(c.icbs()[o.icb].name) +
         " ICB, " + std::string(c.regions()[o.region].name) + ")";
}

// Samples an index from a small weight array (all weights >= 0, some > 0).
template <size_t N>
size_t sample_small(const double (&weights)[N], Rng& rng) {
  double total = 0;
  for (const double w : weights) total += w;
  double u = rng.uniform() * total;
  for (size_t i = 0; i < N; ++i) {
    if (u < weights[i]) return i;
    u -= weights[i];
  }
  for (size_t i = N; i-- > 0;) {
    if (weights[i] > 0) return i;
  }
  return 0;
}

}  // namespace

double Plan::multiplier(int64_t day) const {
  if (day < onset || day > end) return 0;
  const int64_t t = day - onset;
  if (t < ramp_days) return peak * static_cast<double>(t + 1) / ramp_days;
  if (t < ramp_days + plateau_days) return peak;
  const int64_t into = t - ramp_days - plateau_days + 1;
  return into > decline_days ? 0 : peak * (1.0 - static_cast<double>(into) / (decline_days + 1));
}

Plants plan_risks(PlantContext& ctx, std::vector<PlantedRisk>& risks) {
  const Catalogue& c = Catalogue::get();
  const SyntheticStreamOptions& options = ctx.options();
  const int32_t span_end = options.start.days + options.days - 1;
  const double incident = c.record_types().probability(static_cast<size_t>(RecordType::kIncident));
  Plants plants;
  std::vector<size_t> taken;

  // Expected share of baseline reports in a stratum, f(org, area, category)
  // being the probability that a report with those three falls in it.
  const auto stratum = [&](Plan& plan, auto f) {
    std::vector<double> weights;
    for (size_t o = 0; o < c.orgs().size(); ++o) {
      const Categorical& areas = c.service_areas(c.orgs()[o].kind);
      double p = 0;
      for (size_t a = 0; a < kServiceAreaCount; ++a) {
        const double pa = areas.probability(a);
        if (pa == 0) continue;
        const auto area = static_cast<ServiceArea>(a);
        for (size_t k = 0; k < kCategoryCount; ++k) {
          const double pk = c.categories(area).probability(k);
          if (pk > 0) p += pa * pk * f(o, area, static_cast<Category>(k));
        }
      }
      const double w = ctx.org_weight(o) * p;
      if (w > 0) {
        plan.org_ids.push_back(static_cast<uint16_t>(o));
        weights.push_back(w);
      }
      plan.share += w;
    }
    plan.orgs = Categorical(weights);
  };
  const auto add = [&](Plan plan, double fraction, int ramp, int plateau, int decline,
                       PlantedRisk risk) {
    plan.onset = options.start.days + static_cast<int32_t>(options.days * fraction);
    if (plan.onset > span_end) return;
    plan.ramp_days = ramp;
    plan.plateau_days = plateau;
    plan.decline_days = decline;
    plan.end = std::min<int64_t>(span_end,
                                 static_cast<int64_t>(plan.onset) + ramp + plateau + decline - 1);
    risk.onset = Date{plan.onset};
    risk.end = Date{plan.end};
    if (plan.kind == PlantKind::kNeverEvents) {
      risk.expected_reports = plan.end >= plan.onset + 3 ? 3 : plan.end >= plan.onset + 1 ? 2 : 1;
    } else if (plan.kind != PlantKind::kStop) {
      for (int32_t d = plan.onset; d <= plan.end; ++d) {
        risk.expected_reports +=
            plan.multiplier(d) * ctx.expected_reports(d) * plan.share / plan.in_measure;
      }
    }
    risks.push_back(std::move(risk));
    plants.plans_.push_back(std::move(plan));
  };
  // A plan of `kind` at one trust no other plant uses (pick_trust).
  const auto trust_plan = [&](PlantKind kind, OrgKind org_kind, std::string_view region,
                              bool largest) {
    Plan plan;
    plan.kind = kind;
    plan.org = pick_trust(c, org_kind, region, largest, taken);
    taken.push_back(plan.org);
    return plan;
  };
  // The risk `name` of a plan at one trust, naming that trust.
  const auto trust_risk = [&](const Plan& plan, std::string name) {
    PlantedRisk risk;
    risk.name = std::move(name);
    risk.org = c.orgs()[plan.org].code;
    return risk;
  };

  {  // (1) A national medication signal.
    Plan plan;
    plan.kind = PlantKind::kMedication;
    plan.item = static_cast<uint8_t>(c.find_medication(kPlantedMedication));
    const double harmful = at_least_moderate(c, Category::kMedication);
    stratum(plan, [&](size_t, ServiceArea a, Category k) {
      return k != Category::kMedication
                 ? 0.0
                 : incident * kHarmRecorded * harmful *
                       c.medications_in(care_setting(a)).probability(plan.item);
    });
    plan.peak = 4.0;
    plan.in_measure = 0.92;
    plan.harm = Categorical(kMedicationHarm);
    const MedicationInfo& m = c.medications()[plan.item];
    PlantedRisk risk;
    risk.name = "insulin_pen_overdose";
    risk.description =
        "Hypoglycaemia after doses from " + std::string(m.name) + " (dm+d " + m.code +
        "): moderate-or-worse harm reports for this product rise over 6 weeks to 5x their usual "
        "rate, in trusts, community services and practices in every region, hold for 12 weeks, "
        "then fall back over 4 weeks after a national alert.";
    risk.detection =
        "medication (dm+d code), weekly national count of incidents with moderate-or-worse harm; "
        "also visible per region";
    risk.category = "medication";
    risk.medication_code = m.code;
    risk.min_physical_harm = "moderate";
    add(std::move(plan), 0.55, 42, 84, 28, std::move(risk));
  }
  {  // (2) One infusion pump model failing the same way in four regions.
    Plan plan;
    plan.kind = PlantKind::kDevice;
    plan.item = static_cast<uint8_t>(c.find_device_model(kPlantedDeviceModel));
    const size_t type = c.device_models()[plan.item].type;
    for (const std::string_view name : kInfusedMedicines) {
      plan.co_medications.push_back(static_cast<uint8_t>(c.find_medication(name)));
    }
    stratum(plan, [&](size_t o, ServiceArea a, Category k) {
      const std::string_view region = c.regions()[c.orgs()[o].region].code;
      const bool affected = std::find(std::begin(kPumpRegions), std::end(kPumpRegions), region) !=
                            std::end(kPumpRegions);
      if (k != Category::kDevice || !affected || c.device_model_for(o, type) != plan.item)
        return 0.0;
      return incident * c.device_types_in(care_setting(a)).probability(type);
    });
    plan.peak = 1.5;
    plan.harm = Categorical(kDeviceHarm);
    const DeviceModel& d = c.device_models()[plan.item];
    PlantedRisk risk;
    risk.name = "infusion_pump_over_infusion";
    risk.description = std::string(d.manufacturer) + " " + std::string(d.model) +
                       " volumetric infusion pumps over-infuse after an occlusion alarm is cleared "
                       "(a firmware fault in the Midlands, East of England, North West and North "
                       "East and Yorkshire): incident reports naming the model rise over 3 weeks "
                       "to 2.5x their usual rate in those regions' trusts, hold for 10 weeks, then "
                       "fall back over 3 weeks after a field safety notice.";
    risk.detection =
        "device (model), weekly count of incidents naming it, nationally and per region";
    risk.regions.assign(std::begin(kPumpRegions), std::end(kPumpRegions));
    risk.category = "device";
    risk.device_model = std::string(d.model);
    risk.device_code = d.code;
    add(std::move(plan), 0.62, 21, 70, 21, std::move(risk));
  }
  {  // (3) Falls with harm at one trust.
    Plan plan = trust_plan(PlantKind::kFalls, OrgKind::kAcute, "Y60", true);
    const double harmful = 1.0 - c.harms(Category::kFall).probability(0);
    stratum(plan, [&](size_t o, ServiceArea, Category k) {
      return o == plan.org && k == Category::kFall ? incident * kHarmRecorded * harmful : 0.0;
    });
    plan.peak = 1.0;
    plan.harm = Categorical(kFallsHarm);
    PlantedRisk risk = trust_risk(plan, "falls_with_harm_trust");
    risk.description = "Falls with harm at " + describe_org(c, plan.org) +
                       ": from onset, falls with low-or-worse harm double (moderate-or-worse about "
                       "5x) on its wards, for 14 weeks, easing back over 4 weeks.";
    risk.detection =
        "organisation x category (fall), weekly count of incidents with low-or-worse harm";
    risk.category = "fall";
    risk.min_physical_harm = "low";
    add(std::move(plan), 0.66, 1, 98, 28, std::move(risk));
  }
  {  // (4) A burst of fatal never events at one trust.
    Plan plan = trust_plan(PlantKind::kNeverEvents, OrgKind::kAcuteTeaching, "Y63", false);
    PlantedRisk risk = trust_risk(plan, "never_event_cluster");
    risk.description = "Three fatal never events (feeding via misplaced nasogastric tubes) at " +
                       describe_org(c, plan.org) + " on days 0, 1 and 3 from onset.";
    risk.detection =
        "severity rule: fatal harm or never event, per organisation and category (treatment)";
    risk.category = "treatment";
    risk.min_physical_harm = "fatal";
    risk.never_event = true;
    add(std::move(plan), 0.72, 4, 0, 0, std::move(risk));
  }
  {  // (5) A trust that stops reporting.
    Plan plan = trust_plan(PlantKind::kStop, OrgKind::kAcute, "Y58", false);
    PlantedRisk risk = trust_risk(plan, "trust_stops_reporting");
    risk.description = describe_org(c, plan.org) +
                       " stops reporting entirely from onset (a failed switch of risk management "
                       "system): no report of it has reported_at on or after that date, including "
                       "late reports of earlier incidents.";
    risk.detection =
        "organisation volume: weekly reports per organisation fall to zero (funnel or volume-drop "
        "detector)";
    const size_t org = plan.org;
    add(std::move(plan), 0.78, 1, options.days, 0, std::move(risk));
    if (!plants.plans_.empty() && plants.plans_.back().kind == PlantKind::kStop) {
      plants.has_stop_ = true;
      plants.stop_org_ = org;
      // A written date on or after the stop is at least this instant.
      plants.stop_ms_ =
          static_cast<int64_t>(plants.plans_.back().onset) * kMillisPerDay - 3'600'000;
    }
  }
  {  // (6) An inequality: maternity harm among one ethnic group.
    Plan plan;
    plan.kind = PlantKind::kMaternity;
    const size_t letter = kEthnicLetters.find('N');
    stratum(plan, [&](size_t o, ServiceArea a, Category k) {
      if (a != ServiceArea::kMaternity) return 0.0;
      const bool london = c.regions()[c.orgs()[o].region].london;
      return incident * kHarmRecorded * Catalogue::patient_probability(k) *
             c.ethnicities(london).probability(letter) * at_least_moderate(c, k);
    });
    plan.peak = 2.0;
    plan.harm = Categorical(kMaternityHarm);
    plan.item = static_cast<uint8_t>(letter);
    PlantedRisk risk;
    risk.name = "maternity_ethnic_inequality";
    risk.description =
        "Moderate-or-worse harm in maternity care among Black African women (ethnic category N) "
        "rises over 8 weeks to 3x its usual rate, nationally, and stays raised to the end of the "
        "stream; other ethnic groups are unchanged.";
    risk.detection =
        "inequality: maternity incidents with moderate-or-worse harm by patient ethnicity (rate in "
        "group N against the others), weekly, national";
    risk.service_area = "maternity";
    risk.ethnicity = "N";
    risk.min_physical_harm = "moderate";
    add(std::move(plan), 0.58, 56, options.days, 0, std::move(risk));
  }
  std::sort(risks.begin(), risks.end(),
            [](const PlantedRisk& a, const PlantedRisk& b) { return a.onset < b.onset; });
  return plants;
}

void Plants::add_day(PlantContext& ctx, int32_t day) const {
  for (const Plan& plan : plans_) {
    if (day < plan.onset || day > plan.end) continue;
    switch (plan.kind) {
      case PlantKind::kStop:
        break;
      case PlantKind::kNeverEvents:
        if (day == plan.onset || day == plan.onset + 1 || day == plan.onset + 3)
          add_one(ctx, plan, day);
        break;
      case PlantKind::kMedication:
      case PlantKind::kDevice:
      case PlantKind::kFalls:
      case PlantKind::kMaternity: {
        const double mean =
            plan.multiplier(day) * ctx.expected_reports(day) * plan.share / plan.in_measure;
        const uint64_t n = ctx.rng().poisson(mean);
        for (uint64_t i = 0; i < n; ++i) add_one(ctx, plan, day);
        break;
      }
    }
  }
}

void Plants::add_one(PlantContext& ctx, const Plan& plan, int32_t day) const {
  const Catalogue& c = Catalogue::get();
  Rng& rng = ctx.rng();
  const size_t org = plan.org_ids.empty() ? plan.org : plan.org_ids[plan.orgs.sample(rng)];
  const Categorical& areas = c.service_areas(c.orgs()[org].kind);
  Report r = ctx.begin_report(day, org);
  r.record_type = RecordType::kIncident;
  // The service area, given the organisation and what the report is about.
  const auto area_for = [&](Category k, auto item_probability) {
    double weights[kServiceAreaCount];
    for (size_t a = 0; a < kServiceAreaCount; ++a) {
      const auto area = static_cast<ServiceArea>(a);
      weights[a] = areas.probability(a) * c.categories(area).probability(static_cast<size_t>(k)) *
                   item_probability(care_setting(area));
    }
    return static_cast<ServiceArea>(sample_small(weights, rng));
  };
  switch (plan.kind) {
    case PlantKind::kMedication:
      r.category = Category::kMedication;
      r.area = area_for(r.category,
                        [&](CareSetting s) { return c.medications_in(s).probability(plan.item); });
      r.medications[0] = plan.item;
      r.story = Story::kInsulinPen;
      break;
    case PlantKind::kDevice: {
      const size_t type = c.device_models()[plan.item].type;
      r.category = Category::kDevice;
      r.area = area_for(r.category,
                        [&](CareSetting s) { return c.device_types_in(s).probability(type); });
      r.device_model = plan.item;
      r.medications[0] = plan.co_medications[rng.below(plan.co_medications.size())];
      r.story = Story::kPumpOverInfusion;
      break;
    }
    case PlantKind::kFalls:
      r.category = Category::kFall;
      r.area = ServiceArea::kAcuteInpatient;  // the problem is on its wards
      r.story = Story::kFallsCluster;
      break;
    case PlantKind::kNeverEvents:
      r.category = Category::kTreatment;
      r.area = ServiceArea::kAcuteInpatient;
      r.never_event = true;
      r.story = Story::kNeverEventCluster;
      break;
    case PlantKind::kMaternity:
      r.category = Category::kLabourBirth;
      r.area = ServiceArea::kMaternity;
      r.story = Story::kMaternityHarm;
      break;
    case PlantKind::kStop:
      return;
  }
  ctx.pick_specialty(r);
  // The patients of these risks are adults: women giving birth, older people on wards.
  if (plan.kind == PlantKind::kMaternity && c.specialties()[r.specialty].paediatric) {
    r.specialty = static_cast<uint8_t>(c.find_specialty(ServiceArea::kMaternity, "obstetrics"));
  }
  if (plan.kind == PlantKind::kFalls && c.specialties()[r.specialty].paediatric) {
    r.specialty =
        static_cast<uint8_t>(c.find_specialty(ServiceArea::kAcuteInpatient, "elderly_care"));
  }
  r.harm = plan.kind == PlantKind::kNeverEvents
               ? PhysicalHarm::kFatal
               : static_cast<PhysicalHarm>(1 + plan.harm.sample(rng));
  if (rng.chance(0.65))
    r.psychological = static_cast<PsychologicalHarm>(1 + c.psychological_harms().sample(rng));
  ctx.fill_patient(r, plan.kind == PlantKind::kFalls ? AgeProfile::kOlder : ctx.age_profile(r));
  if (plan.kind == PlantKind::kMaternity) r.ethnicity = plan.item;
  ctx.finish(r);
}

}  // namespace vigil::synthetic

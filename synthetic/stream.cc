#include "synthetic/stream.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

#include "synthetic/catalogue.h"
#include "synthetic/delivery_queue.h"
#include "synthetic/plants.h"
#include "synthetic/random.h"
#include "synthetic/report.h"

namespace vigil {

std::string_view reason_code(InvalidKind kind) {
  // Every kind is its own reason code but an over-long description, which
  // the contract files under bad_value.
  return kind == InvalidKind::kDescriptionTooLong ? "bad_value" : kind_name(kind);
}

std::string_view kind_name(InvalidKind kind) {
  switch (kind) {
    case InvalidKind::kNotJson:
      return "not_json";
    case InvalidKind::kMissingField:
      return "missing_field";
    case InvalidKind::kWrongType:
      return "wrong_type";
    case InvalidKind::kBadValue:
      return "bad_value";
    case InvalidKind::kBadTimestamp:
      return "bad_timestamp";
    case InvalidKind::kDescriptionTooLong:
      return "description_too_long";
  }
  return "unknown";
}

namespace synthetic {
namespace {

// Local clock hour of submission: mostly the working day, some at night.
constexpr double kSubmissionHour[24] = {1.5, 1.2, 1, 1, 1, 1.2, 1.8, 3,   5,   7, 8,   8,
                                        7,   7.5, 8, 8, 7, 5.5, 4,   3.5, 3.5, 3, 2.5, 2};

// About 400 never events a year nationally, among treatment, medication and
// blood incidents in acute and maternity care; most cause no or low harm.
constexpr double kNeverEventRate = 1e-3;
constexpr double kNeverEventHarm[5] = {45, 35, 15, 4, 1};

int weekday_index(int64_t day) { return static_cast<int>(((day + 3) % 7 + 7) % 7); }  // Monday 0

// Winter peak 15% above the summer trough (mid-January high), weekends 30%
// below weekdays; both have mean 1 so the yearly volume is as asked.
double day_factor(int64_t day) {
  const double season = (1.0 + 0.075 * (1.0 + std::cos(2.0 * std::numbers::pi *
                                                       static_cast<double>(day - 14) / 365.2425))) /
                        1.075;
  const double week = (weekday_index(day) >= 5 ? 0.7 : 1.0) / (6.4 / 7.0);
  return season * week;
}

}  // namespace

// Generates occurrence days in order and delivers reports by submission
// time; see SyntheticStream for the contract.
class StreamGenerator final : public PlantContext {
 public:
  explicit StreamGenerator(SyntheticStreamOptions options)
      : options_(options),
        rng_(options.seed),
        fault_rng_(options.seed ^ 0xBADF00DCAFEULL),
        delivery_rng_(options.seed ^ 0xD1517E5ULL),
        catalogue_(Catalogue::get()),
        queue_(options.start.days - 1),
        hours_(std::span<const double>(kSubmissionHour, 24)),
        never_event_harm_(std::span<const double>(kNeverEventHarm, 5)) {
    double total = 0;
    for (const Organisation& o : catalogue_.orgs()) total += o.annual_reports;
    for (const Organisation& o : catalogue_.orgs()) org_weight_.push_back(o.annual_reports / total);
    orgs_ = Categorical(org_weight_);
    daily_mean_ = options_.events_per_year / 365.25;
    const double harm_bearing =
        catalogue_.record_types().probability(static_cast<size_t>(RecordType::kIncident)) +
        catalogue_.record_types().probability(static_cast<size_t>(RecordType::kOutcome));
    revision_probability_ = std::min(1.0, options_.revision_fraction / harm_bearing);
    frontier_ms_ = static_cast<int64_t>(options_.start.days) * kMillisPerDay - 3'600'000;
    if (options_.plant_risks) plants_ = plan_risks(*this, risks_);
  }

  bool next(std::string& line) {
    for (;;) {
      const DeliveryQueue::Entry* front = queue_.front();
      if (front != nullptr && (generation_done_ || front->deliver_ms < frontier_ms_)) {
        const Report report = front->report;
        const bool duplicate = front->duplicate;
        queue_.pop();
        if (plants_.stops(report)) {
          ++stats_.dropped_after_stop;
          continue;
        }
        if (!duplicate) follow_up(report);
        render_report(report, line, scratch_);
        last_story_ = report.story;
        count(report, duplicate);
        return true;
      }
      if (generation_done_) {
        if (!queue_.has_unloaded()) return false;
        queue_.load_until(queue_.loaded_day() + 1);
        continue;
      }
      if (day_index_ >= options_.days) {
        generation_done_ = true;
        continue;
      }
      generate_day();
    }
  }

  const std::vector<PlantedRisk>& risks() const { return risks_; }
  Story last_story() const { return last_story_; }
  const SyntheticStreamStats& stats() const { return stats_; }
  size_t pending() const { return queue_.size(); }

  // PlantContext: what the planted risks need from the generator.
  const SyntheticStreamOptions& options() const override { return options_; }
  double expected_reports(int64_t day) const override { return daily_mean_ * day_factor(day); }
  double org_weight(size_t org) const override { return org_weight_[org]; }
  Rng& rng() override { return rng_; }

  Report begin_report(int32_t day, size_t org) override {
    Report r;
    r.occurred = day;
    r.org = static_cast<uint16_t>(org);
    return r;
  }

  void pick_specialty(Report& r) override {
    const Categorical& table = catalogue_.specialties_in(r.area);
    r.specialty = catalogue_.specialty_index(r.area, table.sample(rng_));
  }

  AgeProfile age_profile(const Report& r) const override {
    const Specialty& s = catalogue_.specialties()[r.specialty];
    if (s.paediatric) return s.slug == "neonatology" ? AgeProfile::kNeonate : AgeProfile::kChild;
    if (s.slug == "elderly_care" || s.slug == "older_adult_mental_health")
      return AgeProfile::kOlder;
    switch (r.area) {
      case ServiceArea::kMaternity:
        return AgeProfile::kMother;
      case ServiceArea::kMentalHealth:
      case ServiceArea::kLearningDisability:
        return AgeProfile::kMentalHealth;
      default:
        break;
    }
    if (r.category == Category::kFall || r.category == Category::kPressureUlcer)
      return AgeProfile::kOlder;
    return AgeProfile::kGeneral;
  }

  void fill_patient(Report& r, AgeProfile profile) override {
    r.age_band = static_cast<uint8_t>(catalogue_.age_bands(profile).sample(rng_));
    r.sex = static_cast<uint8_t>(catalogue_.sexes(profile).sample(rng_));
    const bool london = catalogue_.regions()[catalogue_.orgs()[r.org].region].london;
    r.ethnicity = static_cast<uint8_t>(catalogue_.ethnicities(london).sample(rng_));
    r.imd_decile =
        rng_.chance(0.6) ? static_cast<uint8_t>(1 + catalogue_.imd_deciles().sample(rng_)) : 0;
  }

  void finish(Report& r) override {
    stamp(r);
    r.text_seed = rng_.next_u64();
    r.number = ++next_number_;
    push(r, r.reported_ms, false);
  }

 private:
  void generate_day() {
    const int32_t day = options_.start.days + day_index_;
    const uint64_t n = rng_.poisson(expected_reports(day));
    for (uint64_t i = 0; i < n; ++i) add_routine(day);
    plants_.add_day(*this, day);
    stats_.days_generated = ++day_index_;
    // Reports of later days are written on day + 1 or later, and a written
    // time is at most one hour ahead of UTC.
    frontier_ms_ = static_cast<int64_t>(day + 1) * kMillisPerDay - 3'600'000;
    queue_.load_until(day);
  }

  void add_routine(int32_t day) {
    Report r = begin_report(day, orgs_.sample(rng_));
    const Organisation& org = catalogue_.orgs()[r.org];
    r.area = static_cast<ServiceArea>(catalogue_.service_areas(org.kind).sample(rng_));
    r.record_type = static_cast<RecordType>(catalogue_.record_types().sample(rng_));
    r.category = static_cast<Category>(catalogue_.categories(r.area).sample(rng_));
    pick_specialty(r);
    const bool harm_bearing =
        r.record_type == RecordType::kIncident || r.record_type == RecordType::kOutcome;
    if (harm_bearing) {
      if (r.record_type == RecordType::kIncident && never_event_possible(r) &&
          rng_.chance(kNeverEventRate)) {
        r.never_event = true;
        r.story = Story::kNeverEvent;
        r.harm = static_cast<PhysicalHarm>(1 + never_event_harm_.sample(rng_));
      } else if (rng_.chance(kHarmRecorded)) {
        r.harm = static_cast<PhysicalHarm>(1 + catalogue_.harms(r.category).sample(rng_));
      }
      if (rng_.chance(0.65)) {
        r.psychological =
            static_cast<PsychologicalHarm>(1 + catalogue_.psychological_harms().sample(rng_));
      }
    }
    const CareSetting setting = care_setting(r.area);
    if (r.category == Category::kMedication) {
      r.medications[0] = static_cast<uint8_t>(catalogue_.medications_in(setting).sample(rng_));
      if (rng_.chance(0.1)) {
        const auto second = static_cast<uint8_t>(catalogue_.medications_in(setting).sample(rng_));
        if (second != r.medications[0]) r.medications[1] = second;
      }
    }
    if (r.category == Category::kDevice) {
      r.device_model =
          catalogue_.device_model_for(r.org, catalogue_.device_types_in(setting).sample(rng_));
    }
    if (harm_bearing && rng_.chance(Catalogue::patient_probability(r.category)))
      fill_patient(r, age_profile(r));
    if (options_.invalid_fraction > 0 && fault_rng_.chance(options_.invalid_fraction)) {
      r.invalid = static_cast<uint8_t>(invalid_counter_ % kInvalidKindCount);
      r.invalid_variant = static_cast<uint8_t>(invalid_counter_ / kInvalidKindCount % 60);
      ++invalid_counter_;
    }
    finish(r);
  }

  static bool never_event_possible(const Report& r) {
    const CareSetting s = care_setting(r.area);
    return (s == CareSetting::kAcute || s == CareSetting::kMaternity) &&
           (r.category == Category::kTreatment || r.category == Category::kMedication ||
            r.category == Category::kBlood);
  }

  // Report lag in days: ~79% within 0-3 days, then a lognormal tail of up to
  // six months. Severe and fatal harm and never events are reported faster.
  int sample_lag(bool serious) {
    const double u = rng_.uniform();
    const auto tail = [this](double median, double sigma, double cap) {
      return static_cast<int>(std::min(cap, std::floor(rng_.lognormal(median, sigma))));
    };
    if (serious) {
      if (u < 0.5) return 0;
      if (u < 0.8) return 1;
      if (u < 0.9) return 2;
      return 3 + tail(2.0, 1.0, 120);
    }
    if (u < 0.35) return 0;
    if (u < 0.60) return 1;
    if (u < 0.72) return 2;
    if (u < 0.79) return 3;
    return 4 + tail(5.0, 1.1, 176);
  }

  // The day a monthly-batch organisation uploads reports of `day`: the 6th
  // of the next month, or the Monday after when that is a weekend.
  static int64_t batch_day(int64_t day) {
    const CivilDate c = civil_from_days(day);
    const int year = c.month == 12 ? c.year + 1 : c.year;
    const unsigned month = c.month == 12 ? 1 : c.month + 1;
    int64_t upload = days_from_civil(year, month, 6);
    const int wd = weekday_index(upload);
    if (wd >= 5) upload += 7 - wd;
    return upload;
  }

  void stamp(Report& r) {
    const Organisation& org = catalogue_.orgs()[r.org];
    int64_t written = r.occurred;
    int64_t time_ms = 0;
    if (org.monthly_batches) {
      written = batch_day(r.occurred);
      time_ms = 10 * 3'600'000 + static_cast<int64_t>(rng_.below(45 * 60'000));
    } else {
      const bool serious =
          r.never_event || r.harm == PhysicalHarm::kSevere || r.harm == PhysicalHarm::kFatal;
      const int lag = sample_lag(serious);
      written += lag;
      const int wd = weekday_index(written);
      // Many weekend reports wait for Monday.
      if (lag > 0 && wd >= 5 && rng_.chance(0.5)) written += 7 - wd;
      time_ms = static_cast<int64_t>(hours_.sample(rng_)) * 3'600'000 +
                static_cast<int64_t>(rng_.below(3'600'000));
      // LFPSE lets a reporter tick "occurred today" instead of giving a date.
      if (lag == 0 && rng_.chance(0.1)) r.occurred_on_absent = true;
    }
    const int64_t local = written * kMillisPerDay + time_ms;
    r.reported_ms = org.profile == FeedProfile::kFull ? local - london_offset_ms(local) : local;
  }

  static PhysicalHarm revised_harm(PhysicalHarm h, Rng& rng) {
    switch (h) {
      case PhysicalHarm::kUnknown:
        return rng.chance(0.6) ? PhysicalHarm::kLow : PhysicalHarm::kNone;
      case PhysicalHarm::kNone:
        return rng.chance(0.8) ? PhysicalHarm::kLow : PhysicalHarm::kModerate;
      case PhysicalHarm::kLow:
        return rng.chance(0.35) ? PhysicalHarm::kModerate : PhysicalHarm::kNone;
      case PhysicalHarm::kModerate: {
        const double u = rng.uniform();
        return u < 0.5   ? PhysicalHarm::kLow
               : u < 0.9 ? PhysicalHarm::kSevere
                         : PhysicalHarm::kFatal;
      }
      case PhysicalHarm::kSevere:
        return rng.chance(0.5) ? PhysicalHarm::kModerate : PhysicalHarm::kFatal;
      case PhysicalHarm::kFatal:
        return PhysicalHarm::kSevere;
    }
    return h;
  }

  // Schedules a later revision (harm regraded after review) and an exact
  // re-send of a report being delivered.
  void follow_up(const Report& r) {
    const bool harm_bearing =
        r.record_type == RecordType::kIncident || r.record_type == RecordType::kOutcome;
    if (r.revision == 0 && harm_bearing && delivery_rng_.chance(revision_probability_)) {
      Report v = r;
      v.revision = 1;
      v.invalid = kAbsent;
      v.occurred_on_absent = false;  // a revision days later must keep the event date
      v.harm = revised_harm(r.harm, delivery_rng_);
      const double days = 1 + std::min(120.0, std::floor(delivery_rng_.lognormal(10.0, 0.8)));
      v.reported_ms = r.reported_ms + static_cast<int64_t>(days) * kMillisPerDay +
                      static_cast<int64_t>(delivery_rng_.below(8 * 3'600'000));
      push(v, v.reported_ms, false);
    }
    if (delivery_rng_.chance(options_.duplicate_fraction)) {
      const int64_t delay =
          delivery_rng_.chance(0.7)
              ? 1000 + static_cast<int64_t>(delivery_rng_.below(600'000))
              : 600'000 + static_cast<int64_t>(delivery_rng_.below(3 * kMillisPerDay));
      push(r, r.reported_ms + delay, true);
    }
  }

  void push(const Report& r, int64_t deliver_ms, bool duplicate) {
    queue_.push(r, deliver_ms, duplicate);
    stats_.max_pending = std::max(stats_.max_pending, queue_.size());
  }

  void count(const Report& r, bool duplicate) {
    ++stats_.lines;
    if (duplicate) {
      ++stats_.duplicates;
    } else if (r.revision > 0) {
      ++stats_.revisions;
    } else {
      ++stats_.first_reports;
    }
    if (r.story != Story::kRoutine && r.story != Story::kNeverEvent) ++stats_.planted;
    if (r.invalid != kAbsent) ++stats_.invalid[r.invalid];
  }

  SyntheticStreamOptions options_;
  Rng rng_;           // the events themselves
  Rng fault_rng_;     // which reports are written broken
  Rng delivery_rng_;  // re-sends and revisions
  const Catalogue& catalogue_;
  DeliveryQueue queue_;
  Categorical orgs_;
  Categorical hours_;
  Categorical never_event_harm_;
  std::vector<double> org_weight_;
  double daily_mean_ = 0;
  double revision_probability_ = 0;
  Plants plants_;
  std::vector<PlantedRisk> risks_;

  int day_index_ = 0;
  bool generation_done_ = false;
  int64_t frontier_ms_ = 0;  // reports delivered before this instant are final
  uint64_t next_number_ = 0;
  uint64_t invalid_counter_ = 0;
  Story last_story_ = Story::kRoutine;
  SyntheticStreamStats stats_;
  std::string scratch_;
};

}  // namespace synthetic

class SyntheticStream::Impl {
 public:
  explicit Impl(SyntheticStreamOptions options) : generator(options) {}
  synthetic::StreamGenerator generator;
};

SyntheticStream::SyntheticStream(SyntheticStreamOptions options)
    : impl_(std::make_unique<Impl>(options)) {}
SyntheticStream::~SyntheticStream() = default;
SyntheticStream::SyntheticStream(SyntheticStream&&) noexcept = default;
SyntheticStream& SyntheticStream::operator=(SyntheticStream&&) noexcept = default;

bool SyntheticStream::next(std::string& line) { return impl_->generator.next(line); }
const std::vector<PlantedRisk>& SyntheticStream::planted_risks() const {
  return impl_->generator.risks();
}
uint64_t SyntheticStream::emitted() const { return impl_->generator.stats().lines; }
std::string_view SyntheticStream::last_line_wording() const {
  // The risk each story's wording belongs to (plants.cc names them).
  switch (impl_->generator.last_story()) {
    case synthetic::Story::kInsulinPen: return "insulin_pen_overdose";
    case synthetic::Story::kPumpOverInfusion: return "infusion_pump_over_infusion";
    case synthetic::Story::kFallsCluster: return "falls_with_harm_trust";
    case synthetic::Story::kNeverEventCluster: return "never_event_cluster";
    case synthetic::Story::kMaternityHarm: return "maternity_ethnic_inequality";
    case synthetic::Story::kRoutine:
    case synthetic::Story::kNeverEvent: break;
  }
  return {};
}
const SyntheticStreamStats& SyntheticStream::stats() const { return impl_->generator.stats(); }
size_t SyntheticStream::pending() const { return impl_->generator.pending(); }

}  // namespace vigil

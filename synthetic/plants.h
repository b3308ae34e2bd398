// The six risks planted in the synthetic stream: where each sits, how large
// it is relative to its stratum's own baseline, and the excess reports it
// adds day by day.
//
// Each excess is sized as a multiple of the expected baseline count of the
// stratum a detector would watch (computed exactly from the catalogue's
// rates), so a risk is equally detectable at any stream volume: large enough
// for weekly EARS/Farrington at national, regional or organisation level,
// small enough to be realistic (2x-5x, never 100x).
#pragma once

#include <cstdint>
#include <vector>

#include "synthetic/catalogue.h"
#include "synthetic/random.h"
#include "synthetic/report.h"
#include "synthetic/stream.h"

namespace vigil::synthetic {

// What planting needs from the stream generator.
class PlantContext {
 public:
  virtual ~PlantContext() = default;
  virtual const SyntheticStreamOptions& options() const = 0;
  // Expected baseline reports on `day`, all organisations together.
  virtual double expected_reports(int64_t day) const = 0;
  // The organisation's share of national baseline reports.
  virtual double org_weight(size_t org) const = 0;
  virtual Rng& rng() = 0;
  virtual Report begin_report(int32_t day, size_t org) = 0;
  virtual void pick_specialty(Report& r) = 0;
  virtual AgeProfile age_profile(const Report& r) const = 0;
  virtual void fill_patient(Report& r, AgeProfile profile) = 0;
  // Stamps submission time and id, and queues the report.
  virtual void finish(Report& r) = 0;
};

enum class PlantKind : uint8_t { kMedication, kDevice, kFalls, kNeverEvents, kStop, kMaternity };

struct Plan {
  PlantKind kind = PlantKind::kStop;
  int32_t onset = 0;
  int32_t end = 0;  // last affected day, clipped to the stream's span
  int ramp_days = 1;
  int plateau_days = 0;
  int decline_days = 0;
  double peak = 0;                // excess at the plateau, as a multiple of the stratum's baseline
  double share = 0;               // stratum's expected share of all baseline reports
  double in_measure = 1;          // fraction of excess reports that fall in the stratum
  size_t org = 0;                 // the organisation, for single-organisation risks
  std::vector<uint16_t> org_ids;  // otherwise where excess reports occur ...
  Categorical orgs;               // ... and how often (each one's share of the stratum)
  uint8_t item = kAbsent;         // the medication or device model
  std::vector<uint8_t> co_medications;  // infused medicines named with a device
  Categorical harm;                     // over PhysicalHarm kNone..kFatal

  // Excess multiple on `day`: ramps up, holds, then declines to zero.
  double multiplier(int64_t day) const;
};

class Plants {
 public:
  // Adds `day`'s planted reports through `ctx`.
  void add_day(PlantContext& ctx, int32_t day) const;
  // True for a report the stopped trust would have submitted after its stop.
  bool stops(const Report& r) const {
    return has_stop_ && r.org == stop_org_ && r.reported_ms >= stop_ms_;
  }

 private:
  friend Plants plan_risks(PlantContext& ctx, std::vector<PlantedRisk>& risks);
  void add_one(PlantContext& ctx, const Plan& plan, int32_t day) const;

  std::vector<Plan> plans_;
  bool has_stop_ = false;
  size_t stop_org_ = 0;
  int64_t stop_ms_ = 0;
};

// Plans the risks for ctx.options() (onsets in the second half of the span,
// so with the default 730 days each has over a year of history) and appends
// their descriptions to `risks`.
Plants plan_risks(PlantContext& ctx, std::vector<PlantedRisk>& risks);

}  // namespace vigil::synthetic

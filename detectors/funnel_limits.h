// Spiegelhalter funnel-plot limits for an observed/expected ratio (O/E), as
// FunnelPlotR computes them for indirectly standardised ratios:
//   - exact Poisson limits around 1 for a unit with expected count E;
//   - the SHMI overdispersion adjustment: z_i = sqrt(E_i) ln(O_i/E_i),
//     winsorised at the 10th/90th percentiles, phi = mean(z_w^2), and an
//     additive random-effects variance tau^2 on the log scale, giving limits
//     exp(±z_alpha sqrt(1/E + tau^2)).
// Pure functions, and FunnelJudge, which the funnel and inequality detectors
// judge each week's units with.
#pragma once

#include <span>
#include <vector>

namespace vigil {

struct RatioLimits {
  double lower = 0;
  double upper = 0;
};

// The two tail probabilities of a funnel's exact limits.
struct FunnelTails {
  double lower = 0.025;  // P(below the lower limit)
  double upper = 0.025;  // P(above the upper limit)
};
// FunnelPlotR's 95% limits.
inline constexpr FunnelTails kFunnel95{0.025, 0.025};
// FunnelPlotR's "99.8%" limits: the upper tail is 0.001, but the lower limit
// is qchisq(0.998, 2E, lower.tail = FALSE), a tail of 0.002 (FunnelPlotR up to
// 0.4 and the reference run; later versions use 0.001). Kept so that the
// limits are the ones the NHS analysts' tool draws; Vigil's funnel detector
// judges the upper side.
inline constexpr FunnelTails kFunnel998{0.002, 0.001};

// Exact Poisson limits of O/E for a unit with `expected` > 0:
// qchisq(lower, 2E)/2/E and qchisq(1 - upper, 2(E+1))/2/E.
RatioLimits exact_poisson_ratio_limits(double expected, FunnelTails tails);

// sqrt(E) ln(O/E): the unit's z-score on the log scale (-inf when O = 0).
double log_ratio_z(double observed, double expected);

struct FunnelUnit {
  double observed = 0;
  double expected = 0;
};

struct Overdispersion {
  double phi = 1;   // mean squared winsorised z-score
  double tau2 = 0;  // between-unit variance of ln(O/E); 0 when phi shows none
  size_t units = 0; // units that entered the estimate
};

// The SHMI estimate over `units`. Units with E <= 0 or O = 0 carry no finite
// z-score and are left out (a unit with no events at all is judged by the
// limits, not allowed to inflate tau^2 for everyone). `trim` is the
// winsorising fraction at each end (FunnelPlotR's default 0.1), using R's
// default (type 7) sample quantiles. Fewer than two usable units: no
// adjustment (phi 1, tau2 0).
Overdispersion shmi_overdispersion(std::span<const FunnelUnit> units, double trim = 0.1);

// exp(±z sqrt(1/E + tau2)) with z the normal quantile for two-sided
// `coverage`; for 0.95 and 0.998 z is FunnelPlotR's 1.959964 and 3.090232.
RatioLimits overdispersed_ratio_limits(double expected, double tau2, double coverage);

// One week's funnel over many units: the units whose expected count reaches
// `min_expected` are judged, and estimate tau^2 when `overdispersion` is on.
// Limits are two-sided with `coverage`.
class FunnelJudge {
 public:
  // `units`: every unit, each with `observed` and `expected` members.
  template <typename Units>
  FunnelJudge(const Units& units, double min_expected, double coverage, bool overdispersion)
      : min_expected_(min_expected),
        coverage_(coverage),
        overdispersion_(overdispersion),
        tails_{(1 - coverage) / 2, (1 - coverage) / 2} {
    if (!overdispersion) return;
    std::vector<FunnelUnit> judged_units;
    for (const auto& u : units) {
      if (judged(u.expected)) judged_units.push_back({u.observed, u.expected});
    }
    tau2_ = shmi_overdispersion(judged_units).tau2;
  }

  double tau2() const { return tau2_; }
  bool judged(double expected) const { return expected >= min_expected_; }
  // The limits of O/E for a unit expecting `expected`: the exact Poisson
  // ones, widened (never narrowed) by tau^2; [0, inf) for a unit not judged.
  RatioLimits limits(double expected) const;

 private:
  double min_expected_;
  double coverage_;
  bool overdispersion_;
  FunnelTails tails_;
  double tau2_ = 0;
};

}  // namespace vigil

// The detector sections of the pipeline configuration (config/pipeline_config.h)
// for the report-level types (volume_drop, funnel, inequality,
// disproportionality) and the `strata` key of count detectors: every key
// reaches its field, defaults hold when keys are left out, and every bad
// value is an error naming its key path. (tests/pipeline_config_test.cc
// covers the rest of the file: Kafka, state, secrets.)
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <set>
#include <string>
#include <type_traits>
#include <variant>

#include "config/pipeline_config.h"
#include "tests/test_events.h"

namespace vigil {
namespace {

using testing::TempDir;

PipelineConfig parse_ok(const std::string& yaml) {
  auto parsed = parse_pipeline_config(yaml, "test.yaml");
  BOOST_TEST_REQUIRE(parsed.is_ok(), (parsed ? "" : parsed.error().message));
  return std::move(parsed).value();
}

// The error message for `yaml`, which must not parse.
std::string error_of(const std::string& yaml) {
  auto parsed = parse_pipeline_config(yaml, "test.yaml");
  BOOST_TEST_REQUIRE(!parsed.is_ok(), "parsed, but should not have:\n" << yaml);
  BOOST_TEST((parsed.error().kind == ErrorKind::kInvalidArgument));
  BOOST_TEST(parsed.error().message.starts_with("test.yaml: "), parsed.error().message);
  return parsed.error().message;
}

// A config with one detector given by its YAML mapping lines (indented 4).
std::string one(const std::string& detector) { return "detectors:\n  - " + detector + "\n"; }

bool mentions(const std::string& message, const std::string& what) {
  return message.find(what) != std::string::npos;
}

// The `type:` of every row of detectors/detector_kinds.h.
template <typename... Configs>
std::set<std::string> types_of(const std::variant<Configs...>*) {
  return {std::string(Configs::kType)...};
}
std::set<std::string> every_detector_type() { return types_of(static_cast<const DetectorConfig*>(nullptr)); }

// --- Every key reaches its field ----------------------------------------------------------

BOOST_AUTO_TEST_SUITE(detector_config_test)

BOOST_AUTO_TEST_CASE(volume_drop_keys) {
  const auto config = parse_ok(R"(
detectors:
  - name: reporting_volume
    type: volume_drop
    unit: [org, service_area]
    filter: {record_types: [incident, outcome]}
    baseline_weeks: 20
    recent_weeks: 4
    grace_days: 5
    alpha: 0.01
    max_ratio: 0.4
    min_expected: 40
    severity: high
    lifecycle: {update_growth: 2, resolve_after_quiet: 3}
)");
  BOOST_TEST_REQUIRE(config.detectors.size() == 1u);
  const auto* c = std::get_if<VolumeDropConfig>(&config.detectors[0]);
  BOOST_TEST_REQUIRE(c != nullptr);
  BOOST_TEST(c->name == "reporting_volume");
  BOOST_TEST((c->unit == std::vector<Dimension>{Dimension::kOrg, Dimension::kServiceArea}));
  BOOST_TEST((c->filter.record_types == std::vector<RecordType>{RecordType::kIncident, RecordType::kOutcome}));
  BOOST_TEST(c->baseline_weeks == 20);
  BOOST_TEST(c->recent_weeks == 4);
  BOOST_TEST(c->grace_days == 5);
  BOOST_TEST(c->alpha == 0.01);
  BOOST_TEST(c->max_ratio == 0.4);
  BOOST_TEST(c->min_expected == 40.0);
  BOOST_TEST(c->severity == Severity::kHigh);
  BOOST_TEST(c->lifecycle.update_growth == 2.0);
  BOOST_TEST(c->lifecycle.resolve_after_quiet == 3u);
  BOOST_TEST(detector_method(config.detectors[0]) == "volume_drop");
  BOOST_TEST(detector_column_family(config.detectors[0]) == "det.reporting_volume");
}

BOOST_AUTO_TEST_CASE(volume_drop_defaults) {
  const auto config = parse_ok(one("{name: v, type: volume_drop}"));
  const auto& c = std::get<VolumeDropConfig>(config.detectors[0]);
  const VolumeDropConfig d;
  BOOST_TEST((c.unit == std::vector<Dimension>{Dimension::kOrg}));
  BOOST_TEST(c.baseline_weeks == d.baseline_weeks);
  BOOST_TEST(c.recent_weeks == d.recent_weeks);
  BOOST_TEST(c.grace_days == d.grace_days);
  BOOST_TEST(c.alpha == d.alpha);
  BOOST_TEST(c.max_ratio == d.max_ratio);
  BOOST_TEST(c.min_expected == d.min_expected);
  BOOST_TEST(c.severity == d.severity);
}

BOOST_AUTO_TEST_CASE(reporting_silence_keys) {
  const auto config = parse_ok(R"(
detectors:
  - name: reporting_quiet
    type: reporting_silence
    unit: [org, service_area]
    filter: {record_types: [incident, outcome]}
    baseline_days: 28
    grace_days: 1
    alpha: 1e-5
    min_daily_mean: 2.5
    severity: high
    lifecycle: {update_growth: 2}
)");
  BOOST_TEST_REQUIRE(config.detectors.size() == 1u);
  const auto* c = std::get_if<ReportingSilenceConfig>(&config.detectors[0]);
  BOOST_TEST_REQUIRE(c != nullptr);
  BOOST_TEST(c->name == "reporting_quiet");
  BOOST_TEST((c->unit == std::vector<Dimension>{Dimension::kOrg, Dimension::kServiceArea}));
  BOOST_TEST((c->filter.record_types == std::vector<RecordType>{RecordType::kIncident, RecordType::kOutcome}));
  BOOST_TEST(c->baseline_days == 28);
  BOOST_TEST(c->grace_days == 1);
  BOOST_TEST(c->alpha == 1e-5);
  BOOST_TEST(c->min_daily_mean == 2.5);
  BOOST_TEST(c->severity == Severity::kHigh);
  BOOST_TEST(c->lifecycle.update_growth == 2.0);
  // Left out, resolve_after_quiet stays the detector's own 1, not the shared default.
  BOOST_TEST(c->lifecycle.resolve_after_quiet == 1u);
  BOOST_TEST(detector_method(config.detectors[0]) == "reporting_silence");
  BOOST_TEST(detector_column_family(config.detectors[0]) == "det.reporting_quiet");
}

BOOST_AUTO_TEST_CASE(reporting_silence_defaults) {
  const auto config = parse_ok(one("{name: s, type: reporting_silence}"));
  const auto& c = std::get<ReportingSilenceConfig>(config.detectors[0]);
  const ReportingSilenceConfig d;
  BOOST_TEST((c.unit == std::vector<Dimension>{Dimension::kOrg}));
  BOOST_TEST(c.baseline_days == 56);
  BOOST_TEST(c.grace_days == 0);
  BOOST_TEST(c.alpha == 1e-6);
  BOOST_TEST(c.min_daily_mean == 5.0);
  BOOST_TEST(c.severity == d.severity);
  BOOST_TEST(c.lifecycle.update_growth == 1.5);
  BOOST_TEST(c.lifecycle.resolve_after_quiet == 1u);
}

BOOST_AUTO_TEST_CASE(funnel_keys) {
  const auto config = parse_ok(R"(
detectors:
  - name: harm_funnel
    type: funnel
    unit: [icb]
    population: {record_types: [incident], categories: [medication]}
    outcome: {min_physical_harm: severe}
    adjust_by: age_band
    coverage: 0.95
    overdispersion: false
    min_expected: 12.5
    sides: both
    window_weeks: 26
    grace_days: 7
    severity: critical
    lifecycle: {resolve_after_quiet: 5}
)");
  const auto* c = std::get_if<FunnelConfig>(&config.detectors[0]);
  BOOST_TEST_REQUIRE(c != nullptr);
  BOOST_TEST((c->unit == std::vector<Dimension>{Dimension::kIcb}));
  BOOST_TEST((c->population.categories == std::vector<std::string>{"medication"}));
  BOOST_TEST((c->outcome.min_physical_harm == PhysicalHarm::kSevere));
  BOOST_TEST_REQUIRE(c->adjust_by.has_value());
  BOOST_TEST((*c->adjust_by == Dimension::kAgeBand));
  BOOST_TEST(c->denominators.empty());
  BOOST_TEST(c->coverage == 0.95);
  BOOST_TEST(!c->overdispersion);
  BOOST_TEST(c->min_expected == 12.5);
  BOOST_TEST((c->sides == FunnelSides::kBoth));
  BOOST_TEST(c->window.window_weeks == 26);
  BOOST_TEST(c->window.grace_days == 7);
  BOOST_TEST(c->window.severity == Severity::kCritical);
  BOOST_TEST(c->window.lifecycle.resolve_after_quiet == 5u);
  BOOST_TEST(c->window.lifecycle.update_growth == LifecyclePolicy{}.update_growth);

  const auto defaults = parse_ok(one("{name: f, type: funnel, outcome: {min_physical_harm: moderate}}"));
  const auto& d = std::get<FunnelConfig>(defaults.detectors[0]);
  BOOST_TEST((d.unit == std::vector<Dimension>{Dimension::kOrg}));
  BOOST_TEST(!d.adjust_by.has_value());
  BOOST_TEST(d.coverage == 0.998);
  BOOST_TEST(d.overdispersion);
  BOOST_TEST((d.sides == FunnelSides::kHigh));
  BOOST_TEST(d.window.window_weeks == 13);
  BOOST_TEST(d.window.grace_days == 14);
  for (const char* sides : {"high", "low"}) {
    const auto s = parse_ok(one(std::string("{name: f, type: funnel, outcome: {}, sides: ") + sides + "}"));
    BOOST_TEST((std::get<FunnelConfig>(s.detectors[0]).sides ==
                (std::string(sides) == "high" ? FunnelSides::kHigh : FunnelSides::kLow)));
  }
}

BOOST_AUTO_TEST_CASE(funnel_denominators_inline_and_from_a_file) {
  TempDir dir;
  const std::string file = dir.sub("bed_days.csv");
  {
    std::ofstream out(file);
    out << "unit,denominator\n# bed days 2024/25\nRX1,1500.5\n\nRX2,  2000\n";
  }
  const auto config = parse_ok(R"(
detectors:
  - name: per_bed_day
    type: funnel
    outcome: {min_physical_harm: moderate}
    denominators: {RX3: 100, RX4: 250}
    denominators_file: )" + file + "\n");
  const auto& c = std::get<FunnelConfig>(config.detectors[0]);
  BOOST_TEST(c.denominators.size() == 4u);
  BOOST_TEST(c.denominators.at("RX1") == 1500.5);
  BOOST_TEST(c.denominators.at("RX2") == 2000.0);
  BOOST_TEST(c.denominators.at("RX3") == 100.0);
  BOOST_TEST(c.denominators.at("RX4") == 250.0);

  const auto with_file = [&](const std::string& contents) {
    {
      std::ofstream out(file);
      out << contents;
    }
    return one("{name: f, type: funnel, outcome: {}, denominators_file: " + file + "}");
  };
  const std::string no_comma = error_of(with_file("RX1 1500\n"));
  BOOST_TEST(mentions(no_comma, "detectors[0].denominators_file"), no_comma);
  BOOST_TEST(mentions(no_comma, "line 1"), no_comma);
  const std::string not_number = error_of(with_file("unit,denominator\nRX1,many\n"));
  BOOST_TEST(mentions(not_number, "line 2: the denominator is not a number"), not_number);
  // "1,500" split at its first comma would read as 1: a number must be all
  // there is after the comma.
  const std::string thousands = error_of(with_file("RX1,1,500\n"));
  BOOST_TEST(mentions(thousands, "line 1: the denominator is not a number"), thousands);
  const std::string trailing = error_of(with_file("RX1,1500 bed days\n"));
  BOOST_TEST(mentions(trailing, "line 1"), trailing);
  // A Windows line ending is not part of the number.
  const auto crlf = parse_ok(with_file("unit,denominator\r\nRX1,1500\r\n"));
  BOOST_TEST(std::get<FunnelConfig>(crlf.detectors[0]).denominators.at("RX1") == 1500.0);
  // Values are checked when the detector is validated.
  const std::string zero = error_of(with_file("RX1,0\n"));
  BOOST_TEST(mentions(zero, "denominator of RX1 must be positive"), zero);
  const std::string missing = error_of(one("{name: f, type: funnel, outcome: {}, denominators_file: " +
                                           dir.sub("absent.csv") + "}"));
  BOOST_TEST(mentions(missing, "cannot read"), missing);
}

BOOST_AUTO_TEST_CASE(inequality_keys) {
  const auto config = parse_ok(R"(
detectors:
  - name: imd_inequality
    type: inequality
    group_by: [category, region]
    stratum: imd_quintile
    population: {record_types: [incident]}
    outcome: {min_physical_harm: moderate}
    coverage: 0.99
    overdispersion: false
    min_observed: 8
    min_expected: 3.5
    window_weeks: 8
    grace_days: 10
    severity: low
)");
  const auto* c = std::get_if<InequalityConfig>(&config.detectors[0]);
  BOOST_TEST_REQUIRE(c != nullptr);
  BOOST_TEST((c->group_by == std::vector<Dimension>{Dimension::kCategory, Dimension::kRegion}));
  BOOST_TEST((c->stratum == Dimension::kImdQuintile));
  BOOST_TEST((c->outcome.min_physical_harm == PhysicalHarm::kModerate));
  BOOST_TEST(c->coverage == 0.99);
  BOOST_TEST(!c->overdispersion);
  BOOST_TEST(c->min_observed == 8);
  BOOST_TEST(c->min_expected == 3.5);
  BOOST_TEST(c->window.window_weeks == 8);
  BOOST_TEST(c->window.grace_days == 10);
  BOOST_TEST(c->window.severity == Severity::kLow);
  BOOST_TEST(detector_method(config.detectors[0]) == "inequality");

  const auto defaults = parse_ok(one("{name: i, type: inequality, stratum: sex, outcome: {}}"));
  const auto& d = std::get<InequalityConfig>(defaults.detectors[0]);
  BOOST_TEST((d.group_by == std::vector<Dimension>{Dimension::kServiceArea}));
  BOOST_TEST(d.min_observed == 5);
  BOOST_TEST(d.min_expected == 2.0);
}

BOOST_AUTO_TEST_CASE(disproportionality_keys) {
  const auto config = parse_ok(R"(
detectors:
  - name: device_screen
    type: disproportionality
    item: device
    population: {record_types: [incident]}
    outcome: {min_physical_harm: severe}
    method: prr
    criterion: {min_count: 5, prr: 3, chi2: 6, ror_lower: 1.5, ic025: 0.2, eb05: 2, ebgm: 3}
    prior: {alpha1: 0.3, beta1: 0.2, alpha2: 1.5, beta2: 3, p: 0.25}
    prior_start: {alpha1: 0.4, beta1: 0.3, alpha2: 2.5, beta2: 5, p: 0.5}
    window_weeks: 52
    grace_days: 21
    severity: high
    lifecycle: {update_growth: 1.25, resolve_after_quiet: 6}
)");
  const auto* c = std::get_if<DisproportionalityConfig>(&config.detectors[0]);
  BOOST_TEST_REQUIRE(c != nullptr);
  BOOST_TEST((c->item == Dimension::kDevice));
  BOOST_TEST((c->outcome.min_physical_harm == PhysicalHarm::kSevere));
  BOOST_TEST((c->method == DisproportionalityMethod::kPrr));
  BOOST_TEST(c->min_count == 5);
  BOOST_TEST(c->prr == 3.0);
  BOOST_TEST(c->chi2 == 6.0);
  BOOST_TEST(c->ror_lower == 1.5);
  BOOST_TEST(c->ic025 == 0.2);
  BOOST_TEST(c->eb05 == 2.0);
  BOOST_TEST(c->ebgm == 3.0);
  BOOST_TEST_REQUIRE(c->prior.has_value());
  BOOST_TEST(c->prior->alpha1 == 0.3);
  BOOST_TEST(c->prior->beta1 == 0.2);
  BOOST_TEST(c->prior->alpha2 == 1.5);
  BOOST_TEST(c->prior->beta2 == 3.0);
  BOOST_TEST(c->prior->p == 0.25);
  BOOST_TEST(c->prior_start.alpha1 == 0.4);
  BOOST_TEST(c->prior_start.p == 0.5);
  BOOST_TEST(c->window.window_weeks == 52);
  BOOST_TEST(c->window.grace_days == 21);
  BOOST_TEST(c->window.lifecycle.update_growth == 1.25);
  BOOST_TEST(c->window.lifecycle.resolve_after_quiet == 6u);
  BOOST_TEST(detector_method(config.detectors[0]) == "prr");

  // "estimate" (and no prior at all) leave the prior to be estimated.
  for (const std::string prior : {"", ", prior: estimate"}) {
    const auto e = parse_ok(one("{name: d, type: disproportionality, item: medication, outcome: {}" + prior + "}"));
    const auto& d = std::get<DisproportionalityConfig>(e.detectors[0]);
    BOOST_TEST(!d.prior.has_value());
    BOOST_TEST((d.method == DisproportionalityMethod::kEbgm));
    BOOST_TEST(d.min_count == 3);
    BOOST_TEST(d.eb05 == 1.8);
    BOOST_TEST(d.ebgm == 2.5);
    BOOST_TEST(detector_method(e.detectors[0]) == "ebgm");
  }
  for (const char* m : {"ror", "ic", "ebgm"}) {
    const auto e = parse_ok(one(std::string("{name: d, type: disproportionality, item: agent, outcome: {}, method: ") + m + "}"));
    BOOST_TEST(detector_method(e.detectors[0]) == m);
  }
}

BOOST_AUTO_TEST_CASE(count_strata) {
  const auto config = parse_ok(R"(
detectors:
  - name: falls
    type: count
    dimensions: [category, org]
    strata: [sex, ethnicity]
  - name: meds
    type: count
    dimensions: [category]
    strata: []
  - name: defaults
    type: count
    dimensions: [category]
)");
  BOOST_TEST((std::get<CountDetectorConfig>(config.detectors[0]).strata ==
              std::vector<Dimension>{Dimension::kSex, Dimension::kEthnicity}));
  BOOST_TEST(std::get<CountDetectorConfig>(config.detectors[1]).strata.empty());
  BOOST_TEST((std::get<CountDetectorConfig>(config.detectors[2]).strata ==
              std::vector<Dimension>{Dimension::kEthnicity, Dimension::kImdQuintile, Dimension::kAgeBand,
                                     Dimension::kSex}));
  const std::string unknown = error_of(one("{name: c, type: count, dimensions: [category], strata: [sex, shoe_size]}"));
  BOOST_TEST(mentions(unknown, "detectors[0].strata[1]"), unknown);
  const std::string not_patient = error_of(one("{name: c, type: count, dimensions: [category], strata: [org]}"));
  BOOST_TEST(mentions(not_patient, "org is not a patient dimension"), not_patient);
  BOOST_TEST(mentions(not_patient, "detector c"), not_patient);
  const std::string not_list = error_of(one("{name: c, type: count, dimensions: [category], strata: sex}"));
  BOOST_TEST(mentions(not_list, "detectors[0].strata: must be a list"), not_list);
}

// --- Bad values name their key ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(bad_values_are_errors_naming_their_key) {
  struct Case {
    std::string detector;  // one detector's mapping
    std::string expected;  // part of the message
  };
  const std::string funnel = "name: f, type: funnel, outcome: {min_physical_harm: moderate}";
  const std::string inequality = "name: i, type: inequality, stratum: ethnicity, outcome: {}";
  const std::string dispro = "name: d, type: disproportionality, item: medication, outcome: {}";
  const std::vector<Case> cases = {
      // volume_drop
      {"{name: v, type: volume_drop, alpha: 0}", "detectors[0].alpha: must be between 0 and 1"},
      {"{name: v, type: volume_drop, max_ratio: 1.5}", "detectors[0].max_ratio: must be between 0 and 1"},
      {"{name: v, type: volume_drop, baseline_weeks: 2}", "baseline_weeks must be 4..156"},
      {"{name: v, type: volume_drop, recent_weeks: 0}", "recent_weeks must be 1..26"},
      {"{name: v, type: volume_drop, min_expected: 0}", "min_expected must be at least 1"},
      {"{name: v, type: volume_drop, unit: []}", "needs at least one unit dimension"},
      {"{name: v, type: volume_drop, unit: [postcode]}", "detectors[0].unit[0]: unknown dimension 'postcode'"},
      {"{name: v, type: volume_drop, window_weeks: 13}", "detectors[0].window_weeks: unknown key"},
      {"{name: v, type: volume_drop, alpha: [0.1]}", "detectors[0].alpha: must be a scalar"},
      // reporting_silence
      {"{name: s, type: reporting_silence, alpha: 0}", "detectors[0].alpha: must be between 0 and 1"},
      {"{name: s, type: reporting_silence, alpha: 1}", "detectors[0].alpha: must be between 0 and 1"},
      {"{name: s, type: reporting_silence, baseline_days: 7}", "baseline_days must be 14..366"},
      {"{name: s, type: reporting_silence, baseline_days: 400}", "baseline_days must be 14..366"},
      {"{name: s, type: reporting_silence, grace_days: -1}", "grace_days must be 0..30"},
      {"{name: s, type: reporting_silence, min_daily_mean: 0}", "min_daily_mean must be a positive number"},
      {"{name: s, type: reporting_silence, min_daily_mean: -3}", "min_daily_mean must be a positive number"},
      {"{name: s, type: reporting_silence, min_daily_mean: many}", "detectors[0].min_daily_mean: has the wrong type"},
      {"{name: s, type: reporting_silence, unit: []}", "needs at least one unit dimension"},
      {"{name: s, type: reporting_silence, unit: [postcode]}", "detectors[0].unit[0]: unknown dimension 'postcode'"},
      {"{name: s, type: reporting_silence, recent_weeks: 3}", "detectors[0].recent_weeks: unknown key"},
      {"{name: s, type: reporting_silence, lifecycle: {update_growth: 1}}",
       "detectors[0].lifecycle.update_growth: must be > 1"},
      {"{name: s, type: reporting_silence, lifecycle: {resolve_after_quiet: 0}}",
       "detectors[0].lifecycle.resolve_after_quiet: must be at least 1"},
      {"{name: v, type: volume_drop, baseline_weeks: lots}", "detectors[0].baseline_weeks: has the wrong type"},
      {"{name: v, type: volume_drop, lifecycle: {update_growth: 1}}",
       "detectors[0].lifecycle.update_growth: must be > 1"},
      // funnel
      {"{name: f, type: funnel}", "detectors[0].outcome: is required"},
      {"{" + funnel + ", sides: upper}", "detectors[0].sides: must be high, low or both"},
      {"{" + funnel + ", coverage: 1}", "detectors[0].coverage: must be between 0 and 1"},
      {"{" + funnel + ", coverage: 0.4}", "coverage must be in (0.5, 1)"},
      {"{" + funnel + ", adjust_by: shoe_size}", "detectors[0].adjust_by: unknown dimension 'shoe_size'"},
      {"{" + funnel + ", adjust_by: sex, denominators: {RX1: 5}}", "adjust_by and denominators cannot be combined"},
      {"{" + funnel + ", denominators: [RX1]}", "detectors[0].denominators: must be a mapping"},
      {"{" + funnel + ", denominators: {RX1: many}}", "detectors[0].denominators.RX1: has the wrong type"},
      {"{" + funnel + ", denominators: {RX1: -3}}", "denominator of RX1 must be positive"},
      {"{" + funnel + ", window_weeks: 0}", "detectors[0].window_weeks: must be 1..104"},
      {"{" + funnel + ", window_weeks: 105}", "detectors[0].window_weeks: must be 1..104"},
      {"{" + funnel + ", grace_days: -1}", "detectors[0].grace_days: must be 0..366"},
      {"{" + funnel + ", min_expected: 0}", "min_expected must be positive"},
      {"{" + funnel + ", overdispersion: maybe}", "detectors[0].overdispersion: has the wrong type"},
      {"{name: f, type: funnel, outcome: {min_physical_harm: awful}}", "detectors[0].outcome.min_physical_harm"},
      {"{" + funnel + ", population: {ages: [1]}}", "detectors[0].population.ages: unknown key"},
      {"{" + funnel + ", severity: urgent}", "detectors[0].severity: must be one of low, medium, high, critical"},
      // inequality
      {"{name: i, type: inequality, outcome: {}}", "detectors[0].stratum: is required"},
      {"{name: i, type: inequality, stratum: sex}", "detectors[0].outcome: is required"},
      {"{name: i, type: inequality, stratum: medication, outcome: {}}", "stratum must be a single-valued dimension"},
      {"{" + inequality + ", group_by: [ethnicity]}", "stratum cannot also be a group_by dimension"},
      {"{" + inequality + ", min_observed: 0}", "min_observed must be at least 1"},
      {"{" + inequality + ", min_expected: -1}", "min_expected must be positive"},
      {"{name: i, type: inequality, stratum: [sex], outcome: {}}", "detectors[0].stratum: must be a scalar"},
      {"{" + inequality + ", lifecycle: {resolve_after_quiet: 0}}",
       "detectors[0].lifecycle.resolve_after_quiet: must be at least 1"},
      // disproportionality
      {"{name: d, type: disproportionality, outcome: {}}", "detectors[0].item: is required"},
      {"{name: d, type: disproportionality, item: medication}", "detectors[0].outcome: is required"},
      {"{" + dispro + ", method: bcpnn}", "detectors[0].method: must be one of prr, ror, ic, ebgm"},
      {"{" + dispro + ", prior: auto}", "detectors[0].prior: must be 'estimate' or a mapping"},
      {"{" + dispro + ", prior: {alpha1: 0.2, beta1: 0.1, alpha2: 2, beta2: 4}}", "detectors[0].prior.p: is required"},
      {"{" + dispro + ", prior: {alpha1: 0, beta1: 0.1, alpha2: 2, beta2: 4, p: 0.3}}",
       "prior needs alpha1, beta1, alpha2, beta2 > 0"},
      {"{" + dispro + ", prior: {alpha1: 1, beta1: 1, alpha2: 1, beta2: 1, p: 0.3, q: 1}}",
       "detectors[0].prior.q: unknown key"},
      {"{" + dispro + ", prior_start: {alpha1: 1, beta1: -1, alpha2: 1, beta2: 1, p: 0.3}}",
       "prior_start is not a valid prior"},
      {"{" + dispro + ", criterion: {eb05: 1.8, n: 3}}", "detectors[0].criterion.n: unknown key"},
      {"{" + dispro + ", criterion: {min_count: 0}}", "min_count must be at least 1"},
      {"{name: d, type: disproportionality, item: pharmacy, outcome: {}}",
       "detectors[0].item: unknown dimension 'pharmacy'"},
      {"{" + dispro + ", window_weeks: 200}", "detectors[0].window_weeks: must be 1..104"},
  };
  for (const auto& c : cases) {
    const std::string message = error_of(one(c.detector));
    BOOST_TEST(mentions(message, c.expected), c.detector << "\n  gave: " << message);
  }
}

BOOST_AUTO_TEST_CASE(names_and_types_across_detector_kinds) {
  const std::string duplicate = error_of(R"(
detectors:
  - {name: screen, type: funnel, outcome: {}}
  - {name: screen, type: volume_drop}
)");
  BOOST_TEST(mentions(duplicate, "detectors[1].name: duplicate detector name 'screen'"), duplicate);
  const std::string unknown = error_of(one("{name: x, type: cusum_chart}"));
  BOOST_TEST(mentions(unknown, "unknown detector type 'cusum_chart'"), unknown);
  // It lists every kind there is, the rows of detectors/detector_kinds.h.
  for (const std::string& type : every_detector_type()) {
    BOOST_TEST(mentions(unknown, type), type << " not in: " << unknown);
  }
  const std::string slug = error_of(one("{name: Harm-Funnel, type: funnel, outcome: {}}"));
  BOOST_TEST(mentions(slug, "detectors[0].name: must be a non-empty [a-z0-9_] slug"), slug);
}

BOOST_AUTO_TEST_CASE(the_shipped_configuration_uses_every_detector_type) {
  // README: config/vigil.yaml runs every kind; a failure names the ones missing.
  auto loaded = load_pipeline_config("");
  BOOST_TEST_REQUIRE(loaded.is_ok(), (loaded ? "" : loaded.error().message));
  std::set<std::string> used;
  for (const auto& d : loaded.value().detectors) {
    used.insert(std::visit([](const auto& c) { return std::string(std::decay_t<decltype(c)>::kType); }, d));
  }
  BOOST_TEST(used == every_detector_type(), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil

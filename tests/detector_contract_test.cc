// The contract every kind of detector keeps, checked once for all kinds
// (each kind's own file tests its statistics and behaviour):
//   - create() takes the valid configuration and refuses each bad one with
//     an error naming the detector; the configuration reader's check agrees;
//   - signals follow the episode lifecycle of contract §2, name their
//     detector and method, and carry no free text and at most 50 ids;
//   - the same events give the same signals, and the detector's name is
//     part of every signal id;
//   - a detector restarted from its saved state, at any point and any
//     number of times, emits exactly what an uninterrupted one emits;
//   - partitions sharing one column family never see each other's state;
//   - stored state that does not decode is reported as corruption.
// The kinds are the rows of detectors/detector_kinds.h: the list of tests
// is made from that variant, so a new kind does not compile here until it
// has a Kind<Config> below.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "detectors/detector_factory.h"
#include "detectors/detector_kinds.h"
#include "state/key_encoding.h"
#include "tests/detector_feeds.h"
#include "tests/detector_harness.h"
#include "tests/test_events.h"
#include "tests/text_cluster_fixtures.h"

namespace vigil {
namespace {

using testing::date;
using testing::day_in_week;
using testing::describe;
using testing::FeedStep;
using testing::fingerprints;
using testing::monday;
using testing::open_test_store;
using testing::TempDir;
using testing::TestEvent;

// A configuration create() must refuse, with what is wrong with it and, when
// the message should name it, a word it must contain.
template <typename Config>
struct BadConfig {
  std::string why;
  Config config;
  std::string mentions;
};

// A stored record the detector cannot decode: key and value.
using Record = std::pair<std::string, std::string>;

// What the contract needs of a kind: a valid configuration (`valid()`), bad
// ones (`bad()`), unusual ones that are still valid (`also_valid()`), the
// method its signals carry (kMethod), a feed that raises, updates or
// resolves signals (`feed()`, with the stream time that closes its last
// periods, `closing_time()`), and hand-made undecodable records of its
// state for a partition (`broken_records()`). One specialisation per row of
// detectors/detector_kinds.h; this one stops the build for a row without.
template <typename Config>
struct Kind {
  static_assert(sizeof(Config) == 0,
                "every detector kind in detectors/detector_kinds.h needs a Kind<Config> in "
                "tests/detector_contract_test.cc, so that it keeps the detector contract");
};

// --- count ------------------------------------------------------------------------------

template <>
struct Kind<CountDetectorConfig> {
  using Config = CountDetectorConfig;
  static constexpr std::string_view kMethod = "earsC1";

  static Config with_method(std::string method) {
    return testing::count_feed::weekly_config(std::move(method));
  }
  static Config valid() { return with_method("earsC1"); }
  static std::vector<Config> also_valid() { return {with_method("earsC2"), with_method("earsC3")}; }
  static std::vector<BadConfig<Config>> bad() {
    std::vector<BadConfig<Config>> out;
    out.push_back({"no dimensions", valid(), "dimension"});
    out.back().config.dimensions.clear();
    out.push_back({"negative grace", valid(), "grace_days"});
    out.back().config.grace_days = -1;
    out.push_back({"unknown method", with_method("farringtonFlexibleX"), "farringtonFlexibleX"});
    out.push_back({"baseline too short", valid(), ""});
    out.back().config.params = {{"baseline", "2"}};
    out.push_back({"unknown parameter", valid(), ""});
    out.back().config.params = {{"b", "5"}};
    out.push_back({"a stratum that is not a patient dimension", valid(), ""});
    out.back().config.strata = {Dimension::kMedication};
    return out;
  }

  // 40 weeks of 3 categories x 2 regions with planted spikes, late reports,
  // on-time and late revisions (which drop the patient details), most
  // reports with patients: everything the state has to carry.
  static std::vector<FeedStep> feed() {
    using testing::count_feed::add_week;
    using testing::count_feed::ev;
    std::vector<FeedStep> steps;
    std::mt19937 rng(2024);
    const char* categories[] = {"medication", "fall", "device"};
    const char* regions[] = {"Y56", "Y57"};
    std::map<std::string, int> latest;  // id -> step holding its latest contents
    for (int w = 0; w < 40; ++w) {
      std::vector<TestEvent> week;
      for (const char* c : categories) {
        for (const char* r : regions) {
          int n = 3 + static_cast<int>(rng() % 4);
          const std::string cat = c, reg = r;
          if (cat == "medication" && reg == "Y56" && (w == 12 || w == 13)) n = w == 12 ? 25 : 45;
          if (cat == "fall" && reg == "Y57" && w == 20) n = 30;
          if (cat == "device" && reg == "Y56" && w >= 30 && w <= 31) n = 18 + 30 * (w - 30);
          add_week(week, w, n, c, r, cat.substr(0, 1) + reg, 1 + static_cast<int>(rng() % 5));
        }
      }
      testing::sort_by_time(week);
      for (auto& e : week) {
        // Patients for the strata breakdown, except every fourth report.
        const size_t i = steps.size();
        if (i % 4 != 3) e.patient(i % 3 == 0 ? "18-25" : "26-45", i % 2 == 0 ? "female" : "male", "AMC"[i % 3],
                                  static_cast<uint8_t>(1 + i % 10));
        latest[std::string(e.event().id)] = static_cast<int>(steps.size());
        steps.push_back(FeedStep{std::move(e), -1});
      }
      if (w % 5 == 0 && w >= 5) {  // late reports for three weeks ago
        for (int k = 0; k < 6; ++k) {
          steps.push_back(FeedStep{ev("late" + std::to_string(w) + "-" + std::to_string(k),
                                      day_in_week(w - 3, k), categories[k % 3], regions[k % 2]),
                                   -1});
        }
      }
      if (w >= 4) {  // revisions: two from last week (on time), one from four weeks ago (late)
        for (int back : {1, 1, 4}) {
          const std::string id = "mY56-" + std::to_string(w - back) + "-" +
                                 std::to_string(back == 1 ? static_cast<int>(rng() % 3) : 0);
          auto it = latest.find(id);
          if (it == latest.end()) continue;
          const IncidentEvent& old = steps[static_cast<size_t>(it->second)].event.event();
          TestEvent r = ev(id, old.occurred_on, old.category == "medication" ? "fall" : "medication",
                           "Y57", "ORGR");
          r.revision(old.revision + 1);
          const int previous = it->second;
          it->second = static_cast<int>(steps.size());
          steps.push_back(FeedStep{std::move(r), previous});
        }
      }
    }
    return steps;
  }
  static Date closing_time() { return day_in_week(45, 0); }

  static std::vector<Record> broken_records(int32_t partition) {
    std::vector<Record> out;
    for (char tag : {'\0', '\1', '\7'}) {
      std::string key = partition_prefix(partition);
      key.push_back(tag);
      key += "medication\x1fY56";
      out.push_back({key, std::string("\xff\xff\xff", 3)});
    }
    return out;
  }
};

// --- severity_rule ----------------------------------------------------------------------

template <>
struct Kind<SeverityRuleConfig> {
  using Config = SeverityRuleConfig;
  static constexpr std::string_view kMethod = "severity_rule";
  static inline const Date kDay = date("2024-03-14");

  static Config valid() {
    Config c;
    c.name = "fatal_or_never";
    return c;  // defaults: fatal, never events, org x category, 1 day, resolve 7, retain 400
  }
  static std::vector<Config> also_valid() {
    Config clusters = valid();
    clusters.min_reports = 2;
    clusters.group_days = 7;
    return {clusters};
  }
  static std::vector<BadConfig<Config>> bad() {
    std::vector<BadConfig<Config>> out;
    out.push_back({"empty windows", valid(), "group_days"});
    out.back().config.group_days = 0;
    out.push_back({"negative resolve_after_days", valid(), "resolve_after_days"});
    out.back().config.resolve_after_days = -1;
    out.push_back({"retain_days shorter than resolve_after_days", valid(), "retain_days"});
    out.back().config.retain_days = 3;
    out.push_back({"not grouped by organisation", valid(), "org"});
    out.back().config.group_by = {Dimension::kCategory};
    out.push_back({"matches nothing", valid(), "matches nothing"});
    out.back().config.min_physical_harm = PhysicalHarm::kUnknown;
    out.back().config.never_events = false;
    return out;
  }

  // 60 days of reports with bursts about one death, revisions that make a
  // report fatal or take its fatality back, late fatal reports and time
  // passing; descriptions with patient details that must never surface.
  static std::vector<FeedStep> feed() {
    std::vector<FeedStep> steps;
    const char* orgs[] = {"RA1", "RB2", "RC3"};
    const char* categories[] = {"medication", "fall"};
    std::map<std::string, int> latest;
    int n = 0;
    for (int d = 0; d < 60; ++d) {
      const Date day{kDay.days + d};
      for (int k = 0; k < 6; ++k, ++n) {
        const std::string id = "e" + std::to_string(n);
        TestEvent e(id, day);
        e.org(orgs[(n * 7) % 3]).category(categories[(n / 3) % 2]);
        const int kind = (n * 13) % 10;
        e.harm(kind < 3 ? PhysicalHarm::kFatal : kind < 5 ? PhysicalHarm::kSevere : PhysicalHarm::kLow);
        if (kind == 9) e.never_event();
        e.description("Patient Jane Doe " + std::to_string(n) + ", NHS number 999 000 1111, died");
        latest[id] = static_cast<int>(steps.size());
        steps.push_back(FeedStep{std::move(e), -1});
      }
      if (d % 4 == 3) {  // revise a report from a few days ago: flip its harm
        const std::string id = "e" + std::to_string(n - 10);
        const int prev = latest[id];
        const IncidentEvent& old = steps[static_cast<size_t>(prev)].event.event();
        TestEvent r(id, old.occurred_on);
        r.org(old.org).category(old.category).revision(old.revision + 1);
        r.harm(old.physical_harm == PhysicalHarm::kFatal ? PhysicalHarm::kModerate : PhysicalHarm::kFatal);
        latest[id] = static_cast<int>(steps.size());
        steps.push_back(FeedStep{std::move(r), prev});
      }
      if (d % 10 == 5) {  // a burst of reports about one death: raised, then updated
        for (int k = 0; k < 5; ++k) {
          TestEvent b("burst" + std::to_string(d) + "-" + std::to_string(k), day);
          b.org("RB2").category("medication").harm(PhysicalHarm::kFatal);
          steps.push_back(FeedStep{std::move(b), -1});
        }
      }
      if (d % 9 == 8) {  // a late fatal report from a month ago
        TestEvent late("late" + std::to_string(d), Date{day.days - 30});
        late.org("RA1").category("medication").harm(PhysicalHarm::kFatal);
        steps.push_back(FeedStep{std::move(late), -1});
      }
    }
    return steps;
  }
  static Date closing_time() { return Date{kDay.days + 100}; }

  static std::vector<Record> broken_records(int32_t partition) {
    // One day announced, then nothing. (A key with one more part is the
    // fixed-window rule's former record: deleted, not refused.)
    return {{partition_prefix(partition) + "RX1\x1fmedication", std::string("\x01\x01", 2)}};
  }
};

// --- volume_drop ------------------------------------------------------------------------

template <>
struct Kind<VolumeDropConfig> {
  using Config = VolumeDropConfig;
  static constexpr std::string_view kMethod = "volume_drop";

  static Config valid() {
    Config c;
    c.name = "reporting_drop";
    c.severity = Severity::kHigh;
    return c;  // defaults: baseline 26 weeks, recent 3, grace 3 days, alpha 0.001, ratio 0.5, min 30
  }
  static std::vector<Config> also_valid() {
    Config per_area = valid();
    per_area.unit = {Dimension::kOrg, Dimension::kServiceArea};
    return {per_area};
  }
  static std::vector<BadConfig<Config>> bad() {
    std::vector<BadConfig<Config>> out;
    const auto add = [&](std::string why, auto change, std::string mentions = "") {
      out.push_back({std::move(why), valid(), std::move(mentions)});
      change(out.back().config);
    };
    add("no unit", [](Config& c) { c.unit.clear(); });
    add("baseline too short", [](Config& c) { c.baseline_weeks = 3; }, "baseline_weeks");
    add("baseline too long", [](Config& c) { c.baseline_weeks = 157; }, "baseline_weeks");
    add("no recent weeks", [](Config& c) { c.recent_weeks = 0; }, "recent_weeks");
    add("recent_weeks above 26", [](Config& c) { c.recent_weeks = 27; }, "recent_weeks");
    add("negative grace", [](Config& c) { c.grace_days = -1; }, "grace_days");
    add("alpha 0", [](Config& c) { c.alpha = 0; }, "alpha");
    add("alpha 0.5", [](Config& c) { c.alpha = 0.5; }, "alpha");
    add("alpha NaN", [](Config& c) { c.alpha = NAN; }, "alpha");
    add("max_ratio 0", [](Config& c) { c.max_ratio = 0; }, "max_ratio");
    add("max_ratio 1", [](Config& c) { c.max_ratio = 1; }, "max_ratio");
    add("min_expected below 1", [](Config& c) { c.min_expected = 0.5; }, "min_expected");
    return out;
  }

  // An organisation that stops reporting for ten weeks and comes back.
  static std::vector<FeedStep> feed() {
    using namespace testing::volume_feed;
    return testing::as_steps(reports(stop_and_recover()));
  }
  static Date closing_time() { return monday(48); }

  static std::vector<Record> broken_records(int32_t partition) {
    std::string key = partition_prefix(partition);
    key.push_back('\1');
    key += "RA1";
    return {{key, std::string("\xff\xff\xff", 3)}};
  }
};

// --- reporting_silence ------------------------------------------------------------------

template <>
struct Kind<ReportingSilenceConfig> {
  using Config = ReportingSilenceConfig;
  static constexpr std::string_view kMethod = "reporting_silence";

  static Config valid() {
    Config c;
    c.name = "reporting_silence";
    c.severity = Severity::kHigh;
    return c;  // defaults: baseline 56 days, grace 0, alpha 1e-6, min 5 a day, resolved at once
  }
  static std::vector<Config> also_valid() {
    Config per_area = valid();
    per_area.unit = {Dimension::kOrg, Dimension::kServiceArea};
    Config graced = valid();
    graced.grace_days = 2;
    graced.baseline_days = 14;
    return {per_area, graced};
  }
  static std::vector<BadConfig<Config>> bad() {
    std::vector<BadConfig<Config>> out;
    const auto add = [&](std::string why, auto change, std::string mentions = "") {
      out.push_back({std::move(why), valid(), std::move(mentions)});
      change(out.back().config);
    };
    add("no unit", [](Config& c) { c.unit.clear(); });
    add("baseline too short", [](Config& c) { c.baseline_days = 13; }, "baseline_days");
    add("baseline too long", [](Config& c) { c.baseline_days = 367; }, "baseline_days");
    add("negative grace", [](Config& c) { c.grace_days = -1; }, "grace_days");
    add("grace above 30", [](Config& c) { c.grace_days = 31; }, "grace_days");
    add("alpha 0", [](Config& c) { c.alpha = 0; }, "alpha");
    add("alpha 0.5", [](Config& c) { c.alpha = 0.5; }, "alpha");
    add("alpha NaN", [](Config& c) { c.alpha = NAN; }, "alpha");
    add("min_daily_mean 0", [](Config& c) { c.min_daily_mean = 0; }, "min_daily_mean");
    add("min_daily_mean infinite", [](Config& c) { c.min_daily_mean = INFINITY; }, "min_daily_mean");
    add("update_growth 1", [](Config& c) { c.lifecycle.update_growth = 1; }, "update_growth");
    add("resolve_after_quiet 0", [](Config& c) { c.lifecycle.resolve_after_quiet = 0; },
        "resolve_after_quiet");
    return out;
  }

  // An organisation silent for ten days that comes back.
  static std::vector<FeedStep> feed() {
    using namespace testing::silence_feed;
    return testing::as_steps(reports(stop_and_recover()));
  }
  static Date closing_time() { return Date{monday(0).days + 95}; }

  static std::vector<Record> broken_records(int32_t partition) {
    std::string key = partition_prefix(partition);
    key.push_back('\1');
    key += "RA1";
    // Unknown flag bits after an empty count list.
    return {{key, std::string("\x02\x02\x00\xf0", 4)}};
  }
};

// --- funnel -----------------------------------------------------------------------------

template <>
struct Kind<FunnelConfig> {
  using Config = FunnelConfig;
  static constexpr std::string_view kMethod = "funnel";

  static Config valid() {
    return testing::funnel_feed::funnel_config();
  }
  static std::vector<Config> also_valid() {
    Config adjusted = valid();
    adjusted.adjust_by = Dimension::kAgeBand;
    return {adjusted};
  }
  static std::vector<BadConfig<Config>> bad() {
    std::vector<BadConfig<Config>> out;
    const auto add = [&](std::string why, auto change) {
      out.push_back({std::move(why), valid(), ""});
      change(out.back().config);
    };
    add("no unit", [](Config& c) { c.unit.clear(); });
    add("case mix and denominators together", [](Config& c) {
      c.adjust_by = Dimension::kAgeBand;
      c.denominators = {{"RA", 1}};
    });
    add("coverage 0.5", [](Config& c) { c.coverage = 0.5; });
    add("coverage 1", [](Config& c) { c.coverage = 1; });
    add("min_expected 0", [](Config& c) { c.min_expected = 0; });
    add("no window", [](Config& c) { c.window.window_weeks = 0; });
    add("a window over two years", [](Config& c) { c.window.window_weeks = 105; });
    add("a zero denominator", [](Config& c) { c.denominators = {{"RA", 0}}; });
    add("a negative denominator", [](Config& c) { c.denominators = {{"RA", -5}}; });
    add("an infinite denominator", [](Config& c) { c.denominators = {{"RA", INFINITY}}; });
    return out;
  }

  // An organisation above the funnel for four weeks, then back inside.
  static std::vector<FeedStep> feed() { return testing::as_steps(testing::funnel_feed::ten_weeks()); }
  static Date closing_time() { return monday(10); }

  static std::vector<Record> broken_records(int32_t partition) {
    std::string key = partition_prefix(partition);
    key.push_back('\0');  // the stream position record
    return {{key, "x"}};
  }
};

// --- inequality -------------------------------------------------------------------------

template <>
struct Kind<InequalityConfig> {
  using Config = InequalityConfig;
  static constexpr std::string_view kMethod = "inequality";

  static Config valid() {
    return testing::inequality_feed::inequality_config();
  }
  static std::vector<Config> also_valid() {
    Config national = valid();  // every stratum against the rest of the population
    national.group_by.clear();
    return {national};
  }
  static std::vector<BadConfig<Config>> bad() {
    std::vector<BadConfig<Config>> out;
    const auto add = [&](std::string why, auto change) {
      out.push_back({std::move(why), valid(), ""});
      change(out.back().config);
    };
    add("a stratum that is not a patient dimension", [](Config& c) { c.stratum = Dimension::kMedication; });
    add("grouped by the stratum", [](Config& c) {
      c.group_by = {Dimension::kServiceArea, Dimension::kEthnicity};
    });
    add("coverage 0.4", [](Config& c) { c.coverage = 0.4; });
    add("coverage 1", [](Config& c) { c.coverage = 1; });
    add("min_observed 0", [](Config& c) { c.min_observed = 0; });
    add("min_expected 0", [](Config& c) { c.min_expected = 0; });
    add("no window", [](Config& c) { c.window.window_weeks = 0; });
    add("a window over two years", [](Config& c) { c.window.window_weeks = 105; });
    return out;
  }

  // One stratum of maternity above the rest for four weeks, then back inside.
  static std::vector<FeedStep> feed() { return testing::as_steps(testing::inequality_feed::ten_weeks()); }
  static Date closing_time() { return monday(10); }

  static std::vector<Record> broken_records(int32_t partition) {
    std::string key = partition_prefix(partition);
    key.push_back('\1');
    key += "maternity\x1fM";
    return {{key, std::string("\x01\x01\x05", 3)}};  // counts say 5, none follow
  }
};

// --- disproportionality -----------------------------------------------------------------

template <>
struct Kind<DisproportionalityConfig> {
  using Config = DisproportionalityConfig;
  static constexpr std::string_view kMethod = "prr";
  static Config with_method(DisproportionalityMethod method) {
    return testing::disproportionality_feed::screen_config(method);
  }
  static Config valid() { return with_method(DisproportionalityMethod::kPrr); }
  static std::vector<Config> also_valid() {
    Config estimated = with_method(DisproportionalityMethod::kEbgm);
    estimated.prior.reset();  // estimated each week
    return {with_method(DisproportionalityMethod::kRor), with_method(DisproportionalityMethod::kIc),
            with_method(DisproportionalityMethod::kEbgm), estimated};
  }
  static std::vector<BadConfig<Config>> bad() {
    std::vector<BadConfig<Config>> out;
    const auto add = [&](std::string why, auto change) {
      out.push_back({std::move(why), with_method(DisproportionalityMethod::kEbgm), ""});
      change(out.back().config);
    };
    add("min_count 0", [](Config& c) { c.min_count = 0; });
    add("no window", [](Config& c) { c.window.window_weeks = 0; });
    add("a window over two years", [](Config& c) { c.window.window_weeks = 105; });
    add("a prior with a zero shape", [](Config& c) { c.prior = GammaMixturePrior{0, 0.1, 2, 4, 0.3}; });
    add("a prior weight above 1", [](Config& c) { c.prior = GammaMixturePrior{0.2, 0.1, 2, 4, 1.5}; });
    add("a negative starting rate", [](Config& c) { c.prior_start.beta2 = -1; });
    return out;
  }

  // K meets the criterion in the first complete window (a known pair, which
  // stays quiet), stops meeting it long enough to be forgotten, meets it
  // again (raised, then updated) and stops again (resolved).
  static std::vector<FeedStep> feed() {
    using namespace testing::disproportionality_feed;
    std::vector<int> k_harm(8, 6);
    k_harm.resize(14, 0);
    k_harm.resize(18, 6);
    k_harm.resize(24, 0);
    return testing::as_steps(events_of(known_pair(k_harm)));
  }
  static Date closing_time() { return monday(24); }

  static std::vector<Record> broken_records(int32_t partition) {
    // A reference of 3 bytes, not a double's 8 (disproportionality_detector_test
    // shows the same row with 8 decodes).
    return {testing::disproportionality_feed::state_row(partition, 3)};
  }
};

// --- tree_scan --------------------------------------------------------------------------

template <>
struct Kind<TreeScanConfig> {
  using Config = TreeScanConfig;
  static constexpr std::string_view kMethod = "tree_scan";

  static Config valid() {
    Config c;
    c.name = "medication_tree";
    c.levels = {Dimension::kCategory, Dimension::kMedication};
    c.study_days = 28;
    c.max_window_days = 7;
    c.replicates = 99;
    c.alpha = 0.02;
    c.min_cases = 5;
    c.lifecycle = {1.5, 3};
    return c;
  }
  static std::vector<Config> also_valid() {
    Config one_level = valid();
    one_level.levels = {Dimension::kDevice};
    Config lagged = valid();
    lagged.lag_days = 3;
    lagged.max_cuts = 1;
    return {one_level, lagged};
  }
  static std::vector<BadConfig<Config>> bad() {
    std::vector<BadConfig<Config>> out;
    const auto add = [&](std::string why, auto change, std::string mentions = "") {
      out.push_back({std::move(why), valid(), std::move(mentions)});
      change(out.back().config);
    };
    add("no levels", [](Config& c) { c.levels.clear(); }, "levels");
    add("a level twice", [](Config& c) { c.levels = {Dimension::kOrg, Dimension::kOrg}; }, "twice");
    add("study too short", [](Config& c) { c.study_days = 27; }, "study_days");
    add("window over half the study", [](Config& c) { c.max_window_days = 15; }, "max_window_days");
    add("no window", [](Config& c) { c.max_window_days = 0; }, "max_window_days");
    add("negative lag", [](Config& c) { c.lag_days = -1; }, "lag_days");
    add("too few replicates", [](Config& c) { c.replicates = 8; }, "replicates");
    add("alpha 0", [](Config& c) { c.alpha = 0; }, "alpha");
    add("alpha NaN", [](Config& c) { c.alpha = NAN; }, "alpha");
    add("alpha below 1/(R+1)", [](Config& c) { c.alpha = 0.005; }, "never alarm");
    add("min_cases 0", [](Config& c) { c.min_cases = 0; }, "min_cases");
    add("no cuts", [](Config& c) { c.max_cuts = 0; }, "max_cuts");
    return out;
  }

  // 60 days of medicines M1-M3 (2 to 4 reports a day each) and X9 (1 a
  // day), X9 at 6 a day on days 40-44; some reports name two medicines, some
  // arrive late, some are revised to another medicine (on time and late).
  static std::vector<FeedStep> feed() {
    std::vector<FeedStep> steps;
    std::set<size_t> revised;
    const Date start = date("2024-01-01");
    int id = 0;
    const auto event = [&](int day, const std::string& code, const std::string& second) {
      TestEvent e("T" + std::to_string(id), Date{start.days + day});
      e.category(id % 11 == 0 ? "treatment" : "medication")
          .org(std::string("RY") + std::to_string(id % 4))
          .medication(code);
      if (!second.empty()) e.medication(second);
      ++id;
      return e;
    };
    for (int day = 0; day < 60; ++day) {
      for (int m = 1; m <= 3; ++m) {
        for (int i = 0; i < 2 + (day * 5 + m) % 3; ++i) {
          steps.push_back(FeedStep{event(day, "M" + std::to_string(m), id % 13 == 0 ? "M1" : ""), -1});
        }
      }
      for (int i = 0; i < (day >= 40 && day <= 44 ? 6 : 1); ++i) steps.push_back(FeedStep{event(day, "X9", ""), -1});
      if (day % 9 == 8) {  // late reports of 12 and 2 days ago
        steps.push_back(FeedStep{event(day - 12, "M2", ""), -1});
        steps.push_back(FeedStep{event(day - 2, "M3", ""), -1});
      }
      if (day >= 10 && day % 4 == 0) {  // revisions: of yesterday's first report and of one 9 days ago
        for (int back : {1, 9}) {
          const size_t target = static_cast<size_t>((day - back) * 10);
          if (target >= steps.size() || steps[target].previous >= 0 || !revised.insert(target).second) continue;
          const IncidentEvent& old = steps[target].event.event();
          TestEvent r(old.id, old.occurred_on);
          r.category("medication").org(old.org).medication("M2").revision(old.revision + 1);
          steps.push_back(FeedStep{std::move(r), static_cast<int>(target)});
        }
      }
    }
    return steps;
  }
  static Date closing_time() { return date("2024-03-15"); }

  static std::vector<Record> broken_records(int32_t partition) {
    std::string key = partition_prefix(partition);
    key.push_back('\1');
    key += "cmedication";
    key.push_back('\x1f');
    key += "M1";
    std::string trailing;
    append_varint(trailing, 19723);
    append_varints(trailing, {1, 2});
    Episode().encode(trailing);
    append_varint(trailing, 0);
    trailing += "x";  // a byte after the record
    return {{key, std::string("\xff\xff\xff", 3)}, {key, trailing}};
  }
};

// --- space_time_scan --------------------------------------------------------------------

template <>
struct Kind<SpaceTimeScanConfig> {
  using Config = SpaceTimeScanConfig;
  static constexpr std::string_view kMethod = "space_time_scan";

  static Config valid() {
    Config c;
    c.name = "fall_clusters";
    c.filter.categories = {"fall"};
    c.group_by = {Dimension::kCategory};
    c.study_days = 42;
    c.max_window_days = 5;
    c.max_cluster_fraction = 0.3;
    c.replicates = 499;
    c.min_recurrence_days = 250;
    return c;
  }
  static std::vector<Config> also_valid() {
    Config coordinates = valid();
    coordinates.coordinates = {{"R00", 51.5, -0.1}, {"R01", 51.6, -0.2}, {"R03", 52.0, -1.0}};
    Config whole = valid();
    whole.group_by.clear();
    whole.early_stop_hits = 0;
    return {coordinates, whole};
  }
  static std::vector<BadConfig<Config>> bad() {
    std::vector<BadConfig<Config>> out;
    const auto add = [&](std::string why, auto change, std::string mentions) {
      out.push_back({std::move(why), valid(), std::move(mentions)});
      change(out.back().config);
    };
    add("study period too short", [](Config& c) { c.study_days = 7; }, "study_days");
    add("window over half the study period", [](Config& c) { c.max_window_days = 22; }, "max_window_days");
    add("negative lag", [](Config& c) { c.lag_days = -1; }, "lag_days");
    add("cluster fraction 0.6", [](Config& c) { c.max_cluster_fraction = 0.6; }, "max_cluster_fraction");
    add("too few replicates", [](Config& c) { c.replicates = 5; }, "replicates");
    add("recurrence beyond R + 1", [](Config& c) { c.min_recurrence_days = 501; }, "min_recurrence_days");
    add("no cases needed", [](Config& c) { c.min_cases = 0; }, "min_cases");
    add("grouped by org", [](Config& c) { c.group_by = {Dimension::kOrg}; }, "group_by");
    return out;
  }

  // Ten organisations in two ICBs, about two falls a day each for 70 days,
  // R03 at four times its rate on days 55-58, a revision now and then.
  static std::vector<FeedStep> feed() {
    std::vector<FeedStep> steps;
    std::mt19937 rng(77);
    int id = 0;
    for (int d = 0; d < 70; ++d) {
      for (int o = 0; o < 10; ++o) {
        const int n = (o == 3 && d >= 55 && d <= 58 ? 7 : 1) + static_cast<int>(rng() % 3);
        for (int k = 0; k <= n; ++k) {
          const std::string org = "R0" + std::to_string(o);
          TestEvent e("s" + std::to_string(id++), Date{kStart.days + d});
          e.org(org).icb(o < 5 ? "QA" : "QB").region("Y60").category(k == n ? "medication" : "fall");
          steps.push_back({std::move(e), -1});
          if (id % 97 == 0 && k < n) {
            TestEvent revised("s" + std::to_string(id - 1), Date{kStart.days + d});
            revised.org(org).icb(o < 5 ? "QA" : "QB").region("Y60").category("medication").revision(2);
            steps.push_back({std::move(revised), static_cast<int>(steps.size()) - 1});
          }
        }
      }
    }
    return steps;
  }
  static Date closing_time() { return Date{kStart.days + 80}; }

  static std::vector<Record> broken_records(int32_t partition) {
    std::string key = partition_prefix(partition);
    key.push_back('\1');
    key += "cfall\x1eR01";
    return {{key, std::string("\xff\xff\xff", 3)}};
  }

  static inline const Date kStart = date("2024-01-01");
};

// --- text_cluster ------------------------------------------------------------------------

template <>
struct Kind<TextClusterConfig> {
  using Config = TextClusterConfig;
  static constexpr std::string_view kMethod = "text_cluster";

  static Config valid() { return testing::small_text_cluster_config("text_clusters"); }
  static std::vector<Config> also_valid() {
    Config shingles = valid();
    shingles.shingle_words = 2;
    Config filtered = valid();
    filtered.filter.categories = {"device", "treatment"};
    return {shingles, filtered};
  }
  static std::vector<BadConfig<Config>> bad() {
    std::vector<BadConfig<Config>> out;
    const auto add = [&](std::string why, auto change, std::string mentions) {
      out.push_back({std::move(why), valid(), std::move(mentions)});
      change(out.back().config);
    };
    add("signature too long", [](Config& c) { c.bands = 20, c.rows = 20; }, "bands");
    add("one report is no cluster", [](Config& c) { c.min_reports = 1; }, "min_reports");
    add("similarity 0", [](Config& c) { c.similarity = 0; }, "similarity");
    add("short baseline", [](Config& c) { c.baseline_days = 3; }, "baseline_days");
    add("bad record pattern", [](Config& c) { c.redaction.record_number_patterns = {"("}; }, "");
    return out;
  }

  // 60 days of routine wording from six organisations, and on day 41 eight
  // reports of a new wording from four, one of them revised on day 43.
  static std::vector<FeedStep> feed() {
    static constexpr std::string_view routine[] = {
        "Patient fell on the ward while walking to the toilet unaided.",
        "Patient dose of antibiotics omitted; chart unchecked overnight.",
        "Patient pressure ulcer found on admission; skin assessment missing.",
        "Patient cannula left in situ; phlebitis noted by staff.",
        "Patient discharge delayed awaiting transport home.",
        "Patient observations not recorded for several hours.",
    };
    static constexpr std::string_view orgs[] = {"RA1", "RB2", "RC3", "RD4", "RE5", "RF6"};
    std::vector<FeedStep> steps;
    int n = 0;
    for (int day = 0; day < 60; ++day) {
      const Date on{kStart.days + day};
      for (int i = 0; i < 12; ++i, ++n) {
        TestEvent e("R" + std::to_string(n), on);
        e.org(orgs[(n * 5 + day) % 6]).category("treatment").description(routine[(n * 7 + day) % 6]);
        steps.push_back({std::move(e), -1});
      }
      if (day == 41) {
        for (int c = 0; c < 8; ++c) {
          TestEvent e("C" + std::to_string(c), on);
          e.org(orgs[c % 4]).category("device").description(
              "New glucometer brand shows falsely high readings when strips inserted sideways; "
              "Mrs Smith, NHS number 943 476 5919.");
          steps.push_back({std::move(e), -1});
        }
      }
      if (day == 43) {
        int at = 0;
        for (size_t i = 0; i < steps.size(); ++i) {
          if (steps[i].event.event().id == "C1") at = static_cast<int>(i);
        }
        TestEvent revised("C1", Date{kStart.days + 41});
        revised.org(orgs[1]).category("treatment").revision(1).description(routine[0]);
        steps.push_back({std::move(revised), at});
      }
    }
    return steps;
  }
  static Date closing_time() { return Date{kStart.days + 90}; }

  static std::vector<Record> broken_records(int32_t partition) {
    std::string key = partition_prefix(partition);
    key.push_back('c');
    append_u64_be(key, 1);
    return {{key, std::string("\xff\xff\xff", 3)}};
  }

  static inline const Date kStart = date("2024-03-01");
};

// --- The list of kinds, made from the registration table -------------------------------------

template <typename Variant>
struct KindsOf;
template <typename... Configs>
struct KindsOf<std::variant<Configs...>> {
  using type = std::tuple<Kind<Configs>...>;
};
using AllKinds = KindsOf<DetectorConfig>::type;

template <typename K>
using Harness = testing::DetectorHarness<typename K::Config::Detector, typename K::Config>;
template <typename K>
using Driver = testing::DetectorDriver<typename K::Config::Detector, typename K::Config>;

// Each kind's feed, built once per test program. Every report gets a
// description naming a patient, if it has none, so that every kind is
// shown to keep free text out of its signals.
template <typename K>
const std::vector<FeedStep>& feed_of() {
  static const std::vector<FeedStep> steps = [] {
    std::vector<FeedStep> out = K::feed();
    for (auto& step : out) {
      if (step.event.event().description.empty()) {
        step.event.description("Patient John Roe of report " + std::string(step.event.event().id) + " fell");
      }
    }
    return out;
  }();
  return steps;
}

// When a run commits and restarts. `reopen_at_middle` also closes and
// reopens the database once, halfway.
struct Schedule {
  const char* what = "straight through";
  size_t reload_every = 0;  // a commit and a new detector every this many steps
  size_t save_every = 0;    // a commit, same detector, every this many steps
  bool reload_each_day = false;
  bool reopen_at_middle = false;
  bool restarts() const { return reload_every > 0 || save_every > 0 || reload_each_day || reopen_at_middle; }
};

// What a run leaves behind, compared between runs.
struct Outcome {
  std::vector<Signal> signals;
  size_t late = 0;
  size_t keys = 0;
  size_t open = 0;
};

Date date_of(const FeedStep& s) { return s.event.event().occurred_on; }

// Plays `steps` (all, or only those `take` picks) through one detector,
// committing and restarting as `schedule` says, then runs the clock out.
// A last commit comes before the key count: detectors drop keys with
// nothing left to say when they save.
template <typename K, typename Take>
Outcome run(const typename K::Config& config, const std::vector<FeedStep>& steps, Take take,
            const Schedule& schedule = {}) {
  Harness<K> h(config);
  size_t played = 0;
  const FeedStep* last = nullptr;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (!take(i)) continue;
    if (played > 0) {
      if (schedule.reopen_at_middle && i == steps.size() / 2) {
        h.reopen_store();
      } else if ((schedule.reload_each_day && date_of(steps[i]) != date_of(*last)) ||
                 (schedule.reload_every > 0 && played % schedule.reload_every == 0)) {
        h.reload();
      } else if (schedule.save_every > 0 && played % schedule.save_every == 0) {
        h.save();
      }
    }
    h.play(steps, i);
    last = &steps[i];
    ++played;
  }
  // The last judgements are made by restored state too.
  if (schedule.restarts()) h.reload();
  h.move_clock(K::closing_time());
  h.save();
  return {h.signals, h.late, h.det->key_count(), h.det->open_signals()};
}

template <typename K>
Outcome run(const typename K::Config& config, const Schedule& schedule = {}) {
  return run<K>(config, feed_of<K>(), [](size_t) { return true; }, schedule);
}

bool is_lower_hex16(const std::string& s) {
  return s.size() == 16 && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
         });
}

// Every record the detector of `config` stored for `partition`.
template <typename Config>
std::vector<Record> stored_records(const StateStore& store, const Config& config, int32_t partition) {
  auto cf = store.column_family(detector_column_family(DetectorConfig{config}));
  BOOST_TEST_REQUIRE(cf.is_ok());
  std::vector<Record> out;
  const Status scanned = store.scan_prefix(cf.value(), partition_prefix(partition),
                                           [&](std::string_view key, std::string_view value) {
                                             out.emplace_back(key, value);
                                             return true;
                                           });
  BOOST_TEST_REQUIRE(scanned.is_ok(), scanned.message());
  return out;
}

// Writes `value` under `key` in the detector's column family, or erases the key.
template <typename Config>
void put_record(StateStore& store, const Config& config, const std::string& key, const std::string& value,
                bool erase = false) {
  auto cf = store.ensure_column_family(detector_column_family(DetectorConfig{config}));
  BOOST_TEST_REQUIRE(cf.is_ok());
  StateBatch batch = store.new_batch();
  if (erase) {
    batch.erase(cf.value(), key);
  } else {
    batch.put(cf.value(), key, value);
  }
  const Status written = store.write(batch);
  BOOST_TEST_REQUIRE(written.is_ok(), written.message());
}

// What a new detector of `config` for `partition` says when restoring from `store`.
template <typename K>
Status restore_status(const StateStore& store, const typename K::Config& config, int32_t partition) {
  auto cf = store.column_family(detector_column_family(DetectorConfig{config}));
  BOOST_TEST_REQUIRE(cf.is_ok());
  auto made = K::Config::Detector::create(config, partition, cf.value());
  BOOST_TEST_REQUIRE(made.is_ok());
  return made.value()->restore(store);
}

BOOST_AUTO_TEST_SUITE(detector_contract_test)

BOOST_AUTO_TEST_CASE_TEMPLATE(create_takes_valid_configurations_and_refuses_bad_ones, K, AllKinds) {
  using Config = typename K::Config;
  std::vector<Config> valid = K::also_valid();
  valid.insert(valid.begin(), K::valid());
  for (const Config& config : valid) {
    BOOST_TEST_CONTEXT("method " << detector_method(DetectorConfig{config})) {
      auto made = Config::Detector::create(config, 0, 0);
      BOOST_TEST_REQUIRE(made.is_ok(), (made ? "" : made.error().message));
      BOOST_TEST(made.value()->name() == config.name);
      BOOST_TEST(validate_detector_config(DetectorConfig{config}).is_ok());
    }
  }
  const DetectorConfig row{K::valid()};
  BOOST_TEST(detector_name(row) == K::valid().name);
  BOOST_TEST(detector_method(row) == K::kMethod);
  BOOST_TEST(detector_column_family(row) == "det." + K::valid().name);

  const auto bad = K::bad();
  BOOST_TEST_REQUIRE(!bad.empty());
  for (const auto& b : bad) {
    BOOST_TEST_CONTEXT(b.why) {
      auto made = Config::Detector::create(b.config, 0, 0);
      BOOST_TEST_REQUIRE(!made.is_ok());
      BOOST_TEST((made.error().kind == ErrorKind::kInvalidArgument));
      // Several detectors share one configuration file: the error says which.
      const std::string& message = made.error().message;
      BOOST_TEST(message.starts_with("detector " + b.config.name + ": "), message);
      BOOST_TEST(message.find(b.mentions) != std::string::npos, message);
      // The configuration reader checks with the factory: it refuses it too.
      BOOST_TEST(!validate_detector_config(DetectorConfig{b.config}).is_ok());
    }
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(signals_follow_the_episode_lifecycle, K, AllKinds) {
  const auto config = K::valid();
  const Outcome straight = run<K>(config);
  std::map<SignalType, int> types;
  for (const auto& s : straight.signals) ++types[s.type];
  // The feed is there to exercise the lifecycle: it must raise and resolve.
  BOOST_TEST_REQUIRE(types[SignalType::kRaised] >= 1);
  BOOST_TEST_REQUIRE(types[SignalType::kResolved] >= 1);

  std::set<std::string> free_text, ids;
  for (const auto& step : feed_of<K>()) {
    free_text.insert(std::string(step.event.event().description));
    ids.insert(std::string(step.event.event().id));
  }
  std::map<std::string, const Signal*> last;  // per signal_id, its latest transition
  for (const auto& s : straight.signals) {
    BOOST_TEST_CONTEXT(describe(s)) {
      BOOST_TEST(s.detector == config.name);
      BOOST_TEST(s.method == K::kMethod);
      BOOST_TEST(is_lower_hex16(s.signal_id), s.signal_id);
      BOOST_TEST(s.period_start <= s.period_end);
      BOOST_TEST(s.event_ids.size() <= kMaxEvidenceIds);
      BOOST_TEST(static_cast<size_t>(s.evidence_count) >= s.event_ids.size());
      for (const auto& id : s.event_ids) BOOST_TEST(ids.count(id) == 1u, id);
      for (const auto& text : free_text) {
        BOOST_TEST(s.summary.find(text) == std::string::npos);
        for (const auto& [dimension, value] : s.key) BOOST_TEST(value.find(text) == std::string::npos);
      }
      // raised once with sequence 1, then updates, then at most one resolve;
      // a new episode has a new id.
      auto it = last.find(s.signal_id);
      if (it == last.end()) {
        BOOST_TEST(s.type == SignalType::kRaised);
        BOOST_TEST(s.sequence == 1u);
      } else {
        BOOST_TEST(it->second->type != SignalType::kResolved);
        BOOST_TEST(s.type != SignalType::kRaised);
        BOOST_TEST(s.sequence == it->second->sequence + 1);
        BOOST_TEST((s.key == it->second->key));
      }
      last[s.signal_id] = &s;
    }
  }
  size_t open = 0;
  for (const auto& [id, s] : last) open += s->type != SignalType::kResolved;
  BOOST_TEST(straight.open == open);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(the_same_events_give_the_same_signals_and_the_name_is_in_the_ids, K,
                              AllKinds) {
  const Outcome a = run<K>(K::valid());
  const Outcome b = run<K>(K::valid());
  BOOST_TEST_REQUIRE(!a.signals.empty());
  BOOST_TEST(fingerprints(a.signals) == fingerprints(b.signals), boost::test_tools::per_element());

  auto renamed = K::valid();
  renamed.name += "_2";
  const Outcome c = run<K>(renamed);
  BOOST_TEST_REQUIRE(c.signals.size() == a.signals.size());
  for (size_t i = 0; i < a.signals.size(); ++i) {
    BOOST_TEST(c.signals[i].signal_id != a.signals[i].signal_id);
    BOOST_TEST(c.signals[i].observed == a.signals[i].observed);
    BOOST_TEST(c.signals[i].detector == renamed.name);
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_restored_detector_continues_as_if_never_stopped, K, AllKinds) {
  const Outcome straight = run<K>(K::valid());
  BOOST_TEST_REQUIRE(!straight.signals.empty());
  const Schedule schedules[] = {
      {"a commit and a new detector every day; the database reopened halfway", 0, 0, true, true},
      {"a new detector after every step", 1, 0, false, false},
      {"a new detector every 13 steps, mid-day", 13, 0, false, false},
      {"a commit every 7 steps, the same detector carrying on", 0, 7, false, false},
  };
  for (const Schedule& schedule : schedules) {
    BOOST_TEST_CONTEXT(schedule.what) {
      const Outcome restarted = run<K>(K::valid(), schedule);
      BOOST_TEST(fingerprints(restarted.signals) == fingerprints(straight.signals),
                 boost::test_tools::per_element());
      BOOST_TEST(restarted.late == straight.late);
      BOOST_TEST(restarted.keys == straight.keys);
      BOOST_TEST(restarted.open == straight.open);
    }
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(partitions_share_a_store_but_not_their_state, K, AllKinds) {
  const auto config = K::valid();
  const auto& steps = feed_of<K>();
  // Partition 1 gets the whole feed; partition 2 every other report seen
  // first (so different state); partition 4 nothing.
  const auto whole = [](size_t) { return true; };
  const auto half = [&](size_t i) { return i % 2 == 1 && steps[i].previous < 0; };
  const Outcome want_one = run<K>(config, steps, whole);
  const Outcome want_two = run<K>(config, steps, half);
  BOOST_TEST_REQUIRE(!want_one.signals.empty());
  // Were the two partitions' records mixed up, their outputs would differ
  // from these, because these differ from each other.
  BOOST_TEST_REQUIRE(fingerprints(want_one.signals) != fingerprints(want_two.signals));

  TempDir dir;
  auto store = open_test_store(dir.sub("db"));
  Driver<K> one(config, 1), two(config, 2), idle(config, 4);
  // A commit of all three in one batch, then new detectors restored from the store.
  const auto commit_and_restart = [&] {
    StateBatch batch = store->new_batch();
    for (auto* d : {&one, &two, &idle}) d->det->save(batch);
    const Status written = store->write(batch);
    BOOST_TEST_REQUIRE(written.is_ok(), written.message());
    for (auto* d : {&one, &two, &idle}) d->open(*store);
    BOOST_TEST(idle.det->key_count() == 0u);
  };
  for (auto* d : {&one, &two, &idle}) d->open(*store);
  for (size_t i = 0; i < steps.size(); ++i) {
    if (i == steps.size() / 2) commit_and_restart();
    one.play(steps, i);
    if (half(i)) two.play(steps, i);
  }
  commit_and_restart();
  for (auto* d : {&one, &two, &idle}) d->move_clock(K::closing_time());
  BOOST_TEST(fingerprints(one.signals) == fingerprints(want_one.signals), boost::test_tools::per_element());
  BOOST_TEST(fingerprints(two.signals) == fingerprints(want_two.signals), boost::test_tools::per_element());
  BOOST_TEST(one.late == want_one.late);
  BOOST_TEST(two.late == want_two.late);
  BOOST_TEST(idle.signals.empty(), describe(idle.signals));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(undecodable_state_is_reported_as_corruption, K, AllKinds) {
  const auto config = K::valid();
  const auto& steps = feed_of<K>();
  Harness<K> h(config, 3);
  for (size_t i = 0; i < steps.size() / 2; ++i) h.play(steps, i);
  h.save();
  StateStore& store = *h.store;
  const std::vector<Record> records = stored_records(store, config, 3);
  BOOST_TEST_REQUIRE(!records.empty());

  // Every record the detector wrote, cut short by one byte, one at a time.
  size_t truncated = 0;
  for (const auto& [key, value] : records) {
    if (value.empty()) continue;
    BOOST_TEST_CONTEXT("record " << testing::printable(key) << " cut to " << value.size() - 1 << " bytes") {
      put_record(store, config, key, value.substr(0, value.size() - 1));
      const Status restored = restore_status<K>(store, config, 3);
      BOOST_TEST(!restored.is_ok());
      if (!restored.is_ok()) BOOST_TEST((restored.error().kind == ErrorKind::kCorruption));
      // Another partition's detector does not read this partition's records.
      BOOST_TEST(restore_status<K>(store, config, 5).is_ok());
      put_record(store, config, key, value);
      ++truncated;
    }
  }
  BOOST_TEST(truncated > 0u);

  // Records made by hand, each wrong in one way the decoder must notice
  // (in place of the written record when the key is one).
  for (const auto& [key, value] : K::broken_records(3)) {
    BOOST_TEST_CONTEXT("hand-made record " << testing::printable(key)) {
      const auto written = std::find_if(records.begin(), records.end(), [&](const Record& r) { return r.first == key; });
      put_record(store, config, key, value);
      const Status restored = restore_status<K>(store, config, 3);
      BOOST_TEST(!restored.is_ok());
      if (!restored.is_ok()) BOOST_TEST((restored.error().kind == ErrorKind::kCorruption));
      if (written != records.end()) {
        put_record(store, config, key, written->second);
      } else {
        put_record(store, config, key, "", /*erase=*/true);
      }
    }
  }
  // With every record as it was written, the state restores again.
  BOOST_TEST(restore_status<K>(store, config, 3).is_ok());
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil

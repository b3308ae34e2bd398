// One example signal per method the detectors produce, for downstream
// subscribers: each comes from a detector fed a small scenario (the feeds of
// tests/detector_feeds.h where one fits), is encoded as the signals topic
// carries it, and must equal config/examples/signal-<method>.json, which
// tests/schemas_test.sh validates against the signal v1 schema. With
// VIGIL_WRITE_EXAMPLES=1 the files are written instead (after a deliberate
// change to what signals carry; review the diff).
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "sinks/cloudevent_decoder.h"
#include "sinks/cloudevent_encoder.h"
#include "tests/detector_feeds.h"
#include "tests/detector_harness.h"
#include "tests/text_cluster_fixtures.h"

namespace vigil {
namespace {

using testing::day_in_week;
using testing::DetectorHarness;
using testing::monday;
using testing::TestEvent;

const std::filesystem::path kExamples = std::filesystem::path(VIGIL_SOURCE_DIR) / "config/examples";
constexpr std::string_view kPipeline = "example";

// The last raised signal of a detector fed `events` and then run until
// `closing` (the scenarios' planted risk comes last).
template <typename D, typename Config>
Signal last_raised(Config config, const std::vector<TestEvent>& events, Date closing) {
  DetectorHarness<D, Config> h(std::move(config));
  for (const auto& e : events) h.feed(e.event());
  h.move_clock(closing);
  for (auto s = h.signals.rbegin(); s != h.signals.rend(); ++s) {
    if (s->type == SignalType::kRaised) return *s;
  }
  BOOST_FAIL("no signal raised for " + h.config.name);
  return {};
}

// 80 weeks of 8 to 12 reports of one key, rising to 20, 30 and 40 in weeks
// 76-78:
// enough history for farringtonFlexible with b = 1 (55 weeks) and a full
// 52-week series for the EARS methods.
std::vector<TestEvent> count_stream() {
  std::vector<TestEvent> out;
  std::mt19937 rng(11);
  for (int w = 0; w < 80; ++w) {
    const int n = w >= 76 && w <= 78 ? 10 * (w - 74) : 8 + static_cast<int>(rng() % 5);
    testing::count_feed::add_week(out, w, n, "medication", "Y56", "E", 4);
  }
  testing::sort_by_time(out);
  return out;
}

// 120 days of a weekday/weekend pattern (10-13 reports on weekdays, 4-7 at
// weekends) and a day of 40 reports on day 115, a Thursday: enough history
// for dowRegression's 56-day baseline and 2-day guard.
std::vector<TestEvent> daily_count_stream() {
  std::vector<TestEvent> out;
  std::mt19937 rng(11);
  for (int d = 0; d < 120; ++d) {
    const Date day{monday(0).days + d};
    const int n = d == 115 ? 40 : (d % 7 >= 5 ? 4 : 10) + static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) {
      out.push_back(testing::count_feed::ev("D-" + std::to_string(d) + "-" + std::to_string(i), day,
                                            "medication", "Y56", "ORG" + std::to_string(i % 4)));
    }
  }
  return out;
}

Signal count_example(const std::string& method) {
  CountDetectorConfig c = testing::count_feed::weekly_config(method);
  c.name = "medication_by_region";
  if (method == "farringtonFlexible") {
    // The national configuration's parameters (config/vigil.yaml).
    c.params = {{"b", "1"}, {"w", "3"}, {"noPeriods", "10"}, {"pastWeeksNotIncluded", "26"},
                {"weightsThreshold", "2.58"}, {"pThresholdTrend", "1"},
                {"thresholdMethod", "nbPlugin"}, {"alpha", "0.005"}};
  }
  if (method == "dowRegression") {  // a daily method, on daily counts
    c.period = PeriodUnit::kDay;
    c.grace_days = 1;
    return last_raised<CountDetector>(c, daily_count_stream(), Date{monday(0).days + 125});
  }
  return last_raised<CountDetector>(c, count_stream(), monday(84));
}

Signal volume_drop_example() {
  VolumeDropConfig c;
  c.name = "reporting_drop";
  return last_raised<VolumeDropDetector>(
      c, testing::volume_feed::reports(testing::volume_feed::stop_and_recover()), monday(48));
}

Signal reporting_silence_example() {
  ReportingSilenceConfig c;
  c.name = "reporting_silence";
  return last_raised<ReportingSilenceDetector>(
      c, testing::silence_feed::reports(testing::silence_feed::stop_and_recover()),
      Date{monday(0).days + 91});
}

Signal funnel_example() {
  return last_raised<FunnelDetector>(testing::funnel_feed::funnel_config(),
                                      testing::funnel_feed::ten_weeks(), monday(10));
}

Signal inequality_example() {
  return last_raised<InequalityDetector>(testing::inequality_feed::inequality_config(),
                                          testing::inequality_feed::ten_weeks(), monday(10));
}

// K is a known pair in the first window, is forgotten, then stands out again.
Signal disproportionality_example(DisproportionalityMethod method) {
  using namespace testing::disproportionality_feed;
  std::vector<int> k_harm(8, 6);
  k_harm.resize(14, 0);
  k_harm.resize(18, 6);
  k_harm.resize(24, 0);
  return last_raised<DisproportionalityDetector>(screen_config(method),
                                                  events_of(known_pair(k_harm)), monday(24));
}

Signal severity_rule_example() {
  SeverityRuleConfig c;
  c.name = "fatal_or_never";
  std::vector<TestEvent> events;
  for (int d = 0; d < 10; ++d) {
    TestEvent e("E" + std::to_string(d), day_in_week(0, d % 7));
    e.org("RX1").category("medication").harm(d == 4 ? PhysicalHarm::kFatal : PhysicalHarm::kLow);
    events.push_back(std::move(e));
  }
  testing::sort_by_time(events);
  return last_raised<SeverityRule>(c, events, monday(3));
}

// Six organisations in two ICBs, three falls a day each for 56 days from
// 2024-01-01, and RX3 at four times its rate from day 52.
Signal space_time_scan_example() {
  SpaceTimeScanConfig c;
  c.name = "fall_clusters";
  c.filter.categories = {"fall"};
  c.group_by = {Dimension::kCategory};
  c.study_days = 42;
  c.max_window_days = 5;
  c.max_cluster_fraction = 0.3;
  c.replicates = 199;
  c.min_recurrence_days = 100;
  std::vector<TestEvent> events;
  std::mt19937 rng(5);
  int id = 0;
  for (int d = 0; d < 56; ++d) {
    for (int o = 0; o < 6; ++o) {
      const int n = (o == 3 && d >= 52 ? 10 : 2) + static_cast<int>(rng() % 3);
      for (int k = 0; k < n; ++k) {
        TestEvent e("F" + std::to_string(id++), Date{testing::date("2024-01-01").days + d});
        e.org("RX" + std::to_string(o)).icb(o < 3 ? "QA" : "QB").region("Y60").category("fall");
        events.push_back(std::move(e));
      }
    }
  }
  return last_raised<SpaceTimeScanDetector>(c, events, testing::date("2024-02-26"));
}

// Six routine wordings at twelve reports a day for 45 days from six trusts;
// on day 41 eight reports from four trusts describe a new glucometer
// misreading.
Signal text_cluster_example() {
  const TextClusterConfig c = testing::small_text_cluster_config("text_clusters");
  const Date start = testing::date("2024-03-01");
  std::vector<TestEvent> events;
  int n = 0;
  for (int day = 0; day < 45; ++day) {
    for (int i = 0; i < 12; ++i, ++n) {
      TestEvent e("R" + std::to_string(n), Date{start.days + day});
      e.org("R" + std::string(1, static_cast<char>('A' + (n * 5 + day) % 6)) + "1")
          .category("treatment")
          .service_area("acute_inpatient")
          .description(testing::fill_ward(testing::kRoutineWordings[(n + day) % 6], testing::kWards[(n / 6 + i) % 4]));
      events.push_back(std::move(e));
    }
    if (day != 41) continue;
    for (int k = 0; k < 8; ++k) {
      TestEvent e("G" + std::to_string(k), Date{start.days + day});
      e.org("R" + std::string(1, static_cast<char>('A' + k % 4)) + "1")
          .category("device")
          .service_area("acute_inpatient")
          .description(testing::fill_ward("New glucometer brand shows falsely high readings when "
                                          "strips inserted sideways; insulin given on %W ward.",
                                          testing::kWards[k % 4]));
      events.push_back(std::move(e));
    }
  }
  return last_raised<TextClusterDetector>(c, events, Date{start.days + 45});
}

// Medicines M1-M4 at 3 to 5 reports a day for 70 days, from two
// organisations; from day 66 medicine X9 (otherwise 1 a day) has 6 a day.
Signal tree_scan_example() {
  TreeScanConfig c;
  c.name = "medication_tree";
  c.levels = {Dimension::kCategory, Dimension::kMedication};
  c.study_days = 56;
  c.max_window_days = 7;
  c.replicates = 199;
  c.alpha = 0.01;
  const Date start = testing::date("2024-01-01");
  std::vector<TestEvent> events;
  int id = 0;
  for (int day = 0; day < 70; ++day) {
    const auto add = [&](const char* code) {
      TestEvent e("E" + std::to_string(id), Date{start.days + day});
      e.org(id % 2 ? "RX1" : "RX2").category("medication").medication(code);
      ++id;
      events.push_back(std::move(e));
    };
    for (const char* m : {"M1", "M2", "M3", "M4"}) {
      for (int i = 0; i < 3 + (day + id) % 3; ++i) add(m);
    }
    for (int i = 0; i < (day >= 66 ? 6 : 1); ++i) add("X9");
  }
  return last_raised<TreeScanDetector>(c, events, Date{start.days + 70});
}

// Every method the detectors produce, with its example signal.
std::map<std::string, Signal> examples() {
  std::map<std::string, Signal> out;
  for (const char* m : {"earsC1", "earsC2", "earsC3", "farringtonFlexible", "dowRegression"}) {
    out[m] = count_example(m);
  }
  out["volume_drop"] = volume_drop_example();
  out["reporting_silence"] = reporting_silence_example();
  out["funnel"] = funnel_example();
  out["inequality"] = inequality_example();
  for (auto m : {DisproportionalityMethod::kPrr, DisproportionalityMethod::kRor,
                 DisproportionalityMethod::kIc, DisproportionalityMethod::kEbgm}) {
    out[std::string(to_string(m))] = disproportionality_example(m);
  }
  out["severity_rule"] = severity_rule_example();
  out["tree_scan"] = tree_scan_example();
  out["space_time_scan"] = space_time_scan_example();
  out["text_cluster"] = text_cluster_example();
  return out;
}

// Compact JSON indented two spaces per level, one member per line, arrays of
// scalars on one line: readable, and a pure function of the compact form.
std::string indent_json(std::string_view json) {
  std::string out;
  int depth = 0;
  bool in_string = false;
  // Whether each open array holds containers (then one element per line).
  std::vector<bool> array_of_containers;
  const auto newline = [&] {
    out += '\n';
    out.append(static_cast<size_t>(depth) * 2, ' ');
  };
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      out += c;
      if (c == '\\') {
        out += json[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    const bool flat_array = !array_of_containers.empty() && !array_of_containers.back();
    switch (c) {
      case '"':
        in_string = true;
        out += c;
        break;
      case '{':
      case '[': {
        out += c;
        const bool empty = i + 1 < json.size() && (json[i + 1] == '}' || json[i + 1] == ']');
        if (c == '[') {
          const bool containers = i + 1 < json.size() && (json[i + 1] == '{' || json[i + 1] == '[');
          array_of_containers.push_back(containers);
          if (!containers) break;
        } else {
          array_of_containers.push_back(true);
        }
        ++depth;
        if (!empty) newline();
        break;
      }
      case '}':
      case ']': {
        const bool was_flat = !array_of_containers.back();
        array_of_containers.pop_back();
        if (!was_flat) {
          --depth;
          if (json[i - 1] != '{' && json[i - 1] != '[') newline();
        }
        out += c;
        break;
      }
      case ',':
        out += c;
        if (flat_array) {
          out += ' ';
        } else {
          newline();
        }
        break;
      case ':':
        out += ": ";
        break;
      default:
        out += c;
    }
  }
  out += '\n';
  return out;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool writing() {
  const char* flag = std::getenv("VIGIL_WRITE_EXAMPLES");
  return flag != nullptr && std::string_view(flag) == "1";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(signal_examples_test)

BOOST_AUTO_TEST_CASE(every_method_has_its_committed_example) {
  const auto signals = examples();
  std::set<std::string> expected_files;
  for (const auto& [method, signal] : signals) {
    BOOST_TEST(signal.method == method);
    const std::string name = "signal-" + method + ".json";
    expected_files.insert(name);
    const std::string text = indent_json(encode_cloudevent(signal, kPipeline));
    if (writing()) {
      std::filesystem::create_directories(kExamples);
      std::ofstream(kExamples / name, std::ios::binary) << text;
      continue;
    }
    BOOST_TEST(read_file(kExamples / name) == text,
               name << " differs from what the detector gives now; if the change is deliberate, "
                       "run with VIGIL_WRITE_EXAMPLES=1 and review the diff");
  }
  // No stale example of a method the detectors no longer produce.
  std::set<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(kExamples)) {
    files.insert(entry.path().filename().string());
  }
  BOOST_TEST(files == expected_files, "config/examples holds exactly one file per method");
}

BOOST_AUTO_TEST_CASE(examples_carry_their_series_and_funnel) {
  const auto signals = examples();
  for (const auto& [method, s] : signals) {
    const bool has_series = method != "funnel" && method != "severity_rule";
    BOOST_TEST(s.series.has_value() == has_series, method);
    BOOST_TEST(s.funnel.has_value() == (method == "funnel"), method);
    if (!s.series) continue;
    BOOST_TEST_REQUIRE(!s.series->points.empty());
    BOOST_TEST(s.series->points.size() <= kMaxSeriesPoints);
    // The last point is the judged period, exactly as the signal states it.
    const PeriodPoint& last = s.series->points.back();
    BOOST_TEST(last.end == s.period_end, method);
    BOOST_TEST(last.start == s.period_start, method);
    BOOST_TEST(last.flagged, method);
  }
  // A count method's last point is the signal's own numbers.
  for (const char* m : {"earsC1", "earsC2", "earsC3", "farringtonFlexible", "dowRegression"}) {
    const Signal& s = signals.at(m);
    BOOST_TEST(s.series->measure == "count");
    BOOST_TEST(s.series->points.size() == kMaxSeriesPoints, m);
    const PeriodPoint& last = s.series->points.back();
    BOOST_TEST(last.value == static_cast<double>(s.observed));
    BOOST_TEST(last.expected == s.expected);
    BOOST_TEST(last.threshold == s.threshold);
  }
  // A disproportionality method's series is its decisive statistic: the score.
  for (const char* m : {"prr", "ror", "ic", "ebgm"}) {
    const Signal& s = signals.at(m);
    BOOST_TEST(s.series->points.back().value == s.score, m);
    BOOST_TEST(s.series->points.back().threshold == s.threshold, m);
    BOOST_TEST(testing::statistic(s, s.series->measure) == s.score, m);
  }
  // The funnel holds the signal's own unit.
  const Signal& f = signals.at("funnel");
  bool own = false;
  for (const FunnelPoint& p : f.funnel->points) own = own || p.unit == f.key.front().second;
  BOOST_TEST(own);
  BOOST_TEST(f.funnel->coverage == 0.998);
}

BOOST_AUTO_TEST_CASE(examples_read_back_field_for_field) {
  for (const auto& [method, s] : examples()) {
    const auto decoded = decode_cloudevent(encode_cloudevent(s, kPipeline));
    BOOST_TEST_REQUIRE(decoded.is_ok(), method);
    BOOST_TEST(testing::fingerprint(decoded.value()) == testing::fingerprint(s), method);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace vigil

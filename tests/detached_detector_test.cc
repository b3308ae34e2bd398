// A detector run apart (pipeline/detached_detector.h) is the same detector:
// on a stream with a text cluster, a revision and late reports, the
// text_cluster detector on its own thread gives the same signals, the same
// lateness for every event, the same key counts and byte-identical state as
// in line, also when it is saved and restored midway; detach_where_possible
// wraps only the detectors that can run apart.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "detectors/detector_factory.h"
#include "detectors/text_cluster.h"
#include "pipeline/detached_detector.h"
#include "tests/detector_harness.h"
#include "tests/text_cluster_fixtures.h"

namespace vigil::testing {
namespace {

// The text stream with, on day 50, ten routine reports dated day 30: late.
TextStream stream_with_late_reports() {
  TextStream s = make_text_stream(true);
  const Date start = date("2024-03-01");
  std::vector<FeedStep> steps;
  bool inserted = false;
  for (auto& step : s.steps) {
    const bool day50 = event_time(step.event.event()).days == start.days + 50;
    if (day50 && !inserted) {
      inserted = true;
      for (int k = 0; k < 10; ++k) {
        TestEvent late("L" + std::to_string(k), Date{start.days + 30});
        late.org(kOrgs[k % 6]).category("treatment").service_area("acute_inpatient").description(
            fill_ward(kRoutineWordings[k % 6], kWards[k % 4]));
        steps.push_back(FeedStep{std::move(late), -1});
      }
    }
    // Indices of revisions' old contents move by the insertion.
    if (step.previous >= 0 && inserted) step.previous += 10;
    steps.push_back(std::move(step));
  }
  s.steps = std::move(steps);
  return s;
}

// Drives one text_cluster detector, in line or apart, as a task does.
struct Run {
  explicit Run(bool apart) : apart(apart) {
    store = open_test_store(dir.sub("db"));
    open();
  }

  void open() {
    const TextClusterConfig config = small_text_cluster_config("text");
    auto cf = store->ensure_column_family(detector_column_family(DetectorConfig{config}));
    BOOST_TEST_REQUIRE(cf.is_ok());
    auto made = TextClusterDetector::create(config, 3, cf.value());
    BOOST_TEST_REQUIRE(made.is_ok());
    det = std::move(made).value();
    BOOST_TEST_REQUIRE(det->restore(*store).is_ok());
    if (apart) det = std::make_unique<DetachedDetector>(std::move(det));
  }

  void save() {
    StateBatch batch = store->new_batch();
    det->save(batch);
    BOOST_TEST_REQUIRE(store->write(batch).is_ok());
  }

  void play(const TextStream& s, size_t restart_every = 0) {
    for (size_t i = 0; i < s.steps.size(); ++i) {
      if (i + 1 < s.steps.size() && s.steps[i + 1].previous == static_cast<int>(i)) continue;
      const FeedStep& step = s.steps[i];
      if (step.previous >= 0) det->apply(s.steps[static_cast<size_t>(step.previous)].event, -1, signals);
      late.push_back(det->apply(step.event, +1, signals).late);
      const Date t = event_time(step.event.event());
      if (!stream_time || t > *stream_time) {
        stream_time = t;
        det->advance(t, signals);
      }
      if (restart_every > 0 && (i + 1) % restart_every == 0) {
        save();
        det.reset();
        open();
      }
    }
    stream_time = Date{stream_time->days + 30};
    det->advance(*stream_time, signals);
  }

  // Every key and value of the detector's column family, after a save.
  std::vector<std::pair<std::string, std::string>> state() {
    save();
    std::vector<std::pair<std::string, std::string>> out;
    auto cf = store->column_family("det.text");
    BOOST_TEST_REQUIRE(cf.is_ok());
    BOOST_TEST_REQUIRE(store
                           ->scan_prefix(cf.value(), {},
                                         [&](std::string_view k, std::string_view v) {
                                           out.emplace_back(std::string(k), std::string(v));
                                           return true;
                                         })
                           .is_ok());
    return out;
  }

  bool apart;
  TempDir dir;
  std::unique_ptr<StateStore> store;
  std::unique_ptr<Detector> det;
  std::optional<Date> stream_time;
  std::vector<Signal> signals;
  std::vector<bool> late;
};

size_t count_true(const std::vector<bool>& v) { return static_cast<size_t>(std::count(v.begin(), v.end(), true)); }

}  // namespace

BOOST_AUTO_TEST_SUITE(detached_detector_test)

BOOST_AUTO_TEST_CASE(apart_equals_in_line) {
  const TextStream s = stream_with_late_reports();
  Run in_line(false);
  Run apart(true);
  in_line.play(s);
  apart.play(s);
  BOOST_TEST_REQUIRE(dynamic_cast<DetachedDetector*>(apart.det.get()) != nullptr);
  // The stream is not trivial: a cluster is raised and reports are late.
  size_t raised = 0;
  for (const auto& sig : in_line.signals) raised += sig.type == SignalType::kRaised ? 1 : 0;
  BOOST_TEST(raised == 1u);
  // The ten reports dated day 30, and the revision of a day-41 report on day 43.
  BOOST_TEST(count_true(in_line.late) == 11u);

  BOOST_TEST(fingerprints(apart.signals) == fingerprints(in_line.signals), boost::test_tools::per_element());
  BOOST_TEST(apart.late == in_line.late, boost::test_tools::per_element());
  BOOST_TEST(apart.det->key_count() == in_line.det->key_count());
  BOOST_TEST(apart.det->open_signals() == in_line.det->open_signals());
  const auto expected = in_line.state();
  BOOST_TEST(!expected.empty());
  BOOST_TEST((apart.state() == expected));
}

BOOST_AUTO_TEST_CASE(saved_and_restored_midway_equals_in_line) {
  // Saved at the same points (what is stored depends on when it is saved).
  const TextStream s = stream_with_late_reports();
  for (const size_t every : {97u, 500u}) {
    Run in_line(false);
    in_line.play(s, every);
    Run apart(true);
    apart.play(s, every);
    BOOST_TEST(fingerprints(apart.signals) == fingerprints(in_line.signals), boost::test_tools::per_element());
    BOOST_TEST(apart.late == in_line.late, boost::test_tools::per_element());
    BOOST_TEST((apart.state() == in_line.state()));
  }
}

BOOST_AUTO_TEST_CASE(a_detector_dropped_with_work_handed_over_stops) {
  // Events handed to the thread and never saved: destruction does not wait
  // for a save that will not come, nor hang.
  const TextStream s = make_text_stream(false);
  Run apart(true);
  for (size_t i = 0; i < 2000 && i < s.steps.size(); ++i) apart.det->apply(s.steps[i].event, +1, apart.signals);
  apart.det.reset();
  BOOST_TEST(apart.signals.empty());
}

BOOST_AUTO_TEST_CASE(only_detectors_that_can_run_apart_are_detached) {
  TempDir dir;
  auto store = open_test_store(dir.sub("db"));
  CountDetectorConfig count;
  count.name = "weekly";
  count.dimensions = {Dimension::kCategory};
  auto made = make_detectors({DetectorConfig{count}, DetectorConfig{small_text_cluster_config("text")}}, 0,
                             *store);
  BOOST_TEST_REQUIRE(made.is_ok(), (made ? "" : made.error().message));
  auto detectors = std::move(made).value();
  detach_where_possible(detectors);
  BOOST_TEST_REQUIRE(detectors.size() == 2u);
  BOOST_TEST(dynamic_cast<DetachedDetector*>(detectors[0].get()) == nullptr);
  BOOST_TEST(dynamic_cast<DetachedDetector*>(detectors[1].get()) != nullptr);
  BOOST_TEST(detectors[1]->name() == "text");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace vigil::testing

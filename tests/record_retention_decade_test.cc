// Bounded per-id records: a simulated decade of reports through one input
// task, with the store compacted at every year's end. The records kept must
// stay flat once the retention horizon is reached (not grow by a year's
// reports every year), and what detection does must not depend on it:
// the signals are the same whether records are dropped by compaction, never
// compacted, or kept forever.
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "config/pipeline_config.h"
#include "config/record_retention_config.h"
#include "pipeline/partition_task.h"
#include "sinks/cloudevent_encoder.h"
#include "state/record_retention.h"
#include "tests/test_events.h"

using namespace vigil;

namespace {

using testing::TempDir;

// A weekly count detector with a short history, so the retention horizon
// (derived from it) is reached in months and a decade stays small.
constexpr const char* kConfig = R"(
detectors:
  - name: falls_weekly
    type: count
    dimensions: [category]
    period: week
    grace_days: 7
    method: earsC1
    params: {baseline: 3, alpha: 0.001, minSigma: 0.5}
    min_observed: 3
)";

constexpr int kYears = 10;
constexpr int kDaysPerYear = 365;
constexpr int kDays = kYears * kDaysPerYear;
constexpr int kReportsPerDay = 3;
constexpr int32_t kFirstDay = 16436;  // 2015-01-01

std::string date_text(int day) { return format_date(Date{kFirstDay + day}); }

std::string event(const std::string& id, int day, int revision) {
  const std::string date = date_text(day);
  return R"({"id":")" + id + R"(","revision":)" + std::to_string(revision) +
         R"(,"reported_at":")" + date + R"(T10:00:00Z","occurred_on":")" + date +
         R"(","org":"RXA","record_type":"incident","category":"fall","physical_harm":"low"})";
}

std::string report_id(int day, int i) { return "D" + std::to_string(day) + "-" + std::to_string(i); }

// One day's messages: its new reports (a spike of extra falls one week in
// fifty, so the detector has signals to raise), a revision of a report from
// 30 days ago (within retention: taken back), a duplicate of a report from 5
// days ago, and every tenth day two messages about a report from 400 days
// ago, past any retention this configuration can have: a re-sent copy and a
// revision that moves it to today.
std::vector<std::string> day_messages(int day) {
  std::vector<std::string> out;
  for (int i = 0; i < kReportsPerDay; ++i) out.push_back(event(report_id(day, i), day, 0));
  if ((day / 7) % 50 == 49) {
    for (int i = 0; i < 4; ++i) out.push_back(event("S" + std::to_string(day) + "-" + std::to_string(i), day, 0));
  }
  if (day >= 30) out.push_back(event(report_id(day - 30, 0), day - 30, 1));
  if (day >= 5) out.push_back(event(report_id(day - 5, 1), day - 5, 0));
  if (day >= 400 && day % 10 == 0) {
    out.push_back(event(report_id(day - 400, 2), day - 400, 0));
    out.push_back(event(report_id(day - 400, 1), day, 5));
  }
  return out;
}

enum class Compaction { kYearly, kNever };

struct DecadeRun {
  std::vector<std::string> signals;
  std::vector<size_t> records_at_year_end;  // after the yearly compaction
  double past_retention = 0;
  size_t duplicates = 0;
  size_t processed = 0;
};

size_t count_records(StateStore& store) {
  auto cf = store.column_family(kRecordsColumnFamily);
  BOOST_REQUIRE(cf.is_ok());
  size_t n = 0;
  BOOST_REQUIRE(store.scan_prefix(cf.value(), {}, [&](std::string_view, std::string_view) {
    ++n;
    return true;
  }).is_ok());
  return n;
}

DecadeRun run_decade(const PipelineConfig& config, Compaction compaction) {
  TempDir dir;
  StateConfig state = config.state;
  state.block_cache_bytes = 8 << 20;
  state.write_buffer_bytes = 1 << 20;
  auto store = open_state_store(state, dir.path());
  BOOST_REQUIRE_MESSAGE(store.is_ok(), (store.is_ok() ? std::string() : store.error().message));
  Metrics metrics("test");
  auto opened = PartitionTask::open(0, *store.value(), config.detectors, &metrics);
  BOOST_REQUIRE(opened.is_ok());
  PartitionTask& task = *opened.value();

  DecadeRun run;
  int64_t offset = 0;
  for (int day = 0; day < kDays; ++day) {
    for (const std::string& m : day_messages(day)) {
      switch (task.process(m, offset++)) {
        case Disposition::kProcessed: ++run.processed; break;
        case Disposition::kDuplicate: ++run.duplicates; break;
        case Disposition::kInvalid: BOOST_FAIL("invalid message " << m); break;
      }
    }
    for (const Signal& s : task.signals()) run.signals.push_back(encode_cloudevent(s, "test"));
    BOOST_REQUIRE(task.commit().is_ok());
    if ((day + 1) % kDaysPerYear == 0 && compaction == Compaction::kYearly) {
      BOOST_REQUIRE(store.value()->compact_all().is_ok());
      run.records_at_year_end.push_back(count_records(*store.value()));
    }
  }
  run.past_retention = metrics.events_past_retention.Value();
  return run;
}

PipelineConfig decade_config() {
  auto c = parse_pipeline_config(kConfig, "test");
  BOOST_REQUIRE_MESSAGE(c.is_ok(), (c.is_ok() ? std::string() : c.error().message));
  return c.value();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(record_retention_decade_test)

BOOST_AUTO_TEST_CASE(records_stay_flat_over_a_decade_and_signals_do_not_change) {
  const PipelineConfig config = decade_config();
  const int32_t retention = config.state.record_retention_days;
  // The default is derived from the detector: earsC1 with baseline 3 reads
  // 3 weeks of history, plus its grace of 7 days.
  BOOST_TEST(retention == derived_record_retention_days(config.detectors));
  BOOST_TEST(retention < 400);  // so the 400-day-old reports are past it

  const DecadeRun compacted = run_decade(config, Compaction::kYearly);
  BOOST_REQUIRE(compacted.records_at_year_end.size() == static_cast<size_t>(kYears));

  // Per day kept: its 3 reports, and one re-dated report every tenth day.
  // Kept: the days from the published horizon (at most 7 days behind the
  // exact one, plus the year's last day) to the stream time.
  const size_t floor = static_cast<size_t>(kReportsPerDay * retention);
  const size_t ceiling = static_cast<size_t>((kReportsPerDay + 1) * (retention + 8)) + 4 * 7;
  for (size_t year = 0; year < compacted.records_at_year_end.size(); ++year) {
    const size_t n = compacted.records_at_year_end[year];
    BOOST_TEST_MESSAGE("year " << year + 1 << ": " << n << " per-id records after compaction");
    BOOST_TEST_CONTEXT("year " << year + 1 << ": " << n << " records") {
      BOOST_TEST(n >= floor);
      BOOST_TEST(n <= ceiling);
    }
  }
  // Flat: the last year keeps as many as the second, not nine years' more.
  const auto second = static_cast<long>(compacted.records_at_year_end[1]);
  const auto last = static_cast<long>(compacted.records_at_year_end.back());
  BOOST_TEST(std::labs(last - second) <= (kReportsPerDay + 1) * 8);
  // What the store would hold without retention: every report ever seen.
  BOOST_TEST(compacted.processed > static_cast<size_t>(kReportsPerDay * kDays));

  // Every message about a 400-day-old report found its record past
  // retention: processed as a new report (the re-sent copy is not a
  // duplicate any more, the revision takes nothing back). The re-sent
  // copies, dated 400 days back, are counted as past retention.
  const int old_messages = 2 * ((kDays - 1) / 10 - 400 / 10 + 1);
  BOOST_TEST(compacted.past_retention == static_cast<double>(old_messages / 2));
  BOOST_TEST(!compacted.signals.empty());

  // Detection does not depend on compaction: the same signals and the same
  // dispositions when nothing is ever compacted (records past retention
  // still on disk, ignored by lookups)...
  const DecadeRun uncompacted = run_decade(config, Compaction::kNever);
  BOOST_TEST(uncompacted.signals == compacted.signals, boost::test_tools::per_element());
  BOOST_TEST(uncompacted.processed == compacted.processed);
  BOOST_TEST(uncompacted.duplicates == compacted.duplicates);
  BOOST_TEST(uncompacted.past_retention == compacted.past_retention);

  // ...and the same signals as keeping records forever (the old behaviour):
  // a take-back of a report older than every window changes nothing.
  PipelineConfig forever = config;
  forever.state.record_retention_days = 0;
  const DecadeRun kept = run_decade(forever, Compaction::kYearly);
  BOOST_TEST(kept.signals == compacted.signals, boost::test_tools::per_element());
  BOOST_TEST(kept.past_retention == 0.0);
  BOOST_TEST(kept.duplicates == compacted.duplicates + static_cast<size_t>(old_messages / 2));
  BOOST_TEST(kept.records_at_year_end.back() > static_cast<size_t>(kReportsPerDay * (kDays - 1)));
}

// A partition this instance no longer owns keeps expiring its records up to
// where it left them: its stored stream time is published at start.
BOOST_AUTO_TEST_CASE(stored_positions_publish_their_horizons_at_start) {
  const PipelineConfig config = decade_config();
  const int32_t retention = config.state.record_retention_days;
  TempDir dir;
  {
    auto store = open_state_store(config.state, dir.path());
    BOOST_REQUIRE(store.is_ok());
    for (int32_t p = 0; p < 2; ++p) {
      auto task = PartitionTask::open(p, *store.value(), {}, nullptr, InputRole::kRepartition);
      BOOST_REQUIRE(task.is_ok());
      const Disposition d = task.value()->process(event("P" + std::to_string(p), 100 * (p + 1), 0), 0);
      BOOST_TEST((d == Disposition::kProcessed));
      BOOST_REQUIRE(task.value()->commit().is_ok());
    }
  }
  // A new process: no task opened yet, nothing published...
  auto store = open_state_store(config.state, dir.path());
  BOOST_REQUIRE(store.is_ok());
  const auto& published = store.value()->record_retention();
  BOOST_REQUIRE(published != nullptr);
  BOOST_TEST(!published->published_horizon(0).has_value());
  // ...until the stored positions are read.
  BOOST_REQUIRE(PartitionTask::publish_stored_horizons(*store.value()).is_ok());
  BOOST_TEST(published->published_horizon(0).value().days == kFirstDay + 100 - retention);
  BOOST_TEST(published->published_horizon(1).value().days == kFirstDay + 200 - retention);
  BOOST_TEST(!published->published_horizon(2).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

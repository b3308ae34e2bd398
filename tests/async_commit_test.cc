// StatefulTask::commit_async (replay's overlapped write) must leave exactly
// what commit() leaves: the same signals, and the same per-id records,
// detector state and stored positions, on the same input and batches.
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "config/pipeline_config.h"
#include "detectors/detector_factory.h"
#include "pipeline/partition_task.h"
#include "pipeline/task_position.h"
#include "sinks/cloudevent_encoder.h"
#include "state/record_retention.h"
#include "tests/pipeline_fixtures.h"
#include "tests/test_events.h"

using namespace vigil;

namespace {

using testing::TempDir;
using testing::fatal_rule_and_weekly_count_config;

std::string event(const std::string& id, int day_of_year, const std::string& harm, int revision,
                  const std::string& org) {
  char date[32];
  // 2024 is a leap year: day 1 is January 1st.
  static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int month = 0;
  int day = day_of_year;
  while (day > month_days[month]) day -= month_days[month++];
  std::snprintf(date, sizeof date, "2024-%02d-%02d", month + 1, day);
  return R"({"id":")" + id + R"(","revision":)" + std::to_string(revision) +
         R"(,"reported_at":")" + date + R"(T10:00:00Z","occurred_on":")" + date + R"(","org":")" +
         org + R"(","record_type":"incident","category":"fall","physical_harm":")" + harm + R"("})";
}

// Twenty weeks of falls at two organisations, a spike, fatal reports, and
// revisions and re-sends of ids from the batch just before (which a lookup
// must find in the batch being written) and from long before.
std::vector<std::string> bounded_stream() {
  std::vector<std::string> lines;
  int n = 0;
  for (int day = 1; day <= 140; ++day) {
    const int per_day = (day >= 100 && day < 104) ? 9 : 2;
    for (int i = 0; i < per_day; ++i) {
      const std::string org = (i % 2 == 0) ? "RXA" : "RXB";
      lines.push_back(event("E" + std::to_string(n), day, day % 37 == 0 && i == 0 ? "fatal" : "low",
                            0, org));
      if (n >= 3 && n % 5 == 0) lines.push_back(event("E" + std::to_string(n - 3), day, "moderate", 1, org));
      if (n >= 3 && n % 7 == 0) lines.push_back(event("E" + std::to_string(n - 3), day, "low", 0, org));
      if (n >= 200 && n % 11 == 0) {
        lines.push_back(event("E" + std::to_string(n - 200), day, "severe", 2, org));
      }
      ++n;
    }
  }
  return lines;
}

std::unique_ptr<StateStore> open_store(const std::string& dir) {
  StateStoreOptions o;
  o.path = dir;
  o.block_cache_bytes = 8 << 20;
  o.write_buffer_bytes = 4 << 20;
  auto s = StateStore::open(o);
  BOOST_REQUIRE_MESSAGE(s.is_ok(), (s.is_ok() ? std::string() : s.error().message));
  return std::move(s).value();
}

struct Outcome {
  std::vector<std::string> signals;
  std::map<std::string, std::map<std::string, std::string>> state;  // column family → key → value
  std::vector<int64_t> positions;                                  // resume_offset() per commit
};

// Every key and value of the column families the task writes.
std::map<std::string, std::map<std::string, std::string>> dump(StateStore& store,
                                                                const PipelineConfig& c) {
  std::vector<std::string> names{std::string(kRecordsColumnFamily), std::string(kOffsetsColumnFamily)};
  for (const auto& d : c.detectors) names.push_back(detector_column_family(d));
  std::map<std::string, std::map<std::string, std::string>> out;
  for (const auto& name : names) {
    auto cf = store.column_family(name);
    BOOST_REQUIRE(cf.is_ok());
    auto& keys = out[name];
    BOOST_REQUIRE(store.scan_prefix(cf.value(), {}, [&](std::string_view k, std::string_view v) {
      keys.emplace(std::string(k), std::string(v));
      return true;
    }).is_ok());
  }
  return out;
}

// Runs the stream through one task, committing after each `every` lines
// (and at the end), with commit() or with commit_async() as replay does.
Outcome run(const std::vector<std::string>& lines, size_t every, bool overlapped) {
  TempDir dir;
  const PipelineConfig c = fatal_rule_and_weekly_count_config();
  Outcome outcome;
  {
    auto store = open_store(dir.path());
    auto opened = PartitionTask::open(0, *store, c.detectors, nullptr, InputRole::kDetect,
                                      EventTimeLimits{60, {}});
    BOOST_REQUIRE(opened.is_ok());
    PartitionTask& task = *opened.value();
    for (size_t i = 0; i < lines.size(); ++i) {
      task.process(lines[i], static_cast<int64_t>(i));
      if ((i + 1) % every != 0 && i + 1 != lines.size()) continue;
      if (overlapped) BOOST_REQUIRE(task.wait_for_write().is_ok());
      outcome.positions.push_back(task.resume_offset().value_or(-1));
      for (const auto& s : task.signals()) outcome.signals.push_back(encode_cloudevent(s, "test"));
      BOOST_REQUIRE((overlapped ? task.commit_async() : task.commit()).is_ok());
    }
    if (overlapped) BOOST_REQUIRE(task.wait_for_write().is_ok());
    outcome.positions.push_back(task.resume_offset().value_or(-1));
    opened.value().reset();
    outcome.state = dump(*store, c);
  }
  return outcome;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(async_commit_test)

BOOST_AUTO_TEST_CASE(overlapped_writes_leave_what_blocking_commits_leave) {
  const auto lines = bounded_stream();
  BOOST_REQUIRE_EQUAL(lines.size(), 421u);
  for (size_t every : {1u, 7u, 50u}) {
    const Outcome blocking = run(lines, every, false);
    const Outcome overlapped = run(lines, every, true);
    BOOST_TEST(!blocking.signals.empty());
    BOOST_TEST(blocking.signals == overlapped.signals, "commit every " << every);
    BOOST_TEST(blocking.positions == overlapped.positions, "commit every " << every);
    BOOST_TEST((blocking.state == overlapped.state), "commit every " << every);
    BOOST_TEST(blocking.positions.back() == static_cast<int64_t>(lines.size()));
  }
}

BOOST_AUTO_TEST_SUITE_END()

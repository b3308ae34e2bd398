#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "config/pipeline_config.h"
#include "ingest/progress_mark.h"
#include "pipeline/partition_task.h"
#include "sinks/cloudevent_encoder.h"
#include "sinks/repartition_record.h"
#include "tests/pipeline_fixtures.h"

using namespace vigil;
using vigil::testing::fatal_rule_and_weekly_count_config;
using vigil::testing::harm_event;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vigil-task-XXXXXX").string();
    BOOST_REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// Dates of a steady weekly stream: `per_week` low-harm falls for `weeks` weeks
// starting Monday 2024-01-01, then a spike week.
std::vector<std::string> stream_with_spike() {
  std::vector<std::string> lines;
  int n = 0;
  const char* days[] = {"01", "02", "03"};
  for (int week = 0; week < 8; ++week) {
    for (int i = 0; i < 2; ++i) {
      const int day = 1 + week * 7 + i;
      char date[32];  // room for any int, as the compiler checks
      std::snprintf(date, sizeof date, "2024-%02d-%02d", day <= 31 ? 1 : 2, day <= 31 ? day : day - 31);
      lines.push_back(harm_event("E" + std::to_string(n++), date, "low"));
    }
  }
  for (int i = 0; i < 12; ++i) lines.push_back(harm_event("S" + std::to_string(i), "2024-02-26", "low"));
  for (const char* d : days) lines.push_back(harm_event(std::string("F") + d, std::string("2024-03-") + d, "fatal"));
  // Carry stream time well past the spike week and its grace period.
  lines.push_back(harm_event("T1", "2024-03-20", "none", 0, "RXB", "medication"));
  return lines;
}

std::vector<std::string> encode_all(const std::vector<Signal>& signals) {
  std::vector<std::string> out;
  for (const auto& s : signals) out.push_back(encode_cloudevent(s, "test"));
  return out;
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

std::unique_ptr<PartitionTask> open_task(StateStore& store, const PipelineConfig& config) {
  // These streams are sparse (a few reports a week, then a jump of weeks to
  // close windows): a tolerance for future dates above their gaps.
  auto t = PartitionTask::open(0, store, config.detectors, nullptr, InputRole::kDetect,
                               EventTimeLimits{60, {}});
  BOOST_REQUIRE_MESSAGE(t.is_ok(), (t.is_ok() ? std::string() : t.error().message));
  return std::move(t).value();
}

// Runs every line through one task, committing after each `every` lines.
std::vector<std::string> run_straight(const std::vector<std::string>& lines, size_t every) {
  TempDir dir;
  auto store = open_store(dir.path);
  auto task = open_task(*store, fatal_rule_and_weekly_count_config());
  std::vector<std::string> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    task->process(lines[i], static_cast<int64_t>(i));
    if ((i + 1) % every == 0 || i + 1 == lines.size()) {
      for (auto& s : encode_all(task->signals())) out.push_back(s);
      BOOST_REQUIRE(task->commit().is_ok());
    }
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(partition_task_test)

BOOST_AUTO_TEST_CASE(stream_raises_rule_and_count_signals) {
  const auto out = run_straight(stream_with_spike(), 5);
  size_t rule = 0, count = 0;
  for (const auto& s : out) {
    if (s.find("\"detector\":\"fatal_rule\"") != std::string::npos &&
        s.find("vigil.signal.raised") != std::string::npos) {
      ++rule;
    }
    if (s.find("\"detector\":\"falls_weekly\"") != std::string::npos &&
        s.find("vigil.signal.raised") != std::string::npos) {
      ++count;
    }
  }
  BOOST_TEST(rule == 3u);   // three fatal reports on three different days
  BOOST_TEST(count == 1u);  // the spike week of falls at RXA
}

BOOST_AUTO_TEST_CASE(commit_size_does_not_change_output) {
  BOOST_TEST(run_straight(stream_with_spike(), 1) == run_straight(stream_with_spike(), 1000),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(crash_before_commit_resumes_without_double_counting) {
  const auto lines = stream_with_spike();
  const auto expected = run_straight(lines, 4);

  TempDir dir;
  std::vector<std::string> delivered;
  const size_t crash_after = 13;
  {
    auto store = open_store(dir.path);
    auto task = open_task(*store, fatal_rule_and_weekly_count_config());
    for (size_t i = 0; i < lines.size(); ++i) {
      task->process(lines[i], static_cast<int64_t>(i));
      if (i + 1 == crash_after) break;  // crash: lines 8..12 processed but never committed
      if ((i + 1) % 4 == 0) {
        for (auto& s : encode_all(task->signals())) delivered.push_back(s);
        BOOST_REQUIRE(task->commit().is_ok());
      }
    }
  }
  auto store = open_store(dir.path);
  auto task = open_task(*store, fatal_rule_and_weekly_count_config());
  BOOST_REQUIRE(task->resume_offset().has_value());
  BOOST_TEST(*task->resume_offset() == 12);
  for (size_t i = static_cast<size_t>(*task->resume_offset()); i < lines.size(); ++i) {
    task->process(lines[i], static_cast<int64_t>(i));
    if ((i + 1) % 4 == 0 || i + 1 == lines.size()) {
      for (auto& s : encode_all(task->signals())) delivered.push_back(s);
      BOOST_REQUIRE(task->commit().is_ok());
    }
  }
  BOOST_TEST(delivered == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(duplicates_and_revisions) {
  TempDir dir;
  auto store = open_store(dir.path);
  auto task = open_task(*store, fatal_rule_and_weekly_count_config());
  BOOST_TEST((task->process(harm_event("A", "2024-01-01", "fatal", 1), 0) == Disposition::kProcessed));
  BOOST_TEST(task->signals().size() == 1u);
  BOOST_TEST((task->process(harm_event("A", "2024-01-01", "fatal", 1), 1) == Disposition::kDuplicate));
  BOOST_TEST((task->process(harm_event("A", "2024-01-01", "fatal", 0), 2) == Disposition::kDuplicate));
  BOOST_REQUIRE(task->commit().is_ok());
  // The newer revision is read back from RocksDB, not from the batch overlay.
  BOOST_TEST((task->process(harm_event("A", "2024-01-01", "low", 2), 3) == Disposition::kProcessed));
  BOOST_REQUIRE(task->signals().size() == 1u);
  BOOST_TEST((task->signals()[0].type == SignalType::kResolved));
  BOOST_TEST(task->signals()[0].detector == "fatal_rule");
  // Revising again within one batch uses the overlay.
  BOOST_TEST((task->process(harm_event("A", "2024-01-01", "fatal", 3), 4) == Disposition::kProcessed));
  BOOST_TEST((task->process(harm_event("A", "2024-01-01", "fatal", 3), 5) == Disposition::kDuplicate));
  BOOST_REQUIRE(task->signals().size() == 2u);
  BOOST_TEST((task->signals()[1].type == SignalType::kRaised));
  BOOST_TEST(task->signals()[1].signal_id != task->signals()[0].signal_id);
}

BOOST_AUTO_TEST_CASE(a_message_is_decoded_in_the_format_it_is_given) {
  // The same event v1 bytes: processed as event v1, one whole dead letter
  // when the source says FHIR (it has no resourceType), and counted per event.
  TempDir dir;
  auto store = open_store(dir.path);
  Metrics metrics("test");
  auto opened = PartitionTask::open(0, *store, fatal_rule_and_weekly_count_config().detectors, &metrics);
  BOOST_REQUIRE(opened.is_ok());
  PartitionTask& task = *opened.value();
  const std::string v1 = harm_event("V1", "2024-01-01", "none");
  const MessageOutcome as_fhir = task.process(v1, 0, "k", MessageFormat::kFhir);
  BOOST_TEST(as_fhir.invalid == 1u);
  BOOST_TEST(as_fhir.processed == 0u);
  BOOST_REQUIRE(task.dead_letters().size() == 1u);
  BOOST_TEST(task.dead_letters()[0].value == v1);
  BOOST_TEST(task.dead_letters()[0].offset == 0);
  BOOST_TEST(!task.dead_letters()[0].detail.empty());
  const MessageOutcome as_v1 = task.process(v1, 1, "k", MessageFormat::kEventV1);
  BOOST_TEST(as_v1.processed == 1u);
  BOOST_TEST(as_v1.invalid == 0u);
  const MessageOutcome again = task.process(v1, 2, "k", MessageFormat::kEventV1);
  BOOST_TEST(again.duplicates == 1u);
  BOOST_TEST(metrics.events_consumed.Value() == 3.0);
  BOOST_TEST(metrics.events_processed.Value() == 1.0);
  BOOST_TEST(metrics.events_duplicate.Value() == 1.0);
  BOOST_REQUIRE(task.commit().is_ok());
  BOOST_TEST(*task.resume_offset() == 3);
}

BOOST_AUTO_TEST_CASE(invalid_messages_become_dead_letters_with_reason) {
  TempDir dir;
  auto store = open_store(dir.path);
  auto task = open_task(*store, fatal_rule_and_weekly_count_config());
  BOOST_TEST((task->process("{not json", 0, "k1") == Disposition::kInvalid));
  BOOST_TEST((task->process(R"({"id":"x"})", 1) == Disposition::kInvalid));
  BOOST_TEST((task->process(harm_event("OK", "2024-01-01", "none"), 2) == Disposition::kProcessed));
  BOOST_REQUIRE(task->dead_letters().size() == 2u);
  BOOST_TEST(reason_code(task->dead_letters()[0].reason) == "not_json");
  BOOST_TEST(task->dead_letters()[0].key == "k1");
  BOOST_TEST(task->dead_letters()[0].value == "{not json");
  BOOST_TEST(reason_code(task->dead_letters()[1].reason) == "missing_field");
  BOOST_TEST(task->dead_letters()[1].offset == 1);
  BOOST_REQUIRE(task->commit().is_ok());
  BOOST_TEST(task->dead_letters().empty());
  BOOST_TEST(*task->resume_offset() == 3);
}

// A progress mark is not an event: an input task that repartitions passes
// it on as a version 6 record with its partition's stream time; before the
// partition's first event, and in a task that detects, it is read and
// dropped; a malformed one is a dead letter naming what is wrong.
BOOST_AUTO_TEST_CASE(progress_marks_are_passed_on_to_the_merge) {
  TempDir dir;
  auto store = open_store(dir.path);
  auto opened = PartitionTask::open(3, *store, {}, nullptr, InputRole::kRepartition);
  BOOST_REQUIRE(opened.is_ok());
  PartitionTask& task = *opened.value();
  const int64_t noon = int64_t{19723} * 86400 + 12 * 3600;  // 2024-01-01T12:00:00Z
  MessageOutcome early = task.process(progress_mark_message(noon), 0, {}, MessageFormat::kEventV1);
  BOOST_TEST(early.marks == 1u);
  BOOST_TEST(task.repartition().size() == 0u);
  BOOST_TEST((task.process(harm_event("A", "2024-01-01", "none"), 1) == Disposition::kProcessed));
  BOOST_REQUIRE(task.repartition().size() == 1u);
  // FHIR selected for the partition: a mark is still read as a mark.
  const MessageOutcome later =
      task.process("  {\"vigil_progress_mark\": {\"reported_through\": \"2024-01-01T13:30:00+01:00\"}}", 2, {},
                   MessageFormat::kFhir);
  BOOST_TEST(later.marks == 1u);
  BOOST_TEST(later.processed + later.invalid + later.duplicates == 0u);
  BOOST_REQUIRE(task.repartition().size() == 2u);
  RepartitionRecord r;
  BOOST_REQUIRE(decode_repartition_record(task.repartition().record(1), r));
  BOOST_TEST(r.progress_mark);
  BOOST_TEST(r.upstream == 3);
  BOOST_TEST(r.offset == 2);
  BOOST_TEST(r.stream_time.days == 19723);
  BOOST_TEST((r.clock == noon + 1800));
  BOOST_TEST(task.dead_letters().empty());

  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"vigil_progress_mark": {"reported_through": "2024-01-01T12:00:00Z"})", "not_json"},
      {R"({"vigil_progress_mark": "2024-01-01T12:00:00Z"})", "wrong_type"},
      {R"({"vigil_progress_mark": {"reported_through": 1704110400}})", "wrong_type"},
      {R"({"vigil_progress_mark": {}})", "bad_value"},
      {R"({"vigil_progress_mark": {"at": "2024-01-01T12:00:00Z"}})", "missing_field"},
      {R"({"vigil_progress_mark": {"reported_through": "2024-01-01 12:00"}})", "bad_timestamp"},
      {R"({"vigil_progress_mark": {"reported_through": "2024-01-01T12:00:00Z"}, "id": "x"})", "wrong_type"},
  };
  int64_t offset = 3;
  for (const auto& [message, reason] : bad) {
    const MessageOutcome o = task.process(message, offset++, "k", MessageFormat::kEventV1);
    BOOST_TEST(o.invalid == 1u, message);
    BOOST_TEST(o.marks == 0u, message);
  }
  BOOST_REQUIRE(task.dead_letters().size() == bad.size());
  for (size_t i = 0; i < bad.size(); ++i) {
    BOOST_TEST(reason_code(task.dead_letters()[i].reason) == bad[i].second, bad[i].first);
    BOOST_TEST(task.dead_letters()[i].detail.starts_with("progress mark: "));
    BOOST_TEST(task.dead_letters()[i].value == bad[i].first);
  }
  BOOST_TEST(task.repartition().size() == 2u);

  // A task that detects reads marks and passes nothing on.
  TempDir other;
  auto detect_store = open_store(other.path);
  auto detecting = open_task(*detect_store, fatal_rule_and_weekly_count_config());
  detecting->process(harm_event("A", "2024-01-01", "none"), 0);
  const MessageOutcome o = detecting->process(progress_mark_message(noon), 1, {}, MessageFormat::kEventV1);
  BOOST_TEST(o.marks == 1u);
  BOOST_TEST(detecting->repartition().size() == 0u);
  BOOST_TEST(detecting->dead_letters().empty());
}

BOOST_AUTO_TEST_CASE(progress_mark_messages_are_told_from_events_by_their_first_member) {
  BOOST_TEST(looks_like_progress_mark(progress_mark_message(0)));
  BOOST_TEST(progress_mark_message(int64_t{19723} * 86400 + 3723) ==
             R"({"vigil_progress_mark":{"reported_through":"2024-01-01T01:02:03Z"}})");
  BOOST_TEST(looks_like_progress_mark(" \n{ \"vigil_progress_mark\":{}}"));
  BOOST_TEST(!looks_like_progress_mark(harm_event("A", "2024-01-01", "none")));
  BOOST_TEST(!looks_like_progress_mark(R"({"vigil_progress_marks":{}})"));
  BOOST_TEST(!looks_like_progress_mark(R"({"id":"x","vigil_progress_mark":{}})"));
  BOOST_TEST(!looks_like_progress_mark(R"(["vigil_progress_mark"])"));
  BOOST_TEST(!looks_like_progress_mark(""));
}

BOOST_AUTO_TEST_CASE(partitions_do_not_share_state) {
  TempDir dir;
  auto store = open_store(dir.path);
  auto c = fatal_rule_and_weekly_count_config();
  auto p0 = PartitionTask::open(0, *store, c.detectors, nullptr);
  auto p1 = PartitionTask::open(1, *store, c.detectors, nullptr);
  BOOST_REQUIRE(p0.is_ok() && p1.is_ok());
  BOOST_TEST((p0.value()->process(harm_event("A", "2024-01-01", "none"), 0) == Disposition::kProcessed));
  BOOST_REQUIRE(p0.value()->commit().is_ok());
  // The same id in another partition is that partition's own first sighting.
  BOOST_TEST((p1.value()->process(harm_event("A", "2024-01-01", "none"), 0) == Disposition::kProcessed));
  BOOST_REQUIRE(p1.value()->commit().is_ok());
  BOOST_TEST(*p0.value()->resume_offset() == 1);
  BOOST_TEST(*p1.value()->resume_offset() == 1);
}

BOOST_AUTO_TEST_SUITE_END()

// Events dated in the future (issue 15, item 2): one such event must not
// move stream time, in the middle of a stream, as a fresh stream's first
// event, or on one of several partitions going through the merge.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <fstream>
#include <map>
#include <regex>
#include <span>
#include <string>
#include <vector>

#include "config/pipeline_config.h"
#include "core/version.h"
#include "partitioned_stream.h"
#include "pipeline/event_time_gate.h"
#include "pipeline/partition_task.h"
#include "pipeline/partitioned_replay.h"
#include "pipeline/replay_runner.h"
#include "pipeline/task_position.h"
#include "sinks/cloudevent_encoder.h"
#include "sinks/signal_sink.h"
#include "synthetic/stream.h"
#include "telemetry/metrics.h"
#include "test_events.h"

using namespace vigil;
using namespace vigil::testing;

namespace vigil {
inline std::ostream& operator<<(std::ostream& os, Disposition d) { return os << static_cast<int>(d); }
}  // namespace vigil

namespace {

class CollectingSink final : public SignalSink {
 public:
  Status deliver(std::span<const Signal> signals) override {
    for (const auto& s : signals) events.push_back(encode_cloudevent(s, "test"));
    return Status::ok();
  }
  std::vector<std::string> events;
};

class ReasonCounts final : public DeadLetterSink {
 public:
  Status deliver(std::span<const DeadLetter> dead_letters, int32_t) override {
    for (const auto& d : dead_letters) {
      ++by_reason[std::string(reason_code(d.reason))];
      if (d.reason == InvalidReason::kBadTimestamp) details.push_back(d.detail);
    }
    return Status::ok();
  }
  std::map<std::string, size_t> by_reason;
  std::vector<std::string> details;
};

// About 9,000 reports over 120 days, in arrival order.
const std::vector<std::string>& stream_lines() {
  static const std::vector<std::string> lines = [] {
    SyntheticStreamOptions o;
    o.seed = 5;
    o.events_per_year = 27000;
    o.days = 120;
    return synthetic_lines(o);
  }();
  return lines;
}

// `line` as a new report (id `id`) reported and occurred on `date`.
std::string redated(const std::string& line, const std::string& id, const std::string& date) {
  std::string out = std::regex_replace(line, std::regex(R"("id":"[^"]*")"), "\"id\":\"" + id + "\"");
  out = std::regex_replace(out, std::regex(R"("reported_at":"\d{4}-\d{2}-\d{2})"),
                           "\"reported_at\":\"" + date);
  out = std::regex_replace(out, std::regex(R"("occurred_on":"[^"]*")"),
                           "\"occurred_on\":\"" + date + "\"");
  return out;
}

std::string write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path);
  for (const auto& l : lines) out << l << "\n";
  return path;
}

std::vector<std::string> with_line(std::vector<std::string> lines, size_t at, std::string line) {
  lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(at), std::move(line));
  return lines;
}

struct Outcome {
  std::vector<std::string> signals;
  ReasonCounts dead_letters;
  ReplaySummary summary;
  double waiting = 0;  // records the merge still holds
};

PipelineConfig config_with(int32_t tolerance_days) {
  PipelineConfig config = order_sensitive_config();
  config.commit.max_events = 500;
  config.future_tolerance_days = tolerance_days;
  return config;
}

Outcome replay(const TempDir& dir, const std::string& name, const std::vector<std::vector<std::string>>& parts,
               int32_t tolerance_days = kDefaultFutureToleranceDays) {
  std::vector<std::string> inputs;
  for (size_t p = 0; p < parts.size(); ++p) {
    inputs.push_back(write_lines(dir.sub(name + "-p" + std::to_string(p) + ".jsonl"), parts[p]));
  }
  auto store = open_test_store(dir.sub(name + "-state"));
  Metrics metrics(kVersion);
  CollectingSink sink;
  Outcome o;
  auto summary = parts.size() == 1
                     ? run_replay(config_with(tolerance_days), inputs[0], *store, sink, &o.dead_letters, metrics)
                     : run_partitioned_replay(config_with(tolerance_days), inputs, *store, sink,
                                              &o.dead_letters, metrics);
  BOOST_REQUIRE_MESSAGE(summary.is_ok(), (summary.is_ok() ? std::string() : summary.error().message));
  o.summary = summary.value();
  o.signals = std::move(sink.events);
  o.waiting = metrics.repartition_waiting.Value();
  return o;
}

size_t bad_timestamps(const Outcome& o) {
  const auto it = o.dead_letters.by_reason.find("bad_timestamp");
  return it == o.dead_letters.by_reason.end() ? 0 : it->second;
}

IncidentEvent event_on(TestEvent& e, const std::string& day) {
  e.on(day);
  return e.event();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(future_events_test)

BOOST_AUTO_TEST_CASE(a_far_event_is_refused_and_a_near_one_accepted) {
  EventTimeGateState state;
  EventTimeLimits limits;
  TestEvent a("A"), b("B"), c("C");
  BOOST_TEST(!judge_event_time(event_on(a, "2025-03-01"), std::nullopt, date("2025-03-01"), limits, state));
  BOOST_TEST(state.reference.value_or(Date{}) == date("2025-03-01"));
  // Two days ahead is within the tolerance; three is not.
  BOOST_TEST(!judge_event_time(event_on(b, "2025-03-03"), std::nullopt, std::nullopt, limits, state));
  const auto refused = judge_event_time(event_on(c, "2025-03-06"), std::nullopt, std::nullopt, limits, state);
  BOOST_REQUIRE(refused.has_value());
  BOOST_TEST(*refused ==
             "occurred_on: 3 days after the partition's stream time (tolerance 2 days; 3 such "
             "reports in a row move it on)");
  BOOST_TEST(state.reference.value_or(Date{}) == date("2025-03-03"));
  BOOST_TEST(state.far.size() == 1u);
  // An accepted event forgets the far ones.
  TestEvent d("D");
  BOOST_TEST(!judge_event_time(event_on(d, "2025-03-02"), std::nullopt, std::nullopt, limits, state));
  BOOST_TEST(state.far.empty());
}

BOOST_AUTO_TEST_CASE(a_report_dated_in_the_future_is_refused_though_it_occurred_long_ago) {
  // Volume detectors count by reported_at and the merge orders by it.
  EventTimeGateState state;
  state.reference = date("2025-03-01");
  TestEvent e("A");
  e.on("2025-02-01").reported(date("2099-06-01"));
  const auto refused = judge_event_time(e, std::nullopt, std::nullopt, EventTimeLimits{}, state);
  BOOST_REQUIRE(refused.has_value());
  BOOST_TEST(*refused ==
             "reported_at: 27120 days after the partition's stream time (at most 366 days; 3 such "
             "reports in a row move it on)");
  // Reported within a year: a late report, accepted.
  TestEvent late("B");
  late.on("2025-01-01").reported(date("2026-02-28"));
  BOOST_TEST(!judge_event_time(late, std::nullopt, std::nullopt, EventTimeLimits{}, state));
  BOOST_TEST(state.reference.value_or(Date{}) == date("2025-03-01"));
}

BOOST_AUTO_TEST_CASE(three_far_reports_in_a_row_move_the_stream_on_to_their_median) {
  EventTimeGateState state;
  state.reference = date("2025-03-01");
  EventTimeLimits limits;
  TestEvent a("A"), a_again("A"), bad("BAD"), b("B"), c("C");
  BOOST_TEST(judge_event_time(event_on(a, "2025-03-20"), std::nullopt, std::nullopt, limits, state).has_value());
  // A re-send of the same report confirms nothing.
  BOOST_TEST(judge_event_time(event_on(a_again, "2025-03-20"), std::nullopt, std::nullopt, limits, state).has_value());
  BOOST_TEST(state.far.size() == 1u);
  BOOST_TEST(judge_event_time(event_on(bad, "2099-06-01"), std::nullopt, std::nullopt, limits, state).has_value());
  // The third: the reference moves to the median (2025-03-21), not to 2099.
  BOOST_TEST(!judge_event_time(event_on(b, "2025-03-21"), std::nullopt, std::nullopt, limits, state));
  BOOST_TEST(state.reference.value_or(Date{}) == date("2025-03-21"));
  BOOST_TEST(state.far.empty());
  BOOST_TEST(judge_event_time(event_on(c, "2099-06-02"), std::nullopt, std::nullopt, limits, state).has_value());
}

BOOST_AUTO_TEST_CASE(the_wall_clock_bounds_reported_at_and_a_late_report_starts_at_its_report_date) {
  EventTimeGateState state;
  EventTimeLimits limits;
  const int64_t now = int64_t{date("2025-06-01").days} * 86400 + 8 * 3600;
  limits.wall_clock = [now] { return now; };
  TestEvent future("F"), first("A");
  future.on("2025-06-05");  // reported 2025-06-05 12:00: 4 days 4 hours ahead
  const auto refused = judge_event_time(future, std::nullopt, std::nullopt, limits, state);
  BOOST_REQUIRE(refused.has_value());
  BOOST_TEST(*refused == "reported_at: 4 days after the wall clock (tolerance 2 days)");
  BOOST_TEST(state.far.empty());  // never counted towards a jump
  // A late report first: G is the date it was reported, not when it occurred.
  first.on("2025-04-01").reported(date("2025-06-01"));
  BOOST_TEST(!judge_event_time(first, std::nullopt, std::nullopt, limits, state));
  BOOST_TEST(state.reference.value_or(Date{}) == date("2025-06-01"));
}

BOOST_AUTO_TEST_CASE(the_gate_state_is_stored_with_the_position) {
  TaskPosition position;
  position.next_offset = 42;
  position.stream_time = date("2025-03-01");
  position.gate.reference = date("2025-03-02");
  position.gate.far = {FarEvent{date("2025-03-20"), 7}, FarEvent{date("2099-01-01"), ~uint64_t{0}}};
  std::string bytes;
  encode_task_position(position, bytes);
  const auto back = decode_task_position(bytes);
  BOOST_REQUIRE(back.has_value());
  BOOST_TEST(back->next_offset == 42);
  BOOST_TEST(back->stream_time.value_or(Date{}) == date("2025-03-01"));
  BOOST_TEST(back->gate.reference.value_or(Date{}) == date("2025-03-02"));
  BOOST_REQUIRE(back->gate.far.size() == 2u);
  BOOST_TEST(back->gate.far[1].time == date("2099-01-01"));
  BOOST_TEST(back->gate.far[1].report == ~uint64_t{0});

  // A position without gate state (a merge task's) is written as before.
  TaskPosition plain;
  plain.next_offset = 42;
  plain.stream_time = date("2025-03-01");
  std::string plain_bytes;
  encode_task_position(plain, plain_bytes);
  const auto plain_back = decode_task_position(plain_bytes);
  BOOST_REQUIRE(plain_back.has_value());
  BOOST_TEST(plain_back->gate.empty());
}

BOOST_AUTO_TEST_CASE(an_event_from_2099_in_the_middle_of_a_stream_changes_no_signal) {
  TempDir dir;
  const auto& lines = stream_lines();
  const std::string future = redated(lines[100], "FUTURE-1", "2099-06-01");
  const auto bent = with_line(lines, lines.size() / 2, future);

  const Outcome base = replay(dir, "base", {lines});
  const Outcome fixed = replay(dir, "fixed", {bent});
  BOOST_TEST(fixed.signals == base.signals);
  BOOST_TEST(fixed.summary.invalid == base.summary.invalid + 1);
  BOOST_TEST(fixed.dead_letters.by_reason.at("bad_timestamp") ==
             bad_timestamps(base) + 1);
  BOOST_TEST(fixed.dead_letters.details.back().rfind("occurred_on: ", 0) == 0u);

  // Without the limit (as before the fix) the one event bends everything after it.
  const Outcome unlimited = replay(dir, "unlimited", {bent}, 0);
  BOOST_TEST(unlimited.signals != base.signals);
  BOOST_TEST(unlimited.summary.processed == base.summary.processed + 1);
}

BOOST_AUTO_TEST_CASE(an_event_from_9999_as_a_fresh_streams_first_changes_no_signal) {
  TempDir dir;
  const auto& lines = stream_lines();
  const auto bent = with_line(lines, 0, redated(lines[100], "FUTURE-1", "9999-12-31"));

  const Outcome base = replay(dir, "base", {lines});
  const Outcome fixed = replay(dir, "fixed", {bent});
  BOOST_TEST(fixed.signals == base.signals);
  BOOST_TEST(fixed.summary.invalid == base.summary.invalid + 1);
  BOOST_TEST(fixed.dead_letters.by_reason.at("bad_timestamp") ==
             bad_timestamps(base) + 1);

  const Outcome unlimited = replay(dir, "unlimited", {bent}, 0);
  BOOST_TEST(unlimited.signals != base.signals);
}

BOOST_AUTO_TEST_CASE(an_event_from_2099_on_one_partition_does_not_hold_the_merge) {
  TempDir dir;
  const auto parts = split_by_report(stream_lines(), 3);
  auto bent = parts;
  bent[1].insert(bent[1].begin() + static_cast<std::ptrdiff_t>(bent[1].size() / 3),
                 redated(parts[1][10], "FUTURE-1", "2099-06-01"));
  auto bent_first = parts;
  bent_first[2].insert(bent_first[2].begin(), redated(parts[2][10], "FUTURE-2", "2099-06-01"));

  const Outcome base = replay(dir, "base", parts);
  const Outcome fixed = replay(dir, "fixed", bent);
  const Outcome fixed_first = replay(dir, "fixed-first", bent_first);
  BOOST_TEST(fixed.signals == base.signals);
  BOOST_TEST(fixed.waiting == base.waiting);
  BOOST_TEST(fixed.summary.invalid == base.summary.invalid + 1);
  BOOST_TEST(fixed_first.signals == base.signals);
  BOOST_TEST(fixed_first.waiting == base.waiting);

  // Before the fix: the partition's stream time jumps to 2099, its merge
  // clock follows, and the merge holds every later record of it.
  const Outcome unlimited = replay(dir, "unlimited", bent, 0);
  BOOST_TEST(unlimited.signals != base.signals);
  BOOST_TEST(unlimited.waiting > base.waiting + 1000);
}

BOOST_AUTO_TEST_CASE(a_stream_resuming_after_a_gap_moves_on_after_three_reports) {
  // Daily reports, then none for a month (an outage), then daily again.
  TempDir dir;
  auto store = open_test_store(dir.sub("state"));
  auto task = PartitionTask::open(0, *store, {}, nullptr, InputRole::kDetect, EventTimeLimits{});
  BOOST_REQUIRE(task.is_ok());
  const std::string line = stream_lines()[100];
  int64_t offset = 0;
  for (int d = 1; d <= 9; ++d) {
    BOOST_TEST(task.value()->process(redated(line, "A" + std::to_string(d), "2025-03-0" + std::to_string(d)),
                                     offset++) == Disposition::kProcessed);
  }
  std::vector<Disposition> after;
  for (int d = 10; d <= 20; ++d) {
    after.push_back(task.value()->process(redated(line, "B" + std::to_string(d), "2025-04-" + std::to_string(d)),
                                          offset++));
  }
  const std::vector<Disposition> expected = {Disposition::kInvalid, Disposition::kInvalid,
                                             Disposition::kProcessed, Disposition::kProcessed,
                                             Disposition::kProcessed, Disposition::kProcessed,
                                             Disposition::kProcessed, Disposition::kProcessed,
                                             Disposition::kProcessed, Disposition::kProcessed,
                                             Disposition::kProcessed};
  BOOST_TEST(after == expected, boost::test_tools::per_element());
  BOOST_REQUIRE(task.value()->dead_letters().size() == 2u);
  BOOST_TEST(reason_code(task.value()->dead_letters()[0].reason) == "bad_timestamp");
  BOOST_TEST(task.value()->dead_letters()[0].detail ==
             "occurred_on: 32 days after the partition's stream time (tolerance 2 days; 3 such "
             "reports in a row move it on)");
  BOOST_TEST(task.value()->stream_time().value_or(Date{}) == date("2025-04-20"));
}

BOOST_AUTO_TEST_CASE(run_refuses_reports_ahead_of_the_wall_clock) {
  TempDir dir;
  auto store = open_test_store(dir.sub("state"));
  EventTimeLimits limits;
  const int64_t now = int64_t{date("2025-03-05").days} * 86400;
  limits.wall_clock = [now] { return now; };
  auto task = PartitionTask::open(0, *store, {}, nullptr, InputRole::kDetect, limits);
  BOOST_REQUIRE(task.is_ok());
  const std::string line = stream_lines()[100];
  BOOST_TEST(task.value()->process(redated(line, "A", "2025-03-04"), 0) == Disposition::kProcessed);
  BOOST_TEST(task.value()->process(redated(line, "B", "2025-03-09"), 1) == Disposition::kInvalid);
  BOOST_TEST(task.value()->process(redated(line, "C", "2025-03-06"), 2) == Disposition::kProcessed);
  BOOST_REQUIRE(task.value()->dead_letters().size() == 1u);
  BOOST_TEST(task.value()->dead_letters()[0].offset == 1);
  BOOST_TEST(task.value()->dead_letters()[0].detail.rfind("reported_at: 4 days after the wall clock", 0) == 0u);
  BOOST_TEST(task.value()->stream_time().value_or(Date{}) == date("2025-03-06"));
  BOOST_TEST(task.value()->commit().is_ok());
}

BOOST_AUTO_TEST_SUITE_END()

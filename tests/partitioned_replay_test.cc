#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/pipeline_config.h"
#include "core/civil_date.h"
#include "core/version.h"
#include "ingest/progress_mark.h"
#include "partitioned_stream.h"
#include "pipeline_fixtures.h"
#include "pipeline/partitioned_replay.h"
#include "pipeline/replay_runner.h"
#include "sinks/cloudevent_encoder.h"
#include "sinks/signal_sink.h"
#include "synthetic/stream.h"
#include "telemetry/metrics.h"
#include "test_events.h"

using namespace vigil;
using vigil::testing::TempDir;
using vigil::testing::open_test_store;
using namespace vigil::testing;

namespace {

constexpr int32_t kPartitions = 3;

// About 9,000 reports over 120 days with re-sends, revisions and 1% invalid
// lines.
SyntheticStreamOptions stream_options() {
  SyntheticStreamOptions o;
  o.seed = 5;
  o.events_per_year = 27000;
  o.days = 120;
  o.invalid_fraction = 0.01;
  return o;
}

// That stream split onto kPartitions partitions.
const std::vector<std::vector<std::string>>& partition_lines() {
  static const std::vector<std::vector<std::string>> lines =
      split_by_report(synthetic_lines(stream_options()), kPartitions);
  return lines;
}

// Writes lines [0, end) of each partition (all when end is npos) to
// <dir>/p<i>.jsonl; returns the paths.
std::vector<std::string> write_files(const std::string& dir, size_t end = std::string::npos) {
  std::vector<std::string> paths;
  for (size_t p = 0; p < partition_lines().size(); ++p) {
    paths.push_back(dir + "/p" + std::to_string(p) + ".jsonl");
    std::ofstream out(paths.back());
    const auto& lines = partition_lines()[p];
    for (size_t i = 0; i < lines.size() && i < end; ++i) out << lines[i] << "\n";
  }
  return paths;
}

// The national default with the order-sensitive detectors appended.
PipelineConfig config(uint32_t max_events) {
  PipelineConfig config = order_sensitive_config();
  config.commit.max_events = max_events;
  return config;
}

Result<ReplaySummary> try_replay(const std::vector<std::string>& inputs, const std::string& state,
                                 uint32_t max_events, CollectingSink& sink,
                                 CountingDeadLetters* dead_letters = nullptr,
                                 Metrics* metrics = nullptr) {
  auto store = open_test_store(state);
  Metrics own(kVersion);
  return run_partitioned_replay(config(max_events), inputs, *store, sink, dead_letters,
                                metrics != nullptr ? *metrics : own);
}

ReplaySummary replay(const std::vector<std::string>& inputs, const std::string& state, uint32_t max_events,
                     CollectingSink& sink, CountingDeadLetters* dead_letters = nullptr) {
  auto summary = try_replay(inputs, state, max_events, sink, dead_letters);
  BOOST_REQUIRE_MESSAGE(summary.is_ok(), (summary.is_ok() ? std::string() : summary.error().message));
  return summary.value();
}

// The same stream and split as partition_lines(), with what a producer
// sending a progress mark to every partition every `every` seconds writes:
// before the first line reported at or after a multiple T of `every`, a
// mark through T on each partition. The marks are true (every later report
// of the partition was reported at or after T) except for a re-send, which
// repeats an earlier line and is dropped as a duplicate.
std::vector<std::vector<std::string>> lines_with_marks(int64_t every, size_t& marks) {
  std::vector<std::vector<std::string>> out(kPartitions);
  std::optional<int64_t> next;
  marks = 0;
  for (const std::string& line : synthetic_lines(stream_options())) {
    const size_t at = line.find("\"reported_at\":\"");
    const auto t = at == std::string::npos ? std::nullopt
                                           : parse_rfc3339(line.substr(at + 15, line.find('"', at + 15) - at - 15));
    if (t && !next) next = (t->unix_seconds / every + 1) * every;
    for (; t && *next <= t->unix_seconds; *next += every) {
      for (auto& partition : out) partition.push_back(progress_mark_message(*next));
      marks += out.size();
    }
    out[static_cast<size_t>(report_partition(line, kPartitions))].push_back(line);
  }
  return out;
}

// Writes lines[p] to <prefix><p>.jsonl; returns the paths.
std::vector<std::string> write_lines(const std::string& prefix, const std::vector<std::vector<std::string>>& lines) {
  std::vector<std::string> paths;
  for (size_t p = 0; p < lines.size(); ++p) {
    paths.push_back(prefix + std::to_string(p) + ".jsonl");
    std::ofstream out(paths.back());
    for (const auto& l : lines[p]) out << l << "\n";
  }
  return paths;
}

size_t total_lines() {
  size_t n = 0;
  for (const auto& p : partition_lines()) n += p.size();
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(partitioned_replay_test)

BOOST_AUTO_TEST_CASE(commit_size_does_not_change_signals_and_counts_add_up) {
  // The files are read a commit's worth at a time in turn, so the commit
  // size changes how the partitions' records interleave at the merge; the
  // merge order, and so the signals, must not change.
  TempDir dir;
  const auto inputs = write_files(dir.path());
  CollectingSink small, large;
  const ReplaySummary a = replay(inputs, dir.sub("state-37"), 37, small);
  const ReplaySummary b = replay(inputs, dir.sub("state-5000"), 5000, large);
  BOOST_TEST_MESSAGE("read " << a.read << ", processed " << a.processed << ", invalid " << a.invalid
                             << ", duplicates " << a.duplicates << ", signals " << a.signals);

  BOOST_TEST(small.events.size() >= 1000u);  // a comparison of nothing proves nothing
  BOOST_TEST(small.events == large.events, boost::test_tools::per_element());

  for (const ReplaySummary* s : {&a, &b}) {
    BOOST_TEST(s->read == total_lines());
    BOOST_TEST(s->read == s->processed + s->invalid + s->duplicates);
    BOOST_TEST(s->invalid > 0u);
    BOOST_TEST(s->duplicates > 0u);
  }
  BOOST_TEST(a.signals == small.events.size());
  BOOST_TEST(b.signals == large.events.size());
  BOOST_TEST(a.processed == b.processed);
  BOOST_TEST(a.invalid == b.invalid);
  BOOST_TEST(a.duplicates == b.duplicates);
}

BOOST_AUTO_TEST_CASE(replaying_again_reads_nothing_new) {
  TempDir dir;
  const auto inputs = write_files(dir.path());
  CollectingSink first, second;
  const ReplaySummary a = replay(inputs, dir.sub("state"), 1000, first);
  BOOST_TEST(a.read == total_lines());
  BOOST_TEST(!first.events.empty());
  const ReplaySummary b = replay(inputs, dir.sub("state"), 1000, second);
  BOOST_TEST(b.read == 0u);
  BOOST_TEST(b.processed + b.invalid + b.duplicates == 0u);
  BOOST_TEST(b.signals == 0u);
  BOOST_TEST(second.events.empty());
}

BOOST_AUTO_TEST_CASE(continuing_a_replay_equals_one_replay) {
  // Each file's first part, then (the files grown) the rest into the same
  // state: the input tasks resume at their committed lines and the merge
  // keeps the records it held at the end of the first run.
  TempDir dir;
  CollectingSink whole, parts;
  replay(write_files(dir.path()), dir.sub("state-whole"), 500, whole);
  replay(write_files(dir.path(), 2000), dir.sub("state-parts"), 500, parts);
  const size_t first_part = parts.events.size();
  const ReplaySummary rest = replay(write_files(dir.path()), dir.sub("state-parts"), 500, parts);
  BOOST_TEST(first_part > 0u);
  BOOST_TEST(parts.events.size() > first_part);
  BOOST_TEST(rest.read == total_lines() - 3 * 2000);
  BOOST_TEST(parts.events == whole.events, boost::test_tools::per_element());
}

// True progress marks change when the merge releases a record, never the
// order: the signals are exactly those of the stream without them.
BOOST_AUTO_TEST_CASE(true_progress_marks_give_the_same_signals) {
  TempDir dir;
  size_t marks = 0;
  const auto marked = lines_with_marks(3600, marks);
  BOOST_TEST_REQUIRE(marks > 3000u);  // 120 days of hourly marks on three partitions
  BOOST_TEST(marked[0].size() + marked[1].size() + marked[2].size() == total_lines() + marks);
  CollectingSink with, without;
  const ReplaySummary plain = replay(write_files(dir.path()), dir.sub("state-without"), 700, without);
  auto store = open_test_store(dir.sub("state-with"));
  Metrics metrics(kVersion);
  auto summary = run_partitioned_replay(config(700), write_lines(dir.sub("marked-p"), marked), *store, with,
                                        nullptr, metrics);
  BOOST_REQUIRE(summary.is_ok());
  BOOST_TEST(summary.value().progress_marks == marks);
  BOOST_TEST(summary.value().processed == plain.processed);
  BOOST_TEST(summary.value().invalid == plain.invalid);
  // Every mark after a partition's first event went on to the merge.
  BOOST_TEST(metrics.progress_marks.Value() == static_cast<double>(marks));
  BOOST_TEST(metrics.repartition_marks.Value() > static_cast<double>(marks) * 0.9);
  BOOST_TEST(without.events.size() > 1000u);
  BOOST_TEST(with.events == without.events, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(one_partition_matches_plain_replay) {
  // With one input partition the merge releases each record at once, so a
  // partitioned replay gives exactly `vigil replay`'s signals.
  TempDir dir;
  const std::string input = dir.sub("all.jsonl");
  {
    std::ofstream out(input);
    for (const auto& l : partition_lines()[0]) out << l << "\n";
  }
  CollectingSink partitioned, plain;
  const ReplaySummary a = replay({input}, dir.sub("state-partitioned"), 700, partitioned);
  {
    auto store = open_test_store(dir.sub("state-plain"));
    Metrics metrics(kVersion);
    auto b = run_replay(config(700), input, *store, plain, nullptr, metrics);
    BOOST_REQUIRE(b.is_ok());
    BOOST_TEST(b.value().read == a.read);
    BOOST_TEST(b.value().processed == a.processed);
  }
  BOOST_TEST(!plain.events.empty());
  BOOST_TEST(partitioned.events == plain.events, boost::test_tools::per_element());
}

// `vigil replay` of one file commits by the size of the open batch (a
// quarter of state.write_buffer_bytes), not every commit.max_events: a
// replay stopped by a failed delivery after some commits and then run again
// into the same state gives exactly one replay's signals.
BOOST_AUTO_TEST_CASE(a_plain_replay_stopped_after_some_commits_continues_to_the_same_signals) {
  TempDir dir;
  const std::string input = dir.sub("all.jsonl");
  size_t lines = 0;
  {
    std::ofstream out(input);
    for (const auto& partition : partition_lines()) {
      for (const auto& l : partition) {
        out << l << "\n";
        ++lines;
      }
    }
  }
  // 64 KiB batches: a few hundred events each, so many commits.
  PipelineConfig small = config(100);
  small.state.write_buffer_bytes = 256 << 10;
  CollectingSink whole, parts;
  Metrics metrics(kVersion);
  {
    auto store = open_test_store(dir.sub("state-whole"));
    auto all = run_replay(small, input, *store, whole, nullptr, metrics);
    BOOST_REQUIRE(all.is_ok());
    BOOST_TEST(all.value().read == lines);
    BOOST_TEST(whole.calls > 5u);
  }
  {
    auto store = open_test_store(dir.sub("state-parts"));
    parts.fail_at = 4;
    BOOST_TEST(!run_replay(small, input, *store, parts, nullptr, metrics).is_ok());
  }
  const size_t delivered = parts.events.size();
  parts.fail_at = 0;
  {
    auto store = open_test_store(dir.sub("state-parts"));
    auto rest = run_replay(small, input, *store, parts, nullptr, metrics);
    BOOST_REQUIRE(rest.is_ok());
    BOOST_TEST(rest.value().read < lines);
    BOOST_TEST(rest.value().read > 0u);
  }
  BOOST_TEST(delivered > 0u);
  BOOST_TEST(parts.events == whole.events, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(failed_delivery_then_rerun_loses_and_repeats_nothing) {
  TempDir dir;
  const auto inputs = write_files(dir.path());
  CollectingSink whole;
  CountingDeadLetters whole_dead;
  const ReplaySummary all = replay(inputs, dir.sub("state-whole"), 400, whole, &whole_dead);
  BOOST_TEST(whole_dead.delivered == all.invalid);

  // A failed signal delivery: nothing of that round is committed.
  {
    CollectingSink sink;
    sink.fail_at = 4;
    BOOST_TEST(!try_replay(inputs, dir.sub("state-signals"), 400, sink).is_ok());
    BOOST_REQUIRE(sink.events.size() > 0u);
    sink.fail_at = 0;
    replay(inputs, dir.sub("state-signals"), 400, sink);
    BOOST_TEST(sink.events == whole.events, boost::test_tools::per_element());
  }
  // A failure after the merge committed a round and before inputs 1 and 2
  // did (input 0 committed): those inputs read their lines again and the
  // merge must skip the records it already has as repeats.
  {
    CollectingSink sink;
    CountingDeadLetters dead;
    dead.fail_at = 3 * 3 + 2;  // the 4th round, input 1
    BOOST_TEST(!try_replay(inputs, dir.sub("state-between"), 400, sink, &dead).is_ok());
    BOOST_REQUIRE(sink.events.size() > 0u);
    dead.fail_at = 0;
    Metrics metrics(kVersion);
    BOOST_REQUIRE(try_replay(inputs, dir.sub("state-between"), 400, sink, &dead, &metrics).is_ok());
    BOOST_TEST(metrics.repartition_repeated.Value() > 0);  // the lost round's records, sent again
    BOOST_TEST(sink.events == whole.events, boost::test_tools::per_element());
    BOOST_TEST(dead.delivered >= all.invalid);  // at least once
  }
}

BOOST_AUTO_TEST_CASE(late_reports_are_counted_once_each_plain_and_partitioned) {
  // Eight weeks of reports, three a day, from Monday 2024-01-01; on day 45
  // (week 6) seven reports arrive that occurred in week 1, closed since
  // day 16 (grace 2 days), and a re-send of one of them. The seven are late
  // (README "Event time"); the re-send is a duplicate, not late again.
  const auto config = parse_pipeline_config(R"(
detectors:
  - name: category_weekly
    type: count
    dimensions: [category]
    period: week
    grace_days: 2
    method: earsC1
)",
                                            "test");
  BOOST_REQUIRE_MESSAGE(config.is_ok(), (config.is_ok() ? std::string() : config.error().message));
  const auto line = [](const std::string& id, int occurred, int reported) {
    const auto day = [](int d) { return format_date(Date{testing::date("2024-01-01").days + d}); };
    return R"({"id":")" + id + R"(","reported_at":")" + day(reported) + R"(T10:00:00Z","occurred_on":")" +
           day(occurred) + R"(","org":"RXA","record_type":"incident","category":")" +
           (id.back() % 2 == 0 ? "fall" : "medication") + "\"}";
  };
  std::vector<std::string> lines;
  for (int d = 0; d < 56; ++d) {
    for (int i = 0; i < 3; ++i) lines.push_back(line("N-" + std::to_string(d) + "-" + std::to_string(i), d, d));
    if (d == 45) {
      for (int k = 0; k < 7; ++k) lines.push_back(line("L-" + std::to_string(k), 7 + k, d));
      lines.push_back(line("L-3", 10, d));
    }
  }
  constexpr double kLate = 7;

  TempDir dir;
  const std::string all = dir.sub("all.jsonl");
  {
    std::ofstream out(all);
    for (const auto& l : lines) out << l << "\n";
  }
  std::vector<std::string> parts;
  const auto split = split_by_report(lines, 2);
  for (size_t p = 0; p < split.size(); ++p) {
    parts.push_back(dir.sub("p" + std::to_string(p) + ".jsonl"));
    std::ofstream out(parts.back());
    for (const auto& l : split[p]) out << l << "\n";
  }
  BOOST_REQUIRE(!split[0].empty() && !split[1].empty());

  CollectingSink plain_sink, partitioned_sink;
  Metrics plain(kVersion), partitioned(kVersion);
  {
    auto store = open_test_store(dir.sub("state-plain"));
    auto summary = run_replay(config.value(), all, *store, plain_sink, nullptr, plain);
    BOOST_REQUIRE(summary.is_ok());
    BOOST_TEST(summary.value().duplicates == 1u);
  }
  {
    auto store = open_test_store(dir.sub("state-partitioned"));
    auto summary = run_partitioned_replay(config.value(), parts, *store, partitioned_sink, nullptr, partitioned);
    BOOST_REQUIRE(summary.is_ok());
    BOOST_TEST(summary.value().duplicates == 1u);
  }
  BOOST_TEST(plain.events_late.Value() == kLate);
  BOOST_TEST(partitioned.events_late.Value() == kLate);
  BOOST_TEST(plain.scrape_text().find("\nvigil_events_late_total 7\n") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "config/pipeline_config.h"
#include "core/version.h"
#include "partitioned_stream.h"
#include "pipeline/merge_task.h"
#include "pipeline/partition_task.h"
#include "sinks/cloudevent_encoder.h"
#include "sinks/repartition_record.h"
#include "state/event_record.h"
#include "synthetic/stream.h"
#include "telemetry/metrics.h"
#include "test_events.h"

using namespace vigil;
using vigil::testing::TempDir;
using vigil::testing::open_test_store;
using namespace vigil::testing;

namespace {

constexpr int32_t kUpstreams = 3;

// ---------------------------------------------------------------------------
// Inputs: a realistic national-like stream, keyed by report id onto three
// input partitions as a producer keyed by id would, and the repartition
// records each partition's input task emits for it.

// About 11,000 reports over 150 days (the weekly detectors need weeks of
// baseline), with the default re-sends and revisions (records that carry a
// `previous`) and 1% invalid lines the input tasks drop.
const std::vector<std::string>& stream_lines() {
  static const std::vector<std::string> lines = [] {
    SyntheticStreamOptions o;
    o.seed = 11;
    o.events_per_year = 27000;
    o.days = 150;
    o.invalid_fraction = 0.01;
    return synthetic_lines(o);
  }();
  return lines;
}

// The national default's detectors, then the order-sensitive ones.
const std::vector<DetectorConfig>& test_detectors() {
  static const std::vector<DetectorConfig> detectors = order_sensitive_config().detectors;
  return detectors;
}

using UpstreamRecords = std::vector<std::vector<std::string>>;  // [upstream][i]

// Runs each partition's lines through its own input task (kRepartition),
// committing every `commit_every` lines, and collects what repartition()
// held at each commit.
UpstreamRecords repartition(const std::vector<std::vector<std::string>>& partition_lines,
                            size_t commit_every = 500) {
  TempDir dir;
  auto store = open_test_store(dir.sub("inputs"));
  UpstreamRecords out(partition_lines.size());
  for (size_t p = 0; p < partition_lines.size(); ++p) {
    auto opened = PartitionTask::open(static_cast<int32_t>(p), *store, {}, nullptr, InputRole::kRepartition);
    BOOST_REQUIRE_MESSAGE(opened.is_ok(), (opened.is_ok() ? std::string() : opened.error().message));
    PartitionTask& task = *opened.value();
    const auto& lines = partition_lines[p];
    for (size_t i = 0; i < lines.size(); ++i) {
      (void)task.process(lines[i], static_cast<int64_t>(i));
      if ((i + 1) % commit_every == 0 || i + 1 == lines.size()) {
        BOOST_REQUIRE(task.signals().empty());  // an input task that repartitions detects nothing
        const RepartitionBatch& batch = task.repartition();
        for (size_t r = 0; r < batch.size(); ++r) out[p].emplace_back(batch.record(r));
        BOOST_REQUIRE(task.commit().is_ok());
      }
    }
  }
  return out;
}

const UpstreamRecords& upstream_records() {
  static const UpstreamRecords records = repartition(split_by_report(stream_lines(), kUpstreams));
  return records;
}

// ---------------------------------------------------------------------------
// Interleavings: the order the records reach the repartition topic. Each
// keeps every upstream's own order, as Kafka does for one producer.

using Feed = std::vector<std::string_view>;  // topic offset = index

// Takes `chunk` records from each upstream in turn.
Feed round_robin(const UpstreamRecords& records, size_t chunk) {
  Feed feed;
  std::vector<size_t> next(records.size(), 0);
  for (bool more = true; more;) {
    more = false;
    for (size_t u = 0; u < records.size(); ++u) {
      for (size_t k = 0; k < chunk && next[u] < records[u].size(); ++k) feed.push_back(records[u][next[u]++]);
      more = more || next[u] < records[u].size();
    }
  }
  return feed;
}

// Every record of the upstreams in `order`, one upstream after another.
Feed one_after_another(const UpstreamRecords& records, const std::vector<size_t>& order) {
  Feed feed;
  for (const size_t u : order) feed.insert(feed.end(), records[u].begin(), records[u].end());
  return feed;
}

// Runs of 1..max_run records from an upstream picked at random.
Feed random_interleaving(const UpstreamRecords& records, uint64_t seed, size_t max_run) {
  std::mt19937_64 rng(seed);
  Feed feed;
  std::vector<size_t> next(records.size(), 0);
  for (;;) {
    std::vector<size_t> open;
    for (size_t u = 0; u < records.size(); ++u) {
      if (next[u] < records[u].size()) open.push_back(u);
    }
    if (open.empty()) break;
    const size_t u = open[rng() % open.size()];
    const size_t run = 1 + rng() % max_run;
    for (size_t k = 0; k < run && next[u] < records[u].size(); ++k) feed.push_back(records[u][next[u]++]);
  }
  return feed;
}

size_t total(const UpstreamRecords& records) {
  size_t n = 0;
  for (const auto& r : records) n += r.size();
  return n;
}

// ---------------------------------------------------------------------------
// Driving a merge task the way the pipeline does: consume, and at a commit
// deliver the batch's signals and only then commit.

struct Output {
  std::vector<std::string> events;  // CloudEvents, in delivery order
  std::vector<int64_t> offsets;     // the topic offset whose consume produced each
};

std::unique_ptr<MergeTask> open_merge(StateStore& store, int32_t upstreams,
                                      const std::vector<DetectorConfig>& detectors,
                                      Metrics* metrics = nullptr) {
  auto opened = MergeTask::open(0, upstreams, store, detectors, metrics);
  BOOST_REQUIRE_MESSAGE(opened.is_ok(), (opened.is_ok() ? std::string() : opened.error().message));
  return std::move(opened).value();
}

void deliver_and_commit(MergeTask& task, Output& out) {
  for (const auto& s : task.signals()) out.events.push_back(encode_cloudevent(s, "test"));
  // Every signal of the batch was tagged with its offset as it was consumed.
  BOOST_REQUIRE(out.offsets.size() == out.events.size());
  BOOST_REQUIRE(task.commit().is_ok());
  BOOST_REQUIRE(task.signals().empty());
}

// Consumes feed[begin, end) at topic offsets begin.., committing after every
// `commit_every` records; does not commit at the end.
void feed_range(MergeTask& task, const Feed& feed, size_t begin, size_t end, size_t commit_every,
                Output& out) {
  for (size_t i = begin; i < end; ++i) {
    const size_t before = task.signals().size();
    Status s = task.consume(feed[i], static_cast<int64_t>(i), {});
    BOOST_REQUIRE_MESSAGE(s.is_ok(), s.message());
    out.offsets.insert(out.offsets.end(), task.signals().size() - before, static_cast<int64_t>(i));
    if ((i + 1) % commit_every == 0) deliver_and_commit(task, out);
  }
}

struct MergeResult {
  Output output;
  size_t waiting = 0;
  std::optional<Date> stream_time;
};

// One whole merge over `feed` in fresh state, committing every `commit_every`.
MergeResult run_merge(const Feed& feed, size_t commit_every, int32_t upstreams = kUpstreams) {
  TempDir dir;
  auto store = open_test_store(dir.sub("merge"));
  auto task = open_merge(*store, upstreams, test_detectors());
  MergeResult r;
  feed_range(*task, feed, 0, feed.size(), commit_every, r.output);
  deliver_and_commit(*task, r.output);
  r.waiting = task->waiting();
  r.stream_time = task->stream_time();
  return r;
}

// The reference every other run is compared with.
const MergeResult& reference() {
  static const MergeResult r = run_merge(round_robin(upstream_records(), 1), 1000);
  return r;
}

// Enough signals that comparing two runs' outputs cannot pass vacuously.
constexpr size_t kMinSignals = 1000;

// A hand-made record of one event occurring on `stream_time`, for the
// holding and error cases, where the merge runs no detectors.
std::string record_for(int32_t upstream, int64_t offset, Date stream_time) {
  testing::TestEvent e("r" + std::to_string(upstream) + "-" + std::to_string(offset), stream_time);
  std::string current;
  encode_event_record(e, current);
  std::string out;
  encode_repartition_record(RepartitionRecord{upstream, offset, stream_time, {}, current}, out);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(merge_task_test)

BOOST_AUTO_TEST_CASE(inputs_are_realistic) {
  // The fixtures the tests below rely on: every upstream busy, revisions
  // carrying a `previous`, and a reference run with many signals of every kind.
  const auto& records = upstream_records();
  size_t with_previous = 0;
  for (const auto& upstream : records) {
    BOOST_TEST(upstream.size() > 3000u);
    for (const auto& bytes : upstream) {
      RepartitionRecord r;
      BOOST_REQUIRE(decode_repartition_record(bytes, r));
      with_previous += !r.previous.empty();
    }
  }
  BOOST_TEST(with_previous > 50u);
  const auto& ref = reference().output.events;
  BOOST_TEST_MESSAGE("records " << total(records) << ", with previous " << with_previous << ", signals "
                                << ref.size() << ", held at end " << reference().waiting);
  BOOST_TEST(ref.size() >= kMinSignals);
  for (const char* type : {"vigil.signal.raised", "vigil.signal.resolved"}) {
    BOOST_TEST(std::count_if(ref.begin(), ref.end(),
                             [&](const std::string& e) { return e.find(type) != std::string::npos; }) > 5,
               type);
  }
  // The national detectors take part, not only the sensitive ones.
  BOOST_TEST(std::count_if(ref.begin(), ref.end(), [](const std::string& e) {
               return e.find("\"detector\":\"never_event\"") != std::string::npos;
             }) > 0);
  // The last stream day cannot be passed by any upstream, so some stay held.
  BOOST_TEST(reference().waiting > 0u);
}

BOOST_AUTO_TEST_CASE(output_does_not_depend_on_interleaving_or_commits) {
  // The merge releases by (stream_time, upstream, offset), which only grows
  // within an upstream: however the producers raced, the released order and
  // so every signal (ids, sequences, bytes) must be the same.
  const auto& records = upstream_records();
  const MergeResult& ref = reference();
  struct Case {
    const char* name;
    Feed feed;
    size_t commit_every;
  };
  const std::vector<Case> cases = {
      {"round robin by 7, commit 97", round_robin(records, 7), 97},
      {"upstream 2 first, commit 1500", one_after_another(records, {2, 0, 1}), 1500},
      {"random seed 42, commit 250", random_interleaving(records, 42, 40), 250},
      {"random seed 7 single steps, commit 4096", random_interleaving(records, 7, 1), 4096},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      BOOST_REQUIRE(c.feed.size() == total(records));
      const MergeResult r = run_merge(c.feed, c.commit_every);
      BOOST_TEST(r.output.events.size() == ref.output.events.size());
      BOOST_TEST(r.output.events == ref.output.events, boost::test_tools::per_element());
      BOOST_TEST(r.waiting == ref.waiting);
      BOOST_TEST((r.stream_time == ref.stream_time));
    }
  }
}

BOOST_AUTO_TEST_CASE(without_the_merge_interleaving_changes_the_output) {
  // Guards the test above: the same records applied in topic order, as one
  // upstream (renumbered, stream time kept non-decreasing), give different
  // signals for different interleavings. So agreement above is the merge's
  // doing, not detectors that ignore order.
  auto in_topic_order = [](const Feed& feed) {
    UpstreamRecords one(1);
    Date time{std::numeric_limits<int32_t>::min()};
    for (size_t i = 0; i < feed.size(); ++i) {
      RepartitionRecord r;
      BOOST_REQUIRE(decode_repartition_record(feed[i], r));
      time = std::max(time, r.stream_time);
      encode_repartition_record(RepartitionRecord{0, static_cast<int64_t>(i), time, r.previous, r.current},
                                one[0].emplace_back());
    }
    return one;
  };
  const auto& records = upstream_records();
  const UpstreamRecords a = in_topic_order(round_robin(records, 1));
  const UpstreamRecords b = in_topic_order(one_after_another(records, {2, 0, 1}));
  const MergeResult ra = run_merge(round_robin(a, 1), 5000, 1);
  const MergeResult rb = run_merge(round_robin(b, 1), 5000, 1);
  BOOST_TEST(ra.output.events.size() >= kMinSignals);
  BOOST_TEST((ra.output.events != rb.output.events));
}

BOOST_AUTO_TEST_CASE(one_upstream_releases_at_once_and_matches_detecting_in_place) {
  // With one input partition the merge must be a pass-through: the same
  // signals, in the same order, as an input task that runs the detectors.
  const auto& lines = stream_lines();
  const UpstreamRecords records = repartition({lines});

  TempDir dir;
  auto store = open_test_store(dir.sub("state"));
  Output merged;
  {
    auto task = open_merge(*store, 1, test_detectors());
    for (size_t i = 0; i < records[0].size(); ++i) {
      const size_t before = task->signals().size();
      BOOST_REQUIRE(task->consume(records[0][i], static_cast<int64_t>(i), {}).is_ok());
      merged.offsets.insert(merged.offsets.end(), task->signals().size() - before, static_cast<int64_t>(i));
      if (task->waiting() != 0) BOOST_FAIL("record " << i << " held with one upstream");
      if ((i + 1) % 1000 == 0) deliver_and_commit(*task, merged);
    }
    deliver_and_commit(*task, merged);
  }

  std::vector<std::string> detected;
  {
    auto opened = PartitionTask::open(0, *store, test_detectors(), nullptr, InputRole::kDetect);
    BOOST_REQUIRE(opened.is_ok());
    PartitionTask& task = *opened.value();
    for (size_t i = 0; i < lines.size(); ++i) {
      (void)task.process(lines[i], static_cast<int64_t>(i));
      if ((i + 1) % 1000 == 0 || i + 1 == lines.size()) {
        for (const auto& s : task.signals()) detected.push_back(encode_cloudevent(s, "test"));
        BOOST_REQUIRE(task.commit().is_ok());
      }
    }
  }
  BOOST_TEST(merged.events.size() >= kMinSignals);
  // Same order as well as the same set: released order is input order.
  BOOST_TEST(merged.events == detected, boost::test_tools::per_element());
  // As sets too, so a failure shows whether only the order differs.
  auto sorted_merged = merged.events;
  auto sorted_detected = detected;
  std::sort(sorted_merged.begin(), sorted_merged.end());
  std::sort(sorted_detected.begin(), sorted_detected.end());
  BOOST_TEST(sorted_merged == sorted_detected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_record_waits_until_every_other_upstream_is_past_it) {
  TempDir dir;
  auto store = open_test_store(dir.sub("state"));
  auto task = open_merge(*store, 2, {});
  const Date d{19723};
  int64_t offset = 0;
  auto consume = [&](const std::string& bytes) {
    BOOST_REQUIRE(task->consume(bytes, offset++, {}).is_ok());
  };

  // Upstream 0 has sent nothing: it might still send an earlier record.
  consume(record_for(1, 0, d));
  BOOST_TEST(task->waiting() == 1u);
  BOOST_TEST(!task->stream_time().has_value());

  // Upstream 0 at the same stream time: its record goes first (lower
  // partition), but upstream 1's must still wait, because upstream 0 may
  // send another record of that day, which would order before it.
  consume(record_for(0, 0, d));
  BOOST_TEST(task->waiting() == 1u);
  BOOST_TEST((task->stream_time() == d));
  consume(record_for(0, 1, d));
  BOOST_TEST(task->waiting() == 1u);

  // Upstream 0 moves to the next day: upstream 1's record is released, and
  // upstream 0's new one waits for upstream 1 in turn.
  consume(record_for(0, 2, Date{d.days + 1}));
  BOOST_TEST(task->waiting() == 1u);
  BOOST_TEST((task->stream_time() == d));

  // Upstream 1 reaches that day too: upstream 0's record of the day goes
  // first (lower partition), and upstream 1's waits, as on the first day.
  consume(record_for(1, 1, Date{d.days + 1}));
  BOOST_TEST(task->waiting() == 1u);
  BOOST_TEST((task->stream_time() == Date{d.days + 1}));
}

BOOST_AUTO_TEST_CASE(an_upstream_that_never_sends_blocks_every_release) {
  TempDir dir;
  auto store = open_test_store(dir.sub("state"));
  auto task = open_merge(*store, 3, {});
  int64_t offset = 0;
  for (int day = 0; day < 50; ++day) {
    for (int32_t u = 0; u < 2; ++u) {
      BOOST_REQUIRE(task->consume(record_for(u, day, Date{19723 + day}), offset++, {}).is_ok());
    }
  }
  BOOST_TEST(task->waiting() == 100u);
  BOOST_TEST(!task->stream_time().has_value());
  // Held records are state: they survive a commit unreleased.
  BOOST_REQUIRE(task->commit().is_ok());
  BOOST_TEST(task->waiting() == 100u);
  // Upstream 2's first record, past them all, releases everything but
  // itself and upstream 1's last record: upstream 0 may still send another
  // record of that last day, which would order before upstream 1's.
  BOOST_REQUIRE(task->consume(record_for(2, 0, Date{19723 + 60}), offset++, {}).is_ok());
  BOOST_TEST(task->waiting() == 2u);
  BOOST_TEST((task->stream_time() == Date{19723 + 49}));
  // Upstream 0 moving on to a later day releases upstream 1's record.
  BOOST_REQUIRE(task->consume(record_for(0, 50, Date{19723 + 55}), offset++, {}).is_ok());
  BOOST_TEST(task->waiting() == 2u);  // upstream 0's day 55 (waits for 1), upstream 2's day 60
  BOOST_TEST((task->stream_time() == Date{19723 + 49}));
}

BOOST_AUTO_TEST_CASE(restart_after_commit_resumes_with_held_records) {
  const Feed feed = round_robin(upstream_records(), 7);
  const MergeResult& ref = reference();
  const size_t split = feed.size() / 2 + 13;

  TempDir dir;
  Output out;
  size_t held_at_commit = 0;
  {
    auto store = open_test_store(dir.sub("state"));
    auto task = open_merge(*store, kUpstreams, test_detectors());
    feed_range(*task, feed, 0, split, 1000, out);
    deliver_and_commit(*task, out);
    held_at_commit = task->waiting();
  }  // task and store closed, as a process exit would
  // The test only shows held records survive if some were held.
  BOOST_REQUIRE(held_at_commit > 0u);
  {
    auto store = open_test_store(dir.sub("state"));
    auto task = open_merge(*store, kUpstreams, test_detectors());
    BOOST_REQUIRE(task->resume_offset().has_value());
    BOOST_TEST(*task->resume_offset() == static_cast<int64_t>(split));
    BOOST_TEST(task->waiting() == held_at_commit);
    feed_range(*task, feed, split, feed.size(), 1000, out);
    deliver_and_commit(*task, out);
    BOOST_TEST(task->waiting() == ref.waiting);
  }
  {
    // What was held at the first commit and released since is erased from
    // the state; what is held now is in it.
    auto store = open_test_store(dir.sub("state"));
    auto task = open_merge(*store, kUpstreams, test_detectors());
    BOOST_TEST(task->waiting() == ref.waiting);
    BOOST_TEST((task->stream_time() == ref.stream_time));
  }
  BOOST_TEST(out.events.size() >= kMinSignals);
  BOOST_TEST(out.events == ref.output.events, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(crash_before_commit_resumes_at_the_committed_offset) {
  const Feed feed = random_interleaving(upstream_records(), 99, 25);
  const MergeResult& ref = reference();
  const size_t committed = feed.size() * 4 / 10 / 1000 * 1000;  // a commit point (every 1000)
  const size_t crashed_at = feed.size() * 6 / 10;

  TempDir dir;
  Output out;
  size_t held_at_commit = 0;
  {
    auto store = open_test_store(dir.sub("state"));
    auto task = open_merge(*store, kUpstreams, test_detectors());
    feed_range(*task, feed, 0, committed, 1000, out);
    held_at_commit = task->waiting();
    BOOST_REQUIRE(held_at_commit > 0u);
    // Consumed, never delivered or committed: lost with the process. Some
    // of the records held at the commit are released (and their stored
    // copies marked for erasure) in this lost stretch.
    Output lost;
    feed_range(*task, feed, committed, crashed_at, feed.size(), lost);
    BOOST_TEST(task->next_offset() == static_cast<int64_t>(crashed_at));
  }
  {
    auto store = open_test_store(dir.sub("state"));
    auto task = open_merge(*store, kUpstreams, test_detectors());
    BOOST_REQUIRE(task->resume_offset().has_value());
    BOOST_TEST(*task->resume_offset() == static_cast<int64_t>(committed));
    BOOST_TEST(task->next_offset() == static_cast<int64_t>(committed));
    BOOST_TEST(task->waiting() == held_at_commit);
    feed_range(*task, feed, committed, feed.size(), 1000, out);
    deliver_and_commit(*task, out);
  }
  BOOST_TEST(out.events == ref.output.events, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(repeated_records_are_skipped_and_counted) {
  // An at-least-once producer may send a batch again: the records come back
  // at new topic offsets with input offsets the merge has already seen.
  const auto& records = upstream_records();
  const Feed base = round_robin(records, 7);
  Feed feed;
  size_t repeats = 0;
  std::vector<size_t> sent(records.size(), 0);
  for (size_t i = 0; i < base.size(); ++i) {
    feed.push_back(base[i]);
    RepartitionRecord r;
    BOOST_REQUIRE(decode_repartition_record(base[i], r));
    const auto u = static_cast<size_t>(r.upstream);
    ++sent[u];
    if (i % 10 == 9) {
      // The last three records of this upstream again, in order.
      for (size_t k = sent[u] >= 3 ? sent[u] - 3 : 0; k < sent[u]; ++k) {
        feed.push_back(records[u][k]);
        ++repeats;
      }
    }
  }

  Metrics metrics(kVersion);
  TempDir dir;
  Output out;
  {
    auto store = open_test_store(dir.sub("state"));
    auto task = open_merge(*store, kUpstreams, test_detectors(), &metrics);
    feed_range(*task, feed, 0, feed.size(), 1000, out);
    deliver_and_commit(*task, out);
    BOOST_TEST(task->waiting() == reference().waiting);
  }
  BOOST_TEST(out.events == reference().output.events, boost::test_tools::per_element());
  BOOST_TEST(metrics.repartition_repeated.Value() == static_cast<double>(repeats));
  BOOST_TEST(metrics.repartition_consumed.Value() == static_cast<double>(feed.size()));

  // Each upstream's last offset is part of the committed state: after a
  // restart a record already merged (released or still held) is still a repeat.
  {
    auto store = open_test_store(dir.sub("state"));
    auto task = open_merge(*store, kUpstreams, test_detectors(), &metrics);
    const size_t held = task->waiting();
    int64_t offset = *task->resume_offset();
    for (const auto& upstream : records) {
      for (const auto& bytes : {upstream.front(), upstream.back()}) {
        BOOST_REQUIRE(task->consume(bytes, offset++, {}).is_ok());
        ++repeats;
      }
    }
    BOOST_TEST(task->signals().empty());
    BOOST_TEST(task->waiting() == held);
    BOOST_TEST(metrics.repartition_repeated.Value() == static_cast<double>(repeats));
  }
}

BOOST_AUTO_TEST_CASE(restore_replays_state_without_output) {
  // Exactly-once restore: records below the restore point were delivered by
  // a run whose state was lost. Consuming them rebuilds the state, and their
  // output is dropped; what follows is exactly the uninterrupted run's.
  const Feed feed = round_robin(upstream_records(), 1);
  const MergeResult& ref = reference();  // the same feed
  const int64_t restore = static_cast<int64_t>(feed.size() * 3 / 5);

  std::vector<std::string> expected;
  for (size_t i = 0; i < ref.output.events.size(); ++i) {
    if (ref.output.offsets[i] >= restore) expected.push_back(ref.output.events[i]);
  }
  BOOST_REQUIRE(expected.size() >= kMinSignals / 4);
  BOOST_REQUIRE(expected.size() < ref.output.events.size());  // some output is dropped

  TempDir dir;
  auto store = open_test_store(dir.sub("state"));
  auto task = open_merge(*store, kUpstreams, test_detectors());
  task->restore_until(restore);
  BOOST_TEST(task->restoring());
  Output out;
  feed_range(*task, feed, 0, static_cast<size_t>(restore), 1000, out);
  BOOST_TEST(!task->restoring());
  BOOST_TEST(out.events.empty());
  feed_range(*task, feed, static_cast<size_t>(restore), feed.size(), 1000, out);
  deliver_and_commit(*task, out);
  BOOST_TEST(out.events == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(undecodable_record_is_an_error) {
  TempDir dir;
  auto store = open_test_store(dir.sub("state"));
  auto task = open_merge(*store, 2, {});
  BOOST_TEST(!task->consume("", 0, {}).is_ok());
  BOOST_TEST(!task->consume("{\"id\":\"not a repartition record\"}", 1, {}).is_ok());
  std::string wrong_version = record_for(0, 0, Date{19723});
  wrong_version[0] = '\x02';
  const Status s = task->consume(wrong_version, 2, {});
  BOOST_TEST(!s.is_ok());
  BOOST_TEST((s.error().kind == ErrorKind::kCorruption));
  BOOST_TEST(task->waiting() == 0u);
}

BOOST_AUTO_TEST_CASE(record_from_an_unknown_upstream_is_an_error) {
  TempDir dir;
  auto store = open_test_store(dir.sub("state"));
  auto task = open_merge(*store, 2, {});
  BOOST_TEST(task->consume(record_for(1, 0, Date{19723}), 0, {}).is_ok());
  const Status s = task->consume(record_for(2, 0, Date{19723}), 1, {});
  BOOST_TEST(!s.is_ok());
  BOOST_TEST((s.error().kind == ErrorKind::kFatal));
  BOOST_TEST(task->waiting() == 1u);
}

BOOST_AUTO_TEST_CASE(stream_time_going_back_within_an_upstream_is_an_error) {
  TempDir dir;
  auto store = open_test_store(dir.sub("state"));
  auto task = open_merge(*store, 2, {});
  BOOST_TEST(task->consume(record_for(0, 0, Date{19730}), 0, {}).is_ok());
  BOOST_TEST(!task->consume(record_for(0, 1, Date{19729}), 1, {}).is_ok());
}

BOOST_AUTO_TEST_CASE(reopening_with_another_upstream_count_fails) {
  // The merge order depends on the number of input partitions: state built
  // with one count must not be continued with another.
  TempDir dir;
  auto store = open_test_store(dir.sub("state"));
  {
    auto task = open_merge(*store, 3, {});
    BOOST_REQUIRE(task->consume(record_for(0, 0, Date{19723}), 0, {}).is_ok());
    BOOST_REQUIRE(task->commit().is_ok());
  }
  for (const int32_t upstreams : {2, 4, 1}) {
    auto reopened = MergeTask::open(0, upstreams, *store, {}, nullptr);
    BOOST_TEST(!reopened.is_ok(), "reopened with " << upstreams);
  }
  auto same = MergeTask::open(0, 3, *store, {}, nullptr);
  BOOST_REQUIRE(same.is_ok());
  BOOST_TEST(same.value()->waiting() == 1u);
  // Another merge partition has its own state in the same store.
  BOOST_TEST(MergeTask::open(1, 4, *store, {}, nullptr).is_ok());
  BOOST_TEST(!MergeTask::open(0, 0, *store, {}, nullptr).is_ok());
}

BOOST_AUTO_TEST_SUITE_END()

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
#include "state/key_encoding.h"
#include "state/state_store.h"
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
// holding and error cases, where the merge runs no detectors. Without a
// clock it is written as the former version wrote it (version 1).
std::string record_for(int32_t upstream, int64_t offset, Date stream_time,
                       std::optional<int64_t> clock = std::nullopt) {
  testing::TestEvent e("r" + std::to_string(upstream) + "-" + std::to_string(offset), stream_time);
  std::string current;
  encode_event_record(e, current);
  std::string out;
  encode_repartition_record(RepartitionRecord{upstream, offset, stream_time, {}, current, clock}, out);
  return out;
}

constexpr int64_t kDay = 86400;

// A progress mark of `upstream` (version 6): its message at `offset`, its
// partition at `stream_time`, reported through `clock`.
std::string mark_for(int32_t upstream, int64_t offset, Date stream_time, int64_t clock) {
  RepartitionRecord r;
  r.upstream = upstream;
  r.offset = offset;
  r.stream_time = stream_time;
  r.clock = clock;
  r.progress_mark = true;
  std::string out;
  encode_repartition_record(r, out);
  return out;
}

// Unix seconds `seconds` into `day` (UTC).
int64_t at(Date day, int64_t seconds) { return int64_t{day.days} * kDay + seconds; }

// `records` with record `index` of `upstream` given `clock` (empty: written
// without one, as the former version wrote it).
void set_clock(UpstreamRecords& records, size_t upstream, size_t index, std::optional<int64_t> clock) {
  RepartitionRecord r;
  std::string& bytes = records[upstream][index];
  BOOST_REQUIRE(decode_repartition_record(bytes, r));
  r.clock = clock;
  std::string out;
  encode_repartition_record(r, out);
  bytes = std::move(out);
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
      encode_repartition_record(RepartitionRecord{0, static_cast<int64_t>(i), time, r.previous, r.current, std::nullopt},
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
  // Records written without a clock (by the former version) have the start
  // of their stream day as their clock: they keep the day order.
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

BOOST_AUTO_TEST_CASE(a_record_is_released_once_every_other_upstream_reported_later) {
  // By the reported_at clock a record no longer waits for the next day: it
  // goes as soon as every other upstream has sent a record reported later.
  TempDir dir;
  auto store = open_test_store(dir.sub("state"));
  auto task = open_merge(*store, 2, {});
  const Date d{19723};
  int64_t offset = 0;
  auto consume = [&](const std::string& bytes) {
    BOOST_REQUIRE(task->consume(bytes, offset++, {}).is_ok());
  };
  consume(record_for(1, 0, d, at(d, 10 * 3600)));
  BOOST_TEST(task->waiting() == 1u);  // upstream 0 has sent nothing
  consume(record_for(0, 0, d, at(d, 10 * 3600 + 5)));
  BOOST_TEST(task->waiting_from(1) == 0u);  // released: upstream 0 is 5 s past it
  BOOST_TEST(task->waiting_from(0) == 1u);  // waits for upstream 1 to pass 10:00:05
  BOOST_TEST((task->stream_time() == d));
  BOOST_TEST(task->held_back_seconds() == 0);
  consume(record_for(1, 1, d, at(d, 10 * 3600 + 65)));
  BOOST_TEST(task->waiting_from(0) == 0u);
  BOOST_TEST(task->waiting_from(1) == 1u);
  // A later record of the same upstream is held behind its first.
  consume(record_for(1, 2, d, at(d, 11 * 3600)));
  BOOST_TEST(task->waiting_from(1) == 2u);
  BOOST_TEST(task->held_back_seconds() == 3600 - 65);
  // The same records without a clock (the former order) are all held:
  // nothing passes stream day d.
  TempDir dir2;
  auto store2 = open_test_store(dir2.sub("state"));
  auto former = open_merge(*store2, 2, {});
  int64_t o = 0;
  for (const auto& [u, i] : std::vector<std::pair<int32_t, int64_t>>{{1, 0}, {0, 0}, {1, 1}, {1, 2}}) {
    BOOST_REQUIRE(former->consume(record_for(u, i, d), o++, {}).is_ok());
  }
  BOOST_TEST(former->waiting() == 3u);  // only upstream 0's went (lower partition on day d)
}

BOOST_AUTO_TEST_CASE(a_progress_mark_moves_a_quiet_upstream_on) {
  // Upstream 0 goes quiet after 09:00; without a mark upstream 1's 10:00
  // record waits for upstream 0's next report. A mark of upstream 0
  // through 10:00:30 releases it, is itself never held, survives a restart,
  // and a repeat of it, or a mark that goes back, changes nothing.
  TempDir dir;
  auto store = open_test_store(dir.sub("state"));
  Metrics metrics(kVersion);
  auto task = open_merge(*store, 2, {}, &metrics);
  const Date d{19723};
  int64_t offset = 0;
  auto consume = [&](MergeTask& t, const std::string& bytes) {
    const Status s = t.consume(bytes, offset++, {});
    BOOST_REQUIRE_MESSAGE(s.is_ok(), s.message());
  };
  consume(*task, record_for(0, 0, d, at(d, 9 * 3600)));
  consume(*task, record_for(1, 0, d, at(d, 10 * 3600)));
  BOOST_TEST(task->waiting_from(0) == 0u);  // upstream 1 is past 09:00
  BOOST_TEST(task->waiting_from(1) == 1u);  // upstream 0 might still send 09:30
  consume(*task, mark_for(0, 1, d, at(d, 9 * 3600 + 1800)));
  BOOST_TEST(task->waiting_from(1) == 1u);  // 09:30 is not past 10:00
  consume(*task, mark_for(0, 2, d, at(d, 10 * 3600 + 30)));
  BOOST_TEST(task->waiting() == 0u);
  BOOST_TEST(task->held_back_seconds() == 0);
  // A mark that goes back does not lower the clock; a repeat is skipped.
  consume(*task, mark_for(0, 3, d, at(d, 8 * 3600)));
  consume(*task, mark_for(0, 3, d, at(d, 23 * 3600)));
  BOOST_TEST(metrics.repartition_repeated.Value() == 1);
  BOOST_TEST(metrics.repartition_marks.Value() == 3);
  BOOST_REQUIRE(task->commit().is_ok());
  task.reset();

  // After a restart upstream 0's clock is still 10:00:30: upstream 1's
  // record of 10:00:10 goes at once, its record of 10:01 waits.
  auto again = open_merge(*store, 2, {});
  consume(*again, record_for(1, 1, d, at(d, 10 * 3600 + 10)));
  BOOST_TEST(again->waiting() == 0u);
  consume(*again, record_for(1, 2, d, at(d, 10 * 3600 + 60)));
  BOOST_TEST(again->waiting() == 1u);
}

BOOST_AUTO_TEST_CASE(a_progress_mark_far_ahead_moves_its_upstream_no_further_than_a_record_would) {
  // A mark dated 2099 lifts upstream 0 only to the end of the day after its
  // stream day, as a report dated 2099 would: upstream 1's records of the
  // day after that still wait.
  TempDir dir;
  auto store = open_test_store(dir.sub("state"));
  auto task = open_merge(*store, 2, {});
  const Date d{19723};
  int64_t offset = 0;
  BOOST_REQUIRE(task->consume(record_for(0, 0, d, at(d, 3600)), offset++, {}).is_ok());
  BOOST_REQUIRE(task->consume(mark_for(0, 1, d, at(Date{47482}, 0)), offset++, {}).is_ok());
  BOOST_REQUIRE(task->consume(record_for(1, 0, Date{d.days + 1}, at(Date{d.days + 1}, 23 * 3600)), offset++, {}).is_ok());
  BOOST_TEST(task->waiting_from(1) == 0u);  // before the bound: released
  BOOST_REQUIRE(task->consume(record_for(1, 1, Date{d.days + 2}, at(Date{d.days + 2}, 60)), offset++, {}).is_ok());
  BOOST_TEST(task->waiting_from(1) == 1u);  // past the bound: waits for upstream 0
}

BOOST_AUTO_TEST_CASE(tie_rule_at_one_clock_lower_upstreams_go_first) {
  // Key (clock, upstream, offset): at one clock, upstream u's record is
  // released once each other upstream v holds a later record, or holds
  // nothing and has a clock past it, or the same clock with v > u.
  TempDir dir;
  auto store = open_test_store(dir.sub("state"));
  auto task = open_merge(*store, 2, {});
  const Date d{19723};
  const int64_t t = at(d, 12 * 3600);
  int64_t offset = 0;
  auto consume = [&](int32_t u, int64_t input_offset, int64_t clock) {
    BOOST_REQUIRE(task->consume(record_for(u, input_offset, d, clock), offset++, {}).is_ok());
  };
  consume(1, 0, t);
  BOOST_TEST(task->waiting_from(1) == 1u);
  // Upstream 0 at the same second: its record goes (upstream 1 holds a later
  // key); upstream 1's waits, since upstream 0 may send another record of t.
  consume(0, 0, t);
  BOOST_TEST(task->waiting_from(0) == 0u);
  BOOST_TEST(task->waiting_from(1) == 1u);
  consume(0, 1, t);
  BOOST_TEST(task->waiting_from(0) == 0u);
  BOOST_TEST(task->waiting_from(1) == 1u);
  // Upstream 0 one second later: upstream 1's record of t goes.
  consume(0, 2, t + 1);
  BOOST_TEST(task->waiting_from(1) == 0u);
  BOOST_TEST(task->waiting_from(0) == 1u);
  // Upstream 1 reaches t + 1: upstream 0's record of t + 1 goes (upstream 1
  // is at the same clock with a higher number); upstream 1's waits.
  consume(1, 1, t + 1);
  BOOST_TEST(task->waiting_from(0) == 0u);
  BOOST_TEST(task->waiting_from(1) == 1u);
  // And a record of upstream 0 at t + 1 with upstream 1 holding one of t + 1
  // goes at once, before it.
  consume(0, 3, t + 1);
  BOOST_TEST(task->waiting_from(0) == 0u);
  BOOST_TEST(task->waiting_from(1) == 1u);
}

BOOST_AUTO_TEST_CASE(a_future_reported_at_is_clamped_to_the_day_after_the_stream_day) {
  TempDir dir;
  auto store = open_test_store(dir.sub("state"));
  const Date d{19723};
  const int64_t bound = at(d, (kMergeClockLeadDays + 1) * kDay - 1);  // 23:59:59 the next day
  int64_t offset = 0;
  {
    auto task = open_merge(*store, 2, {});
    // Upstream 0: a report dated decades ahead, then an honest one.
    BOOST_REQUIRE(task->consume(record_for(0, 0, d, at(Date{d.days + 30000}, 0)), offset++, {}).is_ok());
    BOOST_REQUIRE(task->consume(record_for(0, 1, d, at(d, 9 * 3600)), offset++, {}).is_ok());
    // Upstream 1's records are not held back by it.
    BOOST_REQUIRE(task->consume(record_for(1, 0, d, at(d, 9 * 3600)), offset++, {}).is_ok());
    BOOST_TEST(task->waiting_from(1) == 0u);
    BOOST_TEST(task->waiting_from(0) == 2u);
    BOOST_REQUIRE(task->commit().is_ok());
  }
  // Reopened: the held records keep the clock they were given.
  auto task = open_merge(*store, 2, {});
  BOOST_TEST(task->waiting_from(0) == 2u);
  BOOST_REQUIRE(task->consume(record_for(1, 1, Date{d.days + 1}, bound - 1), offset++, {}).is_ok());
  BOOST_TEST(task->waiting_from(0) == 2u);  // upstream 0 is at the bound, not 82 years on
  BOOST_TEST(task->waiting_from(1) == 0u);
  BOOST_REQUIRE(task->consume(record_for(1, 2, Date{d.days + 1}, bound), offset++, {}).is_ok());
  // Upstream 1 at the bound, a higher partition: upstream 0's records go.
  BOOST_TEST(task->waiting_from(0) == 0u);
  BOOST_TEST(task->waiting_from(1) == 1u);
  // The bound moves with the stream day: a record of day d + 5 reported
  // decades ahead gets 23:59:59 of day d + 6.
  BOOST_REQUIRE(task->consume(record_for(0, 2, Date{d.days + 5}, at(Date{d.days + 30000}, 0)), offset++, {}).is_ok());
  BOOST_REQUIRE(task->consume(record_for(1, 3, Date{d.days + 6}, at(Date{d.days + 6}, kDay - 1)), offset++, {}).is_ok());
  BOOST_TEST(task->waiting_from(0) == 0u);
  BOOST_TEST(task->waiting_from(1) == 1u);
}

BOOST_AUTO_TEST_CASE(state_and_records_of_the_former_version_are_read) {
  // State the former version wrote: input partition positions without a
  // clock and held records of version 1. They get the start of their stream
  // day as their clock, and new records with clocks merge after them.
  TempDir dir;
  auto store = open_test_store(dir.sub("state"));
  const Date d{19723};
  {
    auto merge_cf = store->ensure_column_family(kMergeColumnFamily);
    BOOST_REQUIRE(merge_cf.is_ok());
    const std::string prefix = partition_prefix(merge_state_slot(0));
    StateBatch batch = store->new_batch();
    std::string value;
    append_varint(value, 2);
    batch.put(merge_cf.value(), prefix + "n", value);
    const std::vector<std::pair<uint32_t, std::pair<int64_t, Date>>> positions = {{0, {5, d}},
                                                                                   {1, {7, Date{d.days + 1}}}};
    for (const auto& [u, position] : positions) {
      std::string key = prefix + "u";
      append_u32_be(key, u);
      value.clear();
      append_varint(value, static_cast<uint64_t>(position.first));
      append_varint(value, zigzag_encode(position.second.days));
      batch.put(merge_cf.value(), key, value);
    }
    std::string key = prefix + "h";
    append_u64_be(key, 3);
    append_u32_be(key, 0);
    batch.put(merge_cf.value(), key, record_for(1, 7, Date{d.days + 1}));
    BOOST_REQUIRE(store->write(batch).is_ok());
  }
  int64_t offset = 4;
  {
    auto task = open_merge(*store, 2, {});
    BOOST_TEST(task->waiting_from(1) == 1u);
    // Upstream 0 with a clock, 08:00 on day d + 1: upstream 1's held record
    // (00:00 of d + 1) goes; upstream 0's waits for upstream 1's clock.
    BOOST_REQUIRE(task->consume(record_for(0, 6, Date{d.days + 1}, at(Date{d.days + 1}, 8 * 3600)), offset++, {}).is_ok());
    BOOST_TEST(task->waiting_from(1) == 0u);
    BOOST_TEST(task->waiting_from(0) == 1u);
    BOOST_TEST((task->stream_time() == Date{d.days + 1}));
    // An old-version record of day d + 2 lifts upstream 1 to 00:00 of d + 2;
    // a record reported the evening before but arriving after it is lifted
    // to that clock (a partition's clock never goes back).
    BOOST_REQUIRE(task->consume(record_for(1, 8, Date{d.days + 2}), offset++, {}).is_ok());
    BOOST_REQUIRE(task->consume(record_for(1, 9, Date{d.days + 2}, at(Date{d.days + 1}, 23 * 3600)), offset++, {}).is_ok());
    BOOST_TEST(task->waiting_from(0) == 0u);
    BOOST_TEST(task->waiting_from(1) == 2u);
    BOOST_REQUIRE(task->commit().is_ok());
  }
  auto task = open_merge(*store, 2, {});
  BOOST_TEST(task->waiting_from(1) == 2u);
  // Upstream 0 at 23:30 of d + 1: its record goes first (upstream 1's are at
  // 00:00 of d + 2, the reported 23:00 one lifted), and upstream 1's wait.
  BOOST_REQUIRE(task->consume(record_for(0, 7, Date{d.days + 1}, at(Date{d.days + 1}, 23 * 3600 + 1800)), offset++, {}).is_ok());
  BOOST_TEST(task->waiting_from(1) == 2u);
  BOOST_TEST(task->waiting_from(0) == 0u);
  BOOST_TEST(task->held_back_seconds() == 0);  // upstream 1's clock is the highest and the oldest held
  BOOST_REQUIRE(task->consume(record_for(0, 8, Date{d.days + 2}, at(Date{d.days + 2}, 1)), offset++, {}).is_ok());
  BOOST_TEST(task->waiting_from(1) == 0u);
  BOOST_TEST(task->waiting_from(0) == 1u);
  BOOST_TEST((task->stream_time() == Date{d.days + 2}));
}

BOOST_AUTO_TEST_CASE(restarts_give_the_same_order_with_clamped_lifted_and_former_records) {
  // The realistic stream with the awkward cases mixed in: upstream 0's first
  // records written by the former version (no clock), a report of upstream
  // 1 dated twenty years ahead, and a run of upstream 2's reported two days
  // before the records they follow. Runs restarted at several points, with
  // other interleavings and commit intervals, give the same signals.
  UpstreamRecords records = upstream_records();
  for (size_t i = 0; i < 300; ++i) set_clock(records, 0, i, std::nullopt);
  {
    RepartitionRecord r;
    BOOST_REQUIRE(decode_repartition_record(records[1][800], r));
    set_clock(records, 1, 800, *r.clock + 20 * 365 * kDay);
  }
  for (size_t i = 1500; i < 1600; ++i) {
    RepartitionRecord r;
    BOOST_REQUIRE(decode_repartition_record(records[2][i], r));
    set_clock(records, 2, i, *r.clock - 2 * kDay);
  }
  const MergeResult ref = run_merge(round_robin(records, 1), 1000);
  BOOST_TEST(ref.output.events.size() >= kMinSignals);
  // The future-dated report did not stall its upstream: what is held at
  // the end is what is held without it.
  BOOST_TEST(ref.waiting == reference().waiting);

  const Feed feed = random_interleaving(records, 5, 30);
  TempDir dir;
  Output out;
  size_t begin = 0;
  for (const size_t end : {feed.size() / 5, feed.size() / 2 + 7, feed.size() * 4 / 5, feed.size()}) {
    auto store = open_test_store(dir.sub("state"));
    auto task = open_merge(*store, kUpstreams, test_detectors());
    if (begin > 0) BOOST_REQUIRE(task->resume_offset() == std::optional<int64_t>(static_cast<int64_t>(begin)));
    feed_range(*task, feed, begin, end, 333, out);
    deliver_and_commit(*task, out);
    if (end == feed.size()) BOOST_TEST(task->waiting() == ref.waiting);
    begin = end;
  }
  BOOST_TEST(out.events == ref.output.events, boost::test_tools::per_element());
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

// A record from the topic whose per-id record does not decode is a clear
// error when it arrives, never an abort when it would be applied.
BOOST_AUTO_TEST_CASE(a_corrupt_per_id_record_is_an_error_not_an_abort) {
  TempDir dir;
  auto store = open_test_store(dir.sub("state"));
  auto task = open_merge(*store, 2, {});
  const std::string corrupt_event = "\xff\xff\xff";
  std::string bytes;
  encode_repartition_record(RepartitionRecord{0, 0, Date{19723}, {}, corrupt_event, std::nullopt}, bytes);
  const Status s = task->consume(bytes, 0, {});
  BOOST_REQUIRE(!s.is_ok());
  BOOST_TEST(s.message().find("corrupt per-id record") != std::string::npos);
  BOOST_TEST(task->waiting() == 0u);
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

BOOST_AUTO_TEST_CASE(events_of_one_input_message_are_told_apart_by_index) {
  // A FHIR Bundle's events share their input offset: each is merged once,
  // in order, and a resent one is a repeat, also after a restart.
  TempDir dir;
  const Date d{19723};
  const auto bundle_record = [&](int64_t offset, uint32_t index) {
    testing::TestEvent e("b" + std::to_string(offset) + "-" + std::to_string(index), d);
    std::string current;
    encode_event_record(e, current);
    RepartitionRecord r{0, offset, d, {}, current, at(d, 3600)};
    r.index = index;
    std::string out;
    encode_repartition_record(r, out);
    return out;
  };
  Metrics metrics(kVersion);
  int64_t offset = 0;
  {
    auto store = open_test_store(dir.sub("state"));
    auto task = open_merge(*store, 2, {}, &metrics);
    auto consume = [&](const std::string& bytes) {
      BOOST_REQUIRE(task->consume(bytes, offset++, {}).is_ok());
    };
    consume(bundle_record(4, 0));
    consume(bundle_record(4, 1));
    consume(bundle_record(4, 2));
    BOOST_TEST(task->waiting_from(0) == 3u);  // all three held (upstream 1 has sent nothing)
    consume(bundle_record(4, 1));             // resent
    consume(bundle_record(3, 0));             // an earlier message, resent
    BOOST_TEST(task->waiting_from(0) == 3u);
    BOOST_TEST(metrics.repartition_repeated.Value() == 2.0);
    consume(bundle_record(5, 0));
    BOOST_TEST(task->waiting_from(0) == 4u);
    BOOST_REQUIRE(task->commit().is_ok());
  }
  {
    // The last (offset, index) seen is part of the committed state.
    auto store = open_test_store(dir.sub("state"));
    auto task = open_merge(*store, 2, {}, &metrics);
    offset = *task->resume_offset();
    BOOST_REQUIRE(task->consume(bundle_record(5, 0), offset++, {}).is_ok());
    BOOST_REQUIRE(task->consume(bundle_record(4, 2), offset++, {}).is_ok());
    BOOST_TEST(task->waiting_from(0) == 4u);
    BOOST_TEST(metrics.repartition_repeated.Value() == 4.0);
    BOOST_REQUIRE(task->consume(bundle_record(5, 1), offset++, {}).is_ok());
    BOOST_TEST(task->waiting_from(0) == 5u);
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

// The rolling table every report-level detector keeps its state in
// (detectors/rolling_table.h), and the weekly judging schedule on top of it
// (detectors/report_window.h): counting, the window, evidence, sweeping, and
// persistence through a real RocksDB store.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "detectors/report_window.h"
#include "detectors/rolling_table.h"
#include "state/key_encoding.h"
#include "tests/test_events.h"

namespace vigil {
namespace {

using testing::date;
using testing::open_test_store;
using testing::TempDir;
using testing::TestEvent;

constexpr uint32_t kFirst = 1u << 0;
constexpr uint32_t kSecond = 1u << 1;

// The two measures of `key` summed over [from, to].
std::array<int64_t, 2> sums(RollingTable& t, std::string_view key, int32_t from, int32_t to) {
  std::array<int64_t, 2> out{-1, -1};
  RollingTable::Row* row = t.find(key);
  BOOST_TEST_REQUIRE(row != nullptr, "no row " << key);
  t.sum(*row, from, to, out);
  return out;
}

// A table on a store, with helpers to commit it and to restore a fresh copy.
struct StoreFixture {
  TempDir dir;
  std::unique_ptr<StateStore> store = open_test_store(dir.sub("db"));
  ColumnFamilyId cf = 0;

  StoreFixture() {
    auto id = store->ensure_column_family("det.table");
    BOOST_TEST_REQUIRE(id.is_ok());
    cf = id.value();
  }
  RollingTable table(int32_t partition = 3, int32_t window = 4) const {
    return RollingTable("table", partition, cf, 2, window);
  }
  size_t commit(RollingTable& t) {
    StateBatch batch = store->new_batch();
    t.save(batch);
    const size_t operations = batch.count();
    const Status written = store->write(batch);
    BOOST_TEST_REQUIRE(written.is_ok(), written.message());
    return operations;
  }
  RollingTable restored(int32_t partition = 3, int32_t window = 4) const {
    RollingTable t = table(partition, window);
    const Status s = t.restore(*store);
    BOOST_TEST_REQUIRE(s.is_ok(), s.message());
    return t;
  }
  void put_raw(int32_t partition, char tag, std::string_view key, std::string_view value) {
    StateBatch batch = store->new_batch();
    std::string k = partition_prefix(partition);
    k.push_back(tag);
    k.append(key);
    batch.put(cf, k, value);
    BOOST_TEST_REQUIRE(store->write(batch).is_ok());
  }
};

// --- Counting -----------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(rolling_table_test)

BOOST_AUTO_TEST_CASE(counts_each_measure_per_period_and_sums_a_range) {
  RollingTable t("table", 0, 0, 2, 4);
  BOOST_TEST(!t.started());
  t.start(10);
  BOOST_TEST(t.started());
  BOOST_TEST(t.first_period() == 10);
  BOOST_TEST(t.closed_through() == 9);  // nothing judged yet

  t.add("k", 10, kFirst | kSecond, +1, nullptr);
  t.add("k", 11, kFirst, +1, nullptr);
  t.add("k", 12, kSecond, +1, nullptr);
  t.add("k", 12, kSecond, +1, nullptr);
  t.add("other", 12, kFirst, +1, nullptr);

  BOOST_TEST((sums(t, "k", 10, 12) == std::array<int64_t, 2>{2, 3}));
  BOOST_TEST((sums(t, "k", 11, 12) == std::array<int64_t, 2>{1, 2}));
  BOOST_TEST((sums(t, "k", 13, 20) == std::array<int64_t, 2>{0, 0}));
  BOOST_TEST((sums(t, "other", 0, 100) == std::array<int64_t, 2>{1, 0}));
  RollingTable::Row& k = *t.find("k");
  BOOST_TEST(t.count_at(k, 12, 1) == 2u);
  BOOST_TEST(t.count_at(k, 12, 0) == 0u);
  BOOST_TEST(t.count_at(k, 9, 0) == 0u);   // before the row
  BOOST_TEST(t.count_at(k, 30, 0) == 0u);  // after it
  BOOST_TEST(k.born == 10);

  // A late report for a period before the row's first, still in the window
  // (closed through 9, window 4: periods from 6 on), extends the row back.
  t.add("k", 7, kFirst, +1, nullptr);
  BOOST_TEST(k.born == 7);
  BOOST_TEST(k.first_period == 7);
  BOOST_TEST((sums(t, "k", 7, 12) == std::array<int64_t, 2>{3, 3}));
  BOOST_TEST((sums(t, "k", 8, 12) == std::array<int64_t, 2>{2, 3}));

  // Key order is byte order, whatever the insertion order.
  std::vector<std::string> keys;
  for (const auto& [key, row] : t.rows_in_order()) keys.emplace_back(key);
  BOOST_TEST((keys == std::vector<std::string>{"k", "other"}));
  BOOST_TEST(t.size() == 2u);
}

BOOST_AUTO_TEST_CASE(periods_no_window_reaches_are_ignored) {
  RollingTable t("table", 0, 0, 2, 4);
  t.start(10);
  t.set_closed_through(20);  // windows now start at 17 at the earliest
  t.add("old", 16, kFirst, +1, nullptr);
  BOOST_TEST(t.find("old") == nullptr);
  BOOST_TEST(t.size() == 0u);
  t.add("old", 17, kFirst, +1, nullptr);
  BOOST_TEST_REQUIRE(t.find("old") != nullptr);
  BOOST_TEST((sums(t, "old", 17, 17) == std::array<int64_t, 2>{1, 0}));
}

BOOST_AUTO_TEST_CASE(taking_back_decrements_and_never_goes_below_zero) {
  RollingTable t("table", 0, 0, 2, 4);
  t.start(10);
  t.add("k", 10, kFirst | kSecond, +1, nullptr);
  t.add("k", 10, kFirst, +1, nullptr);
  t.add("k", 10, kFirst | kSecond, -1, nullptr);
  BOOST_TEST((sums(t, "k", 10, 10) == std::array<int64_t, 2>{1, 0}));
  t.add("k", 10, kSecond, -1, nullptr);  // already 0: stays 0
  BOOST_TEST((sums(t, "k", 10, 10) == std::array<int64_t, 2>{1, 0}));
  // Taking back from a key never counted creates nothing.
  t.add("ghost", 10, kFirst, -1, nullptr);
  BOOST_TEST(t.find("ghost") == nullptr);
  BOOST_TEST(t.size() == 1u);
}

// --- Evidence -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(evidence_keeps_the_newest_ids_sorted_and_counts_organisations) {
  RollingTable t("table", 0, 0, 2, 4);
  t.start(10);
  std::vector<TestEvent> events;
  // 60 reports, ids e00..e59 arriving in that order, from three
  // organisations, the first 30 in period 10 and the rest in period 11.
  for (int i = 0; i < 60; ++i) {
    char id[8];
    std::snprintf(id, sizeof id, "e%02d", i);
    TestEvent e(id);
    e.org(i < 30 ? (i % 2 ? "RA1" : "RA2") : "RB1");
    events.push_back(std::move(e));
  }
  for (int i = 0; i < 60; ++i) t.add("k", i < 30 ? 10 : 11, kFirst, +1, &events[i].event());
  RollingTable::Row& row = *t.find("k");

  // The oldest 10 fell out: at most kMaxEvidenceIds are kept.
  const auto ids = t.evidence_ids(row, 10, 11);
  BOOST_TEST_REQUIRE(ids.size() == kMaxEvidenceIds);
  BOOST_TEST(ids.front() == "e10");
  BOOST_TEST(ids.back() == "e59");
  BOOST_TEST(std::is_sorted(ids.begin(), ids.end()));
  BOOST_TEST(t.evidence_ids(row, 11, 11).size() == 30u);  // only period 11's
  // A window ending at period 10 leaves out the reports of period 11.
  const auto window_10 = t.evidence_ids(row, 0, 10);
  BOOST_TEST(window_10.size() == 20u);  // e10..e29
  BOOST_TEST(window_10.back() == "e29");
  BOOST_TEST(t.evidence_orgs(row, 10) == 3);
  BOOST_TEST(t.evidence_orgs(row, 11) == 1);  // RA1, RA2 last seen in period 10
  BOOST_TEST(t.evidence_orgs(row, 12) == 0);

  // A take-back removes its id; the organisation stays (it may have others).
  t.add("k", 11, kFirst, -1, &events[59].event());
  const auto after = t.evidence_ids(row, 10, 11);
  BOOST_TEST(after.size() == kMaxEvidenceIds - 1);
  BOOST_TEST(std::count(after.begin(), after.end(), "e59") == 0);
  BOOST_TEST(t.evidence_orgs(row, 11) == 1);

  // The same id counted twice (a revision counted back in) is listed once.
  t.add("k", 11, kFirst, +1, &events[40].event());
  const auto deduplicated = t.evidence_ids(row, 10, 11);
  BOOST_TEST(std::count(deduplicated.begin(), deduplicated.end(), "e40") == 1);
}

BOOST_AUTO_TEST_CASE(org_hash_is_fnv1a) {
  // Published FNV-1a 32-bit test vectors: the hash must be stable across
  // builds, since it is stored.
  BOOST_TEST(org_code_hash("") == 0x811c9dc5u);
  BOOST_TEST(org_code_hash("a") == 0xe40c292cu);
  BOOST_TEST(org_code_hash("foobar") == 0xbf9cf968u);
}

// --- The window moving on ------------------------------------------------------

BOOST_AUTO_TEST_CASE(sweep_forgets_old_periods_and_drops_empty_rows) {
  RollingTable t("table", 0, 0, 2, 4);
  t.start(10);
  TestEvent e("x1");
  t.add("stays", 10, kFirst, +1, &e.event());
  t.add("stays", 13, kFirst | kSecond, +1, nullptr);
  t.add("empty", 10, kFirst, +1, nullptr);
  t.add("open", 10, kFirst, +1, nullptr);
  t.add("known", 10, kFirst, +1, nullptr);
  t.find("open")->episode.open = true;
  t.find("known")->known = true;

  t.set_closed_through(13);  // the window is now 10..13: nothing to drop
  t.sweep();
  BOOST_TEST(t.size() == 4u);
  BOOST_TEST((sums(t, "stays", 10, 13) == std::array<int64_t, 2>{2, 1}));

  t.set_closed_through(14);  // now 11..14: period 10 is forgotten
  t.sweep();
  BOOST_TEST(t.find("empty") == nullptr);   // nothing left in its window
  BOOST_TEST(t.find("open") != nullptr);    // an open episode must be able to resolve
  BOOST_TEST(t.find("known") != nullptr);   // a known pair must remember it is known
  BOOST_TEST_REQUIRE(t.find("stays") != nullptr);
  RollingTable::Row& stays = *t.find("stays");
  BOOST_TEST((sums(t, "stays", 0, 100) == std::array<int64_t, 2>{1, 1}));
  BOOST_TEST(t.evidence_ids(stays, 0, 100).empty());  // x1 was in period 10
  BOOST_TEST(t.evidence_orgs(stays, 0) == 0);
  std::vector<std::string> keys;
  for (const auto& [key, row] : t.rows_in_order()) keys.emplace_back(key);
  BOOST_TEST((keys == std::vector<std::string>{"known", "open", "stays"}));

  // A dropped key that comes back starts afresh.
  t.add("empty", 14, kSecond, +1, nullptr);
  BOOST_TEST_REQUIRE(t.find("empty") != nullptr);
  BOOST_TEST(t.find("empty")->born == 14);
  BOOST_TEST((sums(t, "empty", 0, 100) == std::array<int64_t, 2>{0, 1}));
}

// --- Persistence ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(save_and_restore_round_trip_every_field) {
  StoreFixture f;
  RollingTable t = f.table();
  t.start(10);
  TestEvent a("id-a");
  a.org("RA1");
  TestEvent b("id-b");
  b.org("RB1");
  t.add("k\x1f" "x", 10, kFirst | kSecond, +1, &a.event());
  t.add("k\x1f" "x", 12, kFirst, +1, &b.event());
  t.add("k\x1f" "x", 12, kFirst, +1, nullptr);
  t.add("plain", 11, kSecond, +1, nullptr);
  RollingTable::Row& row = *t.find("k\x1f" "x");
  row.episode.step(true, 7, 12, LifecyclePolicy{});
  row.known = true;
  row.known_quiet = 3;
  row.reference = 123.25;
  t.mark_dirty("k\x1f" "x", row);
  t.set_closed_through(12);
  f.commit(t);

  RollingTable r = f.restored();
  BOOST_TEST(r.started());
  BOOST_TEST(r.first_period() == 10);
  BOOST_TEST(r.closed_through() == 12);
  BOOST_TEST(r.size() == 2u);
  BOOST_TEST_REQUIRE(r.find("k\x1f" "x") != nullptr);
  const RollingTable::Row& back = *r.find("k\x1f" "x");
  BOOST_TEST(back.born == 10);
  BOOST_TEST(back.first_period == row.first_period);
  BOOST_TEST(back.counts == row.counts);
  BOOST_TEST((sums(r, "k\x1f" "x", 10, 12) == std::array<int64_t, 2>{3, 1}));
  BOOST_TEST((r.evidence_ids(back, 0, 100) == std::vector<std::string>{"id-a", "id-b"}));
  BOOST_TEST(r.evidence_orgs(back, 0) == 2);
  BOOST_TEST(r.evidence_orgs(back, 11) == 1);  // RA1 was last seen in 10
  BOOST_TEST(back.episode.open);
  BOOST_TEST(back.episode.sequence == 1u);
  BOOST_TEST(back.episode.start_period == 12);
  BOOST_TEST(back.episode.last_reported == 7);
  BOOST_TEST(back.known);
  BOOST_TEST(back.known_quiet == 3u);
  BOOST_TEST(back.reference == 123.25);
  BOOST_TEST((sums(r, "plain", 0, 100) == std::array<int64_t, 2>{0, 1}));
}

BOOST_AUTO_TEST_CASE(judgements_keep_the_last_52_and_round_trip_with_their_gaps) {
  // 60 weekly judgements, weeks 100-159 but for a gap at week 130, with
  // NaN in some fields and infinity in one: the last 52 are kept, and
  // restored to the bit. Rows without judgements keep the old encoding.
  StoreFixture f;
  RollingTable t = f.table();
  t.start(90);
  t.add("pair", 99, kFirst, +1, nullptr);
  t.add("plain", 99, kFirst, +1, nullptr);
  RollingTable::Row& row = *t.find("pair");
  const double nan = std::nan("");
  for (int32_t week = 100; week < 160; ++week) {
    if (week == 130) continue;
    const double value = week == 150 ? HUGE_VAL : 0.125 * week;
    t.record_judgement("pair", row,
                       {week, value, week % 2 == 0 ? nan : week + 0.5, week % 3 == 0 ? nan : 1.8,
                        week % 7 == 0});
  }
  BOOST_TEST_REQUIRE(row.judged.size() == kMaxSeriesPoints);
  BOOST_TEST(row.judged.front().period == 107);  // 59 recorded, the oldest 7 dropped
  BOOST_TEST(row.judged.back().period == 159);
  f.commit(t);

  RollingTable r = f.restored();
  const RollingTable::Row& back = *r.find("pair");
  BOOST_TEST_REQUIRE(back.judged.size() == row.judged.size());
  const auto same = [](double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; };
  for (size_t i = 0; i < row.judged.size(); ++i) {
    const auto& a = row.judged[i];
    const auto& b = back.judged[i];
    BOOST_TEST(a.period == b.period);
    BOOST_TEST(same(a.value, b.value), "value of " << a.period);
    BOOST_TEST(same(a.expected, b.expected), "expected of " << a.period);
    BOOST_TEST(same(a.threshold, b.threshold), "threshold of " << a.period);
    BOOST_TEST(a.flagged == b.flagged);
  }
  BOOST_TEST(r.find("plain")->judged.empty());

  // A judgement list cut short is corruption, like any other bad record.
  std::string value;
  {
    StateBatch batch = f.store->new_batch();
    RollingTable one = f.table(4);
    one.start(90);
    one.add("x", 99, kFirst, +1, nullptr);
    one.record_judgement("x", *one.find("x"), {100, 1.5, nan, 2.0, true});
    one.save(batch);
    BOOST_TEST_REQUIRE(f.store->write(batch).is_ok());
  }
  BOOST_TEST(f.restored(4).find("x")->judged.size() == 1u);
  const Status scanned = f.store->scan_prefix(f.cf, partition_prefix(4) + '\1',
                                              [&](std::string_view, std::string_view v) {
                                                value.assign(v);
                                                return false;
                                              });
  BOOST_TEST_REQUIRE(scanned.is_ok());
  value.pop_back();  // the last byte of the threshold
  f.put_raw(4, '\1', "x", value);
  RollingTable broken = f.table(4);
  const Status restored = broken.restore(*f.store);
  BOOST_TEST_REQUIRE(!restored.is_ok());
  BOOST_TEST((restored.error().kind == ErrorKind::kCorruption));
}

BOOST_AUTO_TEST_CASE(save_writes_only_what_changed_and_deletes_swept_rows) {
  StoreFixture f;
  RollingTable t = f.table();
  t.start(10);
  t.add("a", 10, kFirst, +1, nullptr);
  t.add("b", 10, kFirst, +1, nullptr);
  t.add("c", 12, kFirst, +1, nullptr);
  BOOST_TEST(f.commit(t) == 4u);  // the stream position and three rows
  BOOST_TEST(f.commit(t) == 0u);  // nothing changed since
  t.add("b", 12, kSecond, +1, nullptr);
  BOOST_TEST(f.commit(t) == 1u);  // just b

  // Closing period 14 moves the window past period 10: a is empty, b still
  // has period 12, and the sweep's deletion reaches the store.
  t.set_closed_through(14);
  t.sweep();
  BOOST_TEST(f.commit(t) == 2u);  // the position and a's deletion
  BOOST_TEST(t.find("a") == nullptr);
  RollingTable r = f.restored();
  BOOST_TEST(r.size() == 2u);
  BOOST_TEST(r.find("a") == nullptr);
  BOOST_TEST(r.closed_through() == 14);
  // Only b's period 12 is inside the window 11..14 that any judgement sums.
  BOOST_TEST((sums(r, "b", 11, 14) == std::array<int64_t, 2>{0, 1}));
}

BOOST_AUTO_TEST_CASE(partitions_never_see_each_others_rows) {
  StoreFixture f;
  RollingTable one = f.table(1);
  RollingTable two = f.table(2);
  one.start(10);
  two.start(20);
  one.add("shared", 10, kFirst, +1, nullptr);
  two.add("shared", 20, kSecond, +1, nullptr);
  two.add("only-two", 20, kSecond, +1, nullptr);
  f.commit(one);
  f.commit(two);

  RollingTable r1 = f.restored(1);
  RollingTable r2 = f.restored(2);
  RollingTable r3 = f.restored(3);
  BOOST_TEST(r1.first_period() == 10);
  BOOST_TEST(r2.first_period() == 20);
  BOOST_TEST(r1.size() == 1u);
  BOOST_TEST(r2.size() == 2u);
  BOOST_TEST((sums(r1, "shared", 0, 100) == std::array<int64_t, 2>{1, 0}));
  BOOST_TEST((sums(r2, "shared", 0, 100) == std::array<int64_t, 2>{0, 1}));
  BOOST_TEST(!r3.started());
  BOOST_TEST(r3.size() == 0u);
}

BOOST_AUTO_TEST_CASE(undecodable_records_are_corruption) {
  // A valid row to damage.
  std::string valid_row;
  {
    StoreFixture f;
    RollingTable t = f.table();
    t.start(10);
    TestEvent e("id-1");
    t.add("k", 10, kFirst, +1, &e.event());
    f.commit(t);
    std::string key = partition_prefix(3);
    key.push_back('\1');
    key += "k";
    auto found = f.store->get(f.cf, key, valid_row);
    BOOST_TEST_REQUIRE(found.is_ok());
    BOOST_TEST_REQUIRE(found.value());
  }
  struct Damage {
    const char* what;
    char tag;
    std::string value;
  };
  const std::vector<Damage> cases = {
      {"meta not varints", '\0', std::string("\xff\xff\xff", 3)},
      {"meta without the started byte", '\0', std::string("\x0a\x0b", 2)},
      {"row not varints", '\1', std::string("\xff\xff\xff", 3)},
      {"row truncated", '\1', valid_row.substr(0, valid_row.size() - 1)},
      {"row with a trailing byte", '\1', valid_row + "x"},
      {"unknown record tag", '\7', valid_row},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.what) {
      StoreFixture f;
      f.put_raw(3, c.tag, "k", c.value);
      RollingTable t = f.table();
      const Status s = t.restore(*f.store);
      BOOST_TEST_REQUIRE(!s.is_ok());
      BOOST_TEST((s.error().kind == ErrorKind::kCorruption));
      BOOST_TEST(s.message().find("table") != std::string::npos);  // names the detector
    }
  }
  // The undamaged row restores, so the cases above fail for their damage.
  StoreFixture f;
  f.put_raw(3, '\1', "k", valid_row);
  RollingTable t = f.table();
  BOOST_TEST(t.restore(*f.store).is_ok());
  BOOST_TEST(t.size() == 1u);
}

// --- The weekly schedule (report_window.h) --------------------------------------

BOOST_AUTO_TEST_CASE(weeks_close_in_order_after_their_grace) {
  RollingTable t("table", 0, 0, 2, 3);
  std::vector<int32_t> judged;
  const auto judge = [&](int32_t w) { judged.push_back(w); };
  close_due_weeks(t, 2, date("2030-01-01"), judge);
  BOOST_TEST(judged.empty());  // a table not started judges nothing

  const int32_t w0 = week_of(date("2024-01-01"));
  t.start(w0);
  // Week w0 ends on Sunday 2024-01-07; with 2 days' grace it closes once
  // the stream is past 2024-01-09.
  close_due_weeks(t, 2, date("2024-01-09"), judge);
  BOOST_TEST(judged.empty());
  BOOST_TEST(t.closed_through() == w0 - 1);
  close_due_weeks(t, 2, date("2024-01-10"), judge);
  BOOST_TEST((judged == std::vector<int32_t>{w0}));
  // A jump of three weeks closes every week in between, oldest first.
  close_due_weeks(t, 2, date("2024-01-31"), judge);
  BOOST_TEST((judged == std::vector<int32_t>{w0, w0 + 1, w0 + 2, w0 + 3}));
  BOOST_TEST(t.closed_through() == w0 + 3);

  // A window of 3 weeks is complete from its third week on.
  BOOST_TEST(!window_complete(t, w0 + 1));
  BOOST_TEST(window_complete(t, w0 + 2));
}

BOOST_AUTO_TEST_CASE(window_signal_is_named_by_its_episode) {
  Episode episode;
  const int32_t w = week_of(date("2024-03-04"));
  episode.step(true, 10, w, LifecyclePolicy{});
  episode.step(true, 20, w + 1, LifecyclePolicy{});  // an update: the id stays
  const std::vector<KeyPart> key = {{"org", "RX1"}};
  const Signal s = window_signal("det", "funnel", key, episode, SignalType::kUpdated, w - 3, w + 1,
                                 date("2024-03-20"), Severity::kHigh);
  BOOST_TEST(s.signal_id == make_signal_id("det", key, "2024-03-04"));
  BOOST_TEST(s.sequence == 2u);
  BOOST_TEST(s.type == SignalType::kUpdated);
  BOOST_TEST(s.detector == "det");
  BOOST_TEST(s.method == "funnel");
  BOOST_TEST((s.key == key));
  BOOST_TEST(format_date(s.period_start) == "2024-02-12");  // Monday of w - 3
  BOOST_TEST(format_date(s.period_end) == "2024-03-17");    // Sunday of w + 1
  BOOST_TEST(format_date(s.fired_at) == "2024-03-20");
  BOOST_TEST(s.severity == Severity::kHigh);

  BOOST_TEST(format_ratio(2.0 / 3) == "0.67");
  BOOST_TEST(format_ratio(150.0, 0) == "150");
  BOOST_TEST(format_ratio(NAN) == "n/a");
  BOOST_TEST(format_ratio(INFINITY) == "infinite");
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil

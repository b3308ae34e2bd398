// The per-id record retention: which records are past it, the horizons
// tasks publish, and the compaction filter that drops records by them.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "state/event_record.h"
#include "state/key_encoding.h"
#include "state/record_retention.h"
#include "state/state_store.h"
#include "tests/test_events.h"

namespace vigil {
namespace {

using testing::date;
using testing::TempDir;
using testing::TestEvent;

std::string record_of(const IncidentEvent& e) {
  std::string out;
  encode_event_record(e, out);
  return out;
}

std::string record_key(int32_t partition, std::string_view id) {
  std::string key = partition_prefix(partition);
  key.push_back('r');
  key.append(id);
  return key;
}

std::unique_ptr<StateStore> open_store(const std::string& dir, std::shared_ptr<RecordRetention> r) {
  StateStoreOptions o;
  o.path = dir;
  o.block_cache_bytes = 8 << 20;
  o.write_buffer_bytes = 1 << 20;
  o.column_families = {std::string(kRecordsColumnFamily), "other"};
  o.record_retention = std::move(r);
  auto s = StateStore::open(o);
  BOOST_REQUIRE_MESSAGE(s.is_ok(), (s.is_ok() ? std::string() : s.error().message));
  return std::move(s).value();
}

size_t count(StateStore& store, std::string_view cf_name, std::string_view prefix = {}) {
  auto cf = store.column_family(cf_name);
  BOOST_REQUIRE(cf.is_ok());
  size_t n = 0;
  BOOST_REQUIRE(store.scan_prefix(cf.value(), prefix, [&](std::string_view, std::string_view) {
    ++n;
    return true;
  }).is_ok());
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(record_retention_test)

BOOST_AUTO_TEST_CASE(last_day_is_the_later_of_occurred_and_reported) {
  Date last;
  BOOST_REQUIRE(read_record_last_day(record_of(TestEvent("a").on("2024-03-05")), last));
  BOOST_TEST(last == date("2024-03-05"));
  // An old incident reported now: volume_drop counts it on the day reported.
  BOOST_REQUIRE(read_record_last_day(
      record_of(TestEvent("b").on("2015-06-01").reported(date("2024-03-09"))), last));
  BOOST_TEST(last == date("2024-03-09"));
  BOOST_TEST(!read_record_last_day("", last));
  BOOST_TEST(!read_record_last_day(std::string_view("\x02\x00", 2), last));
}

BOOST_AUTO_TEST_CASE(past_retention_is_judged_on_the_stream_time) {
  const RecordRetention r(100);
  const std::string rec = record_of(TestEvent("a").on("2024-01-01"));
  BOOST_TEST(r.horizon(date("2024-04-10")) == date("2024-01-01"));
  BOOST_TEST(!r.past_retention(rec, date("2024-04-10")));  // exactly 100 days: kept
  BOOST_TEST(r.past_retention(rec, date("2024-04-11")));
  BOOST_TEST(!r.past_retention("not a record", date("2030-01-01")));
}

BOOST_AUTO_TEST_CASE(published_horizons_never_move_back) {
  RecordRetention r(10);
  BOOST_TEST(!r.published_horizon(0).has_value());
  BOOST_TEST(r.publish(0, date("2024-01-31")));
  BOOST_TEST(r.published_horizon(0).value() == date("2024-01-21"));
  BOOST_TEST(!r.publish(0, date("2024-01-15")));
  BOOST_TEST(r.published_horizon(0).value() == date("2024-01-21"));
  BOOST_TEST(r.publish(0, date("2024-02-10")));
  BOOST_TEST(r.published_horizon(0).value() == date("2024-01-31"));
  BOOST_TEST(!r.published_horizon(1).has_value());
}

BOOST_AUTO_TEST_CASE(droppable_needs_a_published_horizon_for_the_key_s_partition) {
  const std::map<int32_t, Date> horizons = {{3, date("2024-01-10")}};
  const std::string old_rec = record_of(TestEvent("a").on("2024-01-09"));
  const std::string new_rec = record_of(TestEvent("b").on("2024-01-10"));
  BOOST_TEST(RecordRetention::droppable(record_key(3, "a"), old_rec, horizons));
  BOOST_TEST(!RecordRetention::droppable(record_key(3, "b"), new_rec, horizons));
  BOOST_TEST(!RecordRetention::droppable(record_key(4, "a"), old_rec, horizons));  // nothing published
  BOOST_TEST(!RecordRetention::droppable("ab", old_rec, horizons));                // no prefix
  BOOST_TEST(!RecordRetention::droppable(record_key(3, "c"), "garbage", horizons));
}

BOOST_AUTO_TEST_CASE(compaction_drops_only_records_before_their_partition_s_horizon) {
  TempDir dir;
  auto retention = std::make_shared<RecordRetention>(30);
  auto store = open_store(dir.path(), retention);
  BOOST_TEST(store->record_retention() == retention);
  const auto records = store->column_family(kRecordsColumnFamily).value();
  const auto other = store->column_family("other").value();

  // 100 daily records in each of partitions 0 and 1, and the same keys and
  // values in another column family.
  StateBatch batch = store->new_batch();
  for (int32_t p = 0; p < 2; ++p) {
    for (int d = 0; d < 100; ++d) {
      const std::string id = "R" + std::to_string(d);
      const std::string rec = record_of(TestEvent(id).on(Date{date("2024-01-01").days + d}));
      batch.put(records, record_key(p, id), rec);
      batch.put(other, record_key(p, id), rec);
    }
  }
  BOOST_REQUIRE(store->write(batch).is_ok());

  // Before any horizon is published, compaction keeps everything.
  BOOST_REQUIRE(store->compact_all().is_ok());
  BOOST_TEST(count(*store, kRecordsColumnFamily) == 200u);

  // Partition 0 reached day 99: its horizon is day 69, so days 0-68 go.
  retention->publish(0, Date{date("2024-01-01").days + 99});
  BOOST_REQUIRE(store->compact_all().is_ok());
  BOOST_TEST(count(*store, kRecordsColumnFamily, partition_prefix(0)) == 31u);
  BOOST_TEST(count(*store, kRecordsColumnFamily, partition_prefix(1)) == 100u);
  BOOST_TEST(count(*store, "other") == 200u);  // the filter is the records family's only
  BOOST_TEST(retention->dropped() == 69u);

  // Reopened, the filter is there again (and so is any column family
  // created after the open, through ensure_column_family).
  store.reset();
  store = open_store(dir.path(), retention);
  retention->publish(1, Date{date("2024-01-01").days + 129});  // horizon day 99
  BOOST_REQUIRE(store->compact_all().is_ok());
  BOOST_TEST(count(*store, kRecordsColumnFamily, partition_prefix(1)) == 1u);
}

BOOST_AUTO_TEST_CASE(records_created_after_open_are_filtered_too) {
  TempDir dir;
  auto retention = std::make_shared<RecordRetention>(1);
  StateStoreOptions o;
  o.path = dir.path();
  o.block_cache_bytes = 8 << 20;
  o.write_buffer_bytes = 1 << 20;
  o.record_retention = retention;
  auto store = std::move(StateStore::open(o)).value();
  const auto records = store->ensure_column_family(kRecordsColumnFamily).value();
  StateBatch batch = store->new_batch();
  batch.put(records, record_key(0, "x"), record_of(TestEvent("x").on("2024-01-01")));
  BOOST_REQUIRE(store->write(batch).is_ok());
  retention->publish(0, date("2024-01-03"));
  BOOST_REQUIRE(store->compact_all().is_ok());
  BOOST_TEST(count(*store, kRecordsColumnFamily) == 0u);
}

BOOST_AUTO_TEST_CASE(info_log_is_rolled) {
  TempDir dir;
  { auto store = open_store(dir.path(), nullptr); }
  // RocksDB writes the options it ran with to OPTIONS-<n>.
  std::string options;
  for (const auto& f : std::filesystem::directory_iterator(dir.path())) {
    if (f.path().filename().string().rfind("OPTIONS-", 0) == 0) {
      std::ifstream in(f.path());
      std::stringstream text;
      text << in.rdbuf();
      options = text.str();
    }
  }
  BOOST_REQUIRE(!options.empty());
  BOOST_TEST(options.find("max_log_file_size=8388608") != std::string::npos);
  BOOST_TEST(options.find("keep_log_file_num=4") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace vigil

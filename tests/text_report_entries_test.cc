// The text_cluster detector's per-report entries (detectors/
// text_report_entries.h): a revision finds the entry of its report wherever
// it is (added in this batch, in the batch being written, stored by an
// earlier save, or stored one key per report by the former version), finds
// it once, and never finds one of another day or of a report taken back;
// expired days go in both formats; damaged values are refused at restore.
#include <boost/test/unit_test.hpp>

#include <string>

#include "detectors/text_report_entries.h"
#include "state/key_encoding.h"
#include "tests/test_events.h"

namespace vigil::testing {
namespace {

constexpr uint64_t kMaxMask = 0xfff;
const std::string kPrefix = "P";

struct Fixture {
  TempDir dir;
  std::unique_ptr<StateStore> store = open_test_store(dir.sub("db"));
  ColumnFamilyId cf = store->ensure_column_family("text").value();
  TextReportEntries entries{kPrefix, cf};

  void save(int32_t horizon = -1000) {
    StateBatch batch = store->new_batch();
    entries.save(batch, horizon);
    const Status s = store->write(batch);
    BOOST_TEST_REQUIRE(s.is_ok(), s.message());
  }
  // A new object restored from the store, as after a restart.
  void restart() {
    save();
    entries = TextReportEntries(kPrefix, cf);
    const Status s = entries.restore(*store, kMaxMask);
    BOOST_TEST_REQUIRE(s.is_ok(), s.message());
  }
  void put_raw(const std::string& key, const std::string& value) {
    StateBatch batch = store->new_batch();
    batch.put(cf, key, value);
    BOOST_TEST_REQUIRE(store->write(batch).is_ok());
  }
  // A key of the former format: prefix 'i' + day + id.
  static std::string former_key(int32_t day, std::string_view id) {
    std::string k = kPrefix + 'i';
    append_u32_be(k, static_cast<uint32_t>(day) ^ 0x80000000u);
    k.append(id);
    return k;
  }
};

void expect_entry(TextReportEntries& e, int32_t day, std::string_view id, const StateStore* store,
                  uint64_t cluster, uint32_t mask) {
  const auto found = e.take_back(day, id, store);
  BOOST_TEST_REQUIRE(found.has_value(), "no entry for " << id << " on day " << day);
  BOOST_TEST(found->cluster == cluster);
  BOOST_TEST(found->mask == mask);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(text_report_entries_test)

BOOST_AUTO_TEST_CASE(an_entry_is_found_once_wherever_it_is) {
  Fixture f;
  f.entries.add(100, "A", 7, 0b101);
  f.entries.add(100, "B", 8, 0b1);
  f.entries.add(101, "C", 9, 0);
  // Added in this batch.
  BOOST_TEST(!f.entries.take_back(101, "A", f.store.get()));  // another day: none
  expect_entry(f.entries, 100, "A", f.store.get(), 7, 0b101);
  BOOST_TEST(!f.entries.take_back(100, "A", f.store.get()));  // taken back already
  f.entries.add(102, "A", 11, 0b10);                           // its revision, on another day
  // In the batch being written.
  f.save();
  expect_entry(f.entries, 100, "B", f.store.get(), 8, 0b1);
  // Stored, after a restart: the later save's entry is the one in force.
  f.restart();
  BOOST_TEST(!f.entries.take_back(100, "A", f.store.get()));
  BOOST_TEST(!f.entries.take_back(100, "B", f.store.get()));
  expect_entry(f.entries, 102, "A", f.store.get(), 11, 0b10);
  expect_entry(f.entries, 101, "C", f.store.get(), 9, 0);
  f.restart();
  BOOST_TEST(!f.entries.take_back(102, "A", f.store.get()));
  BOOST_TEST(!f.entries.take_back(101, "C", f.store.get()));
}

BOOST_AUTO_TEST_CASE(many_reports_share_a_value_per_day_and_bucket) {
  Fixture f;
  for (int i = 0; i < 2000; ++i) f.entries.add(200 + i % 3, "R" + std::to_string(i), 1 + i % 50, i % 7);
  f.save();
  size_t values = 0;
  const Status s = f.store->scan_prefix(f.cf, kPrefix + 'j', [&](std::string_view, std::string_view) {
    ++values;
    return true;
  });
  BOOST_TEST_REQUIRE(s.is_ok());
  BOOST_TEST(values <= 3u * kEntryBuckets);  // not one key per report
  f.restart();
  for (int i = 0; i < 2000; i += 97) {
    expect_entry(f.entries, 200 + i % 3, "R" + std::to_string(i), f.store.get(), 1 + i % 50,
                 static_cast<uint32_t>(i % 7));
  }
}

BOOST_AUTO_TEST_CASE(entries_of_the_former_format_are_read_and_expire) {
  Fixture f;
  std::string value;
  append_varint(value, 42);
  append_varint(value, 3);
  f.put_raw(Fixture::former_key(300, "OLD-1"), value);
  f.put_raw(Fixture::former_key(301, "OLD-2"), value);
  f.restart();
  expect_entry(f.entries, 300, "OLD-1", f.store.get(), 42, 3);
  BOOST_TEST(!f.entries.take_back(300, "OLD-1", f.store.get()));
  f.restart();  // the record that it was taken back outlives the batch
  BOOST_TEST(!f.entries.take_back(300, "OLD-1", f.store.get()));
  f.entries.add(301, "NEW", 5, 1);
  f.save();
  f.entries.expire(301);
  f.restart();
  BOOST_TEST(!f.entries.take_back(301, "OLD-2", f.store.get()));
  BOOST_TEST(!f.entries.take_back(301, "NEW", f.store.get()));
}

BOOST_AUTO_TEST_CASE(days_before_the_horizon_are_not_written) {
  Fixture f;
  f.entries.add(400, "EARLY", 3, 0);
  f.entries.add(410, "LATER", 4, 0);
  f.save(405);
  f.restart();
  BOOST_TEST(!f.entries.take_back(400, "EARLY", f.store.get()));
  expect_entry(f.entries, 410, "LATER", f.store.get(), 4, 0);
}

BOOST_AUTO_TEST_CASE(damaged_values_are_refused_at_restore) {
  Fixture f;
  f.entries.add(500, "A", 1, 0);
  f.restart();
  std::string key = kPrefix + 'j';
  append_u32_be(key, static_cast<uint32_t>(500) ^ 0x80000000u);
  key.push_back('\0');
  append_u64_be(key, 0);
  f.put_raw(key, std::string("\x01\x05" "AB", 4));  // an id cut short
  TextReportEntries again(kPrefix, f.cf);
  const Status s = again.restore(*f.store, kMaxMask);
  BOOST_TEST(!s.is_ok());
  BOOST_TEST((s.error().kind == ErrorKind::kCorruption));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace vigil::testing

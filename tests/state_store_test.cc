#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "state/key_encoding.h"
#include "state/state_store.h"
#include "tests/test_events.h"

namespace vigil {
namespace {

using testing::TempDir;

struct Fixture {
  TempDir dir;
  std::string db_path = dir.sub("db");
};

StateStoreOptions small_options(const std::string& path, std::vector<std::string> cfs = {}) {
  StateStoreOptions options;
  options.path = path;
  options.block_cache_bytes = 8 << 20;
  options.write_buffer_bytes = 2 << 20;
  options.column_families = std::move(cfs);
  return options;
}

std::string describe(const Status& status) { return status ? "ok" : status.message(); }

std::unique_ptr<StateStore> open_store(const std::string& path, std::vector<std::string> cfs = {}) {
  Result<std::unique_ptr<StateStore>> opened = StateStore::open(small_options(path, cfs));
  BOOST_TEST_REQUIRE(opened.is_ok(), "open failed: " << describe(opened.status()));
  return std::move(opened).value();
}

ColumnFamilyId cf_id(const StateStore& store, std::string_view name) {
  Result<ColumnFamilyId> id = store.column_family(name);
  BOOST_TEST_REQUIRE(id.is_ok(), "no column family " << name << ": " << describe(id.status()));
  return id.value();
}

void write_ok(StateStore& store, StateBatch& batch) {
  const Status written = store.write(batch);
  BOOST_TEST_REQUIRE(written.is_ok(), "write failed: " << describe(written));
}

std::optional<std::string> read(const StateStore& store, ColumnFamilyId cf, std::string_view key) {
  std::string value;
  Result<bool> found = store.get(cf, key, value);
  BOOST_TEST_REQUIRE(found.is_ok(), "get failed: " << describe(found.status()));
  if (!found.value()) return std::nullopt;
  return value;
}

using Entries = std::vector<std::pair<std::string, std::string>>;

Entries scan(const StateStore& store, ColumnFamilyId cf, std::string_view prefix,
             size_t limit = SIZE_MAX) {
  Entries out;
  const Status scanned =
      store.scan_prefix(cf, prefix, [&](std::string_view key, std::string_view value) {
        out.emplace_back(key, value);
        return out.size() < limit;
      });
  BOOST_TEST_REQUIRE(scanned.is_ok(), "scan failed: " << describe(scanned));
  return out;
}

std::string pkey(int32_t partition, std::string_view suffix) {
  std::string key = partition_prefix(partition);
  key.append(suffix);
  return key;
}

BOOST_AUTO_TEST_SUITE(state_store_test)

BOOST_FIXTURE_TEST_CASE(open_creates_directory_and_column_families, Fixture) {
  const std::string nested = dir.sub("a/b/db");
  auto store = open_store(nested, {"detectors", "offsets"});
  BOOST_TEST(std::filesystem::is_directory(nested));
  BOOST_TEST(cf_id(*store, "default") == kDefaultColumnFamily);
  const ColumnFamilyId detectors = cf_id(*store, "detectors");
  const ColumnFamilyId offsets = cf_id(*store, "offsets");
  BOOST_TEST(detectors != offsets);
  BOOST_TEST(detectors != kDefaultColumnFamily);

  Result<ColumnFamilyId> missing = store->column_family("nope");
  BOOST_TEST_REQUIRE(!missing.is_ok());
  BOOST_TEST((missing.error().kind == ErrorKind::kNotFound));

  std::string value;
  BOOST_TEST(!store->get(1000, "k", value).is_ok());
  BOOST_TEST(!store->scan_prefix(1000, "", [](auto, auto) { return true; }).is_ok());
  BOOST_TEST(!store->ensure_column_family("").is_ok());
}

BOOST_FIXTURE_TEST_CASE(column_families_survive_reopen, Fixture) {
  ColumnFamilyId ensured = 0;
  {
    auto store = open_store(db_path, {"listed"});
    Result<ColumnFamilyId> created = store->ensure_column_family("ensured");
    BOOST_TEST_REQUIRE(created.is_ok());
    ensured = created.value();
    BOOST_TEST(store->ensure_column_family("ensured").value() == ensured);
    BOOST_TEST(cf_id(*store, "ensured") == ensured);
    StateBatch batch = store->new_batch();
    batch.put(ensured, "k", "in ensured");
    batch.put(cf_id(*store, "listed"), "k", "in listed");
    write_ok(*store, batch);
  }
  {
    // Neither family is listed now; both must still open, with their data.
    auto store = open_store(db_path);
    BOOST_TEST(cf_id(*store, "ensured") == ensured);  // RocksDB ids are persistent
    BOOST_TEST(read(*store, cf_id(*store, "ensured"), "k").value() == "in ensured");
    BOOST_TEST(read(*store, cf_id(*store, "listed"), "k").value() == "in listed");
    BOOST_TEST(store->ensure_column_family("listed").value() == cf_id(*store, "listed"));
  }
  {
    auto store = open_store(db_path, {"added later"});
    BOOST_TEST(!read(*store, cf_id(*store, "added later"), "k").has_value());
    BOOST_TEST(read(*store, cf_id(*store, "ensured"), "k").value() == "in ensured");
  }
}

BOOST_FIXTURE_TEST_CASE(batch_across_column_families_is_atomic_and_durable, Fixture) {
  {
    auto store = open_store(db_path, {"state", "offsets"});
    const ColumnFamilyId state = cf_id(*store, "state");
    const ColumnFamilyId offsets = cf_id(*store, "offsets");

    StateBatch seed = store->new_batch();
    seed.put(state, "old", "to be erased");
    write_ok(*store, seed);

    StateBatch batch = store->new_batch();
    batch.put(state, "count", "7");
    batch.put(offsets, pkey(3, "offset"), "1234");
    batch.put(kDefaultColumnFamily, "meta", "v1");
    batch.erase(state, "old");
    BOOST_TEST(batch.count() == 4u);
    // Nothing is visible until the batch is written.
    BOOST_TEST(!read(*store, state, "count").has_value());
    BOOST_TEST(read(*store, state, "old").value() == "to be erased");
    write_ok(*store, batch);
    BOOST_TEST(batch.empty());
    BOOST_TEST(read(*store, state, "count").value() == "7");
    BOOST_TEST(read(*store, offsets, pkey(3, "offset")).value() == "1234");
    BOOST_TEST(!read(*store, state, "old").has_value());

    // One bad operation fails the whole batch: none of the good ones apply.
    StateBatch bad = store->new_batch();
    bad.put(state, "count", "8");
    bad.put(999, "k", "v");
    bad.put(offsets, pkey(3, "offset"), "1300");
    const Status rejected = store->write(bad);
    BOOST_TEST_REQUIRE(!rejected.is_ok());
    BOOST_TEST((rejected.error().kind == ErrorKind::kInvalidArgument));
    BOOST_TEST(!bad.empty());  // kept for inspection
    BOOST_TEST(read(*store, state, "count").value() == "7");
    BOOST_TEST(read(*store, offsets, pkey(3, "offset")).value() == "1234");
    bad.clear();
    BOOST_TEST(store->write(bad).is_ok());  // the remembered problem went with clear()
  }
  // Close and open again: a restart.
  auto store = open_store(db_path);
  const ColumnFamilyId state = cf_id(*store, "state");
  BOOST_TEST(read(*store, state, "count").value() == "7");
  BOOST_TEST(read(*store, cf_id(*store, "offsets"), pkey(3, "offset")).value() == "1234");
  BOOST_TEST(read(*store, kDefaultColumnFamily, "meta").value() == "v1");
  BOOST_TEST(!read(*store, state, "old").has_value());
}

BOOST_FIXTURE_TEST_CASE(batch_bookkeeping_and_ownership, Fixture) {
  auto store = open_store(db_path);
  auto other = open_store(dir.sub("other"));
  StateBatch batch = store->new_batch();
  BOOST_TEST(batch.empty());
  const size_t header = batch.byte_size();
  batch.put(kDefaultColumnFamily, "key", "value");
  batch.erase(kDefaultColumnFamily, "gone");
  batch.erase_prefix(kDefaultColumnFamily, "p");
  BOOST_TEST(batch.count() == 3u);
  BOOST_TEST(batch.byte_size() > header + 3 + 5 + 4);

  BOOST_TEST(!other->write(batch).is_ok());  // bound to `store`, not `other`
  StateBatch moved = std::move(batch);
  BOOST_TEST(moved.count() == 3u);
  BOOST_TEST(!store->write(batch).is_ok());  // NOLINT(bugprone-use-after-move): unbound now
  write_ok(*store, moved);
  BOOST_TEST(read(*store, kDefaultColumnFamily, "key").value() == "value");
  StateBatch empty = store->new_batch();
  write_ok(*store, empty);
}

BOOST_FIXTURE_TEST_CASE(scan_prefix_order_early_stop_and_partition_isolation, Fixture) {
  auto store = open_store(db_path, {"state"});
  const ColumnFamilyId cf = cf_id(*store, "state");
  // Partitions whose prefixes differ in one byte each, plus suffixes with
  // high bytes that signed-char comparison would misorder.
  const std::vector<int32_t> partitions = {65536, 1, 256, 0, 257};
  const std::vector<std::string> suffixes = {"b", std::string("\xFF", 1), "a", "",
                                             std::string("\x80x", 2), "ab"};
  StateBatch batch = store->new_batch();
  for (int32_t p : partitions) {
    for (const std::string& s : suffixes) batch.put(cf, pkey(p, s), std::to_string(p) + "/" + s);
  }
  write_ok(*store, batch);

  const std::vector<std::string> ordered = {"", "a", "ab", "b", std::string("\x80x", 2),
                                            std::string("\xFF", 1)};
  for (int32_t p : partitions) {
    const Entries got = scan(*store, cf, partition_prefix(p));
    BOOST_TEST_REQUIRE(got.size() == ordered.size());
    for (size_t i = 0; i < ordered.size(); ++i) {
      BOOST_TEST(got[i].first == pkey(p, ordered[i]));
      BOOST_TEST(got[i].second == std::to_string(p) + "/" + ordered[i]);
    }
  }
  BOOST_TEST(scan(*store, cf, partition_prefix(2)).empty());
  BOOST_TEST(scan(*store, cf, partition_prefix(1), 2).size() == 2u);  // early stop
  BOOST_TEST(scan(*store, cf, pkey(256, "a")).size() == 2u);          // "a", "ab"

  // The whole family in byte order: partition 0, 1, 256, 257, 65536.
  const Entries all = scan(*store, cf, "");
  BOOST_TEST_REQUIRE(all.size() == partitions.size() * suffixes.size());
  for (size_t i = 1; i < all.size(); ++i) BOOST_TEST(all[i - 1].first.compare(all[i].first) < 0);
  BOOST_TEST(read_partition_prefix(all.front().first).value() == 0);
  BOOST_TEST(read_partition_prefix(all.back().first).value() == 65536);

  // A scan sees the snapshot taken at its start, not writes made during it.
  size_t seen = 0;
  const Status scanned =
      store->scan_prefix(cf, partition_prefix(1), [&](std::string_view, std::string_view) {
        StateBatch more = store->new_batch();
        more.put(cf, pkey(1, "zz" + std::to_string(seen)), "late");
        BOOST_TEST(store->write(more).is_ok());
        ++seen;
        return true;
      });
  BOOST_TEST(scanned.is_ok());
  BOOST_TEST(seen == ordered.size());
  BOOST_TEST(scan(*store, cf, partition_prefix(1)).size() == 2 * ordered.size());
}

BOOST_FIXTURE_TEST_CASE(erase_prefix_removes_one_partition_only, Fixture) {
  auto store = open_store(db_path, {"state"});
  const ColumnFamilyId cf = cf_id(*store, "state");
  StateBatch batch = store->new_batch();
  for (int32_t p : {1, 256, 257, 65536}) {
    for (int i = 0; i < 100; ++i) batch.put(cf, pkey(p, std::to_string(i)), "v");
  }
  batch.put(cf, std::string(4, '\xFF') + "tail", "v");
  write_ok(*store, batch);

  // Within one batch: erased before the range delete, kept after it.
  batch.put(cf, pkey(256, "written before"), "v");
  batch.erase_prefix(cf, partition_prefix(256));
  batch.put(cf, pkey(256, "written after"), "v");
  write_ok(*store, batch);
  const Entries left = scan(*store, cf, partition_prefix(256));
  BOOST_TEST_REQUIRE(left.size() == 1u);
  BOOST_TEST(left[0].first == pkey(256, "written after"));
  BOOST_TEST(scan(*store, cf, partition_prefix(1)).size() == 100u);
  BOOST_TEST(scan(*store, cf, partition_prefix(257)).size() == 100u);
  BOOST_TEST(scan(*store, cf, partition_prefix(65536)).size() == 100u);

  // Prefixes without a finite successor are refused, and nothing applies.
  for (const std::string& unbounded : {std::string(), std::string(4, '\xFF')}) {
    batch.put(cf, pkey(1, "new"), "v");
    batch.erase_prefix(cf, unbounded);
    const Status rejected = store->write(batch);
    BOOST_TEST_REQUIRE(!rejected.is_ok());
    BOOST_TEST((rejected.error().kind == ErrorKind::kInvalidArgument));
    batch.clear();
  }
  BOOST_TEST(!read(*store, cf, pkey(1, "new")).has_value());
  BOOST_TEST(read(*store, cf, std::string(4, '\xFF') + "tail").value() == "v");

  // Range deletes survive a restart.
  store.reset();
  store = open_store(db_path);
  BOOST_TEST(scan(*store, cf_id(*store, "state"), partition_prefix(256)).size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(approximate_bytes_grows_with_data, Fixture) {
  auto store = open_store(db_path, {"state"});
  const ColumnFamilyId cf = cf_id(*store, "state");
  const uint64_t before = store->approximate_bytes();
  std::mt19937_64 rng(7);
  std::string value(1024, '\0');
  constexpr int kRecords = 2048;  // 2 MiB of incompressible values
  for (int i = 0; i < kRecords; ++i) {
    for (char& c : value) c = static_cast<char>(rng());
    StateBatch batch = store->new_batch();
    batch.put(cf, pkey(i % 4, std::to_string(i)), value);
    write_ok(*store, batch);
  }
  const uint64_t after = store->approximate_bytes();
  BOOST_TEST(after > before + (kRecords * 1024) / 2);

  // After a restart the log is replayed and flushed: the bytes are in SSTs.
  store.reset();
  store = open_store(db_path);
  BOOST_TEST(store->approximate_bytes() > uint64_t{kRecords * 1024} / 2);
}

// The vigil_state_volume_* gauges: the file system of the database directory.
BOOST_FIXTURE_TEST_CASE(volume_space_is_that_of_the_state_directory, Fixture) {
  auto store = open_store(db_path);
  const std::optional<VolumeSpace> space = store->volume_space();
  BOOST_TEST_REQUIRE(space.has_value());
  // Capacity is fixed; available space may move with other writers.
  BOOST_TEST(space->capacity_bytes == std::filesystem::space(db_path).capacity);
  BOOST_TEST(space->capacity_bytes > 0u);
  BOOST_TEST(space->available_bytes <= space->capacity_bytes);
}

BOOST_FIXTURE_TEST_CASE(checkpoint_opens_as_separate_database, Fixture) {
  auto store = open_store(db_path, {"state", "offsets"});
  const ColumnFamilyId state = cf_id(*store, "state");
  const ColumnFamilyId offsets = cf_id(*store, "offsets");
  StateBatch batch = store->new_batch();
  for (int i = 0; i < 50; ++i) batch.put(state, pkey(1, std::to_string(i)), "s");
  batch.put(offsets, partition_prefix(1), "50");
  write_ok(*store, batch);

  const std::string snapshot = dir.sub("checkpoint");
  const Status made = store->checkpoint(snapshot);
  BOOST_TEST_REQUIRE(made.is_ok(), describe(made));
  BOOST_TEST(!store->checkpoint(snapshot).is_ok());  // the directory exists now

  batch.put(offsets, partition_prefix(1), "51");  // after the checkpoint
  batch.put(state, pkey(1, "later"), "s");
  write_ok(*store, batch);

  auto copy = open_store(snapshot);  // while the original is still open
  BOOST_TEST(scan(*copy, cf_id(*copy, "state"), partition_prefix(1)).size() == 50u);
  BOOST_TEST(read(*copy, cf_id(*copy, "offsets"), partition_prefix(1)).value() == "50");
  BOOST_TEST(read(*store, offsets, partition_prefix(1)).value() == "51");

  // The copy is independent: writing to it leaves the original alone.
  StateBatch diverge = copy->new_batch();
  diverge.put(cf_id(*copy, "state"), "only in copy", "x");
  write_ok(*copy, diverge);
  BOOST_TEST(!read(*store, state, "only in copy").has_value());
}

BOOST_FIXTURE_TEST_CASE(unusable_paths_and_options_give_errors, Fixture) {
  const std::string file = dir.sub("plain_file");
  std::ofstream(file) << "not a database";
  for (const std::string& path : {file, file + "/db"}) {
    Result<std::unique_ptr<StateStore>> opened = StateStore::open(small_options(path));
    BOOST_TEST_REQUIRE(!opened.is_ok(), path);
    BOOST_TEST((opened.error().kind == ErrorKind::kIo));
    BOOST_TEST(!opened.error().message.empty());
  }

  StateStoreOptions no_path = small_options("");
  BOOST_TEST(!StateStore::open(no_path).is_ok());
  StateStoreOptions too_big_buffers = small_options(db_path);
  too_big_buffers.write_buffer_bytes = too_big_buffers.block_cache_bytes + 1;
  BOOST_TEST(!StateStore::open(too_big_buffers).is_ok());
  StateStoreOptions empty_cf = small_options(db_path, {""});
  BOOST_TEST(!StateStore::open(empty_cf).is_ok());

  // A second open of a database in use fails on RocksDB's lock, cleanly.
  auto store = open_store(db_path);
  Result<std::unique_ptr<StateStore>> second = StateStore::open(small_options(db_path));
  BOOST_TEST_REQUIRE(!second.is_ok());
  BOOST_TEST(second.error().message.find("lock") != std::string::npos, second.error().message);
}

// Debian's RocksDB aborts at Close() if a column-family handle or iterator is
// still alive. Many of both, plus concurrent users, must still close cleanly.
BOOST_FIXTURE_TEST_CASE(many_handles_and_iterators_close_cleanly, Fixture) {
  constexpr int kFamilies = 24;
  {
    auto store = open_store(db_path, {"listed"});
    std::vector<ColumnFamilyId> ids;
    StateBatch batch = store->new_batch();
    for (int i = 0; i < kFamilies; ++i) {
      Result<ColumnFamilyId> id = store->ensure_column_family("cf" + std::to_string(i));
      BOOST_TEST_REQUIRE(id.is_ok());
      ids.push_back(id.value());
      for (int k = 0; k < 3; ++k) batch.put(id.value(), pkey(k, "key"), "v");
    }
    write_ok(*store, batch);

    // One iterator per family alive at once: scans nested kFamilies deep.
    int deepest = 0;
    std::function<void(int)> nest = [&](int level) {
      deepest = std::max(deepest, level);
      if (level == kFamilies) return;
      const Status s = store->scan_prefix(ids[level], "", [&](std::string_view, std::string_view) {
        nest(level + 1);
        return false;
      });
      BOOST_TEST(s.is_ok());
    };
    nest(0);
    BOOST_TEST(deepest == kFamilies);

    // A visitor that throws still releases its iterator.
    BOOST_CHECK_THROW(static_cast<void>(store->scan_prefix(
                          ids[0], "", [](std::string_view, std::string_view) -> bool {
                            throw std::runtime_error("visitor failed");
                          })),
                      std::runtime_error);

    // Concurrent readers, writers and family creation.
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int round = 0; round < 200; ++round) {
          const ColumnFamilyId cf = ids[(t * 7 + round) % kFamilies];
          StateBatch b = store->new_batch();
          b.put(cf, pkey(t, std::to_string(round)), "w");
          if (!store->write(b)) ++failures;
          if (!store->scan_prefix(cf, partition_prefix(t), [](auto, auto) { return true; })) {
            ++failures;
          }
          if (round % 50 == 0 &&
              !store->ensure_column_family("t" + std::to_string(t) + "_" + std::to_string(round))) {
            ++failures;
          }
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    BOOST_TEST(failures.load() == 0);
    store.reset();  // closes with `batch` (now empty) still alive
  }
  auto store = open_store(db_path);
  BOOST_TEST(scan(*store, cf_id(*store, "cf0"), "").size() >= 3u);
  BOOST_TEST(cf_id(*store, "t3_150") > cf_id(*store, "cf23"));
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace
}  // namespace vigil

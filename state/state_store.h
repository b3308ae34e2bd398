// The durable store for detector state and input offsets: RocksDB with one
// column family per kind of state, opened with bounded memory.
//
// Memory: one LRU cache holds data blocks, index and filter blocks, and (via a
// WriteBufferManager that charges memtable memory to it) the memtables, so
// block_cache_bytes is the store's memory budget apart from iterators and the
// per-file table readers.
//
// Durability: every write goes to the write-ahead log, but the log is not
// fsynced per write. A process crash loses nothing; a machine crash may lose
// the last writes as whole batches, never part of one (see write()).
//
// Thread safety: every StateStore method may be called from any thread at the
// same time. A StateBatch is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/write_batch.h>

#include "core/result.h"

namespace rocksdb {
class Cache;
class ColumnFamilyHandle;
class DB;
class WriteBufferManager;
struct ColumnFamilyOptions;
}  // namespace rocksdb

namespace vigil {

class RecordRetention;

struct StateStoreOptions {
  std::string path;                      // directory, created if missing
  size_t block_cache_bytes = 256 << 20;  // one shared LRU cache for blocks, index/filter blocks
                                         // and memtables
  size_t write_buffer_bytes = 64 << 20;  // total memtable budget, charged to the cache
                                         // (WriteBufferManager); at most block_cache_bytes
  std::vector<std::string> column_families;  // wanted besides "default"; created when missing
  // When set, the records column family (kRecordsColumnFamily) gets a
  // compaction filter that drops per-id records past this retention
  // (state/record_retention.h). Null: records are kept forever.
  std::shared_ptr<RecordRetention> record_retention;
};

// RocksDB's own id of a column family. It is recorded in the database and so
// is stable across reopen, but resolve ids by name after every open rather
// than persisting them. Id 0 is "default".
using ColumnFamilyId = uint32_t;

inline constexpr ColumnFamilyId kDefaultColumnFamily = 0;

// The file system holding the state directory (the chart's volume claim).
struct VolumeSpace {
  uint64_t capacity_bytes = 0;
  uint64_t available_bytes = 0;  // what this unprivileged process may still write
};

class StateBatch;

class StateStore {
 public:
  // Opens (or creates) the database at options.path, creating the directory,
  // and the column families listed that do not exist yet. Column families that
  // exist but are not listed are opened too (RocksDB requires it) and can be
  // looked up by name. Fails with kInvalidArgument for bad options, kIo when
  // the path cannot be used as a directory or the database is locked by
  // another open, kCorruption when the files cannot be read. Reopening replays
  // the write-ahead log, so every write acknowledged before a process crash is
  // visible again.
  static Result<std::unique_ptr<StateStore>> open(const StateStoreOptions& options);

  // Makes a best-effort sync of the write-ahead log (call sync_wal() first to
  // learn whether it worked), releases every column-family handle, then closes
  // the database, in that order: Debian's RocksDB build asserts at Close() that
  // nothing still references the column families. Waits for running
  // background flushes and compactions. No batch of this store may be written
  // afterwards.
  ~StateStore();

  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // The id of an open column family; kNotFound if there is none by that name.
  Result<ColumnFamilyId> column_family(std::string_view name) const;

  // The id of the column family, creating it (durably, with the store's
  // options) if it does not exist. kInvalidArgument for an empty name.
  Result<ColumnFamilyId> ensure_column_family(std::string_view name);

  // Point read into `value`; returns false, leaving `value` unspecified, when
  // the key is absent. kInvalidArgument for an unknown column family id.
  // Bloom filters let the lookup skip nearly every SST file without the key.
  Result<bool> get(ColumnFamilyId cf, std::string_view key, std::string& value) const;

  // Visits the keys that start with `prefix` in byte order, with their values,
  // as of one consistent snapshot taken at the call. `visit` returns false to
  // stop early. The views are valid only during the call to `visit`. An empty
  // prefix visits the whole column family. `visit` may read and write the
  // store. The iterator is released before scan_prefix returns, including
  // when `visit` throws (the exception propagates). kInvalidArgument for an
  // unknown column family id.
  Status scan_prefix(
      ColumnFamilyId cf, std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const;

  // An empty batch bound to this store. It must not be written after the
  // store is destroyed.
  StateBatch new_batch();

  // Applies the batch atomically across column families (one WriteBatch): a
  // reader or a reopen sees all of it or none of it. Clears the batch on
  // success; on failure the batch keeps its contents and nothing was applied.
  // kInvalidArgument when the batch named an unknown column family, used an
  // unbounded erase_prefix, or belongs to another store. Writing an empty
  // batch is a no-op.
  //
  // The write is logged but not fsynced (sync=false). The pipeline writes the
  // input offsets in the same batch as the state they produced, so a machine
  // crash that drops the unsynced tail of the log rolls state and offsets back
  // together to an earlier consistent point (recovery stops at the first
  // missing batch), and the consumer re-reads the lost input from the stored
  // offsets. Nothing is lost, only recomputed; an fsync per batch would cost a
  // disk flush per commit for no gain in correctness.
  Status write(StateBatch& batch);

  // Approximate bytes of state: the live SST files of every column family
  // (compressed, on disk) plus their memtables not yet flushed (in memory,
  // including arena overhead). Cheap: reads counters, no I/O. For the
  // vigil_state_bytes gauge; 0 if the counters are unavailable.
  uint64_t approximate_bytes() const;

  // Size and free space of the file system holding the database: one statfs
  // call. For the vigil_state_volume_* gauges, so that an alert sees the
  // volume filling before RocksDB finds it full and stops writing (every
  // commit then fails). nullopt if the file system cannot be queried.
  std::optional<VolumeSpace> volume_space() const;

  // Writes a consistent snapshot of every column family to `dir`, which must
  // not exist yet (its parent must), by flushing the memtables and
  // hard-linking the SST files (copying when `dir` is on another file system).
  // The result is a complete database that StateStore::open accepts.
  Status checkpoint(const std::string& dir) const;

  // Compacts every column family whole (flushing memtables first), so that
  // compaction filters have seen every entry and deleted entries are gone
  // from the files. Costs a rewrite of the whole store: for tests and
  // maintenance, never on the hot path.
  Status compact_all();

  // The retention the records column family is filtered by (null: none).
  const std::shared_ptr<RecordRetention>& record_retention() const { return record_retention_; }

  // Fsyncs the write-ahead log: every write so far survives a machine crash.
  // The destructor does this too but cannot report failure; call it before a
  // planned shutdown to know.
  Status sync_wal();

 private:
  friend class StateBatch;

  struct DbCloser {
    void operator()(rocksdb::DB* db) const;
  };
  struct HandleDestroyer {
    rocksdb::DB* db = nullptr;
    void operator()(rocksdb::ColumnFamilyHandle* handle) const;
  };
  using DbPtr = std::unique_ptr<rocksdb::DB, DbCloser>;
  using HandlePtr = std::unique_ptr<rocksdb::ColumnFamilyHandle, HandleDestroyer>;

  StateStore(std::shared_ptr<rocksdb::Cache> cache,
             std::shared_ptr<rocksdb::WriteBufferManager> write_buffer_manager,
             std::unique_ptr<rocksdb::ColumnFamilyOptions> cf_options,
             std::shared_ptr<RecordRetention> record_retention);

  // The options a column family of this name is opened or created with.
  rocksdb::ColumnFamilyOptions options_for(std::string_view name) const;

  // Takes ownership of `handle` and indexes it by id and name. Caller holds
  // handles_mutex_ exclusively (or is open(), before the store is shared).
  ColumnFamilyId adopt_handle(rocksdb::ColumnFamilyHandle* handle);

  // The handle for `cf`, or nullptr if unknown. Handles live until the
  // destructor, so the pointer stays valid after the lock is released.
  rocksdb::ColumnFamilyHandle* handle(ColumnFamilyId cf) const;

  // Declaration order matters for destruction: the handles go before the DB,
  // and the DB before the cache and write buffer manager it uses.
  std::shared_ptr<rocksdb::Cache> cache_;
  std::shared_ptr<rocksdb::WriteBufferManager> write_buffer_manager_;
  std::unique_ptr<rocksdb::ColumnFamilyOptions> cf_options_;  // for ensure_column_family
  std::shared_ptr<RecordRetention> record_retention_;           // may be null
  DbPtr db_;
  mutable std::shared_mutex handles_mutex_;
  std::vector<HandlePtr> handles_by_id_;  // index = ColumnFamilyId; null for gaps
  std::map<std::string, ColumnFamilyId, std::less<>> ids_by_name_;
};

// Writes to apply together. Built by StateStore::new_batch, applied by
// StateStore::write. Recording an operation never fails; a problem (unknown
// column family, unbounded erase_prefix) is remembered and reported by write,
// which then applies nothing. Movable, not copyable; a moved-from batch is
// unbound and writing it fails.
class StateBatch {
 public:
  StateBatch(StateBatch&& other) noexcept;
  StateBatch& operator=(StateBatch&& other) noexcept;
  StateBatch(const StateBatch&) = delete;
  StateBatch& operator=(const StateBatch&) = delete;
  ~StateBatch() = default;

  void put(ColumnFamilyId cf, std::string_view key, std::string_view value);
  void erase(ColumnFamilyId cf, std::string_view key);

  // Deletes every key that starts with `prefix` (one range tombstone over
  // [prefix, prefix_successor(prefix))), including keys written earlier in this
  // batch; later puts in the batch survive. The prefix must have a successor:
  // an empty or all-0xFF prefix makes write() fail with kInvalidArgument.
  // Partition prefixes of non-negative partitions always qualify.
  void erase_prefix(ColumnFamilyId cf, std::string_view prefix);

  size_t count() const;      // operations recorded
  size_t byte_size() const;  // serialized size, including RocksDB's 12-byte header
  bool empty() const;        // no operations recorded
  void clear();              // drops the operations and any remembered problem

 private:
  friend class StateStore;

  explicit StateBatch(StateStore* store) : store_(store) {}

  // Resolves `cf`, or remembers the failure and returns nullptr.
  rocksdb::ColumnFamilyHandle* resolve(ColumnFamilyId cf);
  void remember(Error error);

  StateStore* store_ = nullptr;
  rocksdb::WriteBatch batch_;
  Status problem_;  // the first problem recorded, reported by StateStore::write
};

}  // namespace vigil

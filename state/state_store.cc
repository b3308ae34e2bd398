#include "state/state_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/compaction_filter.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_buffer_manager.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <system_error>
#include <utility>

#include "core/check.h"
#include "state/key_encoding.h"
#include "state/record_retention.h"

namespace vigil {
namespace {

constexpr int kBloomBitsPerKey = 10;
constexpr int kMaxBackgroundJobs = 2;
constexpr size_t kMinMemtableBytes = 64 << 10;  // RocksDB's own lower limit
// RocksDB's info log (LOG) otherwise grows until the next restart; rolled
// at this size, at most kKeepInfoLogFiles + 1 files stay: 40 MiB at most.
constexpr size_t kMaxInfoLogFileBytes = 8 << 20;
constexpr size_t kKeepInfoLogFiles = 4;

rocksdb::Slice to_slice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

std::string_view to_view(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

ErrorKind error_kind(const rocksdb::Status& status) {
  switch (status.code()) {
    case rocksdb::Status::kNotFound:
      return ErrorKind::kNotFound;
    case rocksdb::Status::kCorruption:
      return ErrorKind::kCorruption;
    case rocksdb::Status::kInvalidArgument:
    case rocksdb::Status::kNotSupported:
    case rocksdb::Status::kColumnFamilyDropped:
      return ErrorKind::kInvalidArgument;
    case rocksdb::Status::kIOError:
    case rocksdb::Status::kIncomplete:
    case rocksdb::Status::kMergeInProgress:
    case rocksdb::Status::kAborted:
    case rocksdb::Status::kCompactionTooLarge:
    case rocksdb::Status::kExpired:
      return ErrorKind::kIo;
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTimedOut:
    case rocksdb::Status::kTryAgain:
    case rocksdb::Status::kShutdownInProgress:
      return ErrorKind::kUnavailable;
    case rocksdb::Status::kOk:
    case rocksdb::Status::kMaxCode:
      return ErrorKind::kFatal;  // not an error code: a caller converted a success
  }
  return ErrorKind::kFatal;
}

// Every RocksDB failure leaves this module as an Error carrying RocksDB's text.
Error to_error(std::string_view what, const rocksdb::Status& status) {
  return make_error(error_kind(status),
                    "state store: " + std::string(what) + ": " + status.ToString());
}

Status to_status(std::string_view what, const rocksdb::Status& status) {
  if (status.ok()) return Status::ok();
  return to_error(what, status);
}

rocksdb::CompressionType pick_compression(rocksdb::CompressionType wanted) {
  const std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  const bool available = std::find(supported.begin(), supported.end(), wanted) != supported.end();
  return available ? wanted : rocksdb::kNoCompression;
}

// Drops per-id records past retention during compactions. Each compaction
// gets its own filter with the horizons published when it started, so one
// compaction judges every record against the same horizons (and no lock is
// taken per key).
class RecordExpiryFilter final : public rocksdb::CompactionFilter {
 public:
  explicit RecordExpiryFilter(std::shared_ptr<RecordRetention> retention)
      : retention_(std::move(retention)), horizons_(retention_->published_horizons()) {}
  ~RecordExpiryFilter() override { retention_->count_dropped(dropped_); }

  bool Filter(int, const rocksdb::Slice& key, const rocksdb::Slice& value, std::string*,
              bool*) const override {
    const bool drop = RecordRetention::droppable(std::string_view(key.data(), key.size()),
                                                 std::string_view(value.data(), value.size()),
                                                 horizons_);
    if (drop) ++dropped_;
    return drop;
  }
  const char* Name() const override { return "vigil.RecordExpiryFilter"; }

 private:
  std::shared_ptr<RecordRetention> retention_;
  std::map<int32_t, Date> horizons_;
  mutable uint64_t dropped_ = 0;  // a factory's filter is used by one thread
};

class RecordExpiryFilterFactory final : public rocksdb::CompactionFilterFactory {
 public:
  explicit RecordExpiryFilterFactory(std::shared_ptr<RecordRetention> retention)
      : retention_(std::move(retention)) {}
  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context&) override {
    return std::make_unique<RecordExpiryFilter>(retention_);
  }
  const char* Name() const override { return "vigil.RecordExpiryFilterFactory"; }

 private:
  std::shared_ptr<RecordRetention> retention_;
};

// Options shared by every column family: bloom filters and index blocks live
// in the one shared cache, so they count against the memory budget.
rocksdb::ColumnFamilyOptions make_cf_options(const StateStoreOptions& options,
                                             const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  // L0 files are read on every lookup that misses the memtable: keep their
  // filter and index resident instead of re-reading them after eviction.
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(kBloomBitsPerKey, false));
  table.whole_key_filtering = true;

  rocksdb::ColumnFamilyOptions cf;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // LZ4 is cheap enough for the hot upper levels; the bottommost level holds
  // most of the data and is rewritten rarely, so ZSTD's better ratio pays
  // there. Either falls back to no compression if the library lacks it.
  cf.compression = pick_compression(rocksdb::kLZ4Compression);
  cf.bottommost_compression = pick_compression(rocksdb::kZSTD);
  // Half the budget per memtable: a full memtable being flushed plus the new
  // one fit the WriteBufferManager's budget, which flushes earlier when many
  // column families are written at once.
  cf.write_buffer_size = std::max(options.write_buffer_bytes / 2, kMinMemtableBytes);
  cf.max_write_buffer_number = 2;
  // Most lookups are for report ids never seen before, and they would
  // otherwise walk the memtable skip list to find nothing: a small bloom
  // filter over whole memtable keys answers those misses at once.
  cf.memtable_whole_key_filtering = true;
  cf.memtable_prefix_bloom_size_ratio = 0.05;
  return cf;
}

Status validate(const StateStoreOptions& options) {
  if (options.path.empty()) {
    return make_error(ErrorKind::kInvalidArgument, "state store: path is empty");
  }
  if (options.block_cache_bytes == 0 || options.write_buffer_bytes == 0) {
    return make_error(ErrorKind::kInvalidArgument,
                      "state store: block_cache_bytes and write_buffer_bytes must be positive");
  }
  // Memtables are charged to the cache; a budget larger than the cache would
  // evict every data, index and filter block and still not fit. (The same
  // rule as the config check of state.write_buffer_bytes.)
  if (options.write_buffer_bytes > options.block_cache_bytes) {
    return make_error(ErrorKind::kInvalidArgument,
                      "state store: write_buffer_bytes must not exceed block_cache_bytes");
  }
  for (const std::string& name : options.column_families) {
    if (name.empty()) {
      return make_error(ErrorKind::kInvalidArgument, "state store: empty column family name");
    }
  }
  return Status::ok();
}

// The column families already in the database at `path`, or none for a new one.
Result<std::vector<std::string>> existing_column_families(const rocksdb::DBOptions& db_options,
                                                          const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(path) / "CURRENT", ec)) {
    return std::vector<std::string>{};
  }
  std::vector<std::string> names;
  const rocksdb::Status s = rocksdb::DB::ListColumnFamilies(db_options, path, &names);
  if (!s.ok()) return to_error("list column families of " + path, s);
  return names;
}

}  // namespace

void StateStore::DbCloser::operator()(rocksdb::DB* db) const {
  // Close() fails only for an error already reported to a writer (a
  // background I/O error); the database is released either way, and the
  // write-ahead log makes the next open recover.
  const rocksdb::Status closed = db->Close();
  static_cast<void>(closed);
  delete db;
}

void StateStore::HandleDestroyer::operator()(rocksdb::ColumnFamilyHandle* handle) const {
  // Fails only for the DB-owned DefaultColumnFamily() handle, which is never
  // adopted: open() keeps the separate default handle that DB::Open returns.
  VIGIL_CHECK(db->DestroyColumnFamilyHandle(handle).ok(), "column family handle not destroyed");
}

StateStore::StateStore(std::shared_ptr<rocksdb::Cache> cache,
                       std::shared_ptr<rocksdb::WriteBufferManager> write_buffer_manager,
                       std::unique_ptr<rocksdb::ColumnFamilyOptions> cf_options,
                       std::shared_ptr<RecordRetention> record_retention)
    : cache_(std::move(cache)),
      write_buffer_manager_(std::move(write_buffer_manager)),
      cf_options_(std::move(cf_options)),
      record_retention_(std::move(record_retention)) {}

rocksdb::ColumnFamilyOptions StateStore::options_for(std::string_view name) const {
  rocksdb::ColumnFamilyOptions options = *cf_options_;
  if (record_retention_ && name == kRecordsColumnFamily) {
    options.compaction_filter_factory =
        std::make_shared<RecordExpiryFilterFactory>(record_retention_);
  }
  return options;
}

StateStore::~StateStore() {
  if (!db_) return;
  const Status synced = sync_wal();
  static_cast<void>(synced);  // best effort; sync_wal() is there to check it
  std::unique_lock lock(handles_mutex_);
  handles_by_id_.clear();  // every handle before Close(), or Debian's build aborts
  ids_by_name_.clear();
  db_.reset();
}

Result<std::unique_ptr<StateStore>> StateStore::open(const StateStoreOptions& options) {
  if (Status valid = validate(options); !valid) return valid.error();

  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) {
    return make_error(ErrorKind::kIo,
                      "state store: cannot create directory " + options.path + ": " + ec.message());
  }

  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  auto write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(options.write_buffer_bytes, cache);
  auto cf_options = std::make_unique<rocksdb::ColumnFamilyOptions>(make_cf_options(options, cache));

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = kMaxBackgroundJobs;
  db_options.write_buffer_manager = write_buffer_manager;
  // Memtables are in the WAL, so shutdown need not flush them; leaving this
  // off keeps RocksDB's flush of any data that bypassed the WAL.
  db_options.avoid_flush_during_shutdown = false;
  // Replays the log up to the first damaged record and drops the rest: after
  // a machine crash the state is a consistent prefix of the batches written,
  // which is what write()'s unsynced contract relies on.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db_options.max_log_file_size = kMaxInfoLogFileBytes;
  db_options.keep_log_file_num = kKeepInfoLogFiles;

  Result<std::vector<std::string>> existing = existing_column_families(db_options, options.path);
  if (!existing) return existing.error();
  std::set<std::string> names(existing.value().begin(), existing.value().end());
  names.insert(rocksdb::kDefaultColumnFamilyName);
  names.insert(options.column_families.begin(), options.column_families.end());

  std::unique_ptr<StateStore> store(new StateStore(cache, write_buffer_manager,
                                                   std::move(cf_options), options.record_retention));
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.reserve(names.size());
  for (const std::string& name : names) descriptors.emplace_back(name, store->options_for(name));
  std::vector<rocksdb::ColumnFamilyHandle*> raw_handles;
  rocksdb::DB* raw_db = nullptr;
  const rocksdb::Status s =
      rocksdb::DB::Open(db_options, options.path, descriptors, &raw_handles, &raw_db);
  if (!s.ok()) return to_error("open " + options.path, s);
  store->db_.reset(raw_db);
  for (rocksdb::ColumnFamilyHandle* raw : raw_handles) store->adopt_handle(raw);
  return store;
}

ColumnFamilyId StateStore::adopt_handle(rocksdb::ColumnFamilyHandle* raw) {
  HandlePtr handle(raw, HandleDestroyer{db_.get()});
  const ColumnFamilyId id = handle->GetID();
  if (handles_by_id_.size() <= id) handles_by_id_.resize(id + 1);
  ids_by_name_[handle->GetName()] = id;
  handles_by_id_[id] = std::move(handle);
  return id;
}

rocksdb::ColumnFamilyHandle* StateStore::handle(ColumnFamilyId cf) const {
  std::shared_lock lock(handles_mutex_);
  return cf < handles_by_id_.size() ? handles_by_id_[cf].get() : nullptr;
}

Result<ColumnFamilyId> StateStore::column_family(std::string_view name) const {
  std::shared_lock lock(handles_mutex_);
  const auto it = ids_by_name_.find(name);
  if (it == ids_by_name_.end()) {
    return make_error(ErrorKind::kNotFound,
                      "state store: no column family named '" + std::string(name) + "'");
  }
  return it->second;
}

Result<ColumnFamilyId> StateStore::ensure_column_family(std::string_view name) {
  if (name.empty()) {
    return make_error(ErrorKind::kInvalidArgument, "state store: empty column family name");
  }
  std::unique_lock lock(handles_mutex_);
  if (const auto it = ids_by_name_.find(name); it != ids_by_name_.end()) return it->second;
  rocksdb::ColumnFamilyHandle* raw = nullptr;
  const rocksdb::Status s = db_->CreateColumnFamily(options_for(name), std::string(name), &raw);
  if (!s.ok()) return to_error("create column family '" + std::string(name) + "'", s);
  return adopt_handle(raw);
}

Result<bool> StateStore::get(ColumnFamilyId cf, std::string_view key, std::string& value) const {
  rocksdb::ColumnFamilyHandle* h = handle(cf);
  if (h == nullptr) {
    return make_error(ErrorKind::kInvalidArgument,
                      "state store: unknown column family id " + std::to_string(cf));
  }
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), h, to_slice(key), &value);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return to_error("get", s);
  return true;
}

Status StateStore::scan_prefix(
    ColumnFamilyId cf, std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  rocksdb::ColumnFamilyHandle* h = handle(cf);
  if (h == nullptr) {
    return make_error(ErrorKind::kInvalidArgument,
                      "state store: unknown column family id " + std::to_string(cf));
  }
  // The upper bound lets RocksDB stop at the end of the range instead of
  // stepping over the tombstones and keys that follow it.
  const std::optional<std::string> successor = prefix_successor(prefix);
  rocksdb::Slice upper_bound;
  rocksdb::ReadOptions read_options;
  if (successor) {
    upper_bound = to_slice(*successor);
    read_options.iterate_upper_bound = &upper_bound;
  }
  // Destroyed on every path out of this function, before the store can close.
  const std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, h));
  for (it->Seek(to_slice(prefix)); it->Valid(); it->Next()) {
    const std::string_view key = to_view(it->key());
    if (!key.starts_with(prefix)) break;  // only reachable without an upper bound
    if (!visit(key, to_view(it->value()))) break;
  }
  return to_status("scan", it->status());
}

StateBatch StateStore::new_batch() { return StateBatch(this); }

Status StateStore::write(StateBatch& batch) {
  if (batch.store_ != this) {
    return make_error(ErrorKind::kInvalidArgument,
                      "state store: batch is unbound or belongs to another store");
  }
  if (!batch.problem_) return batch.problem_;
  if (batch.empty()) return Status::ok();
  rocksdb::WriteOptions write_options;
  write_options.sync = false;  // see the contract of write() in the header
  write_options.disableWAL = false;
  const rocksdb::Status s = db_->Write(write_options, &batch.batch_);
  if (!s.ok()) return to_error("write", s);
  batch.clear();
  return Status::ok();
}

uint64_t StateStore::approximate_bytes() const {
  uint64_t sst_bytes = 0;
  uint64_t memtable_bytes = 0;
  if (!db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kLiveSstFilesSize, &sst_bytes)) {
    sst_bytes = 0;
  }
  if (!db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kCurSizeAllMemTables,
                                     &memtable_bytes)) {
    memtable_bytes = 0;
  }
  return sst_bytes + memtable_bytes;
}

std::optional<VolumeSpace> StateStore::volume_space() const {
  std::error_code ec;
  const std::filesystem::space_info space = std::filesystem::space(db_->GetName(), ec);
  if (ec) return std::nullopt;
  return VolumeSpace{.capacity_bytes = space.capacity, .available_bytes = space.available};
}

Status StateStore::checkpoint(const std::string& dir) const {
  rocksdb::Checkpoint* raw = nullptr;
  const rocksdb::Status created = rocksdb::Checkpoint::Create(db_.get(), &raw);
  if (!created.ok()) return to_error("checkpoint " + dir, created);
  const std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  return to_status("checkpoint " + dir, checkpoint->CreateCheckpoint(dir));
}

Status StateStore::compact_all() {
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  {
    std::shared_lock lock(handles_mutex_);
    for (const HandlePtr& h : handles_by_id_) {
      if (h) handles.push_back(h.get());
    }
  }
  rocksdb::CompactRangeOptions options;
  // Rewrite the bottommost level too: that is where old records live.
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    const rocksdb::Status s = db_->CompactRange(options, h, nullptr, nullptr);
    if (!s.ok()) return to_error("compact " + h->GetName(), s);
  }
  return Status::ok();
}

Status StateStore::sync_wal() { return to_status("sync WAL", db_->SyncWAL()); }

StateBatch::StateBatch(StateBatch&& other) noexcept
    : store_(std::exchange(other.store_, nullptr)),
      batch_(std::move(other.batch_)),
      problem_(std::exchange(other.problem_, Status::ok())) {}

StateBatch& StateBatch::operator=(StateBatch&& other) noexcept {
  if (this != &other) {
    store_ = std::exchange(other.store_, nullptr);
    batch_ = std::move(other.batch_);
    problem_ = std::exchange(other.problem_, Status::ok());
  }
  return *this;
}

void StateBatch::remember(Error error) {
  if (problem_) problem_ = Status(std::move(error));
}

rocksdb::ColumnFamilyHandle* StateBatch::resolve(ColumnFamilyId cf) {
  rocksdb::ColumnFamilyHandle* h = store_ != nullptr ? store_->handle(cf) : nullptr;
  if (h == nullptr) {
    remember(make_error(ErrorKind::kInvalidArgument,
                        "state store: batch uses unknown column family id " + std::to_string(cf)));
  }
  return h;
}

void StateBatch::put(ColumnFamilyId cf, std::string_view key, std::string_view value) {
  rocksdb::ColumnFamilyHandle* h = resolve(cf);
  if (h == nullptr) return;
  const rocksdb::Status s = batch_.Put(h, to_slice(key), to_slice(value));
  if (!s.ok()) remember(to_error("batch put", s));
}

void StateBatch::erase(ColumnFamilyId cf, std::string_view key) {
  rocksdb::ColumnFamilyHandle* h = resolve(cf);
  if (h == nullptr) return;
  const rocksdb::Status s = batch_.Delete(h, to_slice(key));
  if (!s.ok()) remember(to_error("batch erase", s));
}

void StateBatch::erase_prefix(ColumnFamilyId cf, std::string_view prefix) {
  rocksdb::ColumnFamilyHandle* h = resolve(cf);
  if (h == nullptr) return;
  const std::optional<std::string> end = prefix_successor(prefix);
  if (!end) {
    remember(make_error(ErrorKind::kInvalidArgument,
                        "state store: erase_prefix needs a prefix with a successor "
                        "(not empty, not all 0xFF bytes)"));
    return;
  }
  const rocksdb::Status s = batch_.DeleteRange(h, to_slice(prefix), to_slice(*end));
  if (!s.ok()) remember(to_error("batch erase_prefix", s));
}

size_t StateBatch::count() const { return batch_.Count(); }

size_t StateBatch::byte_size() const { return batch_.GetDataSize(); }

bool StateBatch::empty() const { return batch_.Count() == 0; }

void StateBatch::clear() {
  batch_.Clear();
  problem_ = Status::ok();
}

}  // namespace vigil

#include "store/rocks_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

#include "store/coding.h"
#include "store/count_merge_operator.h"

namespace pretokdb {

namespace fs = std::filesystem;

namespace {

constexpr char kCountsFamily[] = "counts";
constexpr char kMetaFamily[] = "meta";

Status FromRocks(const rocksdb::Status& s, const std::string& path) {
  if (s.ok()) return Status::OK();
  std::string msg = s.ToString();
  if (s.IsIOError() && (msg.find("lock") != std::string::npos ||
                        msg.find("Resource temporarily unavailable") !=
                            std::string::npos)) {
    return Status::Busy(path,
                        "database is in use by another pretok-db index run");
  }
  if (s.IsNoSpace() || msg.find("No space left") != std::string::npos) {
    return Status::IOError(path, "disk full: " + msg);
  }
  if (s.IsCorruption()) return Status::Corruption(path, msg);
  if (s.IsNotFound()) return Status::NotFound(path, msg);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(path, msg);
  return Status::IOError(path, msg);
}

rocksdb::Slice ToSlice(std::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

// Sizes RocksDB's memory from its budget: two memtables per family at most,
// a block cache, and memtables charged to that cache so the sum stays
// bounded.
void ConfigureMemory(const StoreOptions& options, rocksdb::DBOptions* db,
                     rocksdb::ColumnFamilyOptions* counts,
                     rocksdb::ColumnFamilyOptions* meta) {
  const uint64_t budget = std::max<uint64_t>(options.memory_budget, 4 << 20);
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(budget / 4);

  counts->write_buffer_size = std::max<uint64_t>(budget / 4, 1 << 20);
  counts->max_write_buffer_number = 2;
  counts->min_write_buffer_number_to_merge = 1;
  counts->target_file_size_base = 64 << 20;
  counts->max_bytes_for_level_base = 256 << 20;
  counts->level0_file_num_compaction_trigger = 4;
  counts->merge_operator = NewCountMergeOperator();
  counts->compression = rocksdb::kLZ4Compression;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_size = 16 << 10;
  counts->table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  meta->write_buffer_size = 1 << 20;
  meta->max_write_buffer_number = 2;
  meta->merge_operator = NewCountMergeOperator();
  rocksdb::BlockBasedTableOptions meta_table;
  meta_table.block_cache = cache;
  meta->table_factory.reset(rocksdb::NewBlockBasedTableFactory(meta_table));

  db->max_background_jobs = std::max(2, options.background_threads);
  db->max_open_files = 256;
  db->keep_log_file_num = 3;
  db->info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db->max_total_wal_size = budget;
  db->avoid_unnecessary_blocking_io = true;
}

}  // namespace

// ---- StoreBatch ------------------------------------------------------------

StoreBatch::StoreBatch() : rep_(std::make_unique<rocksdb::WriteBatch>()) {}
StoreBatch::~StoreBatch() = default;

void StoreBatch::AddCount(std::string_view token, uint64_t n) {
  std::string v;
  PutFixed64(&v, n);
  rocksdb::Status s =
      rep_->Merge(static_cast<rocksdb::ColumnFamilyHandle*>(counts_cf_),
                  ToSlice(token), v);
  (void)s;  // only fails past 4 GiB per entry, which a pretoken cannot reach
}

void StoreBatch::AddStat(std::string_view key, uint64_t n) {
  std::string v;
  PutFixed64(&v, n);
  rocksdb::Status s = rep_->Merge(
      static_cast<rocksdb::ColumnFamilyHandle*>(meta_cf_), ToSlice(key), v);
  (void)s;
}

void StoreBatch::PutMeta(std::string_view key, std::string_view value) {
  rocksdb::Status s =
      rep_->Put(static_cast<rocksdb::ColumnFamilyHandle*>(meta_cf_),
                ToSlice(key), ToSlice(value));
  (void)s;
}

void StoreBatch::Clear() { rep_->Clear(); }
size_t StoreBatch::ByteSize() const { return rep_->GetDataSize(); }
bool StoreBatch::empty() const { return rep_->Count() == 0; }

// ---- StoreIterator ---------------------------------------------------------

StoreIterator::StoreIterator(rocksdb::Iterator* it) : it_(it) {}
StoreIterator::~StoreIterator() = default;
void StoreIterator::SeekToFirst() { it_->SeekToFirst(); }
void StoreIterator::Seek(std::string_view target) { it_->Seek(ToSlice(target)); }
bool StoreIterator::Valid() const { return it_->Valid(); }
void StoreIterator::Next() { it_->Next(); }
std::string_view StoreIterator::key() const {
  rocksdb::Slice k = it_->key();
  return std::string_view(k.data(), k.size());
}
std::string_view StoreIterator::value() const {
  rocksdb::Slice v = it_->value();
  return std::string_view(v.data(), v.size());
}
Status StoreIterator::status() const { return FromRocks(it_->status(), ""); }

// ---- RocksStore ------------------------------------------------------------

Status RocksStore::Open(const std::string& path, const StoreOptions& options,
                        std::unique_ptr<RocksStore>* store) {
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  if (exists && !fs::is_directory(path, ec)) {
    return Status::InvalidArgument(path, "not a pretok-db database (not a directory)");
  }
  const bool has_db = exists && fs::exists(fs::path(path) / "CURRENT", ec);
  if (!has_db) {
    if (!options.create_if_missing) {
      return Status::NotFound(path, "no pretok-db database here (run 'pretok-db index' first)");
    }
    if (exists && !fs::is_empty(path, ec)) {
      return Status::InvalidArgument(
          path, "not a pretok-db database (directory is not empty)");
    }
  }

  rocksdb::DBOptions db_options;
  rocksdb::ColumnFamilyOptions counts_options, meta_options;
  ConfigureMemory(options, &db_options, &counts_options, &meta_options);
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = options.create_if_missing && !has_db;

  if (has_db) {
    std::vector<std::string> families;
    rocksdb::Status s =
        rocksdb::DB::ListColumnFamilies(db_options, path, &families);
    if (!s.ok()) return FromRocks(s, path);
    auto has = [&](const char* name) {
      return std::find(families.begin(), families.end(), name) !=
             families.end();
    };
    if (!has(kCountsFamily) || !has(kMetaFamily)) {
      return Status::InvalidArgument(
          path, "not a pretok-db database (a RocksDB without its column families)");
    }
  }

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {kCountsFamily, counts_options},
      {kMetaFamily, meta_options},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s;
  if (options.read_only) {
    s = rocksdb::DB::OpenForReadOnly(db_options, path, descriptors, &handles,
                                     &db);
  } else {
    s = rocksdb::DB::Open(db_options, path, descriptors, &handles, &db);
  }
  if (!s.ok()) return FromRocks(s, path);

  std::unique_ptr<RocksStore> result(new RocksStore());
  result->path_ = path;
  result->db_ = db;
  result->default_ = handles[0];
  result->counts_ = handles[1];
  result->meta_ = handles[2];
  *store = std::move(result);
  return Status::OK();
}

RocksStore::~RocksStore() {
  if (db_ == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* h : {default_, counts_, meta_}) {
    rocksdb::Status s = db_->DestroyColumnFamilyHandle(h);
    (void)s;
  }
  rocksdb::Status s = db_->Close();
  (void)s;
  delete db_;
}

std::unique_ptr<StoreBatch> RocksStore::NewBatch() const {
  auto batch = std::make_unique<StoreBatch>();
  batch->counts_cf_ = counts_;
  batch->meta_cf_ = meta_;
  return batch;
}

Status RocksStore::Write(StoreBatch* batch, bool sync) {
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  return FromRocks(db_->Write(wo, batch->rep_.get()), path_);
}

Status RocksStore::GetMeta(std::string_view key, std::string* value) const {
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), meta_, ToSlice(key), value);
  if (s.IsNotFound()) return Status::NotFound(key);
  return FromRocks(s, path_);
}

Status RocksStore::GetCount(std::string_view token, uint64_t* count) const {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), counts_, ToSlice(token), &value);
  if (s.IsNotFound()) {
    *count = 0;
    return Status::OK();
  }
  PRETOKDB_RETURN_IF_ERROR(FromRocks(s, path_));
  if (!DecodeFixed64Value(value, count)) {
    return Status::Corruption(path_, "malformed count value");
  }
  return Status::OK();
}

Status RocksStore::GetStat(std::string_view key, uint64_t* value) const {
  std::string raw;
  Status s = GetMeta(key, &raw);
  if (s.IsNotFound()) {
    *value = 0;
    return Status::OK();
  }
  PRETOKDB_RETURN_IF_ERROR(s);
  if (!DecodeFixed64Value(raw, value)) {
    return Status::Corruption(path_, "malformed stat value");
  }
  return Status::OK();
}

std::unique_ptr<StoreIterator> RocksStore::NewCountIterator() const {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;  // a full scan would only evict what queries need
  ro.readahead_size = 2 << 20;
  return std::make_unique<StoreIterator>(db_->NewIterator(ro, counts_));
}

std::unique_ptr<StoreIterator> RocksStore::NewMetaIterator() const {
  return std::make_unique<StoreIterator>(
      db_->NewIterator(rocksdb::ReadOptions(), meta_));
}

Status RocksStore::Flush() {
  rocksdb::FlushOptions fo;
  fo.wait = true;
  return FromRocks(db_->Flush(fo, {counts_, meta_}), path_);
}

}  // namespace pretokdb

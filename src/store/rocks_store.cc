#include "store/rocks_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>
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
// Below this many entries a spill is a WriteBatch: an SST file per tiny
// spill would cost more (file creation, MANIFEST write, L0 churn) than the
// memtable does.
constexpr size_t kIngestMinEntries = 16384;
constexpr char kIngestDir[] = "spill-tmp";

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
  // Every spill file spans the whole key space, so each L0->L1 compaction
  // rewrites all of L1: merging 16 spill files at a time instead of 4 cuts
  // that rewriting (and its CPU, shared with the workers) about fourfold.
  counts->level0_file_num_compaction_trigger = 16;
  counts->level0_slowdown_writes_trigger = 48;
  counts->level0_stop_writes_trigger = 96;
  counts->merge_operator = NewCountMergeOperator();
  if (!options.read_only) {
    // Spills append whole tables at once and the writer never reads its
    // own memtable, so an append-only vector (sorted once, at flush) beats
    // a skiplist insert per entry by a wide margin.
    counts->memtable_factory = std::make_shared<rocksdb::VectorRepFactory>();
    db->allow_concurrent_memtable_write = false;
  }
  counts->compression = rocksdb::kLZ4Compression;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Index blocks live in the (bounded) cache rather than beside it, and no
  // Bloom filter: building one holds a hash of every key of an output file
  // in memory (megabytes for a large compaction), while the only point
  // lookups are `query`'s, which a binary search per level serves well.
  table.cache_index_and_filter_blocks = true;
  table.block_size = 16 << 10;
  counts->table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  meta->write_buffer_size = 1 << 20;
  meta->max_write_buffer_number = 2;
  meta->merge_operator = NewCountMergeOperator();
  rocksdb::BlockBasedTableOptions meta_table;
  meta_table.block_cache = cache;
  meta->table_factory.reset(rocksdb::NewBlockBasedTableFactory(meta_table));

  db->max_background_jobs = std::max(2, options.background_threads);
  // A reader opens every table file up front, so that a compaction of a
  // concurrent writer cannot delete one before the reader first opens it.
  db->max_open_files = options.read_only ? -1 : 256;
  db->keep_log_file_num = 3;
  db->info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db->max_total_wal_size = budget;
  db->avoid_unnecessary_blocking_io = true;
}

}  // namespace

// ---- CountEntry ------------------------------------------------------------

CountEntry MakeCountEntry(std::string_view token, uint64_t count) {
  uint64_t prefix = 0;
  const size_t n = std::min<size_t>(token.size(), 8);
  for (size_t i = 0; i < n; ++i) {
    prefix |= uint64_t{static_cast<unsigned char>(token[i])} << (56 - 8 * i);
  }
  return CountEntry{prefix, token, count};
}

void SortCountEntries(std::vector<CountEntry>* entries) {
  std::sort(entries->begin(), entries->end(),
            [](const CountEntry& a, const CountEntry& b) {
              if (a.prefix != b.prefix) return a.prefix < b.prefix;
              // Equal prefixes: the tokens agree on their first min(8, len)
              // bytes; string_view's compare is unsigned (char_traits).
              return a.token < b.token;
            });
}

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
  result->counts_options_ =
      std::make_unique<rocksdb::Options>(db_options, counts_options);
  result->meta_options_ =
      std::make_unique<rocksdb::Options>(db_options, meta_options);
  if (!options.read_only) {
    // Spill files left by a run that died before ingesting them are
    // garbage: their counts were never committed. (We hold the lock, so no
    // other run is writing them.)
    result->ingest_dir_ = (fs::path(path) / kIngestDir).string();
    fs::remove_all(result->ingest_dir_, ec);
    fs::create_directories(result->ingest_dir_, ec);
    if (ec) return Status::IOError(result->ingest_dir_, ec.message());
  }
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

Status RocksStore::CommitSpill(const std::vector<CountEntry>& counts,
                               const SpillMeta& meta, uint64_t* bytes) {
  if (counts.size() >= kIngestMinEntries) {
    return IngestSpill(counts, meta, bytes);
  }
  rocksdb::WriteBatch batch;
  std::string value;
  for (const CountEntry& e : counts) {
    value.clear();
    PutFixed64(&value, e.count);
    rocksdb::Status s = batch.Merge(counts_, ToSlice(e.token), value);
    if (!s.ok()) return FromRocks(s, path_);
  }
  for (const auto& [key, v] : meta.puts) {
    rocksdb::Status s = batch.Put(meta_, key, v);
    if (!s.ok()) return FromRocks(s, path_);
  }
  for (const auto& [key, n] : meta.stats) {
    value.clear();
    PutFixed64(&value, n);
    rocksdb::Status s = batch.Merge(meta_, key, value);
    if (!s.ok()) return FromRocks(s, path_);
  }
  *bytes = batch.GetDataSize();
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Write(wo, &batch), path_);
}

Status RocksStore::IngestSpill(const std::vector<CountEntry>& counts,
                               const SpillMeta& meta, uint64_t* bytes) {
  const uint64_t n = next_file_.fetch_add(1);
  const std::string counts_file =
      ingest_dir_ + "/counts-" + std::to_string(n) + ".sst";
  const std::string meta_file =
      ingest_dir_ + "/meta-" + std::to_string(n) + ".sst";
  auto cleanup = [&] {
    std::error_code ec;
    fs::remove(counts_file, ec);
    fs::remove(meta_file, ec);
  };

  std::string value;
  rocksdb::SstFileWriter counts_writer(rocksdb::EnvOptions(), *counts_options_,
                                       counts_);
  rocksdb::Status s = counts_writer.Open(counts_file);
  for (size_t i = 0; s.ok() && i < counts.size(); ++i) {
    value.clear();
    PutFixed64(&value, counts[i].count);
    s = counts_writer.Merge(ToSlice(counts[i].token), value);
  }
  rocksdb::ExternalSstFileInfo counts_info;
  if (s.ok()) s = counts_writer.Finish(&counts_info);

  // Meta records in key order, as an SST file requires.
  struct MetaRecord {
    std::string_view key;
    bool is_stat;
    std::string value;
  };
  std::vector<MetaRecord> records;
  for (const auto& [key, v] : meta.puts) records.push_back({key, false, v});
  for (const auto& [key, stat] : meta.stats) {
    value.clear();
    PutFixed64(&value, stat);
    records.push_back({key, true, value});
  }
  std::sort(records.begin(), records.end(),
            [](const MetaRecord& a, const MetaRecord& b) { return a.key < b.key; });
  rocksdb::SstFileWriter meta_writer(rocksdb::EnvOptions(), *meta_options_,
                                     meta_);
  if (s.ok()) s = meta_writer.Open(meta_file);
  for (size_t i = 0; s.ok() && i < records.size(); ++i) {
    s = records[i].is_stat
            ? meta_writer.Merge(ToSlice(records[i].key), records[i].value)
            : meta_writer.Put(ToSlice(records[i].key), records[i].value);
  }
  rocksdb::ExternalSstFileInfo meta_info;
  if (s.ok()) s = meta_writer.Finish(&meta_info);
  if (!s.ok()) {
    cleanup();
    return FromRocks(s, path_);
  }

  rocksdb::IngestExternalFileOptions ingest;
  ingest.move_files = true;
  ingest.write_global_seqno = false;  // no random write into the new file
  rocksdb::IngestExternalFileArg counts_arg, meta_arg;
  counts_arg.column_family = counts_;
  counts_arg.external_files = {counts_file};
  counts_arg.options = ingest;
  meta_arg.column_family = meta_;
  meta_arg.external_files = {meta_file};
  meta_arg.options = ingest;
  // One MANIFEST record for both families: the counts and the checkpoint
  // that covers them land together or not at all.
  s = db_->IngestExternalFiles({counts_arg, meta_arg});
  cleanup();
  *bytes = counts_info.file_size + meta_info.file_size;
  return FromRocks(s, path_);
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

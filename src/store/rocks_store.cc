#include "store/rocks_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_reader.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <filesystem>
#include <map>
#include <system_error>
#include <vector>

#include "store/coding.h"
#include "store/count_merge_operator.h"
#include "store/count_run_writer.h"

namespace pretokdb {

namespace fs = std::filesystem;

namespace {

constexpr char kCountsFamily[] = "counts";
constexpr char kMetaFamily[] = "meta";
constexpr char kIngestDir[] = "spill-tmp";

// RocksDB's message on one line: some end in newlines or hold several
// lines, and every error of the CLI must be a single line.
std::string OneLine(std::string_view msg) {
  std::string out;
  for (char c : msg) {
    const bool space = c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f';
    if (space) c = ' ';
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out.push_back(c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// RocksDB's text of a status without its leading code names, which a
// wrapped status repeats ("Corruption: Corruption: IO error: ...").
std::string Detail(const rocksdb::Status& s) {
  std::string msg = OneLine(s.ToString());
  for (std::string_view prefix : {"Corruption: ", "Invalid argument: "}) {
    while (msg.compare(0, prefix.size(), prefix) == 0) msg.erase(0, prefix.size());
  }
  // RocksDB glues a path to this one: "... to be an sstable/db/000012.sst".
  const std::string glued = "to be an sstable";
  size_t at = msg.find(glued);
  if (at != std::string::npos && at + glued.size() < msg.size() &&
      msg[at + glued.size()] != ' ') {
    msg.insert(at + glued.size(), ": ");
  }
  return msg;
}

bool IsLockFailure(const rocksdb::Status& s) {
  // "IO error: While lock file: DIR/LOCK: Resource temporarily unavailable",
  // or "lock hold by current process ... lock file: DIR/LOCK: No locks
  // available". ("lock" alone would also match "block".)
  const std::string msg = s.ToString();
  return s.IsIOError() && (msg.find("lock file") != std::string::npos ||
                           msg.find("/LOCK") != std::string::npos);
}

bool IsNoSpace(const rocksdb::Status& s) {
  return s.IsNoSpace() ||
         s.ToString().find("No space left") != std::string::npos;
}

Status FromRocks(const rocksdb::Status& s, const std::string& path) {
  if (s.ok()) return Status::OK();
  if (IsLockFailure(s)) {
    return Status::Busy(path,
                        "database is in use by another pretok-db index run");
  }
  if (IsNoSpace(s)) return Status::IOError(path, "disk full: " + Detail(s));
  if (s.IsCorruption()) {
    return Status::Corruption(path, "database is corrupted: " + Detail(s));
  }
  if (s.IsNotFound()) return Status::NotFound(path, Detail(s));
  if (s.IsInvalidArgument()) return Status::InvalidArgument(path, Detail(s));
  return Status::IOError(path, Detail(s));
}

// A failed open: the same, naming a missing file as damage rather than
// an I/O error (a database whose MANIFEST or table file was deleted).
Status FromRocksOpen(const rocksdb::Status& s, const std::string& path) {
  if (s.ok() || IsLockFailure(s) || IsNoSpace(s) || s.IsCorruption()) {
    return FromRocks(s, path);
  }
  const std::string detail = Detail(s);
  if (detail.find("No such file or directory") != std::string::npos) {
    return Status::Corruption(
        path, "database is damaged (a file of it is missing): " + detail);
  }
  return FromRocks(s, path);
}

// A logger that writes nothing. A read-only open gets one: RocksDB would
// otherwise create a LOG file in the database (renaming the last one to
// LOG.old), writing to a database that is only read -- a merge's sources
// must stay byte for byte as they were, and a reader may lack write access.
class NullLogger : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

// The counts family's table blocks. CountRunWriter writes spill files with
// the same size.
constexpr size_t kCountsBlockSize = 16 << 10;

rocksdb::Slice ToSlice(std::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

// Sizes RocksDB's memory from its budget. Nothing is written through the
// memtables (see Commit), so the budget goes to the block cache, which also
// holds the index blocks of open table files, and to compaction.
void ConfigureMemory(const StoreOptions& options, rocksdb::DBOptions* db,
                     rocksdb::ColumnFamilyOptions* counts,
                     rocksdb::ColumnFamilyOptions* meta) {
  const uint64_t budget = std::max<uint64_t>(options.memory_budget, 4 << 20);
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(budget / 2);

  counts->write_buffer_size = 1 << 20;
  meta->write_buffer_size = 1 << 20;
  counts->target_file_size_base = 64 << 20;
  // Every spill file spans the whole key space, so each L0->L1 compaction
  // rewrites all of L1. Merging many spill files at a time cuts that
  // rewriting, and its CPU, shared with the workers (measured on 10 GB of
  // web text, 2 workers, 256M: 68 s with 16 files and a 256 MiB L1, 51 s
  // with 64 and 2 GiB). Each file merged at once costs iterator memory, so
  // small budgets merge fewer: "roomy" is a --memory-limit of ~216M or more
  // (ingest/memory_plan.h gives RocksDB an eighth of it, less the fixed part).
  const bool roomy = budget >= (24 << 20);
  counts->level0_file_num_compaction_trigger = roomy ? 64 : 16;
  counts->level0_slowdown_writes_trigger = roomy ? 192 : 48;
  counts->level0_stop_writes_trigger = roomy ? 384 : 96;
  counts->max_bytes_for_level_base = roomy ? (uint64_t{2} << 30) : (256 << 20);
  counts->merge_operator = NewCountMergeOperator();
  counts->compression = rocksdb::kLZ4Compression;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Index blocks live in the (bounded) cache rather than beside it, and no
  // Bloom filter: building one holds a hash of every key of an output file
  // in memory (megabytes for a large compaction), while the only point
  // lookups are `query`'s, which a binary search per level serves well.
  table.cache_index_and_filter_blocks = true;
  table.block_size = kCountsBlockSize;
  counts->table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  meta->merge_operator = NewCountMergeOperator();
  rocksdb::BlockBasedTableOptions meta_table;
  meta_table.block_cache = cache;
  meta->table_factory.reset(rocksdb::NewBlockBasedTableFactory(meta_table));

  db->max_background_jobs = std::max(2, options.background_threads);
  // A reader opens every table file up front, so that a compaction of a
  // concurrent writer cannot delete one before the reader first opens it.
  db->max_open_files = options.read_only ? -1 : 256;
  // Opening a database reads its table files' footers with this many
  // threads per column family, started at every open (16 by default: 45
  // threads, ~10% of an empty run); the files are few and cached.
  db->max_file_opening_threads = 2;
  db->keep_log_file_num = 3;
  db->info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  // (Not read-only: there it makes DB::VerifyChecksum schedule a purge that
  // a read-only DB cannot run -- an assertion in Debian's librocksdb.)
  db->avoid_unnecessary_blocking_io = !options.read_only;
  if (options.read_only) db->info_log = std::make_shared<NullLogger>();
}

// The content of CURRENT (the name of the live MANIFEST, and a newline)
// and the size of that MANIFEST (0 if absent).
uintmax_t ManifestSize(const std::string& path, std::string* current) {
  current->clear();
  std::FILE* f = std::fopen((fs::path(path) / "CURRENT").c_str(), "rb");
  if (f != nullptr) {
    char buf[256];
    current->assign(buf, std::fread(buf, 1, sizeof(buf), f));
    std::fclose(f);
  }
  std::string name = *current;
  while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
  if (name.empty() || name.find('/') != std::string::npos) return 0;
  std::error_code ec;
  const uintmax_t size = fs::file_size(fs::path(path) / name, ec);
  return ec ? 0 : size;
}

// What a reader's open depends on. A writer changes it (appends to the
// MANIFEST, or rolls it) before deleting any file it listed.
std::string ManifestState(const std::string& path) {
  std::string current;
  const uintmax_t size = ManifestSize(path, &current);
  return current + "|" + std::to_string(size);
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

uint64_t CountSource::prefix(size_t i) const {
  return MakeCountEntry(token(i), 0).prefix;
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

// ---- StoreIterator ---------------------------------------------------------

StoreIterator::StoreIterator(rocksdb::Iterator* it, std::string path)
    : it_(it), path_(std::move(path)) {}
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
Status StoreIterator::status() const { return FromRocks(it_->status(), path_); }

// ---- RocksStore ------------------------------------------------------------

namespace {

// The column families, in the order of the handles RocksStore keeps.
std::vector<rocksdb::ColumnFamilyDescriptor> Families(
    const rocksdb::ColumnFamilyOptions& counts,
    const rocksdb::ColumnFamilyOptions& meta) {
  return {{rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
          {kCountsFamily, counts},
          {kMetaFamily, meta}};
}

// A lock on a database's directory while it is created and first opened:
// an exclusive flock(2) held by the run creating it (on the staging
// directory, which becomes the database's), or a shared one taken by a
// run opening an existing database to write. Closing releases it, and so
// does a killed process.
class CreationLock {
 public:
  CreationLock() = default;
  ~CreationLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the flock
  }
  CreationLock(const CreationLock&) = delete;
  CreationLock& operator=(const CreationLock&) = delete;
  // Opens the directory `dir` and waits for a flock(2) of `operation`
  // (LOCK_EX or LOCK_SH) on it. False on failure, with errno set.
  // REQUIRES: no earlier Lock().
  bool Lock(const std::string& dir, int operation) {
    fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) return false;
    int locked;
    while ((locked = ::flock(fd_, operation)) != 0 && errno == EINTR) {
    }
    return locked == 0;
  }
  // Waits for any creator of the database at `path` to have opened it.
  // Best effort: failing to lock, the open goes on (RocksDB's LOCK rules).
  void Share(const std::string& path) { Lock(path, LOCK_SH); }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

// Creates an empty database (both column families) at path, which does not
// exist or is an empty directory. RocksDB creates a database file by file, so
// a process killed meanwhile would leave a directory that is neither empty
// nor a database; it is built in a sibling directory and renamed into place
// instead, which is atomic. Runs creating the same database take turns by
// an flock(2) on that sibling, which a killed run releases; one that finds
// the database made meanwhile returns OK and lets the caller open it.
//
// The lock stays in *lock (on the database's directory, once renamed)
// until the caller has opened the database, which takes RocksDB's own
// lock: the run that created a database is the one that opens it first.
Status CreateDatabase(const std::string& path, const StoreOptions& options,
                      CreationLock* lock) {
  std::error_code ec;
  fs::path target = fs::absolute(fs::path(path), ec).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();  // "db/"
  fs::create_directories(target.parent_path(), ec);
  if (ec) {
    return Status::IOError(path, "cannot create the database: " + ec.message());
  }
  const fs::path staging =
      target.parent_path() / ("." + target.filename().string() + ".creating");
  fs::create_directory(staging, ec);  // may be there: another run's, or a killed one's
  if (ec) {
    return Status::IOError(path, "cannot create the database: " + ec.message());
  }
  if (!lock->Lock(staging.string(), LOCK_EX)) {
    return Status::IOError(path, "cannot create the database: " +
                                     std::string(std::strerror(errno)));
  }
  // Whoever held the lock before may have finished: renamed the directory
  // locked into place (`staging` is another one, or none), or left ours
  // with the database in place.
  struct stat held, now;
  if (::fstat(lock->fd(), &held) != 0 || ::stat(staging.c_str(), &now) != 0 ||
      held.st_ino != now.st_ino || held.st_dev != now.st_dev) {
    return Status::OK();
  }
  if (fs::exists(target / "CURRENT", ec)) {
    fs::remove_all(staging, ec);
    return Status::OK();
  }
  // Left by a creation that was killed: start afresh.
  for (const fs::directory_entry& e : fs::directory_iterator(staging, ec)) {
    fs::remove_all(e.path(), ec);
  }

  rocksdb::DBOptions db_options;
  rocksdb::ColumnFamilyOptions counts_options, meta_options;
  ConfigureMemory(options, &db_options, &counts_options, &meta_options);
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  const std::vector<rocksdb::ColumnFamilyDescriptor> descriptors =
      Families(counts_options, meta_options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, staging.string(),
                                        descriptors, &handles, &db);
  if (!s.ok()) {
    fs::remove_all(staging, ec);
    return Status::IOError(path, "cannot create the database: " + s.ToString());
  }
  for (rocksdb::ColumnFamilyHandle* h : handles) s = db->DestroyColumnFamilyHandle(h);
  s = db->Close();
  delete db;
  if (!s.ok()) return FromRocks(s, path);
  // rename(2) replaces an empty directory; a non-empty one was refused.
  fs::rename(staging, target, ec);
  if (ec) {
    fs::remove_all(staging, ec);
    return Status::IOError(path, "cannot create the database: " + ec.message());
  }
  return Status::OK();
}

// Lets RocksDB delete the write-ahead logs of earlier opens. Every open
// for writing starts a new (empty) log, and RocksDB 7.8 deletes a log only
// once a flush has recorded that no memtable needs it: the counts and meta
// families are written by ingestion alone, so without a flush every open
// would leave one more empty NNNNNN.log behind (fixed upstream in 8.3).
// A one-key flush of the default family, which nothing reads, records
// that, and RocksDB then purges the old logs itself, after the MANIFEST
// says so: a reader opening meanwhile sees the MANIFEST change and retries
// (Open). The key is written with the log disabled, so no log is ever
// written, and the same key each time, so compaction keeps one copy.
rocksdb::Status ReleaseOldLogs(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
  rocksdb::WriteOptions no_log;
  no_log.disableWAL = true;
  rocksdb::Status s = db->Put(no_log, cf, "log-release", "");
  if (!s.ok()) return s;
  rocksdb::FlushOptions flush;
  flush.wait = true;
  return db->Flush(flush, cf);
}

}  // namespace

Status RocksStore::Open(const std::string& path, const StoreOptions& options,
                        std::unique_ptr<RocksStore>* store) {
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  if (exists && !fs::is_directory(path, ec)) {
    return Status::InvalidArgument(path, "not a pretok-db database (not a directory)");
  }
  const bool has_db = exists && fs::exists(fs::path(path) / "CURRENT", ec);
  CreationLock creation;  // held until the database is open
  if (has_db && !options.read_only) {
    // A database just renamed into place stays locked by the run that
    // created it until that run has opened it (see CreateDatabase).
    creation.Share(path);
  }
  if (!has_db) {
    if (exists && !fs::is_empty(path, ec)) {
      // Files but no CURRENT: a database that lost it, or something else.
      for (const fs::directory_entry& e : fs::directory_iterator(path, ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("MANIFEST-", 0) == 0 || name == "IDENTITY" ||
            (name.size() > 4 && name.compare(name.size() - 4, 4, ".sst") == 0)) {
          return Status::Corruption(
              path, "database is damaged: its CURRENT file is missing");
        }
      }
      return Status::InvalidArgument(
          path, "not a pretok-db database (directory is not empty)");
    }
    if (!options.create_if_missing) {
      return Status::NotFound(path, "no pretok-db database here (run 'pretok-db index' first)");
    }
    PRETOKDB_RETURN_IF_ERROR(CreateDatabase(path, options, &creation));
  }

  if (has_db && !options.read_only) {
    // Refuse a damaged database before touching it: opening it for writing
    // rewrites its MANIFEST and OPTIONS files, and a run would add to it,
    // while damage inside a data block shows only when that block is read.
    // So read every table file once, read-only (about 1 s per GB of
    // database, which is far smaller than its input).
    //
    // Another run may be writing (we take no lock yet): its compactions
    // delete files while we read them. A missing file while the MANIFEST
    // changed is that, not damage; then we try again, and after a few
    // tries let the write open report the lock (Busy). A checksum mismatch
    // is always damage: table files are never rewritten in place.
    StoreOptions check = options;
    check.read_only = true;
    check.create_if_missing = false;
    for (int attempt = 0; attempt < 5; ++attempt) {
      const std::string before = ManifestState(path);
      std::unique_ptr<RocksStore> reader;
      Status v = Open(path, check, &reader);
      if (v.ok()) v = reader->VerifyChecksums();
      if (v.ok()) break;
      if (v.IsCorruption() || !(v.IsIOError() || v.IsNotFound()) ||
          ManifestState(path) == before) {
        return v;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  rocksdb::DBOptions db_options;
  rocksdb::ColumnFamilyOptions counts_options, meta_options;
  ConfigureMemory(options, &db_options, &counts_options, &meta_options);
  db_options.create_if_missing = false;  // CreateDatabase() made it
  db_options.create_missing_column_families = false;

  {
    std::vector<std::string> families;
    rocksdb::Status s =
        rocksdb::DB::ListColumnFamilies(db_options, path, &families);
    if (!s.ok()) return FromRocksOpen(s, path);
    auto has = [&](const char* name) {
      return std::find(families.begin(), families.end(), name) !=
             families.end();
    };
    if (!has(kCountsFamily) || !has(kMetaFamily)) {
      std::string current;
      if (ManifestSize(path, &current) == 0) {
        // An empty (truncated) MANIFEST lists no family but the default.
        return Status::Corruption(
            path, "database is corrupted: its MANIFEST is empty or missing");
      }
      return Status::InvalidArgument(
          path, "not a pretok-db database (a RocksDB without its column families)");
    }
  }

  const std::vector<rocksdb::ColumnFamilyDescriptor> descriptors =
      Families(counts_options, meta_options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s;
  if (options.read_only) {
    // A writer may, between our reading its MANIFEST and opening a table
    // file, compact that file away (or roll the MANIFEST). The files of
    // any later MANIFEST are there, so trying again succeeds. Only such a
    // race is retried: when the MANIFEST did not change meanwhile, the
    // error is the database's own (damage) and is reported at once, after
    // two quick retries in case a write was landing just then.
    int unchanged = 0;
    for (int attempt = 0;; ++attempt) {
      const std::string before = ManifestState(path);
      s = rocksdb::DB::OpenForReadOnly(db_options, path, descriptors,
                                       &handles, &db);
      if (s.ok() || attempt == 20 || !(s.IsIOError() || s.IsNotFound() ||
                                       s.IsCorruption() || s.IsPathNotFound())) {
        break;
      }
      if (ManifestState(path) == before && ++unchanged > 2) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20 + 10 * attempt));
    }
  } else {
    s = rocksdb::DB::Open(db_options, path, descriptors, &handles, &db);
  }
  if (!s.ok()) return FromRocksOpen(s, path);
  if (!options.read_only) {
    s = ReleaseOldLogs(db, handles[0]);
    if (!s.ok()) {
      for (rocksdb::ColumnFamilyHandle* h : handles) {
        rocksdb::Status d = db->DestroyColumnFamilyHandle(h);
        (void)d;
      }
      rocksdb::Status c = db->Close();
      (void)c;
      delete db;
      return FromRocks(s, path);
    }
  }

  std::unique_ptr<RocksStore> result(new RocksStore());
  result->path_ = path;
  result->db_ = db;
  result->default_ = handles[0];
  result->counts_ = handles[1];
  result->meta_ = handles[2];
  result->counts_options_ =
      std::make_unique<rocksdb::Options>(db_options, counts_options);
  CountRunOptions& run = result->run_options_;
  run.column_family_id = result->counts_->GetID();
  run.column_family_name = result->counts_->GetName();
  run.merge_operator_name = counts_options.merge_operator->Name();
  run.lz4 = counts_options.compression == rocksdb::kLZ4Compression;
  run.block_size = kCountsBlockSize;
  result->max_l0_files_ = counts_options.level0_slowdown_writes_trigger;
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

void RocksStore::WaitForCompaction() {
  // Ingestion ignores RocksDB's write stalls, so without this the workers
  // could outrun compaction for hours, piling up L0 files (and the memory
  // and read cost that come with each). Here they wait instead -- unless
  // compaction has failed (a full disk, say): then the commit goes ahead
  // and reports the error rather than waiting forever.
  for (;;) {
    uint64_t files = 0, errors = 0;
    if (!db_->GetIntProperty(counts_, "rocksdb.num-files-at-level0", &files) ||
        files < max_l0_files_ ||
        !db_->GetIntProperty("rocksdb.background-errors", &errors) ||
        errors != 0) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Status RocksStore::Commit(const std::vector<CountEntry>& counts,
                          const MetaWrites& meta, uint64_t* bytes) {
  class VectorSource : public CountSource {
   public:
    explicit VectorSource(const std::vector<CountEntry>& v) : v_(v) {}
    size_t size() const override { return v_.size(); }
    std::string_view token(size_t i) const override { return v_[i].token; }
    uint64_t count(size_t i) const override { return v_[i].count; }

   private:
    const std::vector<CountEntry>& v_;
  };
  return Commit(VectorSource(counts), meta, bytes);
}

Status RocksStore::Commit(const CountSource& counts, const MetaWrites& meta,
                          uint64_t* bytes) {
  uint64_t unused;
  if (bytes == nullptr) bytes = &unused;
  *bytes = 0;
  std::vector<std::string> runs;
  if (counts.size() != 0) {
    runs.emplace_back();
    PRETOKDB_RETURN_IF_ERROR(WriteRun(counts, &runs.back(), bytes));
  }
  uint64_t meta_bytes = 0;
  Status s = CommitRuns(runs, meta, &meta_bytes);
  *bytes += meta_bytes;
  return s;
}

std::string RocksStore::NewIngestFile(const char* kind) {
  return ingest_dir_ + "/" + kind + "-" + std::to_string(next_file_.fetch_add(1)) +
         ".sst";
}

Status RocksStore::WriteRun(const CountSource& counts, std::string* run,
                            uint64_t* bytes) {
  return WriteMergedRun({CountRange{&counts, 0, counts.size()}}, run, bytes);
}

Status RocksStore::WriteMergedRun(const std::vector<CountRange>& ranges,
                                  std::string* run, uint64_t* bytes) {
  // A k-way merge that looks for the least token among all cursors: k is
  // the number of workers' tables, a handful, and most often 1 (every
  // spill but a run's last). Tokens compare by their prefixes first, as
  // integers; their bytes only on ties.
  struct Cursor {
    const CountSource* source;
    size_t at;
    size_t end;
    uint64_t prefix;
    std::string_view token;
    // The prefix only serves to compare cursors: one alone needs none.
    void Load(bool merging) {
      if (merging) prefix = source->prefix(at);
      token = source->token(at);
    }
    bool Before(const Cursor& o) const {
      return prefix != o.prefix ? prefix < o.prefix : token < o.token;
    }
  };
  // Tables keep long tokens out of line: read a few entries ahead.
  constexpr size_t kAhead = 16;
  std::vector<Cursor> cursors;
  for (const CountRange& r : ranges) {
    if (r.begin >= r.end) continue;
    for (size_t i = r.begin; i < r.end && i < r.begin + kAhead; ++i) {
      r.source->Prefetch(i);
    }
    cursors.push_back(Cursor{r.source, r.begin, r.end, 0, {}});
  }
  const bool merging = cursors.size() > 1;
  for (Cursor& c : cursors) c.Load(merging);

  *run = NewIngestFile("counts");
  CountRunWriter writer(run_options_);
  Status s = writer.Open(*run);
  while (s.ok() && !cursors.empty()) {
    size_t least = 0;
    for (size_t j = 1; j < cursors.size(); ++j) {
      if (cursors[j].Before(cursors[least])) least = j;
    }
    // The token's entries: the least cursor's, and any other cursor's on
    // the same token. `token` outlives the advancing: it is in the source.
    const uint64_t prefix = cursors[least].prefix;
    const std::string_view token = cursors[least].token;
    uint64_t count = 0;
    bool exhausted = false;
    for (size_t j = 0; j < cursors.size(); ++j) {
      Cursor& c = cursors[j];
      if (j != least && (c.prefix != prefix || c.token != token)) continue;
      count += c.source->count(c.at);
      if (c.at + kAhead < c.end) c.source->Prefetch(c.at + kAhead);
      if (++c.at < c.end) {
        c.Load(merging);
      } else {
        exhausted = true;
      }
    }
    if (exhausted) {
      std::erase_if(cursors, [](const Cursor& c) { return c.at == c.end; });
    }
    s = writer.Add(token, count);
  }
  if (s.ok()) s = writer.Finish(bytes);
  if (!s.ok()) {
    std::error_code ec;
    fs::remove(*run, ec);
  }
  return s;
}

Status RocksStore::MergeRuns(const std::vector<std::string>& runs,
                             std::string* merged) {
  // A k-way merge of sorted runs, adding the counts of equal tokens.
  struct Input {
    std::unique_ptr<rocksdb::SstFileReader> reader;
    std::unique_ptr<rocksdb::Iterator> it;
  };
  std::vector<Input> inputs(runs.size());
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  ro.verify_checksums = true;
  for (size_t i = 0; i < runs.size(); ++i) {
    inputs[i].reader = std::make_unique<rocksdb::SstFileReader>(*counts_options_);
    rocksdb::Status s = inputs[i].reader->Open(runs[i]);
    if (!s.ok()) return FromRocks(s, runs[i]);
    inputs[i].it.reset(inputs[i].reader->NewIterator(ro));
    inputs[i].it->SeekToFirst();
  }
  auto after = [](const rocksdb::Iterator* a, const rocksdb::Iterator* b) {
    return a->key().compare(b->key()) > 0;  // a min-heap on the key
  };
  std::vector<rocksdb::Iterator*> heap;
  for (Input& in : inputs) {
    if (in.it->Valid()) heap.push_back(in.it.get());
    else if (!in.it->status().ok()) return FromRocks(in.it->status(), path_);
  }
  std::make_heap(heap.begin(), heap.end(), after);

  *merged = NewIngestFile("counts");
  CountRunWriter writer(run_options_);
  Status written = writer.Open(*merged);
  rocksdb::Status s;
  std::string key;
  while (written.ok() && s.ok() && !heap.empty()) {
    key.assign(heap.front()->key().data(), heap.front()->key().size());
    uint64_t sum = 0;
    while (s.ok() && !heap.empty() && heap.front()->key() == rocksdb::Slice(key)) {
      std::pop_heap(heap.begin(), heap.end(), after);
      rocksdb::Iterator* it = heap.back();
      uint64_t v;
      if (!DecodeFixed64Value(std::string_view(it->value().data(), it->value().size()), &v)) {
        s = rocksdb::Status::Corruption("malformed count in a spill run");
        break;
      }
      sum += v;
      it->Next();
      if (it->Valid()) {
        std::push_heap(heap.begin(), heap.end(), after);
      } else {
        s = it->status();
        heap.pop_back();
      }
    }
    if (!s.ok()) break;
    written = writer.Add(key, sum);
  }
  uint64_t bytes = 0;
  if (written.ok() && s.ok()) written = writer.Finish(&bytes);
  inputs.clear();
  std::error_code ec;
  if (!written.ok() || !s.ok()) {
    fs::remove(*merged, ec);
    return written.ok() ? FromRocks(s, path_) : written;
  }
  for (const std::string& run : runs) fs::remove(run, ec);
  return Status::OK();
}

Status RocksStore::CommitRuns(const std::vector<std::string>& runs,
                              const MetaWrites& meta, uint64_t* bytes) {
  uint64_t unused;
  if (bytes == nullptr) bytes = &unused;
  const std::string meta_file = NewIngestFile("meta");
  auto cleanup = [&] {
    std::error_code ec;
    for (const std::string& run : runs) fs::remove(run, ec);
    fs::remove(meta_file, ec);
  };
  {
    std::lock_guard<std::mutex> lock(commit_error_mu_);
    if (!commit_error_.ok()) {
      cleanup();
      return commit_error_;
    }
  }
  rocksdb::Status s;
  rocksdb::ExternalSstFileInfo meta_info;
  // Meta records in key order and unique, as an SST file requires: a key
  // put twice keeps its last value, a stat added twice adds both.
  struct MetaRecord {
    bool is_stat = false;
    std::string value;
    uint64_t stat = 0;
  };
  std::map<std::string_view, MetaRecord> by_key;
  for (const auto& [key, v] : meta.puts) {
    MetaRecord& r = by_key[key];
    r.is_stat = false;
    r.value = v;
  }
  for (const auto& [key, n] : meta.stats) {
    MetaRecord& r = by_key[key];
    r.is_stat = true;
    r.stat += n;
  }
  struct Record {
    std::string_view key;
    bool is_stat;
    std::string value;
  };
  std::vector<Record> records;
  for (auto& [key, r] : by_key) {
    if (r.is_stat) {
      if (r.stat == 0) continue;
      r.value.clear();
      PutFixed64(&r.value, r.stat);
    }
    records.push_back({key, r.is_stat, std::move(r.value)});
  }
  if (!records.empty()) {
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), *meta_options_,
                                  meta_);
    s = writer.Open(meta_file);
    for (size_t i = 0; s.ok() && i < records.size(); ++i) {
      s = records[i].is_stat
              ? writer.Merge(ToSlice(records[i].key), records[i].value)
              : writer.Put(ToSlice(records[i].key), records[i].value);
    }
    if (s.ok()) s = writer.Finish(&meta_info);
  }
  if (!s.ok()) {
    cleanup();
    return FromRocks(s, path_);
  }
  if (runs.empty() && records.empty()) {
    *bytes = 0;
    return Status::OK();
  }

  if (!runs.empty()) WaitForCompaction();
  rocksdb::IngestExternalFileOptions ingest;
  ingest.move_files = true;
  ingest.write_global_seqno = false;  // no random write into the new file
  std::vector<rocksdb::IngestExternalFileArg> args;
  if (!runs.empty()) {
    args.emplace_back();
    args.back().column_family = counts_;
    args.back().external_files = runs;
    args.back().options = ingest;
  }
  if (!records.empty()) {
    args.emplace_back();
    args.back().column_family = meta_;
    args.back().external_files = {meta_file};
    args.back().options = ingest;
  }
  // One MANIFEST record for both families: the counts and the checkpoint
  // that covers them land together or not at all.
  s = db_->IngestExternalFiles(args);
  cleanup();
  *bytes = meta_info.file_size;
  if (!s.ok()) {
    std::lock_guard<std::mutex> lock(commit_error_mu_);
    if (commit_error_.ok()) commit_error_ = FromRocks(s, path_);
    return commit_error_;
  }
  return Status::OK();
}

Status RocksStore::NewRunWriter(std::unique_ptr<CountRunWriter>* writer,
                                std::string* run) {
  *run = NewIngestFile("counts");
  *writer = std::make_unique<CountRunWriter>(run_options_);
  return (*writer)->Open(*run);
}

Status RocksStore::GetIdentity(std::string* identity) const {
  return FromRocks(db_->GetDbIdentity(*identity), path_);
}

uint64_t RocksStore::EstimateCountEntries() const {
  uint64_t n = 0;
  if (!db_->GetIntProperty(counts_, "rocksdb.estimate-num-keys", &n)) return 0;
  return n;
}

uint64_t RocksStore::ApproximateCountBytes(std::string_view begin,
                                           std::string_view limit) const {
  rocksdb::Range range(ToSlice(begin), ToSlice(limit));
  uint64_t size = 0;
  if (!db_->GetApproximateSizes(counts_, &range, 1, &size).ok()) return 0;
  return size;
}

Status RocksStore::VerifyChecksums() const {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  ro.readahead_size = 2 << 20;
  return FromRocks(db_->VerifyChecksum(ro), path_);
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

std::unique_ptr<StoreIterator> RocksStore::NewCountIterator(
    size_t readahead_bytes) const {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;  // a full scan would only evict what queries need
  ro.readahead_size = readahead_bytes;
  return std::make_unique<StoreIterator>(db_->NewIterator(ro, counts_), path_);
}

std::unique_ptr<StoreIterator> RocksStore::NewMetaIterator() const {
  return std::make_unique<StoreIterator>(
      db_->NewIterator(rocksdb::ReadOptions(), meta_), path_);
}


}  // namespace pretokdb

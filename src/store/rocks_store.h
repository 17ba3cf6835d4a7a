// The database: RocksDB with two column families.
//   "counts": pretoken bytes -> fixed64 count (merge operator: addition)
//   "meta":   records.h (config, sources, checkpoints, stats)
//
// This is the only part of the library that sees RocksDB; everything above
// it speaks Status, StoreBatch and StoreIterator.
//
// Thread safety: a RocksStore may be shared by threads (RocksDB is
// thread-safe); a StoreBatch or StoreIterator belongs to one thread.

#ifndef PRETOKDB_STORE_ROCKS_STORE_H_
#define PRETOKDB_STORE_ROCKS_STORE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pretokdb/status.h"
#include "store/count_run_writer.h"

namespace rocksdb {
struct Options;
class DB;
class ColumnFamilyHandle;
class Iterator;
}  // namespace rocksdb

namespace pretokdb {

// A cursor over one column family in key order. Check status() when
// Valid() turns false.
class StoreIterator {
 public:
  // path: the database's, named in errors.
  StoreIterator(rocksdb::Iterator* it, std::string path);
  ~StoreIterator();
  StoreIterator(const StoreIterator&) = delete;
  StoreIterator& operator=(const StoreIterator&) = delete;

  void SeekToFirst();
  void Seek(std::string_view target);
  bool Valid() const;
  void Next();
  std::string_view key() const;
  std::string_view value() const;
  Status status() const;

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
  std::string path_;
};

// One entry of a spill's counts. `prefix` is the token's first eight
// bytes, big-endian and zero-padded, so that sorting compares integers
// first and touches the token bytes only on ties.
struct CountEntry {
  uint64_t prefix;
  std::string_view token;
  uint64_t count;
};

CountEntry MakeCountEntry(std::string_view token, uint64_t count);

// Counts to commit, read by index in ascending order of token bytes
// (unsigned, lexicographic), tokens unique. Lets a spill hand over its
// table without copying it.
class CountSource {
 public:
  virtual ~CountSource() = default;
  virtual size_t size() const = 0;
  virtual std::string_view token(size_t i) const = 0;
  virtual uint64_t count(size_t i) const = 0;
  // The token's first eight bytes as CountEntry::prefix holds them, for a
  // merge that compares bytes only on ties.
  virtual uint64_t prefix(size_t i) const;
  // A hint that entry i will be read soon (entries may live in scattered
  // memory, e.g. a hash table's slots).
  virtual void Prefetch(size_t /*i*/) const {}
};
// Entries [begin, end) of a CountSource: one input of a merged run.
struct CountRange {
  const CountSource* source;
  size_t begin;
  size_t end;
};

// Sorts by token bytes, unsigned lexicographic (RocksDB's default order).
void SortCountEntries(std::vector<CountEntry>* entries);

// The meta records committed with counts: records replaced (checkpoints,
// source records, config) and stat counters added to.
struct MetaWrites {
  std::vector<std::pair<std::string, std::string>> puts;
  std::vector<std::pair<std::string, uint64_t>> stats;
};

struct StoreOptions {
  // Open without taking the lock, for queries while a run is writing.
  bool read_only = false;
  // Create the database when the directory has none.
  bool create_if_missing = false;
  // Budget for RocksDB's own memory (memtables and block cache).
  uint64_t memory_budget = 64 << 20;
  // Threads RocksDB may use for flushes and compactions.
  int background_threads = 2;
};

class RocksStore {
 public:
  // Fails with NotFound if there is no database at path (and
  // !create_if_missing), Busy if another run holds it, InvalidArgument if the
  // directory holds something that is not a pretok-db database, Corruption
  // if the database is damaged (for writing, every table file is read and
  // checksummed first, so a damaged database is refused untouched).
  // Messages are one line and name the path.
  static Status Open(const std::string& path, const StoreOptions& options,
                     std::unique_ptr<RocksStore>* store);
  ~RocksStore();

  // Commits counts (sorted by token, ascending, unique; added to the
  // stored counts) and meta records atomically and durably. Every write of
  // the database goes through here: SST files (counts, meta) ingested into
  // both column families in one MANIFEST record. There is no
  // write-ahead log, so the MANIFEST alone says what is committed, and a
  // read-only open sees exactly a set of whole commits. *bytes (optional):
  // the size of the files written. Once a commit has failed, every later
  // one fails with its error, writing nothing: RocksDB may still hold a
  // MANIFEST writer that saw the error (a full disk, say), and writing
  // through it again trips an assertion in Debian's build. The run ends;
  // the next one, with the database opened anew, resumes.
  Status Commit(const CountSource& counts, const MetaWrites& meta,
                uint64_t* bytes = nullptr);
  // The same, for counts in a vector (sorted by SortCountEntries).
  Status Commit(const std::vector<CountEntry>& counts, const MetaWrites& meta,
                uint64_t* bytes = nullptr);

  // Sorted runs: files of counts beside the database, ingested later. A
  // stream's spills (ingest/staged_spills.h) are runs committed only at the
  // stream's end, so that an interrupted stream leaves nothing behind
  // (Open() deletes leftover runs); the last spill of a run writes one run
  // per key range of all workers' tables (ingest/final_spill.h).
  //
  // WriteRun writes counts (sorted, as for Commit) into a new run.
  // WriteMergedRun writes the merge of sorted ranges into a new run, adding
  // the counts of a token found in several (at least one entry in all).
  // MergeRuns merges runs into one, adding equal tokens' counts, and deletes
  // them. CommitRuns ingests runs (none, or any number whose key ranges do
  // not overlap) with meta records, atomically, as Commit does, and deletes
  // them.
  Status WriteRun(const CountSource& counts, std::string* run,
                  uint64_t* bytes);
  Status WriteMergedRun(const std::vector<CountRange>& ranges,
                        std::string* run, uint64_t* bytes);
  Status MergeRuns(const std::vector<std::string>& runs, std::string* merged);
  Status CommitRuns(const std::vector<std::string>& runs,
                    const MetaWrites& meta, uint64_t* bytes = nullptr);
  // A writer of a new run, for counts made one at a time (a merge of
  // databases streams its output into runs without holding them). On OK,
  // *run names the file, open in *writer: Add() tokens in increasing order,
  // Finish(), then CommitRuns it; on any failure the caller removes *run.
  // REQUIRES: the store was opened for writing.
  Status NewRunWriter(std::unique_ptr<CountRunWriter>* writer,
                      std::string* run);

  // RocksDB's identity of the database: the UUID in its IDENTITY file,
  // made when the database was created (a copy of the directory carries
  // it too). Readable on a read-only open.
  Status GetIdentity(std::string* identity) const;

  // RocksDB's estimate of the entries of the counts family (for progress).
  uint64_t EstimateCountEntries() const;
  // RocksDB's estimate of the bytes of table files that hold counts with
  // keys in [begin, limit), from index blocks (cheap; 0 on failure).
  uint64_t ApproximateCountBytes(std::string_view begin,
                                 std::string_view limit) const;

  // Reads every table file of the database and checks its checksums
  // (Corruption if one is damaged). Open() does it before opening an
  // existing database for writing.
  Status VerifyChecksums() const;

  // NotFound if absent.
  Status GetMeta(std::string_view key, std::string* value) const;
  // *count = 0 if the token was never counted.
  Status GetCount(std::string_view token, uint64_t* count) const;
  // A stat counter; 0 if never added to.
  Status GetStat(std::string_view key, uint64_t* value) const;

  // A scan of the counts reads ahead this much in each table file it
  // reads (at once: one per L0 file, and one per other level).
  std::unique_ptr<StoreIterator> NewCountIterator(
      size_t readahead_bytes = 2 << 20) const;
  std::unique_ptr<StoreIterator> NewMetaIterator() const;

  const std::string& path() const { return path_; }

 private:
  RocksStore() = default;

  // Blocks while the counts family has max_l0_files_ or more L0 files.
  void WaitForCompaction();
  // A new file name in the ingest directory.
  std::string NewIngestFile(const char* kind);

  std::string path_;
  uint64_t max_l0_files_ = 0;
  std::string ingest_dir_;  // spill files waiting to be ingested
  std::atomic<uint64_t> next_file_{0};
  std::mutex commit_error_mu_;
  Status commit_error_;  // the first failed commit's; guarded by the mutex
  std::unique_ptr<rocksdb::Options> counts_options_;
  CountRunOptions run_options_;  // how spill files are written
  std::unique_ptr<rocksdb::Options> meta_options_;
  rocksdb::DB* db_ = nullptr;
  rocksdb::ColumnFamilyHandle* counts_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* default_ = nullptr;
};

}  // namespace pretokdb

#endif  // PRETOKDB_STORE_ROCKS_STORE_H_

// Indexing files into a pretok-db database.
//
//   pretokdb::IndexOptions options;
//   options.memory_limit = 256 << 20;
//   pretokdb::Indexer indexer("corpus.db", options);
//   pretokdb::Status s = indexer.Run({"owt_train.txt"});
//
// Run() counts the pretokens of every byte of the files that the database
// does not hold yet, and returns when all are counted, when RequestStop() was
// called (Status::Aborted; the next Run() resumes), or on the first error.
// Counts of a byte range are committed in the same atomic write as the
// checkpoint saying the range is done, so a Run() killed at any moment and
// run again ends with exactly the counts of an uninterrupted run.
//
// A database remembers its configuration (pattern, special tokens, UTF-8
// policy); Run() with another configuration fails with InvalidArgument. A
// file is known by its key (its absolute path, or its path relative to
// IndexOptions::root; InputKey) and a fingerprint of its content;
// indexing an unchanged file again does nothing, a file that grew by
// appending is counted from where it was cut (the counts become those of
// the grown file), and a file that changed otherwise is refused.
//
// Only one Run() may write a database at a time, across processes: another
// fails with Status::Busy. Readers (CountReader) may open it meanwhile.

#ifndef PRETOKDB_INDEXER_H_
#define PRETOKDB_INDEXER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pretokdb/options.h"
#include "pretokdb/status.h"

namespace pretokdb {

class RocksStore;

// A snapshot of a run's progress; all fields count this run's files.
struct IndexProgress {
  uint64_t bytes_total = 0;  // size of the files of this run; 0 for a stream
  uint64_t bytes_done = 0;   // counted, in memory or committed
  uint64_t spills = 0;       // spills during this run
  double elapsed_seconds = 0;
  // Run() found nothing to do: every file already fully indexed, none new
  // and none grown.
  bool up_to_date = false;
};

class Indexer {
 public:
  Indexer(std::string db_path, IndexOptions options);
  ~Indexer();
  Indexer(const Indexer&) = delete;
  Indexer& operator=(const Indexer&) = delete;

  // Indexes `paths` into the database, creating it if needed. Blocks.
  // Every path is checked (exists, regular file, readable, same as before)
  // before the database is touched.
  Status Run(const std::vector<std::string>& paths);

  // Indexes a stream read from fd (e.g. 0, standard input) to its end, as
  // one more source named "-". A stream cannot be read again, so its counts
  // are committed all at once when it ends: if the run stops (Aborted) or
  // fails before, nothing of it is counted and it cannot be resumed. Each
  // call adds a new source, even for the same bytes. options.workers count
  // it, with the counts and stats of the same bytes given as a file.
  Status RunStream(int fd);

  // Asks a running Run() (or the next one, if none is running) to commit
  // what it has counted and return Status::Aborted; the Run() after that
  // resumes. Thread-safe.
  void RequestStop();

  // Thread-safe; callable during Run().
  IndexProgress progress() const;

 private:
  Status RunOnce(const std::vector<std::string>& paths);
  Status RunStreamOnce(int fd);
  // Indexes the compressed files among paths (ingest/compressed_file.h).
  Status RunCompressed(const std::vector<std::string>& paths);
  // Adds this run's time to the database's stats; a failure to do so
  // becomes *result unless it holds an error already. Returns the time.
  double RecordElapsed(RocksStore* store, Status* result);
  // Emits kFinish or kError for result; returns it.
  Status EmitEnd(const Status& result, double elapsed);

  const std::string db_path_;
  const IndexOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> bytes_total_{0};
  std::atomic<uint64_t> bytes_done_{0};
  std::atomic<uint64_t> spills_{0};
  std::atomic<int64_t> start_ns_{0};
  std::atomic<bool> up_to_date_{false};
  bool growth_deferred_ = false;  // RunOnce() left a grown file for later
};

// The key a file given as `path` is known by in a database indexed with
// IndexOptions::root = root: its absolute path if root is empty, else its
// path relative to root (lexically normal, no ".."), found through the
// resolved (symlink-free) paths of both, or failing that their lexical
// absolute forms. InvalidArgument if path does not lie under root.
Status InputKey(const std::string& root, const std::string& path,
                std::string* key);

// True if head, a file's first bytes, starts a gzip member or a zstd frame
// (skippable frames too): Run() decompresses such a file and counts its
// text, whatever its name.
bool IsCompressed(std::string_view head);

}  // namespace pretokdb

#endif  // PRETOKDB_INDEXER_H_

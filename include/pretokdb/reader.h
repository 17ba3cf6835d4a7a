// Reading a pretok-db database: point queries, a sorted stream of all
// counts (what a BPE trainer consumes), and statistics.
//
// A CountReader opens the database read-only and does not take its lock, so
// it works while an index run is writing; it sees the counts committed when
// it was opened (every completed spill), never a partial spill.
//
// Thread safety: a CountReader may be shared; a CountIterator may not.

#ifndef PRETOKDB_READER_H_
#define PRETOKDB_READER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pretokdb/status.h"

namespace pretokdb {

class RocksStore;
class StoreIterator;

// A byte range [begin, end) of a file.
struct ByteRange {
  uint64_t begin = 0;
  uint64_t end = 0;

  bool operator==(const ByteRange&) const = default;
};

struct SourceInfo {
  // The file's key: its absolute path, or (relative) its path relative to
  // the --root directory of the runs that indexed it. "-" for a stream.
  std::string path;
  bool relative = false;
  uint64_t size = 0;  // bytes
  // What this database holds of the file (planned): all of it, unless it
  // was indexed in shards (IndexOptions::shard_count) and this is a shard.
  std::vector<ByteRange> held;  // ascending, disjoint, none empty or touching
  uint64_t bytes_held = 0;      // bytes in `held`
  uint64_t bytes_done = 0;      // bytes whose counts are committed
  // This database counted the file's "+1" document (a file of n separators
  // has n + 1): the one that holds its first byte.
  bool first_document = false;
};

// A named stream (index - --stream-name).
struct StreamInfo {
  std::string name;
  uint64_t bytes_done = 0;  // bytes whose counts are committed
  // Read to its end and every byte counted (then bytes_done is its size).
  bool complete = false;
};

struct DbStats {
  std::vector<SourceInfo> files;  // and unnamed streams, as "-"
  std::vector<StreamInfo> streams;
  uint64_t documents = 0;  // per file: special tokens found + 1
  uint64_t pretokens = 0;  // sum of all counts
  uint64_t distinct_pretokens = 0;
  uint64_t invalid_utf8_replaced = 0;  // ill-formed sequences replaced or dropped
  // Stretches of text with no possible cut longer than the maximum
  // (IndexOptions: kMaxPretokenBytes), skipped and not counted.
  uint64_t skipped_stretches = 0;
  uint64_t skipped_bytes = 0;
  // JSON Lines: lines skipped as bad records (README, "JSON Lines"), by
  // reason; bad_records is their sum.
  uint64_t bad_records = 0;
  struct BadRecordCounts {
    uint64_t invalid_json = 0;
    uint64_t invalid_utf8 = 0;
    uint64_t missing_field = 0;
    uint64_t not_string = 0;
    uint64_t too_long = 0;
  } bad;
  uint64_t spills = 0;
  double elapsed_seconds = 0;  // summed over runs that ended or stopped
  // Configuration.
  std::string pattern;        // "gpt2", "cl100k", "o200k" or "custom"
  std::string pattern_regex;  // the pattern, as the Python reference has it
  std::vector<std::string> special_tokens;
  std::string invalid_utf8;   // "replace"
  std::string jsonl_field;    // JSON Lines: the field counted; "" for text
};

// Pretokens and their counts in ascending order of the pretoken's bytes
// (unsigned, lexicographic); pretokens whose count is 0 are left out. Check status() when Valid() turns false.
class CountIterator {
 public:
  explicit CountIterator(std::unique_ptr<StoreIterator> it);
  ~CountIterator();
  bool Valid() const { return valid_; }
  void Next();
  std::string_view token() const;
  uint64_t count() const { return count_; }
  Status status() const;

 private:
  void Load();
  std::unique_ptr<StoreIterator> it_;
  bool valid_ = false;
  uint64_t count_ = 0;
  Status status_;
};

class CountReader {
 public:
  // NotFound if there is no database at db_path; InvalidArgument if the
  // directory is not a pretok-db database.
  static Status Open(const std::string& db_path,
                     std::unique_ptr<CountReader>* reader);
  ~CountReader();

  // *count = 0 for a pretoken never seen.
  Status Get(std::string_view token, uint64_t* count) const;

  // Every count; distinct_pretokens costs a scan of the counts.
  Status GetStats(DbStats* stats) const;

  std::unique_ptr<CountIterator> NewIterator() const;

 private:
  explicit CountReader(std::unique_ptr<RocksStore> store);
  std::unique_ptr<RocksStore> store_;
};

}  // namespace pretokdb

#endif  // PRETOKDB_READER_H_

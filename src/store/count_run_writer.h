// Writes a spill's sorted counts as a table file that the counts family
// ingests: a RocksDB block-based table (format_version 5) of merge operands,
// as rocksdb::SstFileWriter writes it, byte for byte up to its properties
// block (tests/store/count_run_writer_test.cc holds the two to that).
//
// Why not SstFileWriter itself: for each entry it copies the key four
// times, calls a comparator, two property collectors and a flush policy
// through virtual calls, and re-estimates the file size. Measured on the
// 868K distinct pretokens of 100 MB of web text: 235-275 ns per entry
// against 110-140 here, of which LZ4 is half. The last spill of a run
// waits on this, and every spill of a large run pays it.
//
// What the file holds, in order:
//   data blocks   entries <shared><non-shared><value size><key delta><value>,
//                 key = token + 8-byte trailer (sequence 0, type Merge),
//                 value = fixed64 count; a restart every 16 entries; cut
//                 at 16 KiB as RocksDB's FlushBlockBySizePolicy cuts;
//                 LZ4 when it saves 1/8 or more
//   index block   one entry per data block: the shortest user key between
//                 the block's last key and the next block's first, and the
//                 block's offset and size
//   properties    what ingestion and readers need (entry count, sizes,
//                 index format, column family, the external file version
//                 and global sequence number); the rest left out
//   metaindex     "rocksdb.properties" -> the properties block
//   footer        the checksum type (XXH3), the two handles,
//                 format_version 5, the magic number
// Each block ends with a compression type byte and its XXH3 checksum.

#ifndef PRETOKDB_STORE_COUNT_RUN_WRITER_H_
#define PRETOKDB_STORE_COUNT_RUN_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pretokdb/status.h"

namespace pretokdb {

struct CountRunOptions {
  // The family's: ingestion refuses a file that names another family.
  uint32_t column_family_id = 0;
  std::string column_family_name;
  std::string merge_operator_name;
  bool lz4 = true;
  size_t block_size = 16 << 10;
};

class CountRunWriter {
 public:
  explicit CountRunWriter(CountRunOptions options);
  // Closes a file not finished (the caller removes it).
  ~CountRunWriter();
  CountRunWriter(const CountRunWriter&) = delete;
  CountRunWriter& operator=(const CountRunWriter&) = delete;

  // Creates (or truncates) the file.
  Status Open(const std::string& path);
  // Tokens must come in strictly increasing bytewise order (else
  // InvalidArgument, and the file is not to be used).
  Status Add(std::string_view token, uint64_t count);
  // Writes the index and the rest, syncs and closes the file. Fails if
  // nothing was added (a table file holds at least one entry).
  Status Finish(uint64_t* file_size);

 private:
  struct Handle {
    uint64_t offset = 0;
    uint64_t size = 0;
  };

  bool BlockIsFull(size_t key_size) const;
  void FinishDataBlock();
  void AddIndexEntry(std::string_view next_key);
  // Appends `raw` as a block with its trailer, compressed if asked and
  // worth it.
  Handle WriteBlock(const std::string& raw, bool compress);
  std::string PropertiesBlock(size_t index_raw_size) const;
  void Append(std::string_view bytes);  // errors go to status_
  Status Flush();
  Status Fail(const std::string& what, int error);

  const CountRunOptions options_;
  const size_t deviation_limit_;  // see BlockIsFull
  std::string path_;
  int fd_ = -1;
  Status status_;

  std::string out_;  // written at offset written_
  uint64_t written_ = 0;

  // The data block being built.
  std::string block_;
  std::vector<uint32_t> restarts_;
  int since_restart_ = 0;  // entries since the last restart
  std::string key_;        // the entry being added: token + trailer
  std::string last_key_;   // the entry added before it

  std::string index_;
  std::vector<uint32_t> index_restarts_;
  Handle last_block_;

  std::string compressed_;
  struct Lz4State;
  std::unique_ptr<Lz4State> lz4_;

  uint64_t entries_ = 0;
  uint64_t raw_key_bytes_ = 0;
  uint64_t data_blocks_ = 0;
};

}  // namespace pretokdb

#endif  // PRETOKDB_STORE_COUNT_RUN_WRITER_H_

#include "store/count_run_writer.h"

#include <fcntl.h>
#include <lz4.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <random>

#include "store/coding.h"

namespace pretokdb {

namespace {

// RocksDB's constants for what this writer writes.
constexpr int kRestartInterval = 16;                         // data blocks
constexpr int kBlockSizeDeviation = 10;                      // percent
constexpr char kMergeTrailer[8] = {2, 0, 0, 0, 0, 0, 0, 0};  // seq 0, Merge
constexpr char kNoCompression = 0;
constexpr char kLz4Compression = 4;
constexpr size_t kBlockTrailerSize = 5;  // type, checksum
constexpr char kChecksumXxh3 = 4;        // the default since 7.x
constexpr uint32_t kFormatVersion = 5;
constexpr uint64_t kBlockBasedTableMagic = 0x88e241b785f4cff7ull;
constexpr size_t kFooterHandlesSize = 40;    // two handles, padded
constexpr size_t kLz4MaxInput = 0x7e000000;  // LZ4_MAX_INPUT_SIZE

constexpr size_t kWriteChunk = 1 << 20;

size_t VarintLength(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void PutHandle(std::string* dst, uint64_t offset, uint64_t size) {
  PutVarint64(dst, offset);
  PutVarint64(dst, size);
}

size_t SharedPrefix(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

// A block entry: <shared><non-shared><value size><key delta><value>, the
// key sharing its first bytes with `previous` ("" at a restart).
void AppendEntry(std::string* block, std::string_view previous,
                 std::string_view key, std::string_view value) {
  const size_t shared = SharedPrefix(previous, key);
  PutVarint64(block, shared);
  PutVarint64(block, key.size() - shared);
  PutVarint64(block, value.size());
  block->append(key.substr(shared));
  block->append(value);
}

// The index key between two blocks: RocksDB's bytewise
// FindShortestSeparator on the user keys, kept only where the internal key
// comparator keeps it (shorter or as long, and after `start`).
std::string Separator(std::string_view start, std::string_view limit) {
  std::string tmp(start);
  size_t diff = SharedPrefix(start, limit);
  if (diff < std::min(start.size(), limit.size())) {
    const auto start_byte = static_cast<uint8_t>(tmp[diff]);
    const auto limit_byte = static_cast<uint8_t>(limit[diff]);
    if (start_byte < limit_byte) {
      if (diff < limit.size() - 1 || start_byte + 1 < limit_byte) {
        tmp[diff] = static_cast<char>(start_byte + 1);
        tmp.resize(diff + 1);
      } else {
        // Incrementing here would reach `limit`: increment the first byte
        // after it that is not 0xff.
        for (++diff; diff < tmp.size(); ++diff) {
          if (static_cast<uint8_t>(tmp[diff]) < 0xff) {
            tmp[diff] = static_cast<char>(static_cast<uint8_t>(tmp[diff]) + 1);
            tmp.resize(diff + 1);
            break;
          }
        }
      }
    }
  }
  if (tmp.size() <= start.size() && std::string_view(tmp) > start) return tmp;
  return std::string(start);
}

// A session identity of the kind RocksDB gives each SstFileWriter: 20
// characters of base 36. With the file number 1 it names the file in the
// block cache's keys, so it must differ between files.
std::string NewSessionId() {
  static std::atomic<uint64_t> counter{0};
  std::random_device device;
  unsigned __int128 v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 32) ^ device();
  v ^= counter.fetch_add(1) * 0x9e3779b97f4a7c15ull;  // distinct in a process
  static const char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string id(20, '0');
  for (int i = 19; i >= 0; --i) {
    id[i] = kDigits[static_cast<int>(v % 36)];
    v /= 36;
  }
  return id;
}

}  // namespace

struct CountRunWriter::Lz4State {
  LZ4_stream_t stream;
};

CountRunWriter::CountRunWriter(CountRunOptions options)
    : options_(std::move(options)),
      deviation_limit_(
          (options_.block_size * (100 - kBlockSizeDeviation) + 99) / 100),
      restarts_(1, 0),
      lz4_(std::make_unique<Lz4State>()) {}

CountRunWriter::~CountRunWriter() {
  if (fd_ >= 0) close(fd_);
}

Status CountRunWriter::Fail(const std::string& what, int error) {
  if (status_.ok()) {
    status_ = Status::IOError(path_, (error == ENOSPC ? "disk full: " : "") +
                                         what + ": " + std::strerror(error));
  }
  return status_;
}

Status CountRunWriter::Open(const std::string& path) {
  path_ = path;
  fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) return Fail("cannot create a table file", errno);
  return Status::OK();
}

Status CountRunWriter::Flush() {
  const char* p = out_.data();
  size_t left = out_.size();
  while (left > 0) {
    const ssize_t n = write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail("cannot write a table file", errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  written_ += out_.size();
  out_.clear();
  return Status::OK();
}

void CountRunWriter::Append(std::string_view bytes) {
  out_.append(bytes);
  if (out_.size() >= kWriteChunk && status_.ok()) (void)Flush();
}

// RocksDB's FlushBlockBySizePolicy, on its estimate of the block's size:
// the block is full at block_size, or a little before it (within the
// deviation) if this entry would take it past.
bool CountRunWriter::BlockIsFull(size_t key_size) const {
  const size_t current = block_.size() + 4 * restarts_.size() + 4;
  if (current >= options_.block_size) return true;
  const size_t after = current + key_size + 8 +
                       (since_restart_ >= kRestartInterval ? 4 : 0) + 4 +
                       VarintLength(key_size) + VarintLength(8);
  return after > options_.block_size && current > deviation_limit_;
}

Status CountRunWriter::Add(std::string_view token, uint64_t count) {
  if (!status_.ok()) return status_;
  // Ingestion reads only a file's first and last keys: a file out of order
  // would go in, and lookups in it would fail. (SstFileWriter checks too.)
  if (entries_ > 0 &&
      !(std::string_view(last_key_.data(), last_key_.size() - 8) < token)) {
    status_ = Status::InvalidArgument(path_, "tokens out of order in a run");
    return status_;
  }
  key_.assign(token);
  key_.append(kMergeTrailer, sizeof(kMergeTrailer));
  if (!block_.empty() && BlockIsFull(key_.size())) {
    FinishDataBlock();
    AddIndexEntry(key_);
  }
  std::string_view previous = last_key_;
  if (block_.empty()) {
    previous = {};
  } else if (since_restart_ >= kRestartInterval) {
    restarts_.push_back(static_cast<uint32_t>(block_.size()));
    since_restart_ = 0;
    previous = {};
  }
  char value[8];
  EncodeFixed64(value, count);
  AppendEntry(&block_, previous, key_, std::string_view(value, 8));
  ++since_restart_;
  ++entries_;
  raw_key_bytes_ += key_.size();
  last_key_.swap(key_);
  return status_;
}

void CountRunWriter::FinishDataBlock() {
  for (uint32_t r : restarts_) PutFixed32(&block_, r);
  PutFixed32(&block_, static_cast<uint32_t>(restarts_.size()));
  last_block_ = WriteBlock(block_, options_.lz4);
  ++data_blocks_;
  block_.clear();
  restarts_.assign(1, 0);
  since_restart_ = 0;
}

// With format_version 5 the index holds user keys, and its values are
// block handles without a length (delta-encoded, but every index entry is
// a restart, so each holds the whole handle).
void CountRunWriter::AddIndexEntry(std::string_view next_key) {
  const std::string_view last(last_key_.data(), last_key_.size() - 8);
  const std::string key =
      next_key.empty()
          ? std::string(last)
          : Separator(last, next_key.substr(0, next_key.size() - 8));
  index_restarts_.push_back(static_cast<uint32_t>(index_.size()));
  PutVarint64(&index_, 0);
  PutVarint64(&index_, key.size());
  index_.append(key);
  PutHandle(&index_, last_block_.offset, last_block_.size);
}

CountRunWriter::Handle CountRunWriter::WriteBlock(const std::string& raw,
                                                  bool compress) {
  std::string_view contents = raw;
  char type = kNoCompression;
  if (compress && raw.size() < kLz4MaxInput) {
    // As RocksDB does it: the uncompressed size, then LZ4 from a fresh
    // stream; kept only if it saves at least an eighth.
    compressed_.clear();
    PutVarint64(&compressed_, raw.size());
    const size_t header = compressed_.size();
    const int bound = LZ4_compressBound(static_cast<int>(raw.size()));
    compressed_.resize(header + static_cast<size_t>(bound));
    LZ4_stream_t* stream = LZ4_initStream(&lz4_->stream, sizeof(lz4_->stream));
    const int n =
        LZ4_compress_fast_continue(stream, raw.data(), &compressed_[header],
                                   static_cast<int>(raw.size()), bound, 1);
    if (n > 0 &&
        header + static_cast<size_t>(n) < raw.size() - raw.size() / 8) {
      compressed_.resize(header + static_cast<size_t>(n));
      contents = compressed_;
      type = kLz4Compression;
    }
  }
  const Handle handle{written_ + out_.size(), contents.size()};
  char trailer[kBlockTrailerSize];
  trailer[0] = type;
  // RocksDB's XXH3 block checksum: the hash's low half, with the type byte
  // folded in by a multiply.
  const uint32_t checksum =
      static_cast<uint32_t>(XXH3_64bits(contents.data(), contents.size())) ^
      static_cast<uint8_t>(type) * 0x6b9083d9u;
  EncodeFixed32(trailer + 1, checksum);
  Append(contents);
  Append(std::string_view(trailer, kBlockTrailerSize));
  return handle;
}

std::string CountRunWriter::PropertiesBlock(size_t index_raw_size) const {
  std::map<std::string, std::string> props;
  auto text = [&props](const char* name, std::string_view value) {
    props.emplace(name, value);
  };
  auto number = [&props](const char* name, uint64_t v) {
    std::string s;
    PutVarint64(&s, v);
    props.emplace(name, std::move(s));
  };
  std::string fixed;
  PutFixed32(&fixed, 0);  // kBinarySearch
  text("rocksdb.block.based.table.index.type", fixed);
  text("rocksdb.block.based.table.prefix.filtering", "0");
  text("rocksdb.block.based.table.whole.key.filtering", "1");
  number("rocksdb.column.family.id", options_.column_family_id);
  if (!options_.column_family_name.empty()) {
    text("rocksdb.column.family.name", options_.column_family_name);
  }
  text("rocksdb.comparator", "leveldb.BytewiseComparator");
  // Readers decompress only if this is not "NoCompression".
  text("rocksdb.compression", options_.lz4 ? "LZ4" : "NoCompression");
  text("rocksdb.creating.db.identity", "pretok-db");
  text("rocksdb.creating.session.identity", NewSessionId());
  number("rocksdb.creation.time", 0);
  number("rocksdb.data.size",
         last_block_.offset + last_block_.size + kBlockTrailerSize);
  number("rocksdb.deleted.keys", 0);
  fixed.clear();
  PutFixed64(&fixed, 0);
  text("rocksdb.external_sst_file.global_seqno", fixed);
  fixed.clear();
  PutFixed32(&fixed, 2);
  text("rocksdb.external_sst_file.version", fixed);
  number("rocksdb.filter.size", 0);
  number("rocksdb.fixed.key.length", 0);
  number("rocksdb.format.version", 0);  // block-based tables leave it 0
  number("rocksdb.index.key.is.user.key", 1);
  number("rocksdb.index.size", index_raw_size + kBlockTrailerSize);
  number("rocksdb.index.value.is.delta.encoded", 1);
  number("rocksdb.merge.operands", entries_);
  text("rocksdb.merge.operator", options_.merge_operator_name.empty()
                                     ? "nullptr"
                                     : options_.merge_operator_name);
  number("rocksdb.num.data.blocks", data_blocks_);
  number("rocksdb.num.entries", entries_);
  number("rocksdb.num.filter_entries", 0);
  number("rocksdb.num.range-deletions", 0);
  number("rocksdb.oldest.key.time", 0);
  number("rocksdb.original.file.number", 1);
  text("rocksdb.prefix.extractor.name", "nullptr");
  text("rocksdb.property.collectors", "[]");
  number("rocksdb.raw.key.size", raw_key_bytes_);
  number("rocksdb.raw.value.size", entries_ * 8);

  // One restart: each key shares what it can with the one before.
  std::string block;
  std::string_view last;
  for (const auto& [key, value] : props) {
    AppendEntry(&block, last, key, value);
    last = key;
  }
  PutFixed32(&block, 0);
  PutFixed32(&block, 1);
  return block;
}

Status CountRunWriter::Finish(uint64_t* file_size) {
  if (!status_.ok()) return status_;
  if (entries_ == 0) {
    return Status::InvalidArgument(path_, "a table file needs an entry");
  }
  FinishDataBlock();
  AddIndexEntry({});
  for (uint32_t r : index_restarts_) PutFixed32(&index_, r);
  PutFixed32(&index_, static_cast<uint32_t>(index_restarts_.size()));
  const Handle index = WriteBlock(index_, options_.lz4);
  const Handle properties = WriteBlock(PropertiesBlock(index_.size()), false);

  std::string metaindex;
  std::string handle;
  PutHandle(&handle, properties.offset, properties.size);
  AppendEntry(&metaindex, {}, "rocksdb.properties", handle);
  PutFixed32(&metaindex, 0);
  PutFixed32(&metaindex, 1);
  const Handle meta = WriteBlock(metaindex, false);

  std::string footer(1, kChecksumXxh3);
  PutHandle(&footer, meta.offset, meta.size);
  PutHandle(&footer, index.offset, index.size);
  footer.resize(1 + kFooterHandlesSize, '\0');
  PutFixed32(&footer, kFormatVersion);
  PutFixed64(&footer, kBlockBasedTableMagic);
  Append(footer);
  if (!status_.ok()) return status_;
  if (!Flush().ok()) return status_;
  if (fdatasync(fd_) != 0) return Fail("cannot sync a table file", errno);
  const int fd = fd_;
  fd_ = -1;
  if (close(fd) != 0) return Fail("cannot close a table file", errno);
  *file_size = written_;
  return Status::OK();
}

}  // namespace pretokdb

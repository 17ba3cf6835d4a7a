// Decompresses a .gz or .zst file (ingest/compressed_file.h) from a member
// or frame start to its end, through pread, in constant memory.
//
// Every gzip member's CRC32 and length are checked as it ends (a file of
// several members, as `cat a.gz b.gz` makes, is read whole), and every zstd
// frame's content checksum, when the frame has one; skippable frames give
// no bytes. verified() says how far the text given is checked: counts of
// bytes past it must not be committed yet. Corrupt or truncated input, or
// bytes after the last member or frame that start none, are Corruption
// naming the file, the kind of unit and its compressed offset.
//
// A boundary (a frame start after `from`) can be set: its text offset is
// learnt when every frame before it has ended (boundary_text()). The
// compressed bytes [from, boundary) (or to the end of the file) are hashed
// as they are read (raw_hash(): store/checkpoint.h's digest of a unit).
//
// Not thread-safe.

#ifndef PRETOKDB_INGEST_DECOMPRESSOR_H_
#define PRETOKDB_INGEST_DECOMPRESSOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "ingest/chunk_hash.h"
#include "ingest/compressed_file.h"
#include "ingest/source_file.h"
#include "pretokdb/status.h"

namespace pretokdb {

class Decompressor {
 public:
  // What file points to must outlive the decompressor. `from`: a compressed
  // offset where a member or frame starts. Input is read in buffers of
  // input_bytes.
  Decompressor(const SourceFile* file, Compression kind, uint64_t from,
               size_t input_bytes = 1 << 20);
  ~Decompressor();
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  // The memory a decompressor holds beyond its input buffer, at most, for
  // frames of the given window (0 for gzip).
  static uint64_t MemoryBytes(Compression kind, uint64_t window_bytes);

  // See the file comment. REQUIRES: before the first Read().
  void set_boundary(uint64_t compressed_offset) { boundary_ = compressed_offset; }

  // Reads up to n decompressed bytes into dst; fewer only at the end of the
  // file, when every member or frame has ended and checked.
  Status Read(char* dst, size_t n, size_t* got);

  uint64_t text_offset() const { return text_; }  // bytes given so far
  // Text offset up to which every member or frame has ended and checked.
  uint64_t verified() const { return verified_; }
  bool boundary_known() const { return boundary_known_; }
  uint64_t boundary_text() const { return boundary_text_; }
  // Of the compressed bytes read so far before the boundary.
  const ChunkHash& raw_hash() const { return raw_hash_; }

 private:
  Status Refill();
  Status ReadZstd(char* dst, size_t n, size_t* got);
  Status ReadGzip(char* dst, size_t n, size_t* got);
  Status Corrupt(const std::string& what) const;
  // Compressed offset of the next byte the decoder takes.
  uint64_t InputOffset() const { return file_pos_ - (in_len_ - in_pos_); }

  const SourceFile* const file_;
  const Compression kind_;
  std::unique_ptr<char[]> in_;
  const size_t in_capacity_;
  size_t in_pos_ = 0;
  size_t in_len_ = 0;
  uint64_t file_pos_;      // next compressed byte to read into in_
  uint64_t unit_start_;    // compressed offset of the current member/frame
  bool in_unit_ = false;   // inside a member or frame
  uint64_t boundary_ = UINT64_MAX;
  bool boundary_known_ = false;
  uint64_t boundary_text_ = 0;
  uint64_t text_ = 0;
  uint64_t verified_ = 0;
  void* zstd_ = nullptr;   // ZSTD_DStream
  void* zlib_ = nullptr;   // z_stream
  ChunkHash raw_hash_;
};

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_DECOMPRESSOR_H_

// The value of a "ckpt/" BE64(source id) BE64(chunk index) key: how far a
// chunk of a source is counted, and a hash of the bytes its counts were made
// from, so that a file seen again can be checked byte for byte.
//
// Encoding: fixed64 offset, then (absent in the first format) a version
// varint and the fields of that version:
//   8 bytes                 the first format: offset only ("not hashed")
//   offset, 1, varint hashed_end, fixed64 digest
// The offset comes first in every version, so any value's first 8 bytes
// are the offset. A later version adds fields after those of the previous
// one; a version this code does not know is refused as unreadable, never
// half read.
//
// The digest is XXH3-64 (seed 0) of the source's raw bytes
// [chunk.begin, hashed_end), as read from the file (before --invalid-utf8
// skip cleans them). hashed_end >= offset: a worker hashes what it read,
// which may run ahead of what it has counted; it may also run past the
// chunk's end when growth cut the chunk back (ingest/source_growth.h),
// since the bytes stay those of the file.

#ifndef PRETOKDB_STORE_CHECKPOINT_H_
#define PRETOKDB_STORE_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace pretokdb {

struct Checkpoint {
  uint64_t offset = 0;  // the chunk is counted up to here (absolute)
  bool hashed = false;  // false: written before hashes were recorded
  uint64_t hashed_end = 0;  // if hashed: digest covers [chunk.begin, this)
  uint64_t digest = 0;

  // A checkpoint counted up to offset, with no hash.
  static Checkpoint At(uint64_t offset) {
    Checkpoint c;
    c.offset = offset;
    return c;
  }

  bool operator==(const Checkpoint&) const = default;
};

// XXH3-64 of no bytes: the digest of an empty hashed range.
uint64_t EmptyDigest();

std::string EncodeCheckpoint(const Checkpoint& checkpoint);
// False if in is not a checkpoint value this code can read (or has
// hashed_end < offset).
bool DecodeCheckpoint(std::string_view in, Checkpoint* checkpoint);

}  // namespace pretokdb

#endif  // PRETOKDB_STORE_CHECKPOINT_H_

// The value of a "schunk/" BE64(stream id) BE64(begin) key: how far a chunk
// of a named stream (index - --stream-name) is counted, and the hash of its
// bytes, so that the stream fed again can be checked and counted on.
//
// A stream's chunks are found as it is read, and several workers commit
// theirs at once: each chunk is a record of its own, written by the worker
// that counts it in the same commit as the counts it covers, as a file's
// checkpoint is. Its end is known once it is counted to it (`complete`);
// until then the next recorded chunk's begin, or the cut rule, ends it.
//
// Encoding: varint version (1), varint complete (0 or 1), then the
// checkpoint (store/checkpoint.h; always hashed, its digest over the raw
// bytes [begin, hashed_end)). A complete chunk has offset == hashed_end ==
// its end.

#ifndef PRETOKDB_STORE_STREAM_CHUNK_H_
#define PRETOKDB_STORE_STREAM_CHUNK_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "store/checkpoint.h"

namespace pretokdb {

struct StreamChunk {
  uint64_t begin = 0;
  bool complete = false;  // counted to its end, checkpoint.offset
  Checkpoint checkpoint;  // hashed

  uint64_t end() const { return checkpoint.offset; }  // if complete
  bool operator==(const StreamChunk&) const = default;
};

std::string EncodeStreamChunk(const StreamChunk& chunk);
// begin is the key's; false if `in` is not a value this code can read.
bool DecodeStreamChunk(uint64_t begin, std::string_view in, StreamChunk* chunk);

}  // namespace pretokdb

#endif  // PRETOKDB_STORE_STREAM_CHUNK_H_

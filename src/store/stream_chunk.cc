#include "store/stream_chunk.h"

#include "store/coding.h"

namespace pretokdb {

namespace {
constexpr uint64_t kStreamChunkVersion = 1;
}  // namespace

std::string EncodeStreamChunk(const StreamChunk& chunk) {
  std::string out;
  PutVarint64(&out, kStreamChunkVersion);
  PutVarint64(&out, chunk.complete ? 1 : 0);
  out += EncodeCheckpoint(chunk.checkpoint);
  return out;
}

bool DecodeStreamChunk(uint64_t begin, std::string_view in,
                       StreamChunk* chunk) {
  *chunk = StreamChunk();
  chunk->begin = begin;
  uint64_t version, complete;
  if (!GetVarint64(&in, &version) || version != kStreamChunkVersion ||
      !GetVarint64(&in, &complete) || complete > 1 ||
      !DecodeCheckpoint(in, &chunk->checkpoint)) {
    return false;
  }
  chunk->complete = complete == 1;
  const Checkpoint& c = chunk->checkpoint;
  if (!c.hashed || c.offset < begin) return false;
  return !chunk->complete || c.hashed_end == c.offset;
}

}  // namespace pretokdb

#include "store/checkpoint.h"

#include <xxhash.h>

#include "store/coding.h"

namespace pretokdb {

namespace {
constexpr uint64_t kCheckpointVersion = 1;
}  // namespace

uint64_t EmptyDigest() { return XXH3_64bits(nullptr, 0); }

std::string EncodeCheckpoint(const Checkpoint& checkpoint) {
  std::string out;
  PutFixed64(&out, checkpoint.offset);
  if (!checkpoint.hashed) return out;
  PutVarint64(&out, kCheckpointVersion);
  PutVarint64(&out, checkpoint.hashed_end);
  PutFixed64(&out, checkpoint.digest);
  return out;
}

bool DecodeCheckpoint(std::string_view in, Checkpoint* checkpoint) {
  *checkpoint = Checkpoint();
  if (!GetFixed64(&in, &checkpoint->offset)) return false;
  if (in.empty()) return true;  // the first format
  uint64_t version;
  if (!GetVarint64(&in, &version) || version != kCheckpointVersion ||
      !GetVarint64(&in, &checkpoint->hashed_end) ||
      !GetFixed64(&in, &checkpoint->digest) || !in.empty()) {
    return false;
  }
  checkpoint->hashed = true;
  return checkpoint->hashed_end >= checkpoint->offset;
}

}  // namespace pretokdb

#include "ingest/chunk_hash.h"

#include <xxhash.h>

#include <algorithm>
#include <new>
#include <vector>

namespace pretokdb {

struct ChunkHash::State {
  State() : xxh(XXH3_createState()) {
    if (xxh == nullptr) throw std::bad_alloc();
  }
  ~State() { XXH3_freeState(xxh); }
  XXH3_state_t* const xxh;
};

ChunkHash::ChunkHash() : state_(std::make_unique<State>()) {
  XXH3_64bits_reset(state_->xxh);
}

ChunkHash::ChunkHash(const ChunkHash& other) : state_(std::make_unique<State>()) {
  XXH3_copyState(state_->xxh, other.state_->xxh);
}

ChunkHash& ChunkHash::operator=(const ChunkHash& other) {
  if (this != &other) XXH3_copyState(state_->xxh, other.state_->xxh);
  return *this;
}

ChunkHash::~ChunkHash() = default;

void ChunkHash::Update(const char* data, size_t n) {
  if (n > 0) XXH3_64bits_update(state_->xxh, data, n);
}

uint64_t ChunkHash::Digest() const { return XXH3_64bits_digest(state_->xxh); }

Status HashFileRange(const SourceFile& file, uint64_t begin, uint64_t end,
                     size_t buffer_bytes, ChunkHash* hash) {
  std::vector<char> buf(std::max<size_t>(buffer_bytes, 4096));
  for (uint64_t at = begin; at < end;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), end - at));
    PRETOKDB_RETURN_IF_ERROR(file.ReadAt(at, n, buf.data()));
    hash->Update(buf.data(), n);
    at += n;
  }
  return Status::OK();
}

}  // namespace pretokdb

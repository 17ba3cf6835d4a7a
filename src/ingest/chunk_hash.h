// The XXH3-64 of a chunk's bytes (store/checkpoint.h), fed as they are read,
// and the same hash of a byte range of a file read for it alone.
//
// Copyable: a copy goes on from the same bytes (a worker keeps the state of
// the chunk it counts; the check of a resumed chunk hands its state over).

#ifndef PRETOKDB_INGEST_CHUNK_HASH_H_
#define PRETOKDB_INGEST_CHUNK_HASH_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "ingest/source_file.h"
#include "pretokdb/status.h"

namespace pretokdb {

class ChunkHash {
 public:
  ChunkHash();  // of no bytes
  ChunkHash(const ChunkHash& other);
  ChunkHash& operator=(const ChunkHash& other);
  ~ChunkHash();

  void Update(const char* data, size_t n);
  // Of every byte given so far; Update() may go on after it.
  uint64_t Digest() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Feeds [begin, end) of file to *hash, read in buffers of buffer_bytes.
Status HashFileRange(const SourceFile& file, uint64_t begin, uint64_t end,
                     size_t buffer_bytes, ChunkHash* hash);

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_CHUNK_HASH_H_

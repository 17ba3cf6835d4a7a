// Checking what was counted of a file seen again (a rerun, a resume,
// growth) against the hashes its checkpoints hold (store/checkpoint.h).
//
// The fingerprint that matches an input to its record (size, first and
// last 64 KiB: SourceFile::Fingerprint) misses an edit in the middle that
// keeps the size; the counts of the old bytes would then stand, stale.
// So, before anything is counted, every committed chunk extent
// [begin, hashed_end) is read and hashed again, the chunks shared among
// threads, and compared with its digest; a difference refuses the file.
//
// quick (--quick-check): only the chunks counted part way are read (their
// hash must go on from their start anyway, so they are checked for free);
// what was counted of the others is trusted to the fingerprint.
//
// A checkpoint with no hash (written before hashes were kept) gets one:
// [begin, offset) is hashed and recorded, quick or not, since it is once.
//
// Each chunk counted part way gets the hash of [begin, hashed_end), for
// its worker to go on from (ChunkTask::hash), so no byte is read twice.

#ifndef PRETOKDB_INGEST_EXTENT_CHECK_H_
#define PRETOKDB_INGEST_EXTENT_CHECK_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ingest/chunk_hash.h"
#include "ingest/source_file.h"
#include "pretokdb/status.h"
#include "store/checkpoint.h"
#include "store/records.h"
#include "store/rocks_store.h"

namespace pretokdb {

// A chunk of a file with something committed.
struct CommittedChunk {
  const SourceFile* file;
  uint64_t source_id;
  uint64_t chunk_index;
  ChunkRange range;
  Checkpoint checkpoint;
};

// Where the hash of a chunk counted part way stands.
struct ResumeHash {
  ChunkHash hash;  // of [chunk begin, hashed_end)
  uint64_t hashed_end = 0;
};

struct ExtentCheck {
  // Checkpoints that had no hash, with their hash (offsets unchanged): to
  // commit.
  MetaWrites recorded;
  uint64_t checked_bytes = 0;   // read again and compared
  uint64_t recorded_bytes = 0;  // hashed for the first time
  double seconds = 0;           // wall time of the whole check
  // (source id, chunk index) -> the hash its worker goes on from.
  std::map<std::pair<uint64_t, uint64_t>, ResumeHash> resume;
};

// Checks chunks as above with up to `threads` threads reading buffers of
// buffer_bytes. InvalidArgument naming the file, the byte range and
// db_path if a chunk's bytes are not those its counts were made from.
Status CheckCommittedExtents(const std::vector<CommittedChunk>& chunks,
                             bool quick, int threads, size_t buffer_bytes,
                             const std::string& db_path, ExtentCheck* out);

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_EXTENT_CHECK_H_

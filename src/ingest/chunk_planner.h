// Cuts a file into chunks that workers count independently. A chunk edge is
// placed only where a pretoken boundary is certain (text/safe_cut.h: a
// non-space character followed by ASCII whitespace) and no special token
// occurrence crosses it, so how a file is chunked never changes a count, and
// a file without any special token still spreads over all workers.
//
// The plan is stored with the source (records.h) and reused on resume, so
// checkpoints always refer to the same ranges.

#ifndef PRETOKDB_INGEST_CHUNK_PLANNER_H_
#define PRETOKDB_INGEST_CHUNK_PLANNER_H_

#include <cstdint>
#include <vector>

#include "ingest/source_file.h"
#include "ingest/special_tokens.h"
#include "pretokdb/status.h"
#include "store/records.h"

namespace pretokdb {

// Plans chunks of about target_bytes each (a chunk grows past the target
// when no safe cut is near it; in the worst case the file is one chunk).
// Towards the end of the file chunks shrink (guided self-scheduling: a
// chunk is at most the rest of the file over 2 x workers, down to 256 KiB),
// so that when the queue runs dry every worker finishes at about the same
// time. An empty file has no chunks.
Status PlanChunks(const SourceFile& file, const SpecialTokens& specials,
                  uint64_t target_bytes, std::vector<ChunkRange>* chunks,
                  int workers = 1);

// The chunk size for a run: small enough that every worker gets several
// chunks (so none idles while others work), big enough that planning and
// per-chunk overhead stay negligible.
uint64_t ChunkTargetBytes(uint64_t total_bytes, int workers);

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_CHUNK_PLANNER_H_

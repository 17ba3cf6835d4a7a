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

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "ingest/source_file.h"
#include "ingest/text_rules.h"
#include "pretokdb/status.h"
#include "store/records.h"

namespace pretokdb {

// Plans chunks of about target_bytes each (a chunk grows past the target
// when no safe cut is near it; in the worst case the file is one chunk).
// Towards the end of the file chunks shrink (guided self-scheduling: a
// chunk is at most the rest of the file over 2 x workers, down to 256 KiB),
// so that when the queue runs dry every worker finishes at about the same
// time. Plans [from, file.size()); from must be a cut (0, or a chunk edge).
// An empty range has no chunks.
Status PlanChunks(const SourceFile& file, const TextRules& rules,
                  uint64_t target_bytes, std::vector<ChunkRange>* chunks,
                  int workers = 1, uint64_t from = 0);

// Appends to chunks the plan of range (its edges cuts, range.end <= size),
// as PlanChunks plans the rest of a file, in a file taken to end at size
// (<= file.size(): the extent a database knows of it).
Status PlanRange(const SourceFile& file, const TextRules& rules,
                 uint64_t target_bytes, int workers, ChunkRange range,
                 uint64_t size, std::vector<ChunkRange>* chunks);

// The first cut of file at or after `from` and below bound, or bound if
// none, in the file taken to end at size (no byte at or after size is
// read: the answer is the same however much was appended after size).
Status FindFirstCutFrom(const SourceFile& file, const TextRules& rules,
                        uint64_t from, uint64_t bound, uint64_t size,
                        uint64_t* cut);

// The last cut in [lo, hi) of file (hi <= file.size()), or lo if none: the
// point an appended file is counted again from (source_growth.h).
Status FindLastCutBefore(const SourceFile& file, const TextRules& rules,
                         uint64_t lo, uint64_t hi, uint64_t* cut);

// The first chunk edge q with lo <= q < hi in buf, placed as PlanChunks
// places them (a safe cut or a separator's end that no special token
// crosses), or npos if none. Which positions are edges depends on the bytes
// alone: buf must hold ChunkEdgeContext(rules) bytes before lo and after
// hi, or begin or end where the text does. Chunks of a stream are cut at
// these edges (ingest/stream_chunker.h).
size_t FindFirstChunkEdge(const TextRules& rules, std::string_view buf,
                          size_t lo, size_t hi);
size_t ChunkEdgeContext(const TextRules& rules);

// The chunk size for a run: small enough that every worker gets several
// chunks (so none idles while others work), big enough that planning and
// per-chunk overhead stay negligible.
uint64_t ChunkTargetBytes(uint64_t total_bytes, int workers);

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_CHUNK_PLANNER_H_

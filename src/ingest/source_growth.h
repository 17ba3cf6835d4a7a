// Indexing a file that grew by appending since it was indexed.
//
// The old end of the file was counted as an end: its last pretoken (and
// document) was closed there. In the grown file that pretoken may continue
// ("hel" + "lo" is "hello"), so the counts of the old tail are taken back
// and the tail is counted again with what follows it:
//
//   1. d = how far the file's last chunk is committed (its old end, or a
//      resume point if the run that indexed it stopped early).
//   2. If d is a cut in the grown file (a safe cut no special token
//      crosses), nothing before it changes: counting resumes at d.
//      Otherwise c = the last such cut before d (or the chunk's start), and
//      the counts of [c, d), recomputed exactly as they were committed, are
//      subtracted (counts add modulo 2^64, so adding 2^64 - n subtracts n).
//   3. The last chunk is shortened to end at the restart point, and the
//      rest of the file is planned as new chunks after it.
//
// Steps 2 and 3 are one commit: the subtraction, the new source record and
// the checkpoint that marks the shortened chunk complete. A crash before it
// leaves the old state; after it, the new chunks resume as any others.

#ifndef PRETOKDB_INGEST_SOURCE_GROWTH_H_
#define PRETOKDB_INGEST_SOURCE_GROWTH_H_

#include <cstdint>
#include <map>
#include <utility>

#include "ingest/memory_plan.h"
#include "ingest/source_file.h"
#include "ingest/text_rules.h"
#include "pretokdb/status.h"
#include "store/records.h"
#include "store/rocks_store.h"

namespace pretokdb {

// True if file is `old`'s file with bytes appended: it is longer, and its
// first old.size bytes have old's fingerprint.
Status HasGrownByAppending(const SourceFile& file, const SourceRecord& old,
                           bool* grown);

// Commits the new plan of a grown file (see above): `old` is its record,
// checkpoints the database's, fingerprint the grown file's. On success
// *grown is the record as committed.
Status CommitGrowth(const SourceFile& file, const SourceRecord& old,
                    uint64_t fingerprint,
                    const std::map<std::pair<uint64_t, uint64_t>, uint64_t>&
                        checkpoints,
                    const TextRules& rules, const MemoryPlan& memory,
                    uint64_t target_chunk_bytes, int workers,
                    RocksStore* store, SourceRecord* grown);

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_SOURCE_GROWTH_H_

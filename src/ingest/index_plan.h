// Planning one input of a run, by one rule for every case: what the run
// wants of the file (the units its shard owns, ingest/shard_split.h, or all
// of it unsharded), minus what the database already holds of it, planned
// into chunks (sub-cut for the workers as any plan). A resumed run, an
// unsharded run into a database holding some parts (a shard, or a merge of
// some shards: a no-op when it holds everything, else it fills the gaps)
// and a shard into a database lacking its parts are then the same code.
//
// The file's "+1" document (a file of n separators has n + 1) is counted by
// the plan that takes its first unit, when no plan of this database has
// counted it yet (SourceRecord::first_document).

#ifndef PRETOKDB_INGEST_INDEX_PLAN_H_
#define PRETOKDB_INGEST_INDEX_PLAN_H_

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "ingest/shard_split.h"
#include "ingest/source_file.h"
#include "ingest/text_rules.h"
#include "pretokdb/status.h"
#include "store/records.h"
#include "store/rocks_store.h"
#include "store/source_catalog.h"

namespace pretokdb {

// What an unsharded run wants of a file the database knows `size` bytes of.
ShardShare WholeFile(uint64_t size);

// The bytes of [0, record.size) that `want` asks for and record does not
// hold: normal (byte_ranges.h), each edge a cut.
std::vector<ChunkRange> GapsToPlan(const ShardShare& want,
                                   const SourceRecord& record);

// Adds `added` (ascending, disjoint, none overlapping what record holds) to
// record's chunks, keeping them in order. Checkpoints are keyed by a chunk's
// position, so every chunk whose position changes gets its checkpoint
// written again in meta (a new chunk: at its begin, nothing counted), from
// `checkpoints`, the database's.
void MergeChunks(const std::vector<ChunkRange>& added,
                 const Checkpoints& checkpoints, SourceRecord* record,
                 MetaWrites* meta);

// Plans into record what want asks of file and record does not hold (chunks
// of about target_bytes), and takes the first document if want has the
// first unit and record has not counted it. The new record and what it
// needs (checkpoints, the document) go in meta; *changed says whether
// anything was planned.
Status PlanWanted(const SourceFile& file, const TextRules& rules,
                  const ShardShare& want, uint64_t target_bytes, int workers,
                  const Checkpoints& checkpoints, SourceRecord* record,
                  MetaWrites* meta, bool* changed);

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_INDEX_PLAN_H_

// Indexing files that grew by appending since they were indexed.
//
// The old end of a file was counted as an end: its last pretoken (and
// document) was closed there. In the grown file that pretoken may continue
// ("hel" + "lo" is "hello"), or a special token may be completed ("<|endof"
// + "text|>"), so the counts of the old tail are taken back and the tail is
// counted again with what follows it:
//
//   1. If the old end is a cut of the grown file (a safe cut or a separator
//      end that no special token crosses), nothing before it changes.
//      Otherwise c = the last such cut before it (or the file's start, or
//      for a shard the start of what it holds up to the old end).
//   2. The counts of [c, old end), recomputed chunk by chunk exactly as they
//      were committed, are subtracted (counts add modulo 2^64, so adding
//      2^64 - n subtracts n), with the stats they added.
//   3. The chunks are cut back to end at c (those after it become empty),
//      and [c, new end) is planned as new chunks.
//
// Growth needs the old extent fully indexed (its counts committed): a file
// whose last run stopped early is first finished as it was planned, then
// grown (Indexer::Run does both). The growth of every file of a run is one
// commit: the subtraction, the new source records and the checkpoints that
// mark the shortened chunks complete. A crash before it leaves the old
// state; after it, the new chunks resume as any others.

#ifndef PRETOKDB_INGEST_SOURCE_GROWTH_H_
#define PRETOKDB_INGEST_SOURCE_GROWTH_H_

#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "count/count_table.h"
#include "ingest/chunk_counter.h"
#include "ingest/memory_plan.h"
#include "ingest/source_file.h"
#include "ingest/staged_spills.h"
#include "ingest/text_rules.h"
#include "pretokdb/status.h"
#include "store/records.h"
#include "store/rocks_store.h"
#include "store/source_catalog.h"

namespace pretokdb {

// True if file is `old`'s file with bytes appended: it is longer, and its
// first old.size bytes have old's fingerprint.
Status HasGrownByAppending(const SourceFile& file, const SourceRecord& old,
                           bool* grown);

// True if every chunk of `source` is committed to its end.
bool FullyIndexed(const SourceRecord& source, const Checkpoints& checkpoints);

// Gathers the growth of several files into one commit.
class GrowthCommit {
 public:
  // The subtraction is staged in store (ingest/staged_spills.h) when it
  // outgrows the memory plan's table.
  GrowthCommit(const TextRules& rules, const MemoryPlan& memory,
               RocksStore* store);

  // Adds the growth of one fully indexed file: `old` is its record,
  // checkpoints the database's (their hashes are kept: the old bytes are
  // the grown file's), fingerprint the grown file's. The tail is counted again from a cut no
  // earlier than held_from, a cut (0, or the start of the stretch a shard
  // holds up to the old end: what is before it is another shard's).
  // *grown: its record once committed.
  Status Add(const SourceFile& file, const SourceRecord& old,
             const Checkpoints& checkpoints, uint64_t fingerprint, uint64_t target_chunk_bytes, int workers,
             uint64_t held_from, SourceRecord* grown);

  // Commits everything added, atomically.
  Status Commit();

 private:
  // Stages the table's counts, negated, and clears it.
  Status StageUndo();

  const TextRules& rules_;
  const MemoryPlan memory_;
  StagedSpills staged_;
  CountTable undo_;
  CounterStats undo_stats_;
  uint64_t undo_pretokens_ = 0;  // staged so far
  MetaWrites meta_;
};

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_SOURCE_GROWTH_H_

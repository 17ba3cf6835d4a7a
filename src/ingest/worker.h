// One indexing worker: a count table of its own, a ChunkCounter, and the
// checkpoints of the chunk ranges whose counts are in the table.
//
// Spill() commits, atomically (RocksStore::Commit), the counts of the
// table, the pending checkpoints and the stats the table's input added.
// That commit is the unit of durability: a crash loses only what is still
// in memory, and the next run re-reads exactly the ranges after the
// committed checkpoints.
//
// Not thread-safe: each worker thread owns one Worker.

#ifndef PRETOKDB_INGEST_WORKER_H_
#define PRETOKDB_INGEST_WORKER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "count/count_table.h"
#include "ingest/chunk_counter.h"
#include "ingest/chunk_hash.h"
#include "ingest/memory_plan.h"
#include "ingest/opening_store.h"
#include "ingest/source_file.h"
#include "ingest/text_rules.h"
#include "pretokdb/options.h"
#include "pretokdb/status.h"
#include "store/rocks_store.h"

namespace pretokdb {

// Where a worker's spills go when they are not commits to the store: a
// stream's spills are staged and committed once, at its end.
class SpillSink {
 public:
  virtual ~SpillSink() = default;
  // Takes the counts (sorted, as for RocksStore::Commit) and the meta
  // records and stats a spill would commit. *bytes: bytes written.
  virtual Status Spill(const CountSource& counts, const MetaWrites& meta,
                       uint64_t* bytes) = 0;
};

// A range of one chunk still to count.
struct ChunkTask {
  const SourceFile* file;
  uint64_t source_id;
  uint64_t chunk_index;
  uint64_t chunk_begin;
  uint64_t from;  // chunk_begin or committed checkpoint
  uint64_t end;   // chunk end
  // The hash of [chunk start, hashed_end) when from is past the chunk's
  // start (hashed_end >= from: the check before counting read that far,
  // ingest/extent_check.h); null when from is the chunk's start. Null past
  // the start: the chunk's checkpoints are written with no hash (the next
  // run records it).
  const ChunkHash* hash = nullptr;
  uint64_t hashed_end = 0;
};

// What the workers of a run share. All members are thread-safe.
struct WorkerContext {
  OpeningStore* store;  // waited for at the first commit
  const TextRules* rules;
  MemoryPlan memory;
  double checkpoint_interval_seconds;
  const std::atomic<bool>* stop;
  std::atomic<uint64_t>* bytes_done;
  std::atomic<uint64_t>* spills;
  // Emits an event; thread-safe (may be empty).
  std::function<void(const IndexEvent&)> on_event;
  // Null: every spill is a commit to store.
  SpillSink* sink = nullptr;
};

class Worker {
 public:
  Worker(int id, const WorkerContext& context);

  // Counts the task's range. Returns Aborted if asked to stop (after a
  // spill that commits what was counted).
  Status Run(const ChunkTask& task);

  // Counts a chunk of a stream, the bytes `read` gives from offset `from`
  // on, as source `source_id` named *name (ingest/stream_chunker.h; the
  // sink sees the spills, ingest/staged_spills.h). Returns Aborted if asked
  // to stop.
  Status RunStream(uint64_t source_id, const std::string* name, uint64_t from,
                   const ChunkCounter::StreamReadFn& read);

  // Commits the table and pending checkpoints (nothing if there are none).
  Status Spill();

  // Spill() in two halves, for a commit shared with other workers
  // (ingest/final_spill.h). PrepareSpill() sorts the table and sets *meta
  // to the records and stats to commit with its entries (false: nothing to
  // commit); until SpillCommitted(), called once they are committed, the
  // worker may do nothing else, and table() may be read from any thread.
  bool PrepareSpill(MetaWrites* meta);
  void SpillCommitted(uint64_t batch_bytes);
  const CountTable& table() const { return table_; }

 private:
  struct PendingCheckpoint {
    uint64_t source_id;
    uint64_t chunk_index;
    uint64_t offset;
    const std::string* path;
    bool complete;
    // The raw bytes of [chunk start, hashed_end), fed as the counter reads
    // them; !hashing: the chunk's start was not hashed (see ChunkTask).
    bool hashing;
    uint64_t hashed_end;
    ChunkHash hash;
  };

  // Feeds what the counter read to the current chunk's hash, each byte once.
  void HashRawBytes(uint64_t offset, const char* data, size_t n);

  Status AtResumePoint(uint64_t offset);

  const int id_;
  const WorkerContext& context_;
  CountTable table_;
  CounterStats stats_;
  ChunkCounter counter_;
  // Checkpoints not yet committed; the last one is the current chunk's.
  std::vector<PendingCheckpoint> pending_;
  std::chrono::steady_clock::time_point last_spill_;
  std::chrono::steady_clock::time_point spill_start_;
};

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_WORKER_H_

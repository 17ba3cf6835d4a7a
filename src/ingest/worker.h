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
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
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
#include "store/stream_chunk.h"

namespace pretokdb {

// Holds back a named stream's spills until the chunks before theirs that
// have records (counted before) are checked (Worker::RunStream): a spill
// in the chunk at `begin` waits until every recorded chunk before begin has
// had its bytes' hash checked and, for a grown stream's old last chunk, its
// old counts taken back. So a stream refused for a difference leaves no
// counts of bytes after the difference, and a crash no new chunks after an
// old end that was counted as an end. A spill waits only on chunks before
// its own: they were handed out before it, and checking one needs no spill
// (no worker waits on itself, whatever --workers). Thread-safe.
class SpillGate {
 public:
  // The begins of the stream's recorded chunks, ascending.
  explicit SpillGate(std::vector<uint64_t> recorded_begins);

  // The recorded chunk at `begin` checked (OK), or not: the first error is
  // what every Wait() returns from then on.
  void Pass(uint64_t begin, const Status& s);
  // Waits until every recorded chunk before `begin` has passed, or one
  // failed (its error).
  Status Wait(uint64_t begin);

 private:
  std::mutex mu_;
  std::condition_variable passed_cv_;
  const std::vector<uint64_t> begins_;
  std::vector<char> passed_;
  size_t first_unpassed_ = 0;  // begins_[i] passed for every i below it
  Status failed_;
};

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
  // A named stream's: spills of its chunks wait for the recorded chunks
  // before them (may be null), and add these writes (its record, reopened
  // when it grows; may be null).
  SpillGate* gate = nullptr;
  const MetaWrites* stream_meta = nullptr;
};

// A chunk of a stream to count (ingest/stream_chunker.h).
struct StreamTask {
  uint64_t source_id = 0;
  const std::string* name = nullptr;
  uint64_t begin = 0;  // stream offset of the chunk's first byte
  // The number of the line it starts (StreamChunker::Next), or 0.
  uint64_t first_line = 0;
  ChunkCounter::StreamReadFn read;  // the chunk's bytes, from begin on
  // A named stream's chunk: hashed, and checkpointed as a file's
  // (store/stream_chunk.h). The rest is for named streams only.
  bool named = false;
  // Its record from an earlier run, or null: its bytes are checked against
  // the record's hash before anything more is counted, and only what
  // follows the record's offset is counted.
  const StreamChunk* recorded = nullptr;
  // The last chunk of a stream that ended before (ingest/stream_layout.h):
  // if the chunk goes on past the old end `old_size`, the stream grew and
  // the chunk is counted again; `reopen` (the stream's record, no longer
  // ended) is committed with the counts taken back.
  bool tail = false;
  uint64_t old_size = 0;
  const MetaWrites* reopen = nullptr;
};

class Worker {
 public:
  Worker(int id, const WorkerContext& context);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Counts the task's range. Returns Aborted if asked to stop (after a
  // spill that commits what was counted).
  Status Run(const ChunkTask& task);

  // Counts a chunk of a stream (an unnamed one's spills go to the sink,
  // ingest/staged_spills.h). Returns Aborted if asked to stop;
  // InvalidArgument if the bytes differ from the task's record.
  Status RunStream(const StreamTask& task);

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
    // A named stream's chunk (chunk_index is its begin; not `hashing`: the
    // worker hashes it from its begin, RunStream): the XXH3 of [begin,
    // hashed_end), taken when it completed.
    bool stream = false;
    uint64_t digest = 0;
  };

  // Feeds what the counter read to the current chunk's hash, each byte once.
  void HashRawBytes(uint64_t offset, const char* data, size_t n);

  Status AtResumePoint(uint64_t offset);
  // checked(): the task's record has been checked (and a grown tail's
  // counts taken back); called at most once.
  Status RunNamedStream(const StreamTask& task, const std::function<void()>& checked);
  // RunStream's part for a named stream's recorded chunk: reads what the
  // record hashed (keeping from keep_from on in *kept) and checks it.
  Status CheckRecorded(const StreamTask& task, uint64_t keep_from,
                       const ChunkCounter::StreamReadFn& pull,
                       std::string* kept);
  // Takes back the counts of a grown stream's old last chunk, `bytes`:
  // committed at once with task.reopen and the chunk's record at its start.
  Status TakeBackTail(const StreamTask& task, std::string_view bytes);

  const int id_;
  const WorkerContext& context_;
  CountTable table_;
  CounterStats stats_;
  ChunkCounter counter_;
  // Checkpoints not yet committed; the last one is the current chunk's.
  std::vector<PendingCheckpoint> pending_;
  std::chrono::steady_clock::time_point last_spill_;
  std::chrono::steady_clock::time_point spill_start_;
  // Hashes the first n bytes of unhashed_ (RunNamedStream).
  void HashUnhashed(size_t n);

  // The named stream chunk being read: XXH3 of [begin, begin + hashed_),
  // and the bytes read after those, to be hashed once counted
  // (unhashed_[unhashed_at_, size)) if hash_after_count_.
  void* hash_state_ = nullptr;  // XXH3_state_t
  uint64_t hashed_ = 0;
  std::string unhashed_;
  size_t unhashed_at_ = 0;
  bool hash_after_count_ = false;
  // Its begin: its spills wait for the recorded chunks before it.
  uint64_t chunk_begin_ = 0;
};

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_WORKER_H_

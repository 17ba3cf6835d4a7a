// The last spill of a run: every worker's table and checkpoints committed
// at once, the tables merged.
//
// At the end of a run each worker holds a table of what it counted since
// its last spill, and their vocabularies overlap: on 1 GB of web text two
// workers' last tables hold 4.25M entries between them but only 3.25M
// distinct pretokens. Spilled one by one, the shared ones are written
// twice. Here the tables are merged instead, adding the counts of a
// pretoken found in several, and written as one run per key range, each by
// its own thread; the runs, every worker's checkpoints and the stats are
// committed in one RocksStore::CommitRuns(), so the guarantee of a spill
// holds for all of them together: all committed, or none.
//
// Thread safety: Add() may be called from any thread; Commit() once, after
// every Add() has returned.

#ifndef PRETOKDB_INGEST_FINAL_SPILL_H_
#define PRETOKDB_INGEST_FINAL_SPILL_H_

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "ingest/worker.h"
#include "pretokdb/status.h"
#include "store/rocks_store.h"

namespace pretokdb {

// The merge of several workers' sorted tables (a pretoken in several
// written once, its counts added), `entries` in all, as runs of disjoint
// key ranges written by up to `threads` threads at once (the tail of a run
// is otherwise one thread's), for RocksStore::CommitRuns. On error no run
// is left.
Status WriteTableRuns(RocksStore* store, const std::vector<const CountSource*>& tables,
                      size_t entries, int threads, std::vector<std::string>* runs,
                      uint64_t* bytes);

class FinalSpill {
 public:

  // Takes what `worker` holds: sorts its table, in the calling thread (so a
  // worker that finishes first sorts while the others still count). The
  // worker must stay alive and untouched until Commit() returns.
  void Add(Worker* worker);

  // Writes the merged tables with up to `threads` threads and commits them
  // to `store` with the workers' checkpoints and stats, and with what
  // `at_commit` adds once the tables are written (the run's elapsed time:
  // one commit fewer at the end of a run). On success each worker reports
  // its spill and empties its table, and *committed is true. It is false
  // when nothing was committed: on failure, or when no worker held
  // anything.
  Status Commit(RocksStore* store, int threads,
                const std::function<void(MetaWrites*)>& at_commit,
                bool* committed);

 private:
  struct Held {
    Worker* worker;
    MetaWrites meta;
  };

  std::mutex mu_;
  std::vector<Held> held_;  // guarded by mu_ until Commit()
};

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_FINAL_SPILL_H_

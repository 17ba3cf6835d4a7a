// The spills of a stream (standard input), staged as sorted runs beside the
// database and committed in one piece when the stream ends.
//
// A stream cannot be read again, so there is nothing to resume from: its
// counts must enter the database all together or not at all. Each spill
// becomes a run file; runs are merged eight at a time as they pile up (so
// there are never many, and the final merge is cheap), and Commit() merges
// the rest into one run and ingests it with the stream's source record and
// stats in one atomic commit. If the process dies first, RocksStore::Open()
// deletes the runs it finds: the database is as it was before the stream.
//
// Thread-safe: the workers of a stream spill at once (Commit() is called
// alone, after them).

#ifndef PRETOKDB_INGEST_STAGED_SPILLS_H_
#define PRETOKDB_INGEST_STAGED_SPILLS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "ingest/worker.h"
#include "store/rocks_store.h"

namespace pretokdb {

class StagedSpills : public SpillSink {
 public:
  explicit StagedSpills(RocksStore* store) : store_(store) {}
  ~StagedSpills() override;

  // Stages the counts; keeps the stats of meta (its records, checkpoints
  // of a stream, are dropped).
  Status Spill(const CountSource& counts, const MetaWrites& meta,
               uint64_t* bytes) override;

  // Stages the last tables of several workers, each after its
  // PrepareSpill() gave *metas[i], merged (as FinalSpill merges a file
  // run's: a pretoken in several tables is written once) into runs of
  // disjoint key ranges written by up to `threads` threads, then tells
  // each worker SpillCommitted().
  Status SpillLast(const std::vector<Worker*>& workers,
                   const std::vector<MetaWrites>& metas, int threads);

  // Commits every staged count, the stats gathered and `meta`, at once.
  Status Commit(const MetaWrites& meta);

 private:
  // Merges the runs of a level into one run of the next while a level is
  // full. REQUIRES: mu_ held.
  Status Compact();

  RocksStore* const store_;
  std::mutex mu_;  // guards levels_ and stats_
  // levels_[i]: runs made of about 8^i spills.
  std::vector<std::vector<std::string>> levels_;
  // SpillLast()'s runs: disjoint, so ingested unmerged when they are all.
  std::vector<std::string> last_;
  std::map<std::string, uint64_t> stats_;
};

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_STAGED_SPILLS_H_

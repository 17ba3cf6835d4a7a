// Merging databases into one.
//
//   pretokdb::MergeOptions options;
//   options.memory_limit = 256 << 20;
//   pretokdb::Status s =
//       pretokdb::MergeDatabases("all.db", {"shard0.db", "shard1.db"}, options);
//
// The target ends up with what indexing every source's inputs into it would
// have given: each pretoken's count is the sum of its counts in the sources
// (and in the target, when it exists), and so are the stats (documents,
// pretokens, invalid UTF-8, skipped stretches and bytes; spills and elapsed
// time too, as the sum of the sources' runs). The target records every
// source's files and the parts of them each held, so that indexing a file
// already covered does nothing.
//
// Sources are only read, through read-only opens that take no lock and
// write nothing. Everything is checked before anything is written, and
// refused with InvalidArgument (Busy for a source being written) naming
// what is wrong: sources of different configurations (pattern, special
// tokens, UTF-8 policy; also against a target that has one), a source whose
// index run did not finish (naming the parts not counted), a source being
// written by a run (its lock is held), the same part of a file in two
// databases, a database given twice, and a source merged into the target
// before: every database has an identity (RocksDB's, made at its creation),
// and the target records those of every database merged into it,
// transitively. When every source is merged in already, MergeDatabases does
// nothing and says so (MergeResult::already_merged): running the same merge
// again gives the same result.
//
// The counts are read in key order from every source at once, added, and
// written as sorted runs of consecutive key ranges, all committed with the
// target's new records in one atomic ingestion at the end. A merge killed
// before that leaves the target as it was (a new target: an empty database,
// which the next merge or index takes as new); after it, the merge is
// complete. Memory stays under memory_limit whatever the sizes: nothing is
// held but the sources' read buffers and caches and one run being written.
//
// The target is locked for the whole merge (an index run on it is refused
// with Busy, and the merge is refused while one runs).

#ifndef PRETOKDB_MERGE_H_
#define PRETOKDB_MERGE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "pretokdb/status.h"

namespace pretokdb {

// A snapshot of a merge's progress.
struct MergeProgress {
  uint64_t entries_read = 0;     // count entries read from the sources
  uint64_t entries_total = 0;    // RocksDB's estimate of all there are
  uint64_t entries_written = 0;  // distinct pretokens written so far
  uint64_t runs = 0;             // run files written so far
  uint64_t bytes_written = 0;    // their size
  double elapsed_seconds = 0;
};

struct MergeOptions {
  // The most memory the whole process should use (sources' block caches
  // and read buffers, the target's, the run being written). Below ~48 MiB
  // the process's fixed footprint dominates, as for indexing.
  uint64_t memory_limit = uint64_t{1} << 30;

  // A run is finished and a new one begun after this many bytes of
  // entries (tokens and counts): the run files ingested are this large,
  // about. 0: 64 MiB, or less for a small memory_limit. Tests make it tiny
  // to get many runs.
  uint64_t run_bytes = 0;

  // Threads merging key ranges at once (the key space is cut by size). 0:
  // one per core, at most 8.
  int threads = 0;

  // Called from the merging thread every few hundred thousand entries and
  // once at the end; must be quick.
  std::function<void(const MergeProgress&)> on_progress;
};

struct MergeResult {
  // Every source was merged into the target before: nothing was done.
  bool already_merged = false;
  MergeProgress progress;  // at the end
};

// Merges the databases at `sources` into the one at `target`, created (with
// the sources' configuration) if there is none. See above. `result` may be
// null.
Status MergeDatabases(const std::string& target,
                      const std::vector<std::string>& sources,
                      const MergeOptions& options,
                      MergeResult* result = nullptr);

}  // namespace pretokdb

#endif  // PRETOKDB_MERGE_H_

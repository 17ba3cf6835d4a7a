// The counts of a merge: every source's counts read in key order at once
// (a heap of their cursors), the counts of equal pretokens added, and the
// result streamed into runs of the target (RocksStore::NewRunWriter), a
// new run every `run_bytes` of entries. The key space is cut into ranges
// (merge/key_split.h), one thread each; each range's runs are consecutive
// key ranges, so no two runs overlap and all can be ingested together.
// Nothing is committed here.

#ifndef PRETOKDB_MERGE_COUNT_MERGE_H_
#define PRETOKDB_MERGE_COUNT_MERGE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "pretokdb/merge.h"
#include "pretokdb/status.h"
#include "store/rocks_store.h"

namespace pretokdb {

// Appends the runs written to *runs in key order (on failure, removes them
// and leaves *runs as it was). *progress is updated (entries read and
// written, runs, bytes; not the time) and given to on_progress (may be
// empty; called under a lock, from any of the threads) every few hundred
// thousand entries. A pretoken whose counts add up to 0 (taken back by a
// file's growth) is left out, as readers leave it out. Each source's scan
// reads ahead `readahead_bytes` per table file, in each of `threads`
// threads (at least 1).
Status MergeCounts(const std::vector<const RocksStore*>& sources,
                   RocksStore* target, uint64_t run_bytes,
                   size_t readahead_bytes, int threads,
                   const std::function<void(const MergeProgress&)>& on_progress,
                   std::vector<std::string>* runs, MergeProgress* progress);

}  // namespace pretokdb

#endif  // PRETOKDB_MERGE_COUNT_MERGE_H_

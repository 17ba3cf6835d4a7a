// Counts one input read once (a ByteInput) with several workers: a reader
// thread cuts it into chunks (ingest/stream_chunker.h) that the workers
// count, and every spill, the workers' last tables merged into one, is
// staged (ingest/staged_spills.h) for the caller to commit, or drop.

#ifndef PRETOKDB_INGEST_STAGED_COUNT_H_
#define PRETOKDB_INGEST_STAGED_COUNT_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "ingest/memory_plan.h"
#include "ingest/staged_spills.h"
#include "ingest/stream_input.h"
#include "ingest/worker.h"
#include "pretokdb/status.h"

namespace pretokdb {

// Counts `in` to its end as source `source_id` named *name, with `workers`
// workers numbered from first_worker (in events) sharing `context` (whose
// sink must be `staged`) and the reader's pool planned by `pool`. Returns the first error of the reader or a
// worker, or Aborted if *context.stop was set; staged then holds part of
// the input, to be dropped.
Status CountStaged(ByteInput* in, uint64_t source_id, const std::string* name,
                   const StreamPoolPlan& pool, int workers,
                   int first_worker, const WorkerContext& context, StagedSpills* staged);

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_STAGED_COUNT_H_

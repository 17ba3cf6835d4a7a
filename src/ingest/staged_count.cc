#include "ingest/staged_count.h"

#include <memory>
#include <new>
#include <vector>

#include "ingest/chunk_workers.h"
#include "ingest/stream_chunker.h"

namespace pretokdb {

Status CountStaged(ByteInput* in, uint64_t source_id, const std::string* name,
                   const StreamPoolPlan& pool, int workers,
                   int first_worker, const WorkerContext& context, StagedSpills* staged) {
  StreamChunker chunker(in, *context.rules, pool.chunk_bytes, pool.buffers,
                        context.stop);
  // Each worker's last table is sorted in its thread, and all are staged
  // as one run after them (StagedSpills::SpillLast).
  std::vector<MetaWrites> last_meta(workers);
  std::vector<char> has_last(workers, 0);
  ChunkWorkers run{&chunker, &context, workers, first_worker, source_id, name,
                   nullptr,
                   [&](int w, Worker* worker, const Status& s) {
                     if (s.ok()) has_last[w] = worker->PrepareSpill(&last_meta[w]);
                     return s;
                   }};
  std::vector<std::unique_ptr<Worker>> pool_workers;
  bool aborted = false;
  Status first_error = RunChunkWorkers(run, &pool_workers, &aborted);
  if (first_error.ok() && !aborted) {
    std::vector<Worker*> last;
    std::vector<MetaWrites> metas;
    for (int w = 0; w < workers; ++w) {
      if (!has_last[w]) continue;
      last.push_back(pool_workers[w].get());
      metas.push_back(std::move(last_meta[w]));
    }
    try {
      if (!last.empty()) first_error = staged->SpillLast(last, metas, workers);
    } catch (const std::bad_alloc&) {
      first_error = Status::IOError(*name, "out of memory for the last spill (try "
                                           "a smaller --memory-limit)");
    }
  }
  if (!first_error.ok()) return first_error;
  if (aborted || context.stop->load()) return Status::Aborted(*name, "stopped");
  return Status::OK();
}

}  // namespace pretokdb

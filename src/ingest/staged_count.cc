#include "ingest/staged_count.h"

#include <memory>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#include "ingest/stream_chunker.h"

namespace pretokdb {

Status CountStaged(ByteInput* in, uint64_t source_id, const std::string* name,
                   const StreamPoolPlan& pool, int workers,
                   int first_worker, const WorkerContext& context, StagedSpills* staged) {
  StreamChunker chunker(in, *context.rules, pool.chunk_bytes, pool.buffers,
                        context.stop);
  std::mutex error_mu;
  Status first_error;    // of a worker, or the reader's
  bool aborted = false;  // a worker or the reader stopped
  auto record = [&](const Status& s) {
    if (s.ok()) return;
    std::lock_guard<std::mutex> lock(error_mu);
    if (s.IsAborted()) {
      aborted = true;
    } else if (first_error.ok()) {
      first_error = s;
    }
  };
  std::thread reader([&] {
    try {
      record(chunker.Run());
    } catch (const std::bad_alloc&) {
      record(Status::IOError(*name, "out of memory for the reader (try a "
                                    "smaller --memory-limit)"));
      chunker.Cancel();
    }
  });
  // Each worker's last table is sorted in its thread, and all are staged
  // as one run after them (StagedSpills::SpillLast).
  std::vector<std::unique_ptr<Worker>> pool_workers(workers);
  std::vector<MetaWrites> last_meta(workers);
  std::vector<char> has_last(workers, 0);
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      Status ws;
      try {
        pool_workers[w] = std::make_unique<Worker>(first_worker + w, context);
        Worker& worker = *pool_workers[w];
        StreamChunker::Chunk* chunk = nullptr;
        uint64_t begin = 0;
        while (ws.ok() && chunker.Next(&chunk, &begin)) {
          StreamTask task;
          task.source_id = source_id;
          task.name = name;
          task.begin = begin;
          task.read = [&](char* dst, size_t n, size_t* got) {
            return chunker.Read(chunk, dst, n, got);
          };
          ws = worker.RunStream(task);
          chunker.Release(chunk);
        }
        if (ws.ok()) has_last[w] = worker.PrepareSpill(&last_meta[w]);
      } catch (const std::bad_alloc&) {
        ws = Status::IOError(*name, "out of memory for a worker (try a "
                                    "smaller --memory-limit or fewer "
                                    "--workers)");
      }
      // Nobody reads on after a failed worker: the input is lost anyway.
      if (!ws.ok()) chunker.Cancel();
      record(ws);
    });
  }
  for (std::thread& t : threads) t.join();
  reader.join();
  std::vector<Worker*> last;
  std::vector<MetaWrites> metas;
  for (int w = 0; w < workers; ++w) {
    if (!has_last[w]) continue;
    last.push_back(pool_workers[w].get());
    metas.push_back(std::move(last_meta[w]));
  }
  if (first_error.ok() && !aborted && !last.empty()) {
    try {
      record(staged->SpillLast(last, metas, workers));
    } catch (const std::bad_alloc&) {
      record(Status::IOError(*name, "out of memory for the last spill (try "
                                    "a smaller --memory-limit)"));
    }
  }
  if (!first_error.ok()) return first_error;
  if (aborted || context.stop->load()) return Status::Aborted(*name, "stopped");
  return Status::OK();
}

}  // namespace pretokdb

#include "ingest/chunk_workers.h"

#include <mutex>
#include <new>
#include <thread>

namespace pretokdb {

Status RunChunkWorkers(const ChunkWorkers& run,
                       std::vector<std::unique_ptr<Worker>>* pool,
                       bool* aborted) {
  StreamChunker& chunker = *run.chunker;
  const std::string& name = *run.name;
  std::mutex error_mu;
  Status first_error;  // of a worker, or the reader's
  *aborted = false;
  auto record = [&](const Status& s) {
    if (s.ok()) return;
    std::lock_guard<std::mutex> lock(error_mu);
    if (s.IsAborted()) {
      *aborted = true;
    } else if (first_error.ok()) {
      first_error = s;
    }
  };
  pool->clear();
  pool->resize(run.workers);
  std::thread reader([&] {
    try {
      record(chunker.Run());
    } catch (const std::bad_alloc&) {
      record(Status::IOError(name, "out of memory for the reader (try a "
                                   "smaller --memory-limit)"));
      chunker.Cancel();
    }
  });
  std::vector<std::thread> threads;
  for (int w = 0; w < run.workers; ++w) {
    threads.emplace_back([&, w] {
      Status ws;
      try {
        (*pool)[w] = std::make_unique<Worker>(run.first_worker + w, *run.context);
        Worker& worker = *(*pool)[w];
        StreamChunker::Chunk* chunk = nullptr;
        uint64_t begin = 0, first_line = 0;
        while (ws.ok() && chunker.Next(&chunk, &begin, &first_line)) {
          StreamTask task;
          task.source_id = run.source_id;
          task.name = run.name;
          task.begin = begin;
          task.first_line = first_line;
          task.read = [&](char* dst, size_t n, size_t* got) {
            return chunker.Read(chunk, dst, n, got);
          };
          if (run.describe) run.describe(&task);
          ws = worker.RunStream(task);
          chunker.Release(chunk);
        }
        if (run.done) ws = run.done(w, &worker, ws);
      } catch (const std::bad_alloc&) {
        ws = Status::IOError(name, "out of memory for a worker (try a "
                                   "smaller --memory-limit or fewer "
                                   "--workers)");
      }
      if (!ws.ok()) chunker.Cancel();
      record(ws);
    });
  }
  for (std::thread& t : threads) t.join();
  reader.join();
  return first_error;
}

}  // namespace pretokdb

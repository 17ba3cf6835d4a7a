// The threads of an input read once: a reader cuts it into chunks
// (ingest/stream_chunker.h) while workers count them, as standard input
// and the units of a compressed file are counted.
//
// The callers differ only in what a chunk's task carries (a named
// stream's record, say) and in what a worker does with its last table; the
// threads, their errors and the cancelling of the reader are here.

#ifndef PRETOKDB_INGEST_CHUNK_WORKERS_H_
#define PRETOKDB_INGEST_CHUNK_WORKERS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ingest/stream_chunker.h"
#include "ingest/worker.h"
#include "pretokdb/status.h"

namespace pretokdb {

struct ChunkWorkers {
  StreamChunker* chunker;
  const WorkerContext* context;
  int workers;
  int first_worker;  // the first worker's number, in events
  uint64_t source_id;
  const std::string* name;  // the input's, in tasks and errors
  // Adds to a chunk's task (its source, name, begin and read are set);
  // may be empty.
  std::function<void(StreamTask*)> describe;
  // Called by each worker, in its thread, once it counts no more, with how
  // it ended (OK, Aborted or an error); what it returns is the worker's
  // status. May be empty.
  std::function<Status(int w, Worker* worker, const Status& s)> done;
};

// Runs the reader and the workers to the input's end. Returns the first
// error of the reader or a worker; *aborted: one of them stopped. A failed
// worker cancels the reader (the input is lost anyway). *pool: the workers,
// alive for the caller's last spill.
Status RunChunkWorkers(const ChunkWorkers& run,
                       std::vector<std::unique_ptr<Worker>>* pool,
                       bool* aborted);

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_CHUNK_WORKERS_H_

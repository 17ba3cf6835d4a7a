// Indexer::RunStream: `pretok-db index -`. A reader thread cuts the stream
// into chunks (ingest/stream_chunker.h) that the workers count. An unnamed
// stream's spills are staged (ingest/staged_spills.h) and committed, with
// its source record, in one commit at the end. A named stream's
// (--stream-name) are commits with its chunks' records, as a file's are
// with its checkpoints: fed again, it is checked and counted on where its
// records end (ingest/stream_layout.h).

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "ingest/chunk_workers.h"
#include "ingest/final_spill.h"
#include "ingest/jsonl_stream_check.h"
#include "ingest/memory_plan.h"
#include "ingest/opening_store.h"
#include "ingest/run_setup.h"
#include "ingest/staged_count.h"
#include "ingest/staged_spills.h"
#include "ingest/stream_chunker.h"
#include "ingest/stream_input.h"
#include "ingest/stream_layout.h"
#include "ingest/worker.h"
#include "pretokdb/indexer.h"
#include "store/checkpoint.h"
#include "store/coding.h"
#include "store/records.h"
#include "store/rocks_store.h"
#include "store/source_catalog.h"

namespace pretokdb {

Status Indexer::RunStream(int fd) {
  Status s = RunStreamOnce(fd);
  if (!s.ok()) stop_.store(false);  // as in Run()
  return s;
}

Status Indexer::RunStreamOnce(int fd) {
  start_ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count());
  auto emit = [this](const IndexEvent& e) {
    if (options_.on_event) options_.on_event(e);
  };
  if (options_.shard_count > 0) {
    // Every shard would read its own copy of the stream, or none: there is
    // no input the N machines could agree to split.
    return Status::InvalidArgument(
        "-", "standard input cannot be split into shards; index it without --shard");
  }
  RunSetup setup;
  PRETOKDB_RETURN_IF_ERROR(MakeRunSetup(options_, &setup));
  if (options_.invalid_utf8 == InvalidUtf8::kStrict) {
    // Strict refuses a file before counting any of it: a stream would have
    // to be held whole to do that.
    return Status::InvalidArgument(
        "-", "--invalid-utf8 strict cannot check a stream before counting "
             "it; use replace or skip, or index a file");
  }

  const int workers = options_.workers > 0
                          ? options_.workers
                          : std::max(1u, std::thread::hardware_concurrency());
  // The reader's buffers come first; the workers share the rest. A test's
  // small read_buffer_size makes small chunks too.
  const StreamPoolPlan pool =
      PlanStreamPool(options_.memory_limit, workers, options_.read_buffer_size);
  MemoryPlan memory =
      PlanMemory(pool.memory_left, workers, options_.read_buffer_size);
  if (!options_.stream_name.empty() && setup.rules->strict_records()) {
    // A named stream's worker then holds up to two read buffers of what it
    // read until it has counted past them (Worker::RunNamedStream).
    const uint64_t held = 2 * static_cast<uint64_t>(workers) * memory.read_buffer_bytes;
    if (held < pool.memory_left / 2) {
      memory = PlanMemory(pool.memory_left - held, workers, options_.read_buffer_size);
    }
  }
  std::unique_ptr<RocksStore> store;
  bool new_db = false;
  PRETOKDB_RETURN_IF_ERROR(
      OpenForIndexing(db_path_, setup, memory, &store, &new_db));
  if (new_db) {
    // A new database is a valid, empty one even if the stream never ends.
    MetaWrites config;
    config.puts.emplace_back(kConfigKey, EncodeConfig(setup.config));
    PRETOKDB_RETURN_IF_ERROR(store->Commit({}, config));
  }
  std::vector<SourceRecord> known;
  PRETOKDB_RETURN_IF_ERROR(ReadSources(*store, &known));
  uint64_t id = 1;
  for (const SourceRecord& r : known) id = std::max(id, r.id + 1);

  // A named stream: its record (made now if it is new) and its chunks'.
  const std::string& name = options_.stream_name;
  const bool named = !name.empty();
  SourceRecord stream;
  StreamChunks recorded;
  if (named) {
    auto it = std::find_if(known.begin(), known.end(), [&](const SourceRecord& r) {
      return r.stream && r.path == name;
    });
    if (it != known.end()) {
      stream = *it;
      std::map<uint64_t, StreamChunks> all;
      PRETOKDB_RETURN_IF_ERROR(ReadStreamChunks(*store, &all));
      recorded = std::move(all[stream.id]);
    } else {
      stream.id = id;
      stream.path = name;
      stream.stream = true;
      MetaWrites meta;
      meta.puts.emplace_back(SourceKey(stream.id), EncodeSource(stream));
      PRETOKDB_RETURN_IF_ERROR(store->Commit({}, meta));
    }
    id = stream.id;
  }
  const StreamLayout layout(std::move(recorded), stream.ended, stream.size);
  if (named) PRETOKDB_RETURN_IF_ERROR(layout.Check(db_path_, name));
  // Spills wait for the recorded chunks before theirs to be checked
  // (SpillGate). An ended stream fed again: its new chunks' spills reopen
  // its record.
  std::vector<uint64_t> recorded_begins;
  for (const auto& [begin, chunk] : layout.chunks()) recorded_begins.push_back(begin);
  SpillGate gate(std::move(recorded_begins));
  MetaWrites reopen;
  if (stream.ended) {
    SourceRecord r = stream;
    r.ended = false;
    reopen.puts.emplace_back(SourceKey(stream.id), EncodeSource(r));
  }

  bytes_total_.store(0);
  bytes_done_.store(0);
  emit(IndexEvent(IndexEvent::Type::kStart));

  StagedSpills staged(store.get());
  OpeningStore opened(store.get());
  WorkerContext context{&opened,
                        setup.rules.get(),
                        memory,
                        options_.checkpoint_interval_seconds,
                        &stop_,
                        &bytes_done_,
                        &spills_,
                        options_.on_event,
                        named ? nullptr : &staged};
  if (named) context.gate = &gate;
  if (stream.ended) context.stream_meta = &reopen;
  StreamInput in(fd, "-");
  Status result;
  if (!named) {
    // Counted all or nothing: spills staged, committed below.
    result = CountStaged(&in, id, &in.name(), pool, workers, 0, context, &staged);
  } else {
    // Under --bad-records strict, its reader checks the records this run
    // may count before they are handed out (ingest/jsonl_stream_check.h).
    std::unique_ptr<JsonlStreamCheck> check;
    if (setup.rules->strict_records()) {
      check = std::make_unique<JsonlStreamCheck>(name, options_.jsonl_field,
                                                 layout.counted_prefix());
    }
    StreamChunker chunker(&in, *setup.rules, pool.chunk_bytes, pool.buffers,
                          &stop_, &layout, check.get());
    FinalSpill final_spill;
    ChunkWorkers run{
        &chunker, &context, workers, 0, id, &name,
        [&](StreamTask* task) {
          task->named = true;
          task->recorded = layout.Recorded(task->begin);
          task->tail = stream.ended && task->begin == layout.tail_begin();
          task->old_size = stream.size;
          task->reopen = &reopen;
        },
        [&](int, Worker* worker, const Status& s) {
          // Committed with the others' after them, even if stopped.
          if (s.ok() || s.IsAborted()) final_spill.Add(worker);
          return s;
        }};
    std::vector<std::unique_ptr<Worker>> pool_workers;
    bool aborted = false;  // a worker or the reader stopped
    result = RunChunkWorkers(run, &pool_workers, &aborted);
    if (result.ok()) {
      // What every worker counted since its last spill; if the stream was
      // read to its end, its record says so in the same commit.
      const bool ended = !aborted && !stop_.load();
      SourceRecord done = stream;
      done.ended = true;
      done.size = in.bytes_read();
      done.first_document = true;
      MetaWrites end_meta;
      if (ended && !(done == stream)) {
        end_meta.puts.emplace_back(SourceKey(stream.id), EncodeSource(done));
        // A stream of n separators has n + 1 documents: the +1 once
        // (JSON Lines records count their own).
        if (!stream.first_document && !setup.rules->jsonl()) {
          end_meta.stats.emplace_back(kStatDocuments, 1);
        }
      }
      bool committed = false;
      try {
        result = final_spill.Commit(
            store.get(), workers,
            [&](MetaWrites* meta) {
              meta->puts.insert(meta->puts.end(), end_meta.puts.begin(),
                                end_meta.puts.end());
              meta->stats.insert(meta->stats.end(), end_meta.stats.begin(),
                                 end_meta.stats.end());
            },
            &committed);
      } catch (const std::bad_alloc&) {
        result = Status::IOError(name, "out of memory for the last spill (try "
                                       "a smaller --memory-limit)");
      }
      if (!committed && result.ok() &&
          (!end_meta.puts.empty() || !end_meta.stats.empty())) {
        result = store->Commit({}, end_meta);
      }
    }
    if (result.ok() && aborted) result = Status::Aborted("stopped");
  }
  if (result.ok() && stop_.load()) result = Status::Aborted("stopped on request");
  if (result.ok() && !named) {
    SourceRecord r;
    r.id = id;
    r.path = "-";
    r.size = in.bytes_read();
    r.fingerprint = in.Digest();
    r.split_size = r.size;
    r.first_document = true;
    if (r.size > 0) r.chunks.push_back(ChunkRange{0, r.size});
    MetaWrites meta;
    meta.puts.emplace_back(SourceKey(id), EncodeSource(r));
    meta.puts.emplace_back(CheckpointKey(id, 0),
                           EncodeCheckpoint(Checkpoint::At(r.size)));
    // A stream's "+1" document, as a file's (records count their own).
    if (!setup.rules->jsonl()) meta.stats.emplace_back(kStatDocuments, 1);
    result = staged.Commit(meta);
  }
  const double elapsed = RecordElapsed(store.get(), &result);
  if (result.IsAborted() && named) {
    result = Status::Aborted(
        name, "stopped: what was counted is committed; run the same command, "
              "fed the same stream, to go on from there");
  } else if (result.IsAborted()) {
    result = Status::Aborted(
        "-", "stopped: a stream cannot be resumed, and nothing of it was "
             "counted (its counts are committed only at its end)");
  }
  return EmitEnd(result, elapsed);
}

}  // namespace pretokdb

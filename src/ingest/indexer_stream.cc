// Indexer::RunStream: `pretok-db index -`. One worker counts the stream;
// its spills are staged (ingest/staged_spills.h) and committed, with the
// stream's source record, in one commit at the end.

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>

#include "ingest/memory_plan.h"
#include "ingest/opening_store.h"
#include "ingest/run_setup.h"
#include "ingest/staged_spills.h"
#include "ingest/stream_input.h"
#include "ingest/worker.h"
#include "pretokdb/indexer.h"
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
  RunSetup setup;
  PRETOKDB_RETURN_IF_ERROR(MakeRunSetup(options_, &setup));
  if (options_.invalid_utf8 == InvalidUtf8::kStrict) {
    // Strict refuses a file before counting any of it: a stream would have
    // to be held whole to do that.
    return Status::InvalidArgument(
        "-", "--invalid-utf8 strict cannot check a stream before counting "
             "it; use replace or skip, or index a file");
  }

  const MemoryPlan memory =
      PlanMemory(options_.memory_limit, 1, options_.read_buffer_size);
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
                        &staged};
  StreamInput in(fd, "-");
  Status result;
  {
    Worker worker(0, context);
    result = worker.RunStream(&in, id);
    if (result.ok()) result = worker.Spill();
  }
  if (result.ok() && stop_.load()) result = Status::Aborted("stopped on request");
  if (result.ok()) {
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
    std::string done;
    PutFixed64(&done, r.size);
    meta.puts.emplace_back(CheckpointKey(id, 0), done);
    meta.stats.emplace_back(kStatDocuments, 1);
    result = staged.Commit(meta);
  }
  const double elapsed = RecordElapsed(store.get(), &result);
  if (result.IsAborted()) {
    result = Status::Aborted(
        "-", "stopped: a stream cannot be resumed, and nothing of it was "
             "counted (its counts are committed only at its end)");
  }
  return EmitEnd(result, elapsed);
}

}  // namespace pretokdb

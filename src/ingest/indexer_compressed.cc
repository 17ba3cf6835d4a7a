// Indexer::RunCompressed: .gz and .zst files (ingest/compressed_file.h).
//
// A compressed file is planned as units: runs of whole zstd frames of at
// least IndexOptions::compressed_unit_bytes (GroupFrames), or the whole file
// for gzip (its members cannot be found without inflating them) and for a
// single frame. Each unit's text (ingest/compressed_text.h: cut at the
// chunk edges its neighbours agree on) is read by one decompressing reader
// and counted by all workers, as a stream is (ingest/staged_count.h); its
// spills are staged and committed, with the checkpoint "unit counted",
// only once every frame or member its text came from has checked. So a
// corrupt frame leaves no counts, and a resumed run starts at the
// compressed offset of the first unit not committed.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "ingest/chunk_planner.h"
#include "ingest/compressed_file.h"
#include "ingest/compressed_text.h"
#include "ingest/decompressor.h"
#include "ingest/extent_check.h"
#include "ingest/jsonl_check.h"
#include "ingest/memory_plan.h"
#include "ingest/opening_store.h"
#include "ingest/run_setup.h"
#include "ingest/staged_count.h"
#include "ingest/staged_spills.h"
#include "ingest/worker.h"
#include "pretokdb/indexer.h"
#include "store/checkpoint.h"
#include "store/coding.h"
#include "store/records.h"
#include "store/rocks_store.h"
#include "store/source_catalog.h"

namespace pretokdb {

namespace {

struct CompressedInput {
  std::unique_ptr<SourceFile> file;
  std::string key;
  uint64_t fingerprint = 0;
  Compression kind = Compression::kNone;
  std::vector<CompressedRange> units;
  uint64_t decoder_bytes = 0;  // the decompressor's memory at most
};

}  // namespace

bool IsCompressed(std::string_view head) {
  return DetectCompression(head) != Compression::kNone;
}

Status Indexer::RunCompressed(const std::vector<std::string>& paths) {
  start_ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count());
  auto emit = [this](const IndexEvent& e) {
    if (options_.on_event) options_.on_event(e);
  };
  RunSetup setup;
  PRETOKDB_RETURN_IF_ERROR(MakeRunSetup(options_, &setup));
  const TextRules& rules = *setup.rules;
  const int workers = options_.workers > 0
                          ? options_.workers
                          : std::max(1u, std::thread::hardware_concurrency());
  const bool relative = !options_.root.empty();
  // Strict JSON Lines records are checked before anything of a file is
  // counted (ingest/jsonl_check.h): into a new database, before it is
  // created, as plain files are; otherwise in step 2, for what is to count.
  const bool strict_records = rules.strict_records();
  const bool fresh_db = WillCreate(db_path_);

  // 1. Every input checked and planned before the database is touched: a
  //    truncated or garbled .zst is refused here.
  std::vector<CompressedInput> inputs;
  uint64_t decoder_bytes = 0;
  for (const std::string& path : paths) {
    CompressedInput in;
    PRETOKDB_RETURN_IF_ERROR(SourceFile::Open(path, &in.file));
    PRETOKDB_RETURN_IF_ERROR(InputKey(options_.root, path, &in.key));
    if (std::any_of(inputs.begin(), inputs.end(),
                    [&](const CompressedInput& o) { return o.key == in.key; })) {
      continue;
    }
    if (options_.shard_count > 0) {
      return Status::InvalidArgument(
          path, "is compressed, and compressed files are not split into "
                "shards; index it without --shard");
    }
    if (options_.invalid_utf8 == InvalidUtf8::kStrict) {
      return Status::InvalidArgument(
          path, "is compressed: --invalid-utf8 strict cannot check it before "
                "counting it; use replace or skip, or decompress it first");
    }
    PRETOKDB_RETURN_IF_ERROR(in.file->Fingerprint(&in.fingerprint));
    PRETOKDB_RETURN_IF_ERROR(DetectFileCompression(*in.file, &in.kind));
    uint64_t window = 0;
    if (in.kind == Compression::kZstd) {
      std::vector<ZstdFrame> frames;
      PRETOKDB_RETURN_IF_ERROR(IndexZstdFrames(*in.file, &frames));
      for (const ZstdFrame& f : frames) window = std::max(window, f.window_bytes);
      in.units = GroupFrames(frames, std::max<uint64_t>(options_.compressed_unit_bytes, 1));
    } else {
      in.units.push_back(CompressedRange{0, in.file->size()});
    }
    in.decoder_bytes = Decompressor::MemoryBytes(in.kind, window) + (1 << 20) +
                       CompressedText::WindowBytes(rules);
    decoder_bytes = std::max(decoder_bytes, in.decoder_bytes);
    if (strict_records && fresh_db) {
      PRETOKDB_RETURN_IF_ERROR(
          CheckCompressedJsonlRecords(*in.file, in.kind, options_.jsonl_field));
    }
    inputs.push_back(std::move(in));
  }

  // 2. The database, and a record per new input (its units as chunks).
  // Units are counted in lanes at once (step 3), each with its decoder and
  // its reader's pool. The decoders' memory (a window: 2 MiB for zstd's
  // default level, 8 MiB at -19, at most 128 MiB) comes off the limit
  // first, half of it at most.
  uint64_t units_planned = 0;
  for (const CompressedInput& in : inputs) units_planned += in.units.size();
  const int lanes_planned = static_cast<int>(
      std::clamp<uint64_t>(units_planned, 1, static_cast<uint64_t>(workers)));
  decoder_bytes = std::min(decoder_bytes * lanes_planned, options_.memory_limit / 2);
  // Every lane's reader holds two buffers beside its workers' two each: as
  // many as one pool for workers + lanes - 1 workers.
  StreamPoolPlan pool = PlanStreamPool(options_.memory_limit - decoder_bytes,
                                       workers + lanes_planned - 1,
                                       options_.read_buffer_size);
  // A unit's text starts at an edge inside the text: the chunker's first
  // edge must have the context before it that the unit's start had.
  pool.chunk_bytes = std::max(pool.chunk_bytes, ChunkEdgeContext(rules));
  const MemoryPlan memory =
      PlanMemory(pool.memory_left, workers, options_.read_buffer_size);
  std::unique_ptr<RocksStore> store;
  bool new_db = false;
  PRETOKDB_RETURN_IF_ERROR(
      OpenForIndexing(db_path_, setup, memory, &store, &new_db));
  std::vector<SourceRecord> known;
  PRETOKDB_RETURN_IF_ERROR(ReadSources(*store, &known));
  uint64_t next_id = 1;
  for (const SourceRecord& r : known) {
    next_id = std::max(next_id, r.id + 1);
    if (r.path != "-" && r.relative != relative) {
      return Status::InvalidArgument(
          db_path_, r.relative
                        ? "keys its files relative to a --root directory; "
                          "index into it with --root"
                        : "keys its files by absolute path; index into it "
                          "without --root (or into another --db)");
    }
  }
  Checkpoints checkpoints;
  PRETOKDB_RETURN_IF_ERROR(ReadCheckpoints(*store, &checkpoints));
  std::vector<SourceRecord> sources(inputs.size());
  MetaWrites plan;
  if (new_db) plan.puts.emplace_back(kConfigKey, EncodeConfig(setup.config));
  for (size_t i = 0; i < inputs.size(); ++i) {
    const CompressedInput& in = inputs[i];
    auto it = std::find_if(known.begin(), known.end(), [&](const SourceRecord& r) {
      return r.path == in.key && r.relative == relative;
    });
    if (it != known.end()) {
      if (it->size != in.file->size() || it->fingerprint != in.fingerprint) {
        return Status::InvalidArgument(
            in.file->path(), "changed since it was indexed into " + db_path_ +
                                 " (a compressed file is not taken as grown, "
                                 "even by an appended frame); index it into "
                                 "another --db");
      }
    }
    if (strict_records && !fresh_db) {
      // A file seen again is checked again if part of it is still to count.
      bool to_count = it == known.end();
      for (uint64_t c = 0; !to_count && c < it->chunks.size(); ++c) {
        auto cp = checkpoints.find({it->id, c});
        to_count = cp == checkpoints.end() || cp->second.offset < it->chunks[c].end;
      }
      if (to_count) {
        PRETOKDB_RETURN_IF_ERROR(
            CheckCompressedJsonlRecords(*in.file, in.kind, options_.jsonl_field));
      }
    }
    if (it != known.end()) {
      sources[i] = *it;  // its units as planned then
      continue;
    }
    SourceRecord& r = sources[i];
    r.id = next_id++;
    r.path = in.key;
    r.relative = relative;
    r.size = in.file->size();
    r.fingerprint = in.fingerprint;
    r.split_size = r.size;
    r.first_document = true;
    for (const CompressedRange& u : in.units) r.chunks.push_back(ChunkRange{u.begin, u.end});
    plan.puts.emplace_back(SourceKey(r.id), EncodeSource(r));
  }
  if (!plan.puts.empty()) PRETOKDB_RETURN_IF_ERROR(store->Commit({}, plan));

  // What was counted of the inputs seen again is read again and checked
  // against the hash of its compressed bytes (ingest/extent_check.h; not
  // with --quick-check): a file that changed is refused before anything is
  // committed.
  std::vector<CommittedChunk> counted;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const SourceRecord& r = sources[i];
    for (uint64_t c = 0; c < r.chunks.size(); ++c) {
      auto it = checkpoints.find({r.id, c});
      if (it == checkpoints.end()) continue;
      counted.push_back(CommittedChunk{inputs[i].file.get(), r.id, c,
                                       r.chunks[c], it->second});
    }
  }
  if (!counted.empty()) {
    ExtentCheck extents;
    PRETOKDB_RETURN_IF_ERROR(CheckCommittedExtents(
        counted, options_.quick_check, workers, memory.read_buffer_bytes,
        db_path_, &extents));
    IndexEvent e(IndexEvent::Type::kHashCheck);
    e.bytes = extents.checked_bytes;
    e.recorded_bytes = extents.recorded_bytes;
    e.elapsed_seconds = extents.seconds;
    emit(e);
    if (!extents.recorded.puts.empty()) {
      PRETOKDB_RETURN_IF_ERROR(store->Commit({}, extents.recorded));
    }
  }

  // 3. The units not committed yet, counted in up to `workers` lanes at
  //    once, the workers shared between them: a .zst of many frames, or
  //    several files, is decoded by as many threads as there are lanes
  //    (one decoder feeding every worker leaves them waiting). Each unit
  //    is committed alone, once its frames have checked, with the hash of
  //    its compressed bytes, so units may commit in any order: a resumed
  //    run counts the ones without a checkpoint.
  struct Job {
    size_t input;
    uint64_t unit;
  };
  std::vector<Job> jobs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const SourceRecord& r = sources[i];
    for (uint64_t c = 0; c < r.chunks.size(); ++c) {
      auto it = checkpoints.find({r.id, c});
      if (it == checkpoints.end() || it->second.offset < r.chunks[c].end) {
        jobs.push_back(Job{i, c});
      }
    }
  }
  up_to_date_.store(!new_db && plan.puts.empty() && jobs.empty());
  bytes_total_.store(0);
  bytes_done_.store(0);
  emit(IndexEvent(IndexEvent::Type::kStart));

  OpeningStore opened(store.get());
  auto count_unit = [&](const Job& job, int lane_workers, int first_worker) {
    const CompressedInput& in = inputs[job.input];
    const SourceRecord& r = sources[job.input];
    const uint64_t c = job.unit;
    StagedSpills staged(store.get());
    WorkerContext context{&opened,
                          &rules,
                          memory,
                          options_.checkpoint_interval_seconds,
                          &stop_,
                          &bytes_done_,
                          &spills_,
                          options_.on_event,
                          &staged};
    CompressedText text(in.file.get(), in.kind, rules,
                        CompressedRange{r.chunks[c].begin, r.chunks[c].end},
                        c == 0, c + 1 == r.chunks.size());
    // Errors name byte offsets in the text the reader gives: from the
    // unit's first edge on, the file's text offset only in the first.
    const std::string name =
        c == 0 ? in.file->path()
               : in.file->path() + " (the text from the frame at compressed offset " +
                     std::to_string(r.chunks[c].begin) + " on)";
    StreamPoolPlan lane_pool = pool;
    lane_pool.buffers = static_cast<size_t>(2 * lane_workers + 2);
    PRETOKDB_RETURN_IF_ERROR(CountStaged(&text, r.id, &name, lane_pool,
                                         lane_workers, first_worker, context,
                                         &staged));
    MetaWrites meta;
    Checkpoint done = Checkpoint::At(r.chunks[c].end);
    done.hashed = true;
    done.hashed_end = r.chunks[c].end;
    done.digest = text.RawDigest();
    meta.puts.emplace_back(CheckpointKey(r.id, c), EncodeCheckpoint(done));
    // The file's "+1" document, as a plain file's (JSON Lines records
    // count their own).
    if (c == 0 && r.first_document && !rules.jsonl()) {
      meta.stats.emplace_back(kStatDocuments, 1);
    }
    PRETOKDB_RETURN_IF_ERROR(staged.Commit(meta));
    if (options_.on_event) {
      IndexEvent e(IndexEvent::Type::kCheckpoint);
      e.path = in.file->path();
      e.offset = r.chunks[c].end;
      options_.on_event(e);
    }
    return Status::OK();
  };

  const int lanes = static_cast<int>(
      std::clamp<size_t>(jobs.size(), 1, static_cast<size_t>(lanes_planned)));
  std::atomic<size_t> next_job{0};
  std::atomic<size_t> jobs_done{0};
  std::mutex error_mu;
  Status first_error;
  auto run_lane = [&](int lane) {
    // Workers split as evenly as they go: the first lanes take one more.
    const int lane_workers = workers / lanes + (lane < workers % lanes ? 1 : 0);
    const int first_worker = lane * (workers / lanes) + std::min(lane, workers % lanes);
    for (size_t j = next_job++; j < jobs.size(); j = next_job++) {
      if (stop_.load()) break;
      Status s;
      try {
        s = count_unit(jobs[j], lane_workers, first_worker);
      } catch (const std::bad_alloc&) {
        s = Status::IOError(inputs[jobs[j].input].file->path(),
                            "out of memory for its decoder (try a smaller "
                            "--memory-limit)");
      }
      if (s.ok()) {
        ++jobs_done;
        continue;
      }
      if (!s.IsAborted()) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (first_error.ok()) first_error = s;
        stop_.store(true);  // the other lanes stop too (Run() clears it)
      }
      break;
    }
  };
  {
    std::vector<std::jthread> others;
    for (int lane = 1; lane < lanes; ++lane) {
      try {
        others.emplace_back(run_lane, lane);
      } catch (const std::system_error&) {
        break;  // no thread to be had: the lanes running take its units
      }
    }
    run_lane(0);
  }
  Status result = first_error;
  if (result.ok() && jobs_done.load() < jobs.size()) {
    result = Status::Aborted(db_path_, "stopped on request");
  }
  const double elapsed = RecordElapsed(store.get(), &result);
  if (result.IsAborted()) result = Status::Aborted(db_path_, "stopped before the end");
  return EmitEnd(result, elapsed);
}

}  // namespace pretokdb

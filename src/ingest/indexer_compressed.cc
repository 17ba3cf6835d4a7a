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
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ingest/chunk_planner.h"
#include "ingest/compressed_file.h"
#include "ingest/compressed_text.h"
#include "ingest/decompressor.h"
#include "ingest/extent_check.h"
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
    inputs.push_back(std::move(in));
  }

  // 2. The database, and a record per new input (its units as chunks).
  // The decoder's memory (its window: 2 MiB for zstd's default level, 8 MiB
  // at -19, at most 128 MiB) comes off the limit first, half of it at most.
  decoder_bytes = std::min(decoder_bytes, options_.memory_limit / 2);
  StreamPoolPlan pool = PlanStreamPool(options_.memory_limit - decoder_bytes,
                                       workers, options_.read_buffer_size);
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
  Checkpoints checkpoints;
  PRETOKDB_RETURN_IF_ERROR(ReadCheckpoints(*store, &checkpoints));
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

  // 3. Each unit not committed yet, in order: counted by all workers,
  //    committed once its frames have checked, with the hash of its
  //    compressed bytes.
  uint64_t units_left = 0;
  for (const SourceRecord& r : sources) {
    for (uint64_t c = 0; c < r.chunks.size(); ++c) {
      auto it = checkpoints.find({r.id, c});
      if (it == checkpoints.end() || it->second.offset < r.chunks[c].end) ++units_left;
    }
  }
  up_to_date_.store(!new_db && plan.puts.empty() && units_left == 0);
  bytes_total_.store(0);
  bytes_done_.store(0);
  emit(IndexEvent(IndexEvent::Type::kStart));

  OpeningStore opened(store.get());
  Status result;
  for (size_t i = 0; i < inputs.size() && result.ok(); ++i) {
    const CompressedInput& in = inputs[i];
    const SourceRecord& r = sources[i];
    for (uint64_t c = 0; c < r.chunks.size() && result.ok(); ++c) {
      auto it = checkpoints.find({r.id, c});
      if (it != checkpoints.end() && it->second.offset >= r.chunks[c].end) continue;
      if (stop_.load()) {
        result = Status::Aborted(in.file->path(), "stopped on request");
        break;
      }
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
      result = CountStaged(&text, r.id, &name, pool, workers, context, &staged);
      if (!result.ok()) break;
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
      result = staged.Commit(meta);
      if (result.ok() && options_.on_event) {
        IndexEvent e(IndexEvent::Type::kCheckpoint);
        e.path = in.file->path();
        e.offset = r.chunks[c].end;
        options_.on_event(e);
      }
    }
  }
  const double elapsed = RecordElapsed(store.get(), &result);
  if (result.IsAborted()) result = Status::Aborted(db_path_, "stopped before the end");
  return EmitEnd(result, elapsed);
}

}  // namespace pretokdb

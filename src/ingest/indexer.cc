// Indexer::Run: check the inputs, plan new files, then let the workers count
// every chunk range that has no committed checkpoint at its end.
//
// Order of a run, and why:
//  1. Open and fingerprint every input file before touching the database,
//     so a bad path leaves the database exactly as it was.
//  2. Open the database (taking its lock), check its configuration, match
//     each file against the sources it knows: unchanged, grown by appending
//     (ingest/source_growth.h), or changed otherwise (refused).
//  3. Commit the growth of grown files, then plan the chunks of new files
//     and commit their source records in one batch: a plan is fixed before
//     any of its counts exist.
//  4. Count the ranges after the committed checkpoints with a
//     Boost.Asio thread_pool; each worker pulls the next range from a shared
//     index, so none idles while ranges remain.
// A new database knows no source and holds no checkpoint, so nothing of 2
// and 3 is needed to count: it is created, and the plan committed, on a
// thread of its own while the workers count (ingest/opening_store.h).

#include "pretokdb/indexer.h"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <new>
#include <thread>
#include <unordered_map>

#include "ingest/chunk_planner.h"
#include "ingest/compressed_file.h"
#include "ingest/extent_check.h"
#include "ingest/final_spill.h"
#include "ingest/index_plan.h"
#include "ingest/jsonl_check.h"
#include "ingest/memory_plan.h"
#include "ingest/moved_source.h"
#include "ingest/opening_store.h"
#include "ingest/run_setup.h"
#include "ingest/shard_split.h"
#include "ingest/source_file.h"
#include "ingest/source_growth.h"
#include "ingest/special_tokens.h"
#include "ingest/text_rules.h"
#include "ingest/utf8_check.h"
#include "ingest/worker.h"
#include "store/byte_ranges.h"
#include "store/coding.h"
#include "store/records.h"
#include "store/rocks_store.h"
#include "store/source_catalog.h"
#include "text/pattern.h"

namespace pretokdb {

namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

uint64_t ElapsedMs(double seconds) { return static_cast<uint64_t>(seconds * 1000); }

}  // namespace

Indexer::Indexer(std::string db_path, IndexOptions options)
    : db_path_(std::move(db_path)), options_(std::move(options)) {}

Indexer::~Indexer() = default;

void Indexer::RequestStop() { stop_.store(true); }

IndexProgress Indexer::progress() const {
  IndexProgress p;
  p.bytes_total = bytes_total_.load();
  p.bytes_done = bytes_done_.load();
  p.spills = spills_.load();
  p.up_to_date = up_to_date_.load();
  int64_t start = start_ns_.load();
  p.elapsed_seconds = start == 0 ? 0 : (NowNs() - start) / 1e9;
  return p;
}

Status Indexer::Run(const std::vector<std::string>& paths) {
  // Compressed files (told by their first bytes) first: each is checked
  // whole before the database is touched (indexer_compressed.cc).
  std::vector<std::string> plain, compressed;
  for (const std::string& path : paths) {
    std::unique_ptr<SourceFile> file;
    PRETOKDB_RETURN_IF_ERROR(SourceFile::Open(path, &file));
    Compression kind;
    PRETOKDB_RETURN_IF_ERROR(DetectFileCompression(*file, &kind));
    (kind == Compression::kNone ? plain : compressed).push_back(path);
  }
  bool compressed_up_to_date = true;
  if (!compressed.empty()) {
    Status s = RunCompressed(compressed);
    if (!s.ok()) {
      stop_.store(false);
      return s;
    }
    compressed_up_to_date = up_to_date_.load();
    if (plain.empty()) return s;
  }
  growth_deferred_ = false;
  Status s = RunOnce(plain);
  // A grown file whose old extent was not finished has just been finished:
  // now it can grow.
  if (s.ok() && growth_deferred_) {
    growth_deferred_ = false;
    s = RunOnce(plain);  // the compressed ones are done
  }
  // A stop ends one Run(), whether requested (Aborted) or made by an error
  // to stop the other workers; the next Run() starts afresh and resumes.
  if (!s.ok()) stop_.store(false);
  if (!compressed_up_to_date) up_to_date_.store(false);
  return s;
}

Status Indexer::RunOnce(const std::vector<std::string>& paths) {
  start_ns_.store(NowNs());
  const int workers = options_.workers > 0
                          ? options_.workers
                          : std::max(1u, std::thread::hardware_concurrency());
  auto emit = [this](const IndexEvent& e) {
    if (options_.on_event) options_.on_event(e);
  };

  RunSetup setup;
  PRETOKDB_RETURN_IF_ERROR(MakeRunSetup(options_, &setup));
  const DbConfig& config = setup.config;
  const TextRules& rules = *setup.rules;

  // 1. Inputs, before the database, each with its key (InputKey).
  const bool sharded = options_.shard_count > 0;
  if (sharded && options_.shard_index >= options_.shard_count) {
    return Status::InvalidArgument(
        "--shard", "K/N needs 0 <= K < N, not " +
                       std::to_string(options_.shard_index) + "/" +
                       std::to_string(options_.shard_count));
  }
  const bool relative = !options_.root.empty();
  std::vector<std::unique_ptr<SourceFile>> files;
  std::vector<std::string> keys;
  std::vector<uint64_t> fingerprints;
  for (const std::string& path : paths) {
    std::unique_ptr<SourceFile> file;
    PRETOKDB_RETURN_IF_ERROR(SourceFile::Open(path, &file));
    std::string key;
    PRETOKDB_RETURN_IF_ERROR(InputKey(options_.root, path, &key));
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
    uint64_t fp;
    PRETOKDB_RETURN_IF_ERROR(file->Fingerprint(&fp));
    fingerprints.push_back(fp);
    files.push_back(std::move(file));
    keys.push_back(std::move(key));
  }

  // Strict UTF-8 reads whole files: into a new database, before it is
  // created; otherwise below, only what is new.
  const bool fresh_db = !std::filesystem::exists(
      std::filesystem::path(db_path_) / "CURRENT");
  if (options_.invalid_utf8 == InvalidUtf8::kStrict && fresh_db) {
    for (const auto& file : files) PRETOKDB_RETURN_IF_ERROR(CheckUtf8(*file, 0));
  }
  // So do strict JSON Lines records (one more parse of each line).
  const bool strict_records = rules.strict_records();
  if (strict_records && fresh_db) {
    for (const auto& file : files) {
      PRETOKDB_RETURN_IF_ERROR(
          CheckJsonlRecords(*file, options_.jsonl_field, 0));
    }
  }

  // 2. The database, unless it is still to be created: then later.
  const MemoryPlan memory =
      PlanMemory(options_.memory_limit, workers, options_.read_buffer_size);
  const bool create_db = WillCreate(db_path_);
  std::unique_ptr<RocksStore> store;
  bool new_db = create_db;
  std::vector<SourceRecord> known;
  if (!create_db) {
    PRETOKDB_RETURN_IF_ERROR(
        OpenForIndexing(db_path_, setup, memory, &store, &new_db));
    PRETOKDB_RETURN_IF_ERROR(ReadSources(*store, &known));
  }
  uint64_t next_id = 1;
  // Named streams are no files: never matched with an input (their ids
  // stay taken).
  for (const SourceRecord& r : known) next_id = std::max(next_id, r.id + 1);
  known.erase(std::remove_if(known.begin(), known.end(),
                             [](const SourceRecord& r) { return r.stream; }),
              known.end());
  for (const SourceRecord& r : known) {
    next_id = std::max(next_id, r.id + 1);
    // A database keys all its files one way: an input keyed the other way
    // would not be recognised, and would be counted twice.
    if (r.path != "-" && r.relative != relative) {
      return Status::InvalidArgument(
          db_path_, r.relative
                        ? "keys its files relative to a --root directory; "
                          "index into it with --root"
                        : "keys its files by absolute path; index into it "
                          "without --root (or into another --db)");
    }
  }

  // Inputs that are known sources moved (moved_source.h) take over their
  // records: matched as any path under their new paths, which are
  // committed once the inputs are checked (below).
  // Keys relative to a --root are not moved (a move under the root would
  // need the key rewritten relative to it; see moved_source.h).
  std::vector<MovedSource> moved;
  if (!relative) {
    PRETOKDB_RETURN_IF_ERROR(
        FindMovedSources(files, fingerprints, &known, &moved));
  }
  for (const MovedSource& m : moved) {
    IndexEvent e(IndexEvent::Type::kWarning);
    e.path = files[m.input]->path();
    e.message = "moved from " + m.old_path +
                ": what was counted of it is kept under this path, not counted again";
    emit(e);
  }

  // Match each input to a known source by key: unchanged, grown by
  // appending, or changed otherwise (refused); or plan it as new.
  const ShardPlan shard_plan =
      sharded ? ShardPlan{kShardSplitVersion, options_.shard_count,
                          options_.shard_index, options_.shard_unit_bytes}
              : ShardPlan();
  std::vector<SourceRecord> sources(files.size());
  std::vector<bool> is_new(files.size(), false);
  std::vector<bool> is_grown(files.size(), false);
  for (size_t i = 0; i < files.size(); ++i) {
    const SourceFile& f = *files[i];
    auto it = std::find_if(known.begin(), known.end(), [&](const SourceRecord& r) {
      return r.path == keys[i] && r.relative == relative;
    });
    if (it == known.end()) {
      is_new[i] = true;
      continue;
    }
    sources[i] = *it;
    const ShardPlan& was = it->shard;
    if (sharded && was.count > 0 &&
        (was.version != shard_plan.version || was.count != shard_plan.count ||
         was.index != shard_plan.index)) {
      return Status::InvalidArgument(
          f.path(), "was indexed into " + db_path_ + " as shard " +
                        std::to_string(was.index) + "/" + std::to_string(was.count) +
                        ", not " + std::to_string(shard_plan.index) + "/" +
                        std::to_string(shard_plan.count) +
                        "; give the same --shard, or index into another --db");
    }
    if (it->size == f.size() && it->fingerprint == fingerprints[i]) continue;
    bool grown = false;
    PRETOKDB_RETURN_IF_ERROR(HasGrownByAppending(f, *it, &grown));
    if (!grown) {
      return Status::InvalidArgument(
          f.path(), "changed since it was indexed into " + db_path_ +
                        " (not only appended to); index it into another --db");
    }
    is_grown[i] = true;
  }

  // What was counted of the inputs seen again is read again and checked
  // against its hashes, or hashed if it has none (ingest/extent_check.h);
  // a file that changed is refused before anything is committed.
  ExtentCheck extents;
  if (!create_db) {
    Checkpoints before;
    PRETOKDB_RETURN_IF_ERROR(ReadCheckpoints(*store, &before));
    std::vector<CommittedChunk> counted;
    for (size_t i = 0; i < files.size(); ++i) {
      if (is_new[i]) continue;
      const SourceRecord& r = sources[i];
      for (uint64_t c = 0; c < r.chunks.size(); ++c) {
        auto it = before.find({r.id, c});
        if (it == before.end()) continue;
        counted.push_back(
            CommittedChunk{files[i].get(), r.id, c, r.chunks[c], it->second});
      }
    }
    PRETOKDB_RETURN_IF_ERROR(CheckCommittedExtents(
        counted, options_.quick_check, workers, memory.read_buffer_bytes,
        db_path_, &extents));
    if (!counted.empty()) {
      IndexEvent e(IndexEvent::Type::kHashCheck);
      e.bytes = extents.checked_bytes;
      e.recorded_bytes = extents.recorded_bytes;
      e.elapsed_seconds = extents.seconds;
      emit(e);
    }
    // Hashes recorded for checkpoints that had none: one commit.
    if (!extents.recorded.puts.empty()) {
      PRETOKDB_RETURN_IF_ERROR(store->Commit({}, extents.recorded));
    }
    PRETOKDB_RETURN_IF_ERROR(
        CommitMovedSources(moved, files, known, store.get()));
  }

  // What this run wants of each file: its shard's units (cut on the size
  // the database first knew, so a grown file keeps its units), or all.
  std::vector<ShardShare> wants(files.size());
  if (!sharded) {
    for (size_t i = 0; i < files.size(); ++i) {
      wants[i] = WholeFile(is_new[i] ? files[i]->size() : sources[i].size);
    }
  } else {
    std::vector<size_t> order(files.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t x, size_t y) { return keys[x] < keys[y]; });
    std::vector<std::vector<ChunkRange>> units(files.size());
    for (size_t j = 0; j < order.size(); ++j) {
      const size_t i = order[j];
      const SourceRecord& r = sources[i];
      const uint64_t split_size = is_new[i] ? files[i]->size() : r.split_size;
      const uint64_t unit_bytes =
          !is_new[i] && r.shard.count > 0 && r.shard.unit_bytes > 0
              ? r.shard.unit_bytes
              : options_.shard_unit_bytes;
      PRETOKDB_RETURN_IF_ERROR(
          CutUnits(*files[i], rules, split_size, unit_bytes, &units[j]));
      // The last unit reaches the end the database knows.
      units[j].back().end = is_new[i] ? files[i]->size() : r.size;
    }
    std::vector<ShardShare> shares =
        DealUnits(units, options_.shard_count, options_.shard_index);
    for (size_t j = 0; j < order.size(); ++j) wants[order[j]] = std::move(shares[j]);
  }
  // Appended bytes belong to the owner of the last unit; the other shards
  // have checked their parts are unchanged (the prefix fingerprint), plan
  // nothing, and only record the file's new size and fingerprint, so that
  // every shard's record of it agrees (a merge requires that).
  std::vector<bool> grown_elsewhere(files.size(), false);
  for (size_t i = 0; i < files.size(); ++i) {
    if (is_grown[i] && !wants[i].last_unit) {
      is_grown[i] = false;
      grown_elsewhere[i] = true;
    }
  }

  if (options_.invalid_utf8 == InvalidUtf8::kStrict && !fresh_db) {
    // Before anything of these files is counted (or planned).
    for (size_t i = 0; i < files.size(); ++i) {
      if (is_new[i] || is_grown[i]) {
        PRETOKDB_RETURN_IF_ERROR(
            CheckUtf8(*files[i], is_new[i] ? 0 : sources[i].size));
      }
    }
  }
  if (strict_records && !fresh_db) {
    for (size_t i = 0; i < files.size(); ++i) {
      if (is_new[i] || is_grown[i]) {
        PRETOKDB_RETURN_IF_ERROR(CheckJsonlRecords(
            *files[i], options_.jsonl_field, is_new[i] ? 0 : sources[i].size));
      }
    }
  }

  // 3. Plans of what is wanted and not held, and of the new parts of grown
  //    files, committed before counting.
  for (size_t i = 0; i < files.size(); ++i) {
    if (!is_new[i]) continue;
    SourceRecord& r = sources[i];
    r.id = next_id++;
    r.path = keys[i];
    r.relative = relative;
    r.size = files[i]->size();
    r.fingerprint = fingerprints[i];
    r.split_size = r.size;
    r.shard = shard_plan;
  }
  std::vector<std::vector<ChunkRange>> gaps(files.size());
  uint64_t new_bytes = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    gaps[i] = GapsToPlan(wants[i], sources[i]);
    new_bytes += RangeBytes(gaps[i]);
    if (is_grown[i]) new_bytes += files[i]->size() - sources[i].size;
  }
  const uint64_t target = ChunkTargetBytes(new_bytes, workers);
  Checkpoints committed;
  if (!create_db) PRETOKDB_RETURN_IF_ERROR(ReadCheckpoints(*store, &committed));
  bool any_grown = false;
  if (std::find(is_grown.begin(), is_grown.end(), true) != is_grown.end()) {
    GrowthCommit growth(rules, memory, store.get());
    for (size_t i = 0; i < files.size(); ++i) {
      if (!is_grown[i]) continue;
      if (!gaps[i].empty() || !FullyIndexed(sources[i], committed)) {
        // Hold and finish the old extent first; Run() comes back for the
        // growth.
        growth_deferred_ = true;
        continue;
      }
      // The old tail is counted again from a cut no earlier than the start
      // of the stretch this database holds up to the old end.
      const std::vector<ChunkRange> held = HeldRanges(sources[i]);
      const uint64_t held_from = held.empty() ? 0 : held.back().begin;
      SourceRecord grown;
      PRETOKDB_RETURN_IF_ERROR(growth.Add(*files[i], sources[i], committed,
                                          fingerprints[i], target, workers,
                                          held_from, &grown));
      sources[i] = grown;
      any_grown = true;
    }
    if (any_grown) PRETOKDB_RETURN_IF_ERROR(growth.Commit());
  }
  MetaWrites plan;
  if (new_db) plan.puts.emplace_back(kConfigKey, EncodeConfig(config));
  bool planned = false;
  for (size_t i = 0; i < files.size(); ++i) {
    SourceRecord& r = sources[i];
    bool changed = false;
    PRETOKDB_RETURN_IF_ERROR(PlanWanted(*files[i], rules, wants[i], target,
                                        workers, committed, &r, &plan,
                                        &changed));
    if (grown_elsewhere[i]) {
      r.size = files[i]->size();
      r.fingerprint = fingerprints[i];
      changed = true;
    }
    // Every input gets a record, even one this shard holds nothing of: it
    // fixes the size the file's units are cut on.
    if (!changed && !is_new[i]) continue;
    if (changed && !is_new[i] && !sharded) r.shard = ShardPlan();
    plan.puts.emplace_back(SourceKey(r.id), EncodeSource(r));
    planned = true;
  }
  if (!create_db) PRETOKDB_RETURN_IF_ERROR(store->Commit({}, plan));

  // 4. Ranges to count.
  Checkpoints checkpoints;
  if (!create_db) PRETOKDB_RETURN_IF_ERROR(ReadCheckpoints(*store, &checkpoints));
  std::vector<ChunkTask> tasks;
  uint64_t total = 0, done = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const SourceRecord& r = sources[i];
    total += RangeBytes(r.chunks);
    for (uint64_t c = 0; c < r.chunks.size(); ++c) {
      uint64_t from = r.chunks[c].begin;
      auto it = checkpoints.find({r.id, c});
      if (it != checkpoints.end()) from = it->second.offset;
      done += from - r.chunks[c].begin;
      if (from < r.chunks[c].end) {
        ChunkTask task{files[i].get(), r.id, c, r.chunks[c].begin, from,
                       r.chunks[c].end};
        auto h = extents.resume.find({r.id, c});
        if (h != extents.resume.end() && h->second.hashed_end >= from) {
          task.hash = &h->second.hash;
          task.hashed_end = h->second.hashed_end;
        }
        tasks.push_back(task);
      }
    }
  }
  up_to_date_.store(!new_db && tasks.empty() && !planned && !any_grown &&
                    !growth_deferred_);
  std::mutex error_mu;
  Status first_error;
  auto record_error = [&](const Status& ws) {
    if (ws.ok() || ws.IsAborted()) return;
    std::lock_guard<std::mutex> lock(error_mu);
    if (first_error.ok()) first_error = ws;
    stop_.store(true);  // the others commit and stop too
  };
  std::unique_ptr<OpeningStore> opening;
  if (create_db) {
    opening = std::make_unique<OpeningStore>(
        [&, plan = std::move(plan)](std::unique_ptr<RocksStore>* created) {
          Status s = CreateForIndexing(db_path_, setup, memory, plan, created);
          record_error(s);  // the workers stop: none of their counts can land
          return s;
        });
  } else {
    opening = std::make_unique<OpeningStore>(store.get());
  }

  bytes_total_.store(total);
  bytes_done_.store(done);
  {
    IndexEvent e(IndexEvent::Type::kStart);
    e.bytes = total - done;
    emit(e);
  }

  WorkerContext context{opening.get(),
                        &rules,
                        memory,
                        options_.checkpoint_interval_seconds,
                        &stop_,
                        &bytes_done_,
                        &spills_,
                        options_.on_event};
  std::atomic<size_t> next_task{0};
  const int threads = static_cast<int>(
      std::min<size_t>(static_cast<size_t>(workers), std::max<size_t>(tasks.size(), 1)));
  // What each worker holds when it runs out of work (or stops) is committed
  // after the pool, all at once (ingest/final_spill.h).
  std::vector<std::unique_ptr<Worker>> pool_workers(threads);
  FinalSpill final_spill;
  {
    boost::asio::thread_pool pool(threads);
    for (int w = 0; w < threads; ++w) {
      boost::asio::post(pool, [&, w] {
        Status ws;
        // An exception must not leave the pool's thread (that would end the
        // process): out of memory stops the run like any error, and what
        // the workers committed stays committed. A worker it hits adds
        // nothing to the final spill: its table may hold half a piece.
        try {
          pool_workers[w] = std::make_unique<Worker>(w, context);
          Worker& worker = *pool_workers[w];
          for (;;) {
            if (stop_.load()) break;
            size_t t = next_task.fetch_add(1);
            if (t >= tasks.size()) break;
            ws = worker.Run(tasks[t]);
            if (!ws.ok()) break;
          }
          // Commit what this worker holds, whatever ended its loop.
          final_spill.Add(&worker);
        } catch (const std::bad_alloc&) {
          pool_workers[w].reset();
          ws = Status::IOError(
              db_path_,
              "out of memory for a worker (try a smaller --memory-limit or "
              "fewer --workers); the run can be resumed");
        }
        record_error(ws);
      });
    }
    pool.join();
  }
  RocksStore* db = nullptr;
  const Status opened = opening->Wait(&db);
  if (!opened.ok()) {
    // Nothing was committed, nor can be.
    record_error(opened);
    pool_workers.clear();
    return EmitEnd(first_error, progress().elapsed_seconds);
  }
  double elapsed = 0;
  bool elapsed_committed = false;
  try {
    record_error(final_spill.Commit(
        db, threads,
        [&](MetaWrites* m) {
          elapsed = progress().elapsed_seconds;
          m->stats.emplace_back(kStatElapsedMs, ElapsedMs(elapsed));
        },
        &elapsed_committed));
  } catch (const std::bad_alloc&) {
    record_error(Status::IOError(
        db_path_, "out of memory for the last spill (try a smaller --memory-limit); "
                  "the run can be resumed"));
  }
  pool_workers.clear();

  if (!elapsed_committed) elapsed = RecordElapsed(db, &first_error);

  Status result = first_error;
  if (result.ok() && stop_.load()) {
    // Stopped: resumable unless every range happened to be committed.
    bool all_done = true;
    Checkpoints after;
    if (ReadCheckpoints(*db, &after).ok()) {
      for (const ChunkTask& t : tasks) {
        auto it = after.find({t.source_id, t.chunk_index});
        if (it == after.end() || it->second.offset < t.end) all_done = false;
      }
    }
    if (!all_done) result = Status::Aborted(db_path_, "stopped before the end");
  }
  return EmitEnd(result, elapsed);
}

double Indexer::RecordElapsed(RocksStore* store, Status* result) {
  const double elapsed = progress().elapsed_seconds;
  MetaWrites m;
  m.stats.emplace_back(kStatElapsedMs, ElapsedMs(elapsed));
  Status s = store->Commit({}, m);
  if (result->ok() && !s.ok()) *result = s;
  return elapsed;
}

Status Indexer::EmitEnd(const Status& result, double elapsed) {
  if (!options_.on_event) return result;
  IndexEvent e(result.ok() ? IndexEvent::Type::kFinish : IndexEvent::Type::kError);
  e.bytes = bytes_done_.load();
  e.message = result.ok() ? "" : result.message();
  e.elapsed_seconds = elapsed;
  options_.on_event(e);
  return result;
}

}  // namespace pretokdb

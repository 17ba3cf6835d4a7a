// MergeDatabases (pretokdb/merge.h): check everything, then write the
// counts as runs of the target, then commit them with the records in one
// ingestion.
//
// Order, and why:
//  1. Sources, read-only: not being written (their LOCK, probed), open,
//     configured alike, finished, distinct identities. Nothing is written
//     anywhere yet; a refusal leaves every directory as it was.
//  2. The target, opened for writing (created if missing): its lock is
//     held to the end, so no index run writes it meanwhile. Same
//     configuration, finished; sources not merged into it before (all of
//     them: nothing to do); records combined (a part of a file in two
//     databases refused).
//  3. Counts merged into runs in the target's spill directory.
//  4. One CommitRuns: runs, records, checkpoints, identities, stats. Killed
//     before it, the runs are leftovers that the next open deletes.

#include "pretokdb/merge.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>
#include <thread>

#include "merge/count_merge.h"
#include "merge/database_state.h"
#include "merge/merge_checks.h"
#include "merge/record_union.h"
#include "store/records.h"
#include "store/rocks_store.h"
#include "util/memory_footprint.h"

namespace pretokdb {

namespace fs = std::filesystem;

namespace {

// A count iterator's readahead (RocksStore::NewCountIterator).
constexpr uint64_t kReadaheadBytes = uint64_t{2} << 20;
constexpr uint64_t kMinBudget = uint64_t{4} << 20;
constexpr uint64_t kMaxBudget = uint64_t{256} << 20;

// RocksDB's budget for each database open: an equal share of what the
// limit leaves, less a source's readahead.
uint64_t BudgetPerDatabase(uint64_t memory_limit, size_t databases) {
  uint64_t share = MemoryBeyondFootprint(memory_limit) / databases;
  share = share > kReadaheadBytes ? share - kReadaheadBytes : 0;
  return std::clamp(share, kMinBudget, kMaxBudget);
}

uint64_t RunBytes(const MergeOptions& options) {
  if (options.run_bytes > 0) return options.run_bytes;
  return std::clamp<uint64_t>(options.memory_limit / 8, 1 << 20, 64 << 20);
}

// The same directory, whether or not either exists yet.
bool SamePath(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (fs::equivalent(a, b, ec) && !ec) return true;
  return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

std::string Absolute(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

}  // namespace

Status MergeDatabases(const std::string& target,
                      const std::vector<std::string>& sources,
                      const MergeOptions& options, MergeResult* result) {
  const auto start = std::chrono::steady_clock::now();
  MergeResult unused;
  if (result == nullptr) result = &unused;
  *result = MergeResult();
  if (sources.empty()) {
    return Status::InvalidArgument("merge: no source database given");
  }
  const uint64_t budget = BudgetPerDatabase(options.memory_limit, sources.size() + 1);

  // 1. Sources, read-only.
  for (const std::string& path : sources) {
    if (SamePath(path, target)) {
      return Status::InvalidArgument(path, "is the target of the merge: give it as --into only");
    }
  }
  std::vector<DatabaseState> states(sources.size());
  std::vector<const DatabaseState*> source_states;
  for (size_t i = 0; i < sources.size(); ++i) {
    std::error_code ec;
    if (!fs::exists(fs::path(sources[i]) / "CURRENT", ec)) {
      // Say it of the source, not as RocksDB would of a database to create.
      if (!fs::exists(sources[i], ec)) {
        return Status::NotFound(sources[i], "no such database (a source of the merge)");
      }
    }
    PRETOKDB_RETURN_IF_ERROR(CheckNotBeingWritten(sources[i]));
    PRETOKDB_RETURN_IF_ERROR(OpenSourceDatabase(sources[i], budget, &states[i]));
    if (!states[i].has_config) {
      return Status::InvalidArgument(
          sources[i], "empty database: no index run has committed anything to merge");
    }
    if (i > 0) PRETOKDB_RETURN_IF_ERROR(CheckSameConfig(states[0], states[i]));
    PRETOKDB_RETURN_IF_ERROR(CheckFinished(states[i]));
    source_states.push_back(&states[i]);
  }
  PRETOKDB_RETURN_IF_ERROR(CheckSourcesDistinct(source_states));
  {
    // Parts of a file in two sources, refused before the target is touched
    // (created, for a new one); against the target's own parts below.
    RecordUnion sources_only;
    for (const DatabaseState* s : source_states) {
      PRETOKDB_RETURN_IF_ERROR(sources_only.Add(*s));
    }
  }

  // 2. The target, locked to the end.
  DatabaseState into;
  into.path = target;
  {
    StoreOptions store_options;
    store_options.create_if_missing = true;
    store_options.memory_budget = budget;
    PRETOKDB_RETURN_IF_ERROR(RocksStore::Open(target, store_options, &into.store));
  }
  PRETOKDB_RETURN_IF_ERROR(ReadDatabaseState(&into));
  if (into.has_config) {
    PRETOKDB_RETURN_IF_ERROR(CheckSameConfig(states[0], into));
    PRETOKDB_RETURN_IF_ERROR(CheckFinished(into));
  }
  bool all_merged = false;
  PRETOKDB_RETURN_IF_ERROR(CheckAgainstTarget(source_states, into, &all_merged));
  if (all_merged) {
    result->already_merged = true;
    return Status::OK();
  }
  RecordUnion records;
  records.AddTarget(into);
  for (const DatabaseState* s : source_states) PRETOKDB_RETURN_IF_ERROR(records.Add(*s));

  MetaWrites meta;
  if (!into.has_config) meta.puts.emplace_back(kConfigKey, EncodeConfig(states[0].config));
  records.AppendWrites(&meta);
  for (const DatabaseState* s : source_states) {
    meta.puts.emplace_back(std::string(kMergedPrefix) + s->identity,
                           EncodeMerged(MergedRecord{s->digest, Absolute(s->path)}));
    for (const auto& [id, from] : s->merged) {
      meta.puts.emplace_back(std::string(kMergedPrefix) + id, EncodeMerged(from));
    }
    for (const auto& [key, value] : s->stats) meta.stats.emplace_back(key, value);
  }

  // 3. Counts.
  MergeProgress& progress = result->progress;
  std::vector<const RocksStore*> stores;
  for (const DatabaseState* s : source_states) {
    stores.push_back(s->store.get());
    progress.entries_total += s->store->EstimateCountEntries();
  }
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  auto report = [&](const MergeProgress& p) {
    if (!options.on_progress) return;
    MergeProgress now = p;
    now.elapsed_seconds = elapsed();
    options.on_progress(now);
  };
  std::vector<std::string> runs;
  const int threads =
      options.threads > 0
          ? options.threads
          : static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
  // Each thread has its own readahead per source.
  const size_t readahead =
      static_cast<size_t>(std::min(kReadaheadBytes, budget / 4 / threads));
  PRETOKDB_RETURN_IF_ERROR(MergeCounts(stores, into.store.get(), RunBytes(options),
                                       readahead, threads, report, &runs, &progress));

  // 4. The one commit.
  PRETOKDB_RETURN_IF_ERROR(into.store->CommitRuns(runs, meta));
  progress.elapsed_seconds = elapsed();
  report(progress);
  return Status::OK();
}

}  // namespace pretokdb

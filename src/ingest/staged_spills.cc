#include "ingest/staged_spills.h"

#include "ingest/table_count_source.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <system_error>
#include <thread>

#include "ingest/key_ranges.h"

namespace pretokdb {

namespace {
constexpr size_t kRunsPerMerge = 8;
// As in FinalSpill: fewer entries per range are written by one thread.
constexpr size_t kMinEntriesPerRange = 64 << 10;
}  // namespace

StagedSpills::~StagedSpills() {
  // Runs not committed are dropped (RocksStore::Open() would delete them).
  std::error_code ec;
  for (const auto& level : levels_) {
    for (const std::string& run : level) std::filesystem::remove(run, ec);
  }
  for (const std::string& run : last_) std::filesystem::remove(run, ec);
}

Status StagedSpills::Spill(const CountSource& counts, const MetaWrites& meta,
                           uint64_t* bytes) {
  *bytes = 0;
  std::string run;
  // Runs are written at once by several workers; their names are unique.
  if (counts.size() > 0) {
    PRETOKDB_RETURN_IF_ERROR(store_->WriteRun(counts, &run, bytes));
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, n] : meta.stats) stats_[key] += n;
  if (run.empty()) return Status::OK();
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(run);
  return Compact();
}

Status StagedSpills::SpillLast(const std::vector<Worker*>& workers,
                               const std::vector<MetaWrites>& metas,
                               int threads) {
  std::vector<std::unique_ptr<TableCountSource>> tables;
  std::vector<const CountSource*> sources;
  size_t entries = 0;
  for (Worker* w : workers) {
    if (w->table().empty()) continue;
    tables.push_back(std::make_unique<TableCountSource>(w->table()));
    sources.push_back(tables.back().get());
    entries += w->table().size();
  }
  // Disjoint key ranges, one run each, written at once (the tail of a
  // stream's run is otherwise one thread's).
  std::vector<std::string> runs;
  std::vector<uint64_t> run_bytes;
  if (!sources.empty()) {
    const size_t parts =
        std::clamp<size_t>(entries / kMinEntriesPerRange, 1,
                           static_cast<size_t>(std::max(threads, 1)));
    const std::vector<std::vector<CountRange>> ranges =
        SplitKeySpace(sources, parts);
    runs.resize(ranges.size());
    run_bytes.resize(ranges.size());
    std::vector<Status> status(ranges.size());
    auto write = [&](size_t k) {
      status[k] = store_->WriteMergedRun(ranges[k], &runs[k], &run_bytes[k]);
    };
    {
      std::vector<std::jthread> helpers;
      for (size_t k = 1; k < ranges.size(); ++k) {
        try {
          helpers.emplace_back(write, k);
        } catch (const std::system_error&) {
          write(k);  // no thread to be had: this one writes it
        }
      }
      write(0);
    }
    for (const Status& s : status) {
      if (s.ok()) continue;
      std::error_code ec;
      for (size_t k = 0; k < runs.size(); ++k) {
        if (status[k].ok()) std::filesystem::remove(runs[k], ec);
      }
      return s;
    }
  }
  uint64_t bytes = 0;
  for (uint64_t b : run_bytes) bytes += b;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const MetaWrites& m : metas) {
      for (const auto& [key, n] : m.stats) stats_[key] += n;
    }
    last_.insert(last_.end(), runs.begin(), runs.end());
  }
  for (Worker* w : workers) w->SpillCommitted(bytes / workers.size());
  return Status::OK();
}

Status StagedSpills::Compact() {
  for (size_t i = 0; i < levels_.size(); ++i) {
    if (levels_[i].size() < kRunsPerMerge) continue;
    std::string merged;
    PRETOKDB_RETURN_IF_ERROR(store_->MergeRuns(levels_[i], &merged));
    levels_[i].clear();
    if (i + 1 == levels_.size()) levels_.emplace_back();
    levels_[i + 1].push_back(merged);
  }
  return Status::OK();
}

Status StagedSpills::Commit(const MetaWrites& meta) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> runs;
  for (const auto& level : levels_) runs.insert(runs.end(), level.begin(), level.end());
  levels_.clear();
  if (runs.empty()) {
    // Only the last spill's runs, disjoint: ingested as they are.
    runs.swap(last_);
  } else {
    runs.insert(runs.end(), last_.begin(), last_.end());
    last_.clear();
    if (runs.size() > 1) {
      std::string merged;
      Status s = store_->MergeRuns(runs, &merged);
      if (!s.ok()) {
        levels_.push_back(runs);  // deleted by the destructor
        return s;
      }
      runs = {merged};
    }
  }
  MetaWrites all = meta;
  for (const auto& [key, n] : stats_) all.stats.emplace_back(key, n);
  return store_->CommitRuns(runs, all);
}

}  // namespace pretokdb

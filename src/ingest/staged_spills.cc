#include "ingest/staged_spills.h"

#include "ingest/table_count_source.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#include "ingest/final_spill.h"

namespace pretokdb {

namespace {
constexpr size_t kRunsPerMerge = 8;
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
  std::vector<std::string> runs;
  uint64_t bytes = 0;
  PRETOKDB_RETURN_IF_ERROR(WriteTableRuns(store_, sources, entries, threads, &runs, &bytes));
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

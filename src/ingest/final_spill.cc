#include "ingest/final_spill.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <thread>

#include "ingest/key_ranges.h"
#include "ingest/table_count_source.h"

namespace pretokdb {

namespace {

// Fewer entries than this per range are written by one thread: a run file
// has fixed costs (its own open, footer and fsync, one more file in L0).
constexpr size_t kMinEntriesPerRange = 64 << 10;

}  // namespace

Status WriteTableRuns(RocksStore* store, const std::vector<const CountSource*>& tables,
                      size_t entries, int threads, std::vector<std::string>* runs,
                      uint64_t* bytes) {
  runs->clear();
  *bytes = 0;
  if (tables.empty()) return Status::OK();
  const size_t parts = std::clamp<size_t>(entries / kMinEntriesPerRange, 1,
                                          static_cast<size_t>(std::max(threads, 1)));
  const std::vector<std::vector<CountRange>> ranges = SplitKeySpace(tables, parts);
  runs->resize(ranges.size());
  std::vector<uint64_t> run_bytes(ranges.size());
  std::vector<Status> status(ranges.size());
  auto write = [&](size_t k) {
    status[k] = store->WriteMergedRun(ranges[k], &(*runs)[k], &run_bytes[k]);
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
    for (size_t k = 0; k < runs->size(); ++k) {
      if (status[k].ok()) std::filesystem::remove((*runs)[k], ec);
    }
    runs->clear();
    return s;
  }
  for (uint64_t b : run_bytes) *bytes += b;
  return Status::OK();
}

void FinalSpill::Add(Worker* worker) {
  MetaWrites meta;
  if (!worker->PrepareSpill(&meta)) return;
  std::lock_guard<std::mutex> lock(mu_);
  held_.push_back(Held{worker, std::move(meta)});
}

Status FinalSpill::Commit(RocksStore* store, int threads,
                          const std::function<void(MetaWrites*)>& at_commit,
                          bool* committed) {
  *committed = false;
  if (held_.empty()) return Status::OK();
  std::vector<std::unique_ptr<TableCountSource>> tables;
  std::vector<const CountSource*> sources;
  size_t entries = 0;
  MetaWrites meta;
  for (const Held& h : held_) {
    meta.puts.insert(meta.puts.end(), h.meta.puts.begin(), h.meta.puts.end());
    meta.stats.insert(meta.stats.end(), h.meta.stats.begin(),
                      h.meta.stats.end());
    if (h.worker->table().empty()) continue;
    tables.push_back(std::make_unique<TableCountSource>(h.worker->table()));
    sources.push_back(tables.back().get());
    entries += h.worker->table().size();
  }

  std::vector<std::string> runs;
  uint64_t run_bytes = 0;
  PRETOKDB_RETURN_IF_ERROR(WriteTableRuns(store, sources, entries, threads, &runs, &run_bytes));
  at_commit(&meta);
  uint64_t bytes = 0;
  PRETOKDB_RETURN_IF_ERROR(store->CommitRuns(runs, meta, &bytes));
  *committed = true;
  bytes += run_bytes;

  // Each worker's spill event gets the share of the bytes its entries make.
  for (const Held& h : held_) {
    const size_t n = h.worker->table().size();
    h.worker->SpillCommitted(
        entries == 0
            ? bytes / held_.size()
            : static_cast<uint64_t>(static_cast<double>(bytes) * n / entries));
  }
  held_.clear();
  return Status::OK();
}

}  // namespace pretokdb

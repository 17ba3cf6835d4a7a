#include "ingest/source_growth.h"

#include <string>
#include <vector>

#include "count/count_table.h"
#include "ingest/chunk_counter.h"
#include "ingest/chunk_planner.h"
#include "store/coding.h"
#include "text/safe_cut.h"

namespace pretokdb {

namespace {

// True if d is a cut of the grown file: counting may stop before it and
// restart at it without changing anything on either side.
Status IsCutIn(const SourceFile& file, const TextRules& rules, uint64_t d,
               bool* is_cut) {
  *is_cut = false;
  if (d == 0 || d >= file.size()) return Status::OK();
  const uint64_t margin = rules.specials->max_length() + 4;
  const uint64_t start = d > margin ? d - margin : 0;
  uint64_t last = start;
  // The last cut before d + 1, found in the window, is d itself iff d is one.
  PRETOKDB_RETURN_IF_ERROR(FindLastCutBefore(file, rules, start, d + 1, &last));
  *is_cut = last == d;
  return Status::OK();
}

}  // namespace

Status HasGrownByAppending(const SourceFile& file, const SourceRecord& old,
                           bool* grown) {
  *grown = false;
  if (file.size() <= old.size) return Status::OK();
  uint64_t prefix_fingerprint;
  PRETOKDB_RETURN_IF_ERROR(file.FingerprintPrefix(old.size, &prefix_fingerprint));
  *grown = prefix_fingerprint == old.fingerprint;
  return Status::OK();
}

Status CommitGrowth(const SourceFile& file, const SourceRecord& old,
                    uint64_t fingerprint,
                    const std::map<std::pair<uint64_t, uint64_t>, uint64_t>&
                        checkpoints,
                    const TextRules& rules, const MemoryPlan& memory,
                    uint64_t target_chunk_bytes, int workers,
                    RocksStore* store, SourceRecord* grown) {
  *grown = old;
  grown->size = file.size();
  grown->fingerprint = fingerprint;

  MetaWrites meta;
  std::vector<CountEntry> undo;
  CountTable table(memory.table_bytes, memory.piece_bytes);
  CounterStats stats;
  uint64_t restart = 0;
  if (!old.chunks.empty()) {
    const uint64_t k = old.chunks.size() - 1;
    const uint64_t begin = old.chunks[k].begin;
    auto it = checkpoints.find({old.id, k});
    const uint64_t d = it == checkpoints.end() ? begin : it->second;
    bool is_cut = d == begin;
    if (!is_cut) PRETOKDB_RETURN_IF_ERROR(IsCutIn(file, rules, d, &is_cut));
    restart = d;
    if (!is_cut) {
      PRETOKDB_RETURN_IF_ERROR(FindLastCutBefore(file, rules, begin, d, &restart));
      // Count [restart, d) as the committed run did: d was its end.
      ChunkCounter counter(rules, memory.read_buffer_bytes, memory.piece_bytes,
                           &table, &stats);
      PRETOKDB_RETURN_IF_ERROR(counter.Count(
          file, restart, d, [](uint64_t) { return Status::OK(); },
          [](uint64_t) {}));
      if (table.NeedsSpill()) {
        return Status::InvalidArgument(
            file.path(),
            "grew, but its old end is too far from any cut to be counted "
            "again within the memory limit; index it into another --db");
      }
      std::vector<CountTable::SortKey> keys;
      table.SortedKeys(&keys);
      undo.reserve(keys.size());
      for (const CountTable::SortKey& key : keys) {
        undo.push_back(MakeCountEntry(table.KeyAt(key.slot),
                                      0 - table.CountAt(key.slot)));
      }
      SortCountEntries(&undo);
      meta.stats = {{std::string(kStatPretokens), 0 - table.total()},
                    {std::string(kStatDocuments), 0 - stats.separators},
                    {std::string(kStatInvalidUtf8), 0 - stats.invalid_utf8},
                    {std::string(kStatSkippedStretches),
                     0 - stats.skipped_stretches},
                    {std::string(kStatSkippedBytes), 0 - stats.skipped_bytes}};
    }
    grown->chunks[k].end = restart;
    std::string value;
    PutFixed64(&value, restart);
    meta.puts.emplace_back(CheckpointKey(old.id, k), value);
  }
  std::vector<ChunkRange> added;
  PRETOKDB_RETURN_IF_ERROR(PlanChunks(file, rules, target_chunk_bytes, &added,
                                      workers, restart));
  grown->chunks.insert(grown->chunks.end(), added.begin(), added.end());
  meta.puts.emplace_back(SourceKey(old.id), EncodeSource(*grown));
  return store->Commit(undo, meta);
}

}  // namespace pretokdb

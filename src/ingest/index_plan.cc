#include "ingest/index_plan.h"

#include <algorithm>
#include <string>

#include "ingest/chunk_planner.h"
#include "store/byte_ranges.h"
#include "store/checkpoint.h"

namespace pretokdb {

ShardShare WholeFile(uint64_t size) {
  ShardShare all;
  if (size > 0) all.ranges.push_back(ChunkRange{0, size});
  all.first_unit = true;
  all.last_unit = true;
  return all;
}

std::vector<ChunkRange> GapsToPlan(const ShardShare& want,
                                   const SourceRecord& record) {
  const std::vector<ChunkRange> in_extent =
      IntersectRanges(want.ranges, {ChunkRange{0, record.size}});
  return SubtractRanges(in_extent, HeldRanges(record));
}

void MergeChunks(const std::vector<ChunkRange>& added,
                 const Checkpoints& checkpoints, SourceRecord* record,
                 MetaWrites* meta) {
  if (added.empty()) return;
  // Each chunk with where it was (-1: new).
  struct Placed {
    ChunkRange range;
    int64_t old_index;
  };
  std::vector<Placed> all;
  for (size_t c = 0; c < record->chunks.size(); ++c) {
    const ChunkRange& r = record->chunks[c];
    // An empty chunk (cut back by growth) inside a new one would break the
    // order; it holds nothing, so it goes.
    const bool inside = r.begin == r.end &&
                        std::any_of(added.begin(), added.end(), [&](const ChunkRange& a) {
                          return a.begin < r.begin && r.begin < a.end;
                        });
    if (!inside) all.push_back(Placed{r, static_cast<int64_t>(c)});
  }
  for (const ChunkRange& a : added) all.push_back(Placed{a, -1});
  std::stable_sort(all.begin(), all.end(), [](const Placed& x, const Placed& y) {
    return x.range.begin != y.range.begin ? x.range.begin < y.range.begin
                                          : x.range.end < y.range.end;
  });
  record->chunks.clear();
  for (size_t i = 0; i < all.size(); ++i) {
    const Placed& p = all[i];
    record->chunks.push_back(p.range);
    if (p.old_index == static_cast<int64_t>(i)) continue;  // in place
    Checkpoint reached = Checkpoint::At(p.range.begin);
    if (p.old_index >= 0) {
      auto it = checkpoints.find({record->id, static_cast<uint64_t>(p.old_index)});
      if (it != checkpoints.end()) reached = it->second;
    }
    meta->puts.emplace_back(CheckpointKey(record->id, i),
                            EncodeCheckpoint(reached));
  }
}

Status PlanWanted(const SourceFile& file, const TextRules& rules,
                  const ShardShare& want, uint64_t target_bytes, int workers,
                  const Checkpoints& checkpoints, SourceRecord* record,
                  MetaWrites* meta, bool* changed) {
  *changed = false;
  std::vector<ChunkRange> added;
  for (const ChunkRange& gap : GapsToPlan(want, *record)) {
    PRETOKDB_RETURN_IF_ERROR(PlanRange(file, rules, target_bytes, workers, gap,
                                       record->size, &added));
  }
  if (!added.empty()) {
    MergeChunks(added, checkpoints, record, meta);
    *changed = true;
  }
  if (want.first_unit && !record->first_document) {
    record->first_document = true;
    // regex.split gives one more document than separators, per file (per
    // record for JSON Lines: the worker counts those).
    if (!rules.jsonl()) meta->stats.emplace_back(kStatDocuments, 1);
    *changed = true;
  }
  return Status::OK();
}

}  // namespace pretokdb

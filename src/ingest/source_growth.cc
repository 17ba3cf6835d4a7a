#include "ingest/source_growth.h"

#include <string>
#include <vector>

#include "ingest/chunk_planner.h"
#include "ingest/table_count_source.h"
#include "store/checkpoint.h"

namespace pretokdb {

namespace {

// True if d is a cut of the grown file: counting may stop before it and
// restart at it without changing anything on either side.
Status IsCutIn(const SourceFile& file, const TextRules& rules, uint64_t d,
               bool* is_cut) {
  *is_cut = d == 0;
  if (d == 0 || d >= file.size()) return Status::OK();
  const uint64_t margin = rules.specials->max_length() + 8;
  const uint64_t start = d > margin ? d - margin : 0;
  uint64_t last = start;
  // The last cut below d + 1, searched near d: d itself iff d is one.
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

bool FullyIndexed(const SourceRecord& source, const Checkpoints& checkpoints) {
  for (uint64_t c = 0; c < source.chunks.size(); ++c) {
    const ChunkRange& r = source.chunks[c];
    if (r.begin == r.end) continue;
    auto it = checkpoints.find({source.id, c});
    if (it == checkpoints.end() || it->second.offset < r.end) return false;
  }
  return true;
}

GrowthCommit::GrowthCommit(const TextRules& rules, const MemoryPlan& memory,
                           RocksStore* store)
    // Growth is planned before the workers start: one worker's table.
    : rules_(rules),
      memory_(memory),
      staged_(store),
      undo_(memory.table_bytes, memory.piece_bytes) {}

Status GrowthCommit::Add(const SourceFile& file, const SourceRecord& old,
                         const Checkpoints& checkpoints, uint64_t fingerprint, uint64_t target_chunk_bytes,
                         int workers, uint64_t held_from,
                         SourceRecord* grown) {
  *grown = old;
  grown->size = file.size();
  grown->fingerprint = fingerprint;

  bool is_cut = false;
  PRETOKDB_RETURN_IF_ERROR(IsCutIn(file, rules_, old.size, &is_cut));
  uint64_t restart = old.size;
  if (!is_cut) {
    PRETOKDB_RETURN_IF_ERROR(
        FindLastCutBefore(file, rules_, held_from, old.size, &restart));
  }
  ChunkCounter counter(rules_, memory_.read_buffer_bytes, memory_.piece_bytes,
                       &undo_, &undo_stats_);
  counter.set_taking_back(true);
  for (uint64_t c = 0; c < grown->chunks.size(); ++c) {
    ChunkRange& r = grown->chunks[c];
    if (r.end <= restart) continue;
    // Take back what [max(begin, restart), end) added: each chunk was
    // counted on its own, with its end as an end.
    const uint64_t from = std::max(r.begin, restart);
    if (from < r.end) {
      PRETOKDB_RETURN_IF_ERROR(counter.Count(
          file, from, r.end,
          [this](uint64_t) {
            return undo_.NeedsSpill() ? StageUndo() : Status::OK();
          },
          [](uint64_t) {}));
    }
    // A chunk cut back keeps its hash: it covers bytes up to the old end,
    // which are still the file's. One emptied starts anew at restart.
    Checkpoint k = Checkpoint::At(restart);
    auto it = checkpoints.find({old.id, c});
    if (r.begin < restart) {
      if (it != checkpoints.end() && it->second.hashed &&
          it->second.hashed_end >= restart) {
        k = it->second;
        k.offset = restart;
      }
    } else {
      k.hashed = true;
      k.hashed_end = restart;
      k.digest = EmptyDigest();
    }
    r.begin = std::min(r.begin, restart);
    r.end = restart;
    meta_.puts.emplace_back(CheckpointKey(old.id, c), EncodeCheckpoint(k));
  }
  std::vector<ChunkRange> added;
  PRETOKDB_RETURN_IF_ERROR(PlanChunks(file, rules_, target_chunk_bytes, &added,
                                      workers, restart));
  grown->chunks.insert(grown->chunks.end(), added.begin(), added.end());
  meta_.puts.emplace_back(SourceKey(old.id), EncodeSource(*grown));
  return Status::OK();
}

Status GrowthCommit::StageUndo() {
  undo_.SortForSpill();
  uint64_t bytes;
  PRETOKDB_RETURN_IF_ERROR(
      staged_.Spill(TableCountSource(undo_, /*negated=*/true), {}, &bytes));
  undo_pretokens_ += undo_.total();
  undo_.Clear();
  return Status::OK();
}

Status GrowthCommit::Commit() {
  PRETOKDB_RETURN_IF_ERROR(StageUndo());
  MetaWrites meta = meta_;
  meta.stats = {
      {std::string(kStatPretokens), 0 - undo_pretokens_},
      {std::string(kStatDocuments),
       0 - (undo_stats_.separators + undo_stats_.records)},
      {std::string(kStatInvalidUtf8), 0 - undo_stats_.invalid_utf8},
      {std::string(kStatSkippedStretches), 0 - undo_stats_.skipped_stretches},
      {std::string(kStatSkippedBytes), 0 - undo_stats_.skipped_bytes}};
  for (int i = 0; i < kBadRecordKinds; ++i) {
    if (undo_stats_.bad_records[i] > 0) {
      meta.stats.emplace_back(kBadRecordStats[i],
                              0 - undo_stats_.bad_records[i]);
    }
  }
  return staged_.Commit(meta);
}

}  // namespace pretokdb

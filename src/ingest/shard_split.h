// The shard split (version 1): how `index --shard K/N` divides its inputs
// into N parts without the machines talking to each other. It depends on
// the inputs alone (their keys, sizes and bytes, and the configured cut
// rules), never on the workers, the memory or the machine:
//
//   1. Files in the bytewise order of their keys (records.h: the path
//      relative to --root, or absolute).
//   2. Each file cut into units: a unit boundary at the first cut (a safe
//      cut or separator end, as chunk edges are; chunk_planner.h) at or
//      after every multiple of unit_bytes (64 MiB) below its split size,
//      boundaries closer than kEndGuard to the split size dropped (a cut
//      that near the end could stop being one when the file grows). An
//      empty file is one empty unit.
//   3. The units numbered over all files in that order, U in all, and
//      dealt in contiguous blocks: shard K gets [floor(K U / N),
//      floor((K + 1) U / N)). Contiguous rather than round-robin: a shard
//      then reads long sequential stretches, and holds fewer ranges.
//
// A file's last unit reaches to whatever the database knows of its end:
// bytes appended later belong to that unit's owner (source_growth.h).

#ifndef PRETOKDB_INGEST_SHARD_SPLIT_H_
#define PRETOKDB_INGEST_SHARD_SPLIT_H_

#include <cstdint>
#include <vector>

#include "ingest/source_file.h"
#include "ingest/text_rules.h"
#include "pretokdb/status.h"
#include "store/records.h"

namespace pretokdb {

inline constexpr uint64_t kShardSplitVersion = 1;
inline constexpr uint64_t kShardUnitBytes = uint64_t{64} << 20;

// The units of file, cut on its first split_size bytes (nothing after them
// is read), each unit_bytes or a little more, ascending and tiling
// [0, split_size); one empty unit if split_size is 0.
Status CutUnits(const SourceFile& file, const TextRules& rules,
                uint64_t split_size, uint64_t unit_bytes,
                std::vector<ChunkRange>* units);

// The units [first, end) of `units` that shard `index` of `count` gets.
struct UnitBlock {
  uint64_t first = 0;
  uint64_t end = 0;
};
UnitBlock ShardUnitBlock(uint64_t units, uint64_t count, uint64_t index);

// What a shard owns of one file.
struct ShardShare {
  std::vector<ChunkRange> ranges;  // normal (byte_ranges.h)
  bool first_unit = false;         // it owns the unit at byte 0
  bool last_unit = false;          // it owns the last unit (and any growth)

  bool operator==(const ShardShare&) const = default;
};

// Deals the units of files (given in key order, each tiling its file as
// CutUnits makes them) to shard `index` of `count`: its share of each.
std::vector<ShardShare> DealUnits(
    const std::vector<std::vector<ChunkRange>>& units_per_file,
    uint64_t count, uint64_t index);

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_SHARD_SPLIT_H_

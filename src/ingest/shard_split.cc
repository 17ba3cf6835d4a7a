#include "ingest/shard_split.h"

#include "ingest/chunk_planner.h"

namespace pretokdb {

namespace {

// A boundary this close to the split size is dropped: whether it is a cut
// can depend on bytes after the split size (a special token completed by
// an append), and a file's units must not change when it grows.
uint64_t EndGuard(const TextRules& rules) {
  return rules.specials->max_length() + 8;
}

}  // namespace

Status CutUnits(const SourceFile& file, const TextRules& rules,
                uint64_t split_size, uint64_t unit_bytes,
                std::vector<ChunkRange>* units) {
  units->clear();
  if (unit_bytes == 0) unit_bytes = kShardUnitBytes;
  const uint64_t guard = EndGuard(rules);
  uint64_t begin = 0;
  for (uint64_t m = unit_bytes; m < split_size;) {
    uint64_t cut;
    PRETOKDB_RETURN_IF_ERROR(
        FindFirstCutFrom(file, rules, m, split_size, split_size, &cut));
    if (cut >= split_size || split_size - cut < guard) break;
    units->push_back(ChunkRange{begin, cut});
    begin = cut;
    // The multiples up to cut all have cut as their first cut after them.
    m = (cut / unit_bytes + 1) * unit_bytes;
  }
  units->push_back(ChunkRange{begin, split_size});
  return Status::OK();
}

UnitBlock ShardUnitBlock(uint64_t units, uint64_t count, uint64_t index) {
  const unsigned __int128 u = units;
  return UnitBlock{static_cast<uint64_t>(u * index / count),
                   static_cast<uint64_t>(u * (index + 1) / count)};
}

std::vector<ShardShare> DealUnits(
    const std::vector<std::vector<ChunkRange>>& units_per_file,
    uint64_t count, uint64_t index) {
  uint64_t total = 0;
  for (const auto& units : units_per_file) total += units.size();
  const UnitBlock mine = ShardUnitBlock(total, count, index);
  std::vector<ShardShare> shares(units_per_file.size());
  uint64_t n = 0;  // number of the file's first unit
  for (size_t f = 0; f < units_per_file.size(); ++f) {
    const std::vector<ChunkRange>& units = units_per_file[f];
    ShardShare& share = shares[f];
    for (size_t u = 0; u < units.size(); ++u, ++n) {
      if (n < mine.first || n >= mine.end) continue;
      if (u == 0) share.first_unit = true;
      if (u + 1 == units.size()) share.last_unit = true;
      const ChunkRange& r = units[u];
      if (r.begin == r.end) continue;
      if (!share.ranges.empty() && share.ranges.back().end == r.begin) {
        share.ranges.back().end = r.end;
      } else {
        share.ranges.push_back(r);
      }
    }
  }
  return shares;
}

}  // namespace pretokdb

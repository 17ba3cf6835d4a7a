// How one --memory-limit is divided inside the process.
//
//   limit = fixed footprint (code, libraries, thread stacks: kFixedBytes)
//         + RocksDB (block cache, table readers, compaction) 1/8 of the rest
//         + per worker: read buffer (x2: a read may grow the carried tail)
//                       count table     its share less a spill reserve
//
// RocksDB gets little because indexing writes no memtable and reads little.
// Measured at 256M with 2 workers: when it had a quarter of the rest, 10 GB
// of web text peaked at 177 MiB of RSS, 153 MiB of it the tables'. With an
// eighth, 3 GB of random words (94 spills, RocksDB compacting 64 of them
// meanwhile) peaked at 213 MiB. Larger tables mean fewer spills, and each
// spill writes every distinct pretoken of its round again.
//
// A spill sorts the table in place (CountTable::SortForSpill), so it needs
// no memory beside the table but the SST writer's block buffers and, for a
// large table, the sort's bucket tables (640 KiB): the reserve is 10% of
// the worker's share, at most 4 MiB. Peak RSS was measured against this
// split (README, "Memory").

#ifndef PRETOKDB_INGEST_MEMORY_PLAN_H_
#define PRETOKDB_INGEST_MEMORY_PLAN_H_

#include <cstddef>
#include <cstdint>

#include "util/memory_footprint.h"

namespace pretokdb {

struct MemoryPlan {
  uint64_t rocksdb_bytes;
  size_t read_buffer_bytes;  // per worker
  size_t table_bytes;        // per worker
  size_t piece_bytes;        // input counted between two NeedsSpill() checks
};

MemoryPlan PlanMemory(uint64_t memory_limit, int workers,
                      size_t read_buffer_override);

// A stream's reader (ingest/stream_chunker.h) holds `buffers` buffers of
// about chunk_bytes each, 2 per worker and 2 more (one filling, one
// queued): they are taken from the limit first, an eighth of it at most,
// and PlanMemory divides memory_left. chunk_override (tests) fixes
// chunk_bytes.
struct StreamPoolPlan {
  size_t chunk_bytes;
  size_t buffers;
  uint64_t memory_left;
};

StreamPoolPlan PlanStreamPool(uint64_t memory_limit, int workers,
                              size_t chunk_override);

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_MEMORY_PLAN_H_

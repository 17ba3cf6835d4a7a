// How one --memory-limit is divided inside the process.
//
//   limit = fixed footprint (code, libraries, thread stacks: kFixedBytes)
//         + RocksDB (block cache, table readers, compaction) 25% of the rest
//         + per worker: read buffer (x2: a read may grow the carried tail)
//                       count table T                      62% of its share
//                       a spill's sort keys: 16 bytes per entry, at most
//                       0.7 x (0.8 T / 16-byte slots)  =   0.56 T
//
// T + 0.56 T = 0.97 of the share; the SST writer's block buffers fit in
// what is left. Peak RSS was measured against this split (README,
// "Memory").

#ifndef PRETOKDB_INGEST_MEMORY_PLAN_H_
#define PRETOKDB_INGEST_MEMORY_PLAN_H_

#include <cstddef>
#include <cstdint>

namespace pretokdb {

struct MemoryPlan {
  uint64_t rocksdb_bytes;
  size_t read_buffer_bytes;  // per worker
  size_t table_bytes;        // per worker
  size_t piece_bytes;        // input counted between two NeedsSpill() checks
};

inline constexpr uint64_t kFixedBytes = 24 << 20;

MemoryPlan PlanMemory(uint64_t memory_limit, int workers,
                      size_t read_buffer_override);

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_MEMORY_PLAN_H_

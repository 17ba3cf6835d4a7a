// How one --memory-limit is divided inside the process.
//
//   limit = fixed footprint (code, libraries, thread stacks: kFixedBytes)
//         + RocksDB (memtables, block cache)            25% of the rest
//         + per worker: read buffer (x2: a read may grow the carried tail)
//                       count table                    ~55% of its share
//                       spill batch (a copy of the table's keys and counts,
//                       and its memtable entries)      the remaining share
//
// Peak RSS was measured against this split (README, "Memory"); the shares
// leave room for allocator slack.

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

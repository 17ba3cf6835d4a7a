// The part of a --memory-limit that a run can divide: what is left beyond
// the process's fixed footprint (code, libraries, thread stacks). Indexing
// (ingest/memory_plan.h) and merging (merge/) divide it their own ways.

#ifndef PRETOKDB_UTIL_MEMORY_FOOTPRINT_H_
#define PRETOKDB_UTIL_MEMORY_FOOTPRINT_H_

#include <cstdint>

namespace pretokdb {

inline constexpr uint64_t kFixedBytes = 24 << 20;

// Below twice the footprint the limit cannot be honoured anyway; keep the
// proportions so that small limits still mean small tables and buffers.
inline uint64_t MemoryBeyondFootprint(uint64_t memory_limit) {
  return memory_limit > 2 * kFixedBytes ? memory_limit - kFixedBytes
                                        : memory_limit / 2;
}

}  // namespace pretokdb

#endif  // PRETOKDB_UTIL_MEMORY_FOOTPRINT_H_

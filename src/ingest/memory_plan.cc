#include "ingest/memory_plan.h"

#include <algorithm>

namespace pretokdb {

MemoryPlan PlanMemory(uint64_t memory_limit, int workers,
                      size_t read_buffer_override) {
  const uint64_t w = static_cast<uint64_t>(std::max(workers, 1));
  const uint64_t usable = MemoryBeyondFootprint(memory_limit);
  MemoryPlan plan;
  plan.rocksdb_bytes = usable / 8;
  plan.read_buffer_bytes =
      read_buffer_override != 0
          ? read_buffer_override
          : std::clamp<uint64_t>(usable / 16 / w, 64 << 10, 1 << 20);
  const uint64_t buffers = 2 * plan.read_buffer_bytes * w;
  const uint64_t rest = usable - plan.rocksdb_bytes;
  const uint64_t per_worker = rest > buffers ? (rest - buffers) / w : 0;
  const uint64_t spill_reserve = std::min<uint64_t>(per_worker / 10, 4 << 20);
  plan.table_bytes = std::max<uint64_t>(per_worker - spill_reserve, 32 << 10);
  // A piece of n bytes may add up to n new entries, and the table keeps
  // that many slots free; small pieces keep that reserve a small share.
  plan.piece_bytes = std::clamp<size_t>(plan.table_bytes / 512, 64,
                                        16 << 10);
  return plan;
}

StreamPoolPlan PlanStreamPool(uint64_t memory_limit, int workers,
                              size_t chunk_override) {
  const uint64_t w = static_cast<uint64_t>(std::max(workers, 1));
  const uint64_t usable = MemoryBeyondFootprint(memory_limit);
  StreamPoolPlan plan;
  plan.buffers = static_cast<size_t>(2 * w + 2);
  plan.chunk_bytes =
      chunk_override != 0
          ? chunk_override
          : std::clamp<uint64_t>(usable / 8 / plan.buffers, 64 << 10, 4 << 20);
  const uint64_t pool = uint64_t{plan.buffers} * plan.chunk_bytes;
  plan.memory_left = memory_limit > 2 * pool ? memory_limit - pool
                                             : memory_limit / 2;
  return plan;
}

}  // namespace pretokdb

// Zeroed memory for large arrays of a count table: mmap'd, so that the
// kernel hands out zero pages as they are touched, and marked for
// transparent huge pages, because a table of tens of MiB probed at random
// otherwise spends much of its time in TLB misses (measured: +15% for the
// table alone, tools/bench/micro/README.md).

#ifndef PRETOKDB_COUNT_SLOT_MEMORY_H_
#define PRETOKDB_COUNT_SLOT_MEMORY_H_

#include <cstddef>

namespace pretokdb {

// Returns `bytes` of zeroed memory (nullptr if out of memory).
void* AllocateZeroed(size_t bytes);
// Frees what AllocateZeroed(bytes) returned.
void FreeZeroed(void* p, size_t bytes);

}  // namespace pretokdb

#endif  // PRETOKDB_COUNT_SLOT_MEMORY_H_

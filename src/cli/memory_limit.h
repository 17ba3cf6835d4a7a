// The default --memory-limit, shared by the subcommands that take one
// (index, train-bpe).

#ifndef PRETOKDB_CLI_MEMORY_LIMIT_H_
#define PRETOKDB_CLI_MEMORY_LIMIT_H_

#include <cstdint>

namespace pretokdb {

// 1 GiB, or half the memory available now if that is less (never below
// 64 MiB).
uint64_t DefaultMemoryLimit();

}  // namespace pretokdb

#endif  // PRETOKDB_CLI_MEMORY_LIMIT_H_

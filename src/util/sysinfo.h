// What the process and the machine have: resident memory, available memory.

#ifndef PRETOKDB_UTIL_SYSINFO_H_
#define PRETOKDB_UTIL_SYSINFO_H_

#include <cstdint>

namespace pretokdb {

// Resident set size of this process in bytes (0 if unknown).
uint64_t ResidentBytes();

// MemAvailable of /proc/meminfo in bytes (0 if unknown).
uint64_t AvailableMemoryBytes();

}  // namespace pretokdb

#endif  // PRETOKDB_UTIL_SYSINFO_H_

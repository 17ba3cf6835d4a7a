#include "pretokdb/version.h"

#include <rocksdb/version.h>

#include <cstdio>

namespace pretokdb {

std::string Version() { return PRETOKDB_VERSION; }

std::string StorageEngineVersion() {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "RocksDB %d.%d.%d", ROCKSDB_MAJOR,
                ROCKSDB_MINOR, ROCKSDB_PATCH);
  return buf;
}

}  // namespace pretokdb

#include "pretokdb/options.h"

#include <algorithm>

#include "util/sysinfo.h"

namespace pretokdb {

uint64_t DefaultMemoryLimit() {
  uint64_t limit = uint64_t{1} << 30;
  uint64_t available = AvailableMemoryBytes();
  if (available != 0) {
    limit = std::min(limit, std::max<uint64_t>(available / 2, 64 << 20));
  }
  return limit;
}

}  // namespace pretokdb

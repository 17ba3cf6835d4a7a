#include "ingest/utf8_check.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "text/utf8.h"
#include "text/utf8_edges.h"

namespace pretokdb {

Status CheckUtf8(const SourceFile& file, uint64_t from) {
  constexpr size_t kBlock = 1 << 20;
  std::vector<char> buf(kBlock + 4);
  size_t held = 0;      // an incomplete character carried from the last read
  uint64_t at = from;   // file offset of buf[held]
  while (at < file.size()) {
    const size_t n =
        static_cast<size_t>(std::min<uint64_t>(kBlock, file.size() - at));
    PRETOKDB_RETURN_IF_ERROR(file.ReadAt(at, n, buf.data() + held));
    at += n;
    const bool at_end = at == file.size();
    const size_t size = held + n;
    const size_t bad = FindFirstInvalidUtf8(buf.data(), size, at_end);
    if (bad < size) {
      return Status::InvalidArgument(
          file.path(), "invalid UTF-8 at byte " +
                           std::to_string(at - size + bad) +
                           " (--invalid-utf8 strict)");
    }
    held = at_end ? 0 : IncompleteUtf8Tail(buf.data(), size);
    std::memmove(buf.data(), buf.data() + size - held, held);
  }
  return Status::OK();
}

}  // namespace pretokdb

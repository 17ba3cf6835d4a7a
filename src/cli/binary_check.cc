#include "cli/binary_check.h"

#include <cstdio>

#include "pretokdb/indexer.h"
#include "text/utf8.h"

namespace pretokdb {

namespace {
constexpr size_t kNulWindow = 8 << 10;
constexpr size_t kHeadBytes = 64 << 10;
}  // namespace

std::string BinaryReason(std::string_view head) {
  if (IsCompressed(head)) return "";  // its text is checked as it is counted
  head = head.substr(0, kHeadBytes);
  const size_t nul = head.substr(0, kNulWindow).find('\0');
  if (nul != std::string_view::npos) {
    return "looks binary (a NUL byte at offset " + std::to_string(nul) + ")";
  }
  const size_t replaced = CountInvalidUtf8(head);
  if (replaced * 100 > head.size()) {
    return "looks binary (" + std::to_string(replaced) +
           " invalid UTF-8 sequences in its first " + std::to_string(head.size()) + " bytes)";
  }
  return "";
}

std::string FileBinaryReason(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return "";
  std::string head(kHeadBytes, '\0');
  head.resize(std::fread(head.data(), 1, head.size(), f));
  std::fclose(f);
  return BinaryReason(head);
}

}  // namespace pretokdb

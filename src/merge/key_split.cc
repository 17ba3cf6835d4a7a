#include "merge/key_split.h"

#include <cstdint>

namespace pretokdb {

namespace {

// Past every key: pretokens are UTF-8, which never holds 0xff, and this
// only bounds estimates.
const std::string kBeyond(9, '\xff');

uint64_t Size(const std::vector<const RocksStore*>& sources, const std::string& begin,
              const std::string& limit) {
  uint64_t n = 0;
  for (const RocksStore* s : sources) n += s->ApproximateCountBytes(begin, limit);
  return n;
}

// The 256 buckets of keys starting with prefix + one more byte.
std::vector<uint64_t> Buckets(const std::vector<const RocksStore*>& sources,
                              const std::string& prefix) {
  std::vector<uint64_t> sizes(256);
  for (int b = 0; b < 256; ++b) {
    const std::string begin = prefix + static_cast<char>(b);
    const std::string limit =
        b < 255 ? prefix + static_cast<char>(b + 1) : prefix + kBeyond;
    sizes[b] = Size(sources, begin, limit);
  }
  return sizes;
}

}  // namespace

std::vector<std::string> SplitKeySpace(const std::vector<const RocksStore*>& sources,
                                       size_t parts) {
  std::vector<std::string> keys;
  if (parts < 2) return keys;
  const std::vector<uint64_t> first = Buckets(sources, "");
  uint64_t total = 0;
  for (uint64_t s : first) total += s;
  if (total == 0) return keys;
  uint64_t before = 0;  // bytes in buckets before b
  size_t next = 1;      // the cut looked for: at total * next / parts
  for (int b = 0; b < 256 && next < parts; ++b) {
    const uint64_t after = before + first[b];
    if (after * parts >= total * next && first[b] > 0) {
      // Cuts within this first byte: place them at second bytes.
      const std::string prefix(1, static_cast<char>(b));
      const std::vector<uint64_t> second = Buckets(sources, prefix);
      uint64_t inner_total = 0;
      for (uint64_t s : second) inner_total += s;
      uint64_t at = before;
      for (int c = 0; c < 256 && next < parts; ++c) {
        // Scale the second-level estimates to this bucket's first-level one.
        const uint64_t add =
            inner_total == 0 ? 0 : second[c] * first[b] / inner_total;
        while (next < parts && at * parts >= total * next) {
          std::string key = prefix + static_cast<char>(c);
          if (keys.empty() || key > keys.back()) keys.push_back(key);
          ++next;
        }
        at += add;
      }
    }
    before = after;
  }
  return keys;
}

}  // namespace pretokdb

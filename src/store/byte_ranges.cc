#include "store/byte_ranges.h"

#include <algorithm>

namespace pretokdb {

std::vector<ChunkRange> UnionOfRanges(std::vector<ChunkRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const ChunkRange& x, const ChunkRange& y) { return x.begin < y.begin; });
  std::vector<ChunkRange> out;
  for (const ChunkRange& r : ranges) {
    if (r.begin >= r.end) continue;
    if (!out.empty() && r.begin <= out.back().end) {
      out.back().end = std::max(out.back().end, r.end);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

std::vector<ChunkRange> SubtractRanges(const std::vector<ChunkRange>& a,
                                       const std::vector<ChunkRange>& b) {
  std::vector<ChunkRange> out;
  size_t j = 0;
  for (ChunkRange r : a) {
    // Skip what ends before r; then cut r by every range of b it meets.
    while (j < b.size() && b[j].end <= r.begin) ++j;
    size_t k = j;
    while (k < b.size() && b[k].begin < r.end) {
      if (b[k].begin > r.begin) out.push_back(ChunkRange{r.begin, b[k].begin});
      r.begin = std::max(r.begin, b[k].end);
      if (r.begin >= r.end) break;
      ++k;
    }
    if (r.begin < r.end) out.push_back(r);
  }
  return out;
}

std::vector<ChunkRange> IntersectRanges(const std::vector<ChunkRange>& a,
                                        const std::vector<ChunkRange>& b) {
  std::vector<ChunkRange> out;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const uint64_t lo = std::max(a[i].begin, b[j].begin);
    const uint64_t hi = std::min(a[i].end, b[j].end);
    if (lo < hi) out.push_back(ChunkRange{lo, hi});
    if (a[i].end < b[j].end) {
      ++i;
    } else {
      ++j;
    }
  }
  return out;
}

uint64_t RangeBytes(const std::vector<ChunkRange>& ranges) {
  uint64_t n = 0;
  for (const ChunkRange& r : ranges) n += r.end - r.begin;
  return n;
}

std::vector<ChunkRange> HeldRanges(const SourceRecord& source) {
  return UnionOfRanges(source.chunks);
}

}  // namespace pretokdb

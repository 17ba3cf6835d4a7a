// Copyright (c) pretok-db authors.

#include "store/byte_ranges.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace pretokdb {
namespace {

using Ranges = std::vector<ChunkRange>;

// The set as one flag per byte of [0, n).
std::vector<bool> Bits(const Ranges& r, uint64_t n) {
  std::vector<bool> bits(n, false);
  for (const ChunkRange& c : r) {
    for (uint64_t i = c.begin; i < c.end; i++) bits[i] = true;
  }
  return bits;
}

bool IsNormal(const Ranges& r) {
  for (size_t i = 0; i < r.size(); i++) {
    if (r[i].begin >= r[i].end) return false;
    if (i > 0 && r[i].begin <= r[i - 1].end) return false;
  }
  return true;
}

Ranges RandomRanges(std::mt19937_64* rnd, uint64_t n) {
  Ranges r;
  const int count = (*rnd)() % 6;
  for (int i = 0; i < count; i++) {
    const uint64_t a = (*rnd)() % (n + 1), b = (*rnd)() % (n + 1);
    r.push_back(ChunkRange{std::min(a, b), std::max(a, b)});
  }
  return r;
}

TEST(ByteRangesTest, Examples) {
  EXPECT_EQ(UnionOfRanges({{5, 7}, {0, 2}, {2, 3}, {6, 9}, {4, 4}}),
            (Ranges{{0, 3}, {5, 9}}));
  EXPECT_EQ(SubtractRanges({{0, 10}}, {{2, 3}, {5, 12}}),
            (Ranges{{0, 2}, {3, 5}}));
  EXPECT_EQ(SubtractRanges({{0, 4}, {6, 10}}, {}), (Ranges{{0, 4}, {6, 10}}));
  EXPECT_EQ(SubtractRanges({{0, 4}}, {{0, 4}}), Ranges{});
  EXPECT_EQ(IntersectRanges({{0, 4}, {6, 10}}, {{3, 7}}),
            (Ranges{{3, 4}, {6, 7}}));
  EXPECT_EQ(RangeBytes({{0, 4}, {6, 10}}), 8u);
  SourceRecord r;
  r.size = 10;
  r.chunks = {{0, 3}, {3, 3}, {3, 5}, {7, 10}};
  EXPECT_EQ(HeldRanges(r), (Ranges{{0, 5}, {7, 10}}));
}

// Against one flag per byte, on random sets.
TEST(ByteRangesTest, MatchBytewiseSets) {
  std::mt19937_64 rnd(11);
  const uint64_t n = 40;
  for (int iter = 0; iter < 3000; iter++) {
    const Ranges a = UnionOfRanges(RandomRanges(&rnd, n));
    const Ranges b = UnionOfRanges(RandomRanges(&rnd, n));
    ASSERT_TRUE(IsNormal(a));
    const std::vector<bool> ba = Bits(a, n), bb = Bits(b, n);
    std::vector<bool> minus(n), both(n);
    for (uint64_t i = 0; i < n; i++) {
      minus[i] = ba[i] && !bb[i];
      both[i] = ba[i] && bb[i];
    }
    const Ranges d = SubtractRanges(a, b);
    const Ranges x = IntersectRanges(a, b);
    EXPECT_TRUE(IsNormal(d));
    EXPECT_TRUE(IsNormal(x));
    EXPECT_EQ(Bits(d, n), minus);
    EXPECT_EQ(Bits(x, n), both);
    EXPECT_EQ(RangeBytes(d) + RangeBytes(x), RangeBytes(a));
  }
}

}  // namespace
}  // namespace pretokdb

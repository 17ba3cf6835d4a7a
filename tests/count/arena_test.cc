// Copyright (c) pretok-db authors.

#include "count/arena.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <utility>
#include <vector>

namespace pretokdb {
namespace {

constexpr size_t kBlock = 4096;

TEST(ArenaTest, Empty) {
  Arena arena(kBlock);
  EXPECT_EQ(arena.memory_held(), 0u);
  EXPECT_EQ(arena.memory_used(), 0u);
}

// After leveldb util/arena_test.cc: every allocation keeps its bytes while
// others are made, whatever their sizes.
TEST(ArenaTest, AllocationsDoNotOverlap) {
  Arena arena(kBlock);
  std::mt19937 rnd(301);
  std::vector<std::pair<size_t, char*>> allocated;
  size_t bytes = 0;
  for (int i = 0; i < 20000; i++) {
    size_t n;
    if (i % 500 == 0) {
      n = rnd() % 20000 + 1;  // sometimes larger than a block
    } else if (i % 10 == 0) {
      n = rnd() % 1500 + 1;   // around the large-request threshold
    } else {
      n = rnd() % 24 + 1;     // a typical pretoken
    }
    char* p = arena.Allocate(n);
    for (size_t b = 0; b < n; b++) p[b] = static_cast<char>(i % 256);
    bytes += n;
    allocated.emplace_back(n, p);
    EXPECT_GE(arena.memory_used(), bytes);
    EXPECT_LE(arena.memory_used(), arena.memory_held());
  }
  for (size_t i = 0; i < allocated.size(); i++) {
    const auto& [n, p] = allocated[i];
    for (size_t b = 0; b < n; b++) {
      ASSERT_EQ(static_cast<unsigned char>(p[b]), i % 256) << i << " " << b;
    }
  }
}

TEST(ArenaTest, UsedCountsWholeBlocks) {
  Arena arena(kBlock);
  arena.Allocate(1);
  EXPECT_EQ(arena.memory_used(), kBlock);
  EXPECT_EQ(arena.memory_held(), kBlock);
  for (int i = 0; i < 4; i++) arena.Allocate(1000);  // 95 bytes left
  EXPECT_EQ(arena.memory_held(), kBlock);
  arena.Allocate(kBlock / 8);  // does not fit: a second block
  EXPECT_EQ(arena.memory_held(), 2 * kBlock);
  EXPECT_EQ(arena.memory_used(), 2 * kBlock);
}

TEST(ArenaTest, ResetKeepsBlocksAndReusesThem) {
  Arena arena(kBlock);
  for (int i = 0; i < 1000; i++) arena.Allocate(100);
  const size_t held = arena.memory_held();
  ASSERT_GE(held, 1000u * 100);
  arena.Reset();
  EXPECT_EQ(arena.memory_used(), 0u);
  EXPECT_EQ(arena.memory_held(), held);
  // Filling and resetting again and again asks for nothing more.
  for (int cycle = 0; cycle < 20; cycle++) {
    for (int i = 0; i < 1000; i++) {
      char* p = arena.Allocate(100);
      std::memset(p, 'x', 100);
    }
    EXPECT_EQ(arena.memory_held(), held) << cycle;
    arena.Reset();
    EXPECT_EQ(arena.memory_used(), 0u);
  }
}

TEST(ArenaTest, TrimFreesKeptBlocksDownToTheLimit) {
  Arena arena(kBlock);
  for (int i = 0; i < 1000; i++) arena.Allocate(100);
  const size_t held = arena.memory_held();
  arena.Reset();
  arena.Trim(held);  // within the limit: nothing to free
  EXPECT_EQ(arena.memory_held(), held);
  arena.Trim(3 * kBlock + 1);
  EXPECT_EQ(arena.memory_held(), 3 * kBlock);
  arena.Trim(0);
  EXPECT_EQ(arena.memory_held(), 0u);
  // And it still allocates.
  char* p = arena.Allocate(100);
  std::memset(p, 'x', 100);
  EXPECT_EQ(arena.memory_held(), kBlock);
}

TEST(ArenaTest, LargeRequestsAreFreedAtReset) {
  Arena arena(kBlock);
  arena.Allocate(10);
  const size_t base = arena.memory_held();
  char* big = arena.Allocate(size_t{1} << 20);
  std::memset(big, 'y', size_t{1} << 20);
  EXPECT_GE(arena.memory_held(), base + (size_t{1} << 20));
  EXPECT_GE(arena.memory_used(), size_t{1} << 20);
  // The small block is still the current one: a large request does not
  // waste it.
  arena.Allocate(10);
  EXPECT_EQ(arena.memory_held(), base + (size_t{1} << 20));
  arena.Reset();
  EXPECT_EQ(arena.memory_held(), base);
  EXPECT_EQ(arena.memory_used(), 0u);
  // A cycle of large requests only frees the kept small block it does not
  // use, so held memory never exceeds what one cycle needs.
  for (int cycle = 0; cycle < 5; cycle++) {
    arena.Allocate(size_t{1} << 20);
    EXPECT_LE(arena.memory_held(), base + (size_t{1} << 20));
    arena.Reset();
    EXPECT_LE(arena.memory_held(), base);
  }
}

TEST(ArenaTest, ZeroByteAllocation) {
  Arena arena(kBlock);
  arena.Allocate(0);
  char* p = arena.Allocate(5);
  std::memcpy(p, "hello", 5);
  EXPECT_EQ(std::memcmp(p, "hello", 5), 0);
}

}  // namespace
}  // namespace pretokdb

// Copyright (c) pretok-db authors.

#include "count/count_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pretokdb {
namespace {

using Counts = std::unordered_map<std::string, uint64_t>;

// The table's entries; fails the test on a duplicate key or a zero count.
Counts Contents(const CountTable& table) {
  Counts out;
  uint64_t total = 0;
  table.ForEach([&](std::string_view token, uint64_t count) {
    EXPECT_GT(count, 0u);
    EXPECT_TRUE(out.emplace(std::string(token), count).second)
        << "duplicate entry for '" << token << "'";
    total += count;
  });
  EXPECT_EQ(out.size(), table.size());
  EXPECT_EQ(total, table.total());
  return out;
}

// Adds the table's entries to *spilled and clears it, as a worker's spill
// does.
void Drain(CountTable* table, Counts* spilled) {
  for (const auto& [token, count] : Contents(*table)) (*spilled)[token] += count;
  table->Clear();
}

// A random token: often from a small set (so that counts go above one),
// sometimes empty, with NUL or high bytes, or long.
std::string RandomToken(std::mt19937* rnd, size_t max_len) {
  const int kind = (*rnd)() % 10;
  std::string t;
  if (kind == 0) return t;
  size_t len;
  if (kind <= 5) {
    len = (*rnd)() % 3 + 1;  // few distinct: many repeats
  } else if (kind <= 8) {
    len = (*rnd)() % 12 + 1;
  } else {
    len = (*rnd)() % max_len + 1;
  }
  const char alphabet[] = {'a', 'b', ' ', '\0', '\xFF', '\x80', 'Z'};
  const size_t n = kind <= 5 ? 3 : sizeof(alphabet);
  for (size_t i = 0; i < len; i++) t.push_back(alphabet[(*rnd)() % n]);
  return t;
}

// The i-th of a stream of distinct tokens of length len (len >= 1): a
// varint-like spelling of i, padded, so no two (i, len) pairs collide.
std::string DistinctToken(uint64_t i, size_t len) {
  std::string t;
  uint64_t v = i;
  do {
    t.push_back(static_cast<char>(0x80 | (v & 0x3F)));
    v >>= 6;
  } while (v != 0);
  // The first byte without its high bit ends the spelling, so spellings
  // of different i never agree, whatever padding follows.
  t.back() = static_cast<char>(t.back() & 0x7F);
  if (t.size() < len) t.resize(len, '.');  // else longer than asked
  return t;
}

TEST(CountTableTest, Empty) {
  CountTable table(1 << 20, 4096);
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.total(), 0u);
  EXPECT_FALSE(table.NeedsSpill());
  EXPECT_TRUE(Contents(table).empty());
}

TEST(CountTableTest, AddsUp) {
  CountTable table(1 << 20, 4096);
  table.Add("the");
  table.Add(" cat");
  table.Add("the", 5);
  table.Add(std::string_view("a\0b", 3));
  table.Add(std::string_view("a\0c", 3));
  table.Add("");
  table.Add("");
  Counts expected = {{"the", 6},
                     {" cat", 1},
                     {std::string("a\0b", 3), 1},
                     {std::string("a\0c", 3), 1},
                     {"", 2}};
  EXPECT_EQ(Contents(table), expected);
  EXPECT_EQ(table.total(), 11u);
  EXPECT_EQ(table.size(), 5u);
}

// Tokens that differ only after a NUL, or only in length, are different.
TEST(CountTableTest, KeysAreBytesNotCStrings) {
  CountTable table(1 << 20, 4096);
  const std::string a("x\0y", 3), b("x\0z", 3), c("x", 1), d("x\0", 2);
  for (const std::string& t : {a, b, c, d, a, d}) table.Add(t);
  Counts expected = {{a, 2}, {b, 1}, {c, 1}, {d, 2}};
  EXPECT_EQ(Contents(table), expected);
}

// Many random tokens, spilled whenever NeedsSpill() asks between pieces:
// what was spilled plus what is left equals a plain hash map's counts.
TEST(CountTableTest, MatchesUnorderedMap) {
  for (size_t budget : {size_t{64} << 10, size_t{1} << 20}) {
    constexpr size_t kPiece = 256;
    CountTable table(budget, kPiece);
    std::mt19937 rnd(static_cast<uint32_t>(budget));
    Counts expected, spilled;
    int spills = 0;
    for (int piece = 0; piece < 4000; piece++) {
      if (table.NeedsSpill()) {
        Drain(&table, &spilled);
        spills++;
      }
      size_t bytes = 0;
      while (true) {
        std::string t = RandomToken(&rnd, kPiece);
        if (bytes + t.size() > kPiece) break;
        bytes += t.size();
        const uint64_t n = rnd() % 8 == 0 ? rnd() % 1000 + 1 : 1;
        ASSERT_LT(table.size(), table.capacity());
        table.Add(t, n);
        expected[t] += n;
        if (rnd() % 16 == 0) break;
      }
    }
    Drain(&table, &spilled);
    EXPECT_EQ(spilled, expected) << "budget " << budget;
    if (budget == (size_t{64} << 10)) EXPECT_GT(spills, 0);
  }
}

// One memory-bound scenario: cycles of pieces of distinct tokens, each
// cycle with its own token lengths, spilled when NeedsSpill() says so.
// memory_used() never exceeds the budget, and the table is not spilled
// while nearly empty.
void CheckBudget(size_t budget, size_t piece,
                 const std::vector<std::pair<size_t, size_t>>& cycles) {
  SCOPED_TRACE("budget " + std::to_string(budget) + " piece " +
               std::to_string(piece));
  CountTable table(budget, piece);
  EXPECT_LE(table.memory_used(), budget);
  std::mt19937 rnd(7);
  uint64_t next = 0;
  for (size_t c = 0; c < cycles.size(); c++) {
    const auto [min_len, max_len] = cycles[c];
    SCOPED_TRACE("cycle " + std::to_string(c) + " token lengths " +
                 std::to_string(min_len) + ".." + std::to_string(max_len));
    uint64_t pieces = 0;
    size_t peak = 0, peak_entries = 0;
    while (!table.NeedsSpill()) {
      size_t bytes = 0;
      while (true) {
        const size_t len = min_len + rnd() % (max_len - min_len + 1);
        std::string t = DistinctToken(next++, len);
        if (bytes + t.size() > piece) break;
        bytes += t.size();
        ASSERT_LT(table.size(), table.capacity()) << "table full";
        table.Add(t);
      }
      pieces++;
      if (table.memory_used() > peak) {
        peak = table.memory_used();
        peak_entries = table.size();
      }
      ASSERT_LT(pieces, 1000000u) << "NeedsSpill() never turns true";
    }
    EXPECT_LE(peak, budget) << "peak memory_used() with " << peak_entries
                            << " entries, " << pieces << " pieces";
    // Useful: a spill comes only once the table holds a fair share of what
    // it could (entries or key bytes), unless pieces are as big as that.
    EXPECT_GE(pieces, 2u);
    table.Clear();
    ASSERT_LE(table.memory_used(), budget);
  }
}

TEST(CountTableTest, NeedsSpillBeforeBudgetShortTokens) {
  CheckBudget(64 << 10, 64, {{1, 8}, {1, 8}, {1, 8}});
  CheckBudget(1 << 20, 1024, {{1, 8}, {2, 3}, {8, 30}});
  CheckBudget(4 << 20, 4096, {{1, 16}, {1, 16}});
}

TEST(CountTableTest, NeedsSpillBeforeBudgetLongTokens) {
  // Tokens up to the piece size, so every piece adds its full worth of key
  // bytes.
  CheckBudget(64 << 10, 256, {{100, 256}, {200, 256}});
  CheckBudget(1 << 20, 4096, {{1000, 4096}, {4096, 4096}});
}

// Memory kept after Clear() is counted too: short tokens fill the arena's
// small blocks, which stay held; then tokens big enough to get blocks of
// their own (but within the piece size) must not push the total past the
// budget.
TEST(CountTableTest, NeedsSpillBeforeBudgetShortThenLongTokens) {
  CheckBudget(20 << 20, 300 << 10,
              {{300, 500}, {270 << 10, 300 << 10}});
}

TEST(CountTableTest, ClearEmptiesAndKeepsMemoryFlat) {
  CountTable table(256 << 10, 512);
  uint64_t next = 0;
  size_t memory = 0;
  for (int cycle = 0; cycle < 10; cycle++) {
    while (!table.NeedsSpill()) {
      for (int i = 0; i < 64; i++) table.Add(DistinctToken(next++, 8));
    }
    ASSERT_FALSE(table.empty());
    table.Clear();
    EXPECT_TRUE(table.empty());
    EXPECT_EQ(table.size(), 0u);
    EXPECT_EQ(table.total(), 0u);
    EXPECT_FALSE(table.NeedsSpill());
    EXPECT_TRUE(Contents(table).empty());
    if (cycle == 0) {
      memory = table.memory_used();
    } else {
      EXPECT_EQ(table.memory_used(), memory) << "cycle " << cycle;
    }
  }
  // Still counts correctly after many clears.
  table.Add("x");
  table.Add("x");
  EXPECT_EQ(Contents(table), (Counts{{"x", 2}}));
}

TEST(CountTableTest, VeryLongTokens) {
  CountTable table(1 << 20, 4096);
  table.Add("small");
  const size_t before = table.memory_used();
  ASSERT_LT(before, size_t{1} << 20);
  std::string a(1 << 20, 'a');
  std::string b = a;
  b.back() = 'b';
  table.Add(a);
  table.Add(b);
  table.Add(a);
  EXPECT_GE(table.memory_used(), before + 2 * a.size());
  Counts expected = {{"small", 1}, {a, 2}, {b, 1}};
  EXPECT_EQ(Contents(table), expected);
  EXPECT_TRUE(table.NeedsSpill());  // 2 MiB of keys in a 1 MiB table
  table.Clear();
  // The slot array may be resized after a full round, within the budget;
  // the long keys' blocks must be gone.
  EXPECT_LT(table.memory_used(), a.size()) << "long keys are not freed";
  EXPECT_FALSE(table.NeedsSpill());
  for (int cycle = 0; cycle < 3; cycle++) {
    table.Add(a);
    table.Clear();
    EXPECT_LT(table.memory_used(), a.size());
  }
}

// The empty token as the first key of a fresh (or cleared) table: its key
// is a zero-length arena allocation. (Under -fsanitize=undefined a second
// Add() must not compare against a null key pointer.)
TEST(CountTableTest, EmptyTokenFirst) {
  CountTable table(1 << 20, 4096);
  for (int cycle = 0; cycle < 2; cycle++) {
    table.Add("");
    table.Add("");
    table.Add("x");
    EXPECT_EQ(Contents(table), (Counts{{"", 2}, {"x", 1}}));
    table.Clear();
  }
}

// Tokens are copied: the caller's buffer may change after Add().
TEST(CountTableTest, CopiesKeys) {
  CountTable table(1 << 20, 4096);
  std::string buf = "hello";
  table.Add(buf);
  buf = "world";
  table.Add(buf);
  EXPECT_EQ(Contents(table), (Counts{{"hello", 1}, {"world", 1}}));
}

// The smallest table a worker gets (16 KiB, PlanMemory) with the smallest
// piece (1 KiB): one piece of distinct two-byte pretokens (as in
// "ab!?ac!#...") must fit, since NeedsSpill() was false before it.
TEST(CountTableTest, TinyTableAcceptsOnePiece) {
  constexpr size_t kPiece = 1024;
  CountTable table(16 << 10, kPiece);
  ASSERT_FALSE(table.NeedsSpill());
  Counts expected;
  for (size_t i = 0; i < kPiece / 2; i++) {
    std::string t = {static_cast<char>('A' + i / 26 % 26),
                     static_cast<char>('a' + i % 26)};
    ASSERT_LT(table.size(), table.capacity())
        << "a piece of " << kPiece << " bytes has up to " << kPiece / 2
        << " distinct 2-byte tokens; the table holds only "
        << table.capacity();
    table.Add(t);
    expected[t]++;
  }
  EXPECT_EQ(Contents(table), expected);
}

// AddBatch() reads kTokenReadBytes from each token's start and keeps only
// the token's bytes: tokens followed by other bytes (and the buffer's
// padding) count as Add() counts them, at every size around the inline
// limit.
TEST(CountTableTest, AddBatchCountsAsAddDoes) {
  std::mt19937 rnd(11);
  std::string text;
  std::vector<std::pair<size_t, size_t>> spans;  // offset, size
  for (int i = 0; i < 20000; i++) {
    const size_t size = rnd() % 3 == 0 ? rnd() % 40 : rnd() % 18;
    spans.emplace_back(text.size(), size);
    for (size_t j = 0; j < size; j++) {
      text.push_back("ab\0\xFF"[rnd() % (i % 2 ? 2 : 4)]);
    }
  }
  text.append(CountTable::kTokenReadBytes, '\x5A');  // padding, not zeros
  CountTable batched(64 << 20, 1 << 20), single(64 << 20, 1 << 20);
  std::vector<std::string_view> tokens;
  for (const auto& [offset, size] : spans) {
    tokens.emplace_back(text.data() + offset, size);
    single.Add(tokens.back());
  }
  for (size_t i = 0; i < tokens.size(); i += CountTable::kMaxBatch) {
    batched.AddBatch(&tokens[i],
                     std::min(CountTable::kMaxBatch, tokens.size() - i));
  }
  EXPECT_EQ(Contents(batched), Contents(single));
  EXPECT_GT(batched.size(), 1000u);
  // Both ways into one table find the same entries.
  for (std::string_view t : tokens) batched.Add(t);
  Counts doubled = Contents(single);
  for (auto& [token, count] : doubled) count *= 2;
  EXPECT_EQ(Contents(batched), doubled);
}

// The slot array grows by rehashing in place, from its small start up to
// its share of the budget: after every step every count is still there,
// for inline and long keys alike, and every key is where a probe finds it
// (a misplaced one would be added again as a second entry).
TEST(CountTableTest, GrowingKeepsEveryCount) {
  CountTable table(16 << 20, 16 << 10);
  std::mt19937 rnd(5);
  Counts expected;
  size_t capacity = table.capacity();
  int growths = 0;
  for (uint64_t i = 0; !table.NeedsSpill(); i++) {
    // Every fifth token is an earlier one again.
    const uint64_t id = i % 5 == 4 ? rnd() % i : i;
    const std::string t = DistinctToken(id, 1 + id % 29);
    const uint64_t n = 1 + rnd() % 3;
    table.Add(t, n);
    expected[t] += n;
    if (table.capacity() != capacity) {
      ASSERT_GT(table.capacity(), capacity);
      capacity = table.capacity();
      growths++;
      ASSERT_EQ(Contents(table), expected) << "after growing to " << capacity;
      // Every key is found where a probe looks for it: adding each once
      // more adds no entry.
      for (auto& [token, count] : expected) {
        table.Add(token);
        count++;
      }
      ASSERT_EQ(table.size(), expected.size()) << "after growing to " << capacity;
    }
  }
  EXPECT_GE(growths, 5);
  EXPECT_EQ(Contents(table), expected);
  EXPECT_LE(table.memory_used(), size_t{16} << 20);
}

// A piece with no resume point in it may hold more distinct tokens than the
// budget: the table grows past its share (in place, then into new memory)
// rather than lose a count, and Clear() shrinks it back within the budget.
TEST(CountTableTest, OversizedPieceGrowsPastBudgetThenShrinks) {
  constexpr size_t kBudget = 64 << 10;
  CountTable table(kBudget, 64);
  for (int cycle = 0; cycle < 2; cycle++) {
    Counts expected;
    for (uint64_t i = 0; i < 40000; i++) {
      const std::string t = DistinctToken(i, 1 + i % 20);
      table.Add(t, 1 + i % 3);
      expected[t] += 1 + i % 3;
    }
    EXPECT_GT(table.memory_used(), 8 * kBudget);
    EXPECT_TRUE(table.NeedsSpill());
    EXPECT_EQ(Contents(table), expected);
    table.Clear();
    EXPECT_LE(table.memory_used(), kBudget);
    table.Add("after");
    EXPECT_EQ(Contents(table), (Counts{{"after", 1}}));
    table.Clear();
  }
}

// The entries after SortForSpill(), in order, as a spill reads them.
std::vector<std::pair<std::string, uint64_t>> SortedEntries(
    const CountTable& table) {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (size_t i = 0; i < table.size(); i++) {
    out.emplace_back(std::string(table.SortedToken(i)), table.SortedCount(i));
  }
  return out;
}

// Keys that tie on their first 8 or 16 bytes (the slot words the sort
// compares first), that are prefixes of one another, hold NUL and high bytes, are empty or are
// longer than a slot's size field: all must come out in byte order (as
// unsigned chars, like RocksDB's comparator) with their counts.
TEST(CountTableTest, SortForSpillOrdersEveryKindOfKey) {
  std::mt19937 rnd(7);
  std::map<std::string, uint64_t> expected;  // std::string orders bytes unsigned
  CountTable table(64 << 20, 1 << 20);
  auto add = [&](const std::string& t, uint64_t n) {
    table.Add(t, n);
    expected[t] += n;
  };
  const std::string stem = "interna";            // 7 bytes
  const std::string stem16 = "international c";  // 15 bytes
  for (int i = 0; i < 30000; i++) {
    std::string t = RandomToken(&rnd, 40);
    if (i % 3 == 0) t = stem + t;  // many ties on the first 8 bytes
    if (i % 3 == 1) t = stem16 + t;  // on 16, inline and long keys
    add(t, 1 + rnd() % 5);
  }
  for (size_t n = 7; n <= 18; n++) {  // around the inline size
    add(std::string(n, '\0'), 1);
    add(std::string(n, 'q'), 1);
    add(std::string(n - 1, 'q') + '\0', 1);
    add(std::string(n - 1, 'q') + '\xFF', 1);
  }
  add(std::string(70000, 'x'), 3);        // past the 16-bit size field
  add(std::string(70000, 'x') + "y", 2);
  add(std::string("\0", 1), 1);
  add(std::string("\0\0", 2), 1);
  add(std::string(8, '\0'), 1);
  add(std::string(9, '\0'), 1);
  add("\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 1);
  const uint64_t total = table.total();

  table.SortForSpill();
  const std::vector<std::pair<std::string, uint64_t>> want(expected.begin(),
                                                           expected.end());
  EXPECT_EQ(SortedEntries(table), want);
  // Each entry's prefix is its first 8 bytes, big-endian, zero-padded, for
  // inline and long keys alike.
  for (size_t i = 0; i < table.size(); i++) {
    const std::string_view t = table.SortedToken(i);
    uint64_t prefix = 0;
    for (size_t j = 0; j < 8; j++) {
      prefix = prefix << 8 | (j < t.size() ? static_cast<unsigned char>(t[j]) : 0);
    }
    ASSERT_EQ(table.SortedPrefix(i), prefix) << i;
  }
  // A failed spill is tried again: sorting again changes nothing.
  table.SortForSpill();
  EXPECT_EQ(SortedEntries(table), want);
  EXPECT_EQ(table.total(), total);

  // Cleared, the table counts from nothing again.
  table.Clear();
  EXPECT_TRUE(table.empty());
  table.Add("again", 2);
  EXPECT_EQ(Contents(table), (Counts{{"again", 2}}));
  table.SortForSpill();
  EXPECT_EQ(SortedEntries(table),
            (std::vector<std::pair<std::string, uint64_t>>{{"again", 2}}));
}

// A table large enough that the sort starts with a pass by two key bytes:
// the same order, for keys of every size and of every first two bytes
// (NUL and 0xFF included), many sharing long prefixes.
TEST(CountTableTest, SortForSpillOrdersALargeTable) {
  std::mt19937 rnd(3);
  std::map<std::string, uint64_t> expected;
  CountTable table(64 << 20, 1 << 20);
  const char alphabet[] = {'\0', '\x01', ' ', 'a', 'b', 'z', '\x7F', '\x80', '\xFF'};
  while (expected.size() < 400000) {
    std::string t;
    const size_t len = rnd() % 4 == 0 ? 1 + rnd() % 40 : 1 + rnd() % 10;
    for (size_t i = 0; i < len; i++) {
      t.push_back(alphabet[rnd() % sizeof(alphabet)]);
    }
    const uint64_t n = 1 + rnd() % 3;
    table.Add(t, n);
    expected[t] += n;
  }
  ASSERT_EQ(table.size(), expected.size());
  table.SortForSpill();
  const std::vector<std::pair<std::string, uint64_t>> want(expected.begin(),
                                                           expected.end());
  EXPECT_EQ(SortedEntries(table), want);
}

}  // namespace
}  // namespace pretokdb

// Copyright (c) pretok-db authors.
//
// The trainer's data structures on their own: the word table's merge (the
// changes it reports), word lists, the pair table across index growth, the
// per-merge change table, and the lazy queue's order.

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "bpe/pair_deltas.h"
#include "bpe/pair_queue.h"
#include "bpe/pair_table.h"
#include "bpe/word_list.h"
#include "bpe/word_table.h"

namespace pretokdb {
namespace {

template <typename Table>
std::vector<TokenId> Tokens(const Table& t, WordId w) {
  auto s = t.tokens(w);
  return {s.begin(), s.end()};
}

using Changes = std::map<std::pair<TokenId, TokenId>, int>;

// The pair counts of a token sequence, one per position.
Changes PairsOf(const std::vector<TokenId>& t) {
  Changes c;
  for (size_t i = 1; i < t.size(); ++i) c[{t[i - 1], t[i]}]++;
  return c;
}

template <typename WordTable>
void CheckMergeChanges() {
  std::mt19937 rnd(5);
  for (int round = 0; round < 2000; ++round) {
    std::string bytes;
    const int n = 1 + static_cast<int>(rnd() % 12);
    for (int i = 0; i < n; ++i) bytes += static_cast<char>('a' + rnd() % 3);
    WordTable table;
    table.Add(bytes, 1);
    const TokenId left = 'a' + rnd() % 3, right = 'a' + rnd() % 3, merged = 300;
    const std::vector<TokenId> before = Tokens(table, 0);
    Changes reported;
    table.Merge(0, left, right, merged, [&](TokenId a, TokenId b, int sign) {
      reported[{a, b}] += sign;
    });
    const std::vector<TokenId> after = Tokens(table, 0);
    // What the trainer applies: the reported changes, except to the merged
    // pair, which it sets to 0.
    Changes expected = PairsOf(after);
    for (const auto& [pair, c] : PairsOf(before)) expected[pair] -= c;
    expected.erase({left, right});
    reported.erase({left, right});
    std::erase_if(expected, [](const auto& e) { return e.second == 0; });
    std::erase_if(reported, [](const auto& e) { return e.second == 0; });
    EXPECT_EQ(reported, expected) << bytes << " merging " << char(left) << char(right);
    // And the merge itself, left to right without overlap.
    std::vector<TokenId> naive;
    for (size_t i = 0; i < before.size();) {
      if (i + 1 < before.size() && before[i] == left && before[i + 1] == right) {
        naive.push_back(merged);
        i += 2;
      } else {
        naive.push_back(before[i++]);
      }
    }
    EXPECT_EQ(after, naive) << bytes;
  }
}

TEST(BpeWordTableTest, MergeReportsExactlyThePairsThatChange) {
  CheckMergeChanges<WordTable16>();
  CheckMergeChanges<WordTable32>();
}

TEST(BpeWordTableTest, AWordWithoutThePairIsLeftAlone) {
  WordTable16 table;
  table.Add("abcabc", 7);
  int changes = 0;
  table.Merge(0, 'c', 'b', 300, [&](TokenId, TokenId, int) { ++changes; });
  EXPECT_EQ(changes, 0);
  EXPECT_EQ(Tokens(table, 0), (std::vector<TokenId>{'a', 'b', 'c', 'a', 'b', 'c'}));
  EXPECT_EQ(table.count(0), 7u);
}

TEST(BpeWordListTest, InlineThenHeapAndMoves) {
  WordList list;
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.heap_bytes(), 0u);
  list.push_back(1);
  list.push_back(2);
  EXPECT_EQ(list.heap_bytes(), 0u);  // two fit inline
  for (WordId w = 3; w <= 1000; ++w) list.push_back(w);
  EXPECT_GT(list.heap_bytes(), 0u);
  ASSERT_EQ(list.size(), 1000u);
  WordList moved = std::move(list);
  EXPECT_TRUE(list.empty());
  ASSERT_EQ(moved.size(), 1000u);
  for (WordId i = 0; i < 1000; ++i) EXPECT_EQ(moved.data()[i], i + 1);
  WordList small;
  small.push_back(9);
  moved = std::move(small);
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved.back(), 9u);
  moved.Resize(5);
  EXPECT_EQ(moved.size(), 5u);
  EXPECT_EQ(moved.data()[0], 9u);
  moved.Clear();
  EXPECT_TRUE(moved.empty());
  EXPECT_EQ(moved.heap_bytes(), 0u);
}

TEST(BpeWordListTest, InlineListsSurviveTheirVectorGrowing) {
  std::vector<WordList> lists;
  for (WordId i = 0; i < 5000; ++i) {
    lists.emplace_back();
    for (WordId j = 0; j <= i % 4; ++j) lists.back().push_back(i * 10 + j);
  }
  for (WordId i = 0; i < 5000; ++i) {
    ASSERT_EQ(lists[i].size(), i % 4 + 1);
    for (WordId j = 0; j <= i % 4; ++j) EXPECT_EQ(lists[i].data()[j], i * 10 + j);
  }
}

TEST(BpePairTableTest, FindsEveryPairAcrossGrowth) {
  PairTable pairs;
  std::map<std::pair<TokenId, TokenId>, PairId> ids;
  std::mt19937 rnd(3);
  for (int i = 0; i < 300000; ++i) {
    const TokenId a = rnd() % 5000, b = rnd() % 5000;
    const PairId p = pairs.FindOrAdd(a, b);
    auto [it, added] = ids.emplace(std::make_pair(a, b), p);
    ASSERT_EQ(it->second, p);
    if (added) pairs.AddCount(p, a + b);
  }
  EXPECT_EQ(pairs.size(), ids.size());
  for (const auto& [ab, p] : ids) {
    ASSERT_EQ(pairs.Find(ab.first, ab.second), p);
    EXPECT_EQ(pairs.left(p), ab.first);
    EXPECT_EQ(pairs.right(p), ab.second);
    EXPECT_EQ(pairs.count(p), ab.first + ab.second);
  }
  EXPECT_EQ(pairs.Find(6000, 1), PairTable::kNone);
}

TEST(BpePairDeltasTest, SumsPerPairAndKeepsWordsOnce) {
  PairDeltas d;
  d.AddIn(1, 2, 5, 10);
  d.AddIn(1, 2, 5, 10);  // the same word again: listed once
  d.AddIn(1, 2, 5, 11);
  d.Add(3, 4, -7);
  d.Add(3, 4, -1);
  ASSERT_EQ(d.entries().size(), 2u);
  EXPECT_EQ(d.entries()[0].delta, 15);
  EXPECT_EQ(std::vector<WordId>(d.entries()[0].words.begin(), d.entries()[0].words.end()),
            (std::vector<WordId>{10, 11}));
  EXPECT_EQ(d.entries()[1].delta, -8);
  EXPECT_TRUE(d.entries()[1].words.empty());

  PairDeltas other;
  other.AddIn(1, 2, 1, 20);
  other.Add(5, 6, 3);
  d.Absorb(&other);
  EXPECT_TRUE(other.entries().empty());
  ASSERT_EQ(d.entries().size(), 3u);
  EXPECT_EQ(d.entries()[0].delta, 16);
  EXPECT_EQ(d.entries()[0].words.size(), 3u);
  EXPECT_EQ(d.entries()[2].delta, 3);

  // Cleared, it is empty and reusable, also after growing.
  d.Clear();
  EXPECT_TRUE(d.entries().empty());
  for (TokenId i = 0; i < 10000; ++i) d.Add(i, i + 1, 1);
  for (TokenId i = 0; i < 10000; ++i) d.Add(i, i + 1, 1);
  ASSERT_EQ(d.entries().size(), 10000u);
  for (const PairDeltas::Entry& e : d.entries()) EXPECT_EQ(e.delta, 2);
  d.Clear();
  d.Add(1, 2, 4);
  ASSERT_EQ(d.entries().size(), 1u);
  EXPECT_EQ(d.entries()[0].delta, 4);
}

TEST(BpePairQueueTest, HighestCountThenGreaterPairAndStaleEntries) {
  std::vector<std::string> bytes;
  for (int b = 0; b < 256; ++b) bytes.emplace_back(1, static_cast<char>(b));
  bytes.push_back("ab");  // token 256
  PairTable pairs;
  auto add = [&](TokenId a, TokenId b, int64_t count) {
    PairId p = pairs.FindOrAdd(a, b);
    pairs.SetCount(p, count);
    return p;
  };
  const PairId ab = add('a', 'b', 5);
  const PairId ac = add('a', 'c', 5);    // ties with (a,b), greater second
  const PairId za = add('z', 'a', 4);
  const PairId x_ab = add('x', 256, 4);  // ties with (z,a), smaller first
  const PairId hi = add(0xFF, 'a', 1);
  PairQueue queue(&pairs, &bytes);
  queue.PushAll();
  PairId p;
  ASSERT_TRUE(queue.Pop(&p));
  EXPECT_EQ(p, ac);
  // (a,b) drops to 3 after being queued at 5: it comes out at 3, after (z,a)
  // and (x,ab) at 4.
  pairs.SetCount(ab, 3);
  ASSERT_TRUE(queue.Pop(&p));
  EXPECT_EQ(p, za);
  ASSERT_TRUE(queue.Pop(&p));
  EXPECT_EQ(p, x_ab);
  ASSERT_TRUE(queue.Pop(&p));
  EXPECT_EQ(p, ab);
  // A pair whose count fell to 0 is dropped.
  pairs.SetCount(hi, 0);
  EXPECT_FALSE(queue.Pop(&p));
  EXPECT_EQ(queue.size(), 0u);
}

}  // namespace
}  // namespace pretokdb

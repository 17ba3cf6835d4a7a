// Copyright (c) pretok-db authors.

#include "ingest/shard_split.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ingest/chunk_planner.h"
#include "ingest/special_tokens.h"
#include "ingest_test_util.h"

namespace pretokdb {
namespace {

using testing_util::TempDir;
using testing_util::WriteFile;

// Text with words, runs of spaces, newlines, CJK (no ASCII cut), separators
// and stretches without any cut.
std::string RandomText(std::mt19937_64* rnd, size_t n) {
  static const std::vector<std::string> pieces = {
      "the", " cat", "  ", "\n", " ", "<|endoftext|>", "\xE4\xB8\xAD\xE6\x96\x87",
      "'s", "123", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ".", "\t"};
  std::string s;
  while (s.size() < n) s += pieces[(*rnd)() % pieces.size()];
  s.resize(n);
  return s;
}

class ShardSplitTest : public testing::Test {
 protected:
  // Writes content to a file of the test directory and opens it.
  std::unique_ptr<SourceFile> Open(const std::string& name,
                                   const std::string& content) {
    const std::string path = dir_.File(name);
    WriteFile(path, content);
    std::unique_ptr<SourceFile> file;
    EXPECT_TRUE(SourceFile::Open(path, &file).ok());
    return file;
  }

  std::vector<ChunkRange> Units(const SourceFile& file, uint64_t split_size,
                                uint64_t unit_bytes) {
    std::vector<ChunkRange> units;
    Status s = CutUnits(file, TextRules(&specials_), split_size, unit_bytes, &units);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return units;
  }

  TempDir dir_;
  SpecialTokens specials_{{"<|endoftext|>"}};
};

TEST_F(ShardSplitTest, UnitsTileTheFileAtCuts) {
  std::mt19937_64 rnd(5);
  for (int iter = 0; iter < 40; iter++) {
    const std::string content = RandomText(&rnd, rnd() % 5000);
    auto file = Open("f", content);
    const uint64_t unit = 64 + rnd() % 700;
    const std::vector<ChunkRange> units = Units(*file, content.size(), unit);
    ASSERT_FALSE(units.empty());
    EXPECT_EQ(units.front().begin, 0u);
    EXPECT_EQ(units.back().end, content.size());
    for (size_t i = 0; i < units.size(); i++) {
      if (i > 0) EXPECT_EQ(units[i].begin, units[i - 1].end);
      if (content.empty()) continue;
      EXPECT_LT(units[i].begin, units[i].end);
      if (i == 0) continue;
      // Each boundary is the first cut at or after a multiple of the unit:
      // the planner's cut search from the multiple just below it finds it.
      const uint64_t b = units[i].begin;
      const uint64_t m = b / unit * unit;
      ASSERT_GE(m, units[i - 1].begin + 1) << "two boundaries for one multiple";
      uint64_t cut = 0;
      ASSERT_TRUE(FindFirstCutFrom(*file, TextRules(&specials_), m, content.size(),
                                   content.size(), &cut)
                      .ok());
      EXPECT_EQ(cut, b) << "boundary " << i;
    }
  }
}

TEST_F(ShardSplitTest, EmptyFileIsOneEmptyUnit) {
  auto file = Open("e", "");
  EXPECT_EQ(Units(*file, 0, 1024), (std::vector<ChunkRange>{{0, 0}}));
}

// Units are cut on the split size: bytes appended after it change nothing,
// even a special token completed across it.
TEST_F(ShardSplitTest, UnitsIgnoreAppendedBytes) {
  std::mt19937_64 rnd(8);
  for (int iter = 0; iter < 30; iter++) {
    std::string content = RandomText(&rnd, 500 + rnd() % 3000);
    if (iter % 3 == 0) content += "word <|endof";
    auto before = Open("g", content);
    const std::vector<ChunkRange> old_units = Units(*before, content.size(), 128);
    auto after = Open("g2", content + "text|> and more " + RandomText(&rnd, 2000));
    EXPECT_EQ(Units(*after, content.size(), 128), old_units) << iter;
  }
}

TEST(ShardUnitBlockTest, BlocksPartitionTheUnits) {
  for (uint64_t units = 0; units < 40; units++) {
    for (uint64_t n = 1; n < 12; n++) {
      uint64_t next = 0;
      for (uint64_t k = 0; k < n; k++) {
        const UnitBlock b = ShardUnitBlock(units, n, k);
        EXPECT_EQ(b.first, next);
        EXPECT_LE(b.end - b.first, units / n + 1);  // balanced
        next = b.end;
      }
      EXPECT_EQ(next, units);
    }
  }
  // No overflow on huge counts.
  const UnitBlock b = ShardUnitBlock(uint64_t{1} << 62, 1000, 999);
  EXPECT_EQ(b.end, uint64_t{1} << 62);
}

// Shards 0..N-1 together hold every byte of every file exactly once, the
// first and the last unit of each file exactly once, for many N and file
// sets (some empty files).
TEST_F(ShardSplitTest, ShardsCoverEveryByteOnce) {
  std::mt19937_64 rnd(13);
  for (int iter = 0; iter < 25; iter++) {
    const size_t nfiles = 1 + rnd() % 5;
    std::vector<std::string> contents;
    std::vector<std::vector<ChunkRange>> units;
    const uint64_t unit = 100 + rnd() % 400;
    for (size_t f = 0; f < nfiles; f++) {
      contents.push_back(rnd() % 5 == 0 ? "" : RandomText(&rnd, rnd() % 4000));
      auto file = Open("f" + std::to_string(f), contents.back());
      units.push_back(Units(*file, contents.back().size(), unit));
    }
    for (uint64_t n = 1; n <= 9; n++) {
      std::vector<std::vector<int>> held(nfiles);
      for (size_t f = 0; f < nfiles; f++) held[f].assign(contents[f].size(), 0);
      std::vector<int> firsts(nfiles, 0), lasts(nfiles, 0);
      for (uint64_t k = 0; k < n; k++) {
        const std::vector<ShardShare> shares = DealUnits(units, n, k);
        ASSERT_EQ(shares.size(), nfiles);
        for (size_t f = 0; f < nfiles; f++) {
          firsts[f] += shares[f].first_unit;
          lasts[f] += shares[f].last_unit;
          if (contents[f].empty()) {
            EXPECT_EQ(shares[f].first_unit, shares[f].last_unit);
          }
          uint64_t prev_end = 0;
          for (size_t r = 0; r < shares[f].ranges.size(); r++) {
            const ChunkRange& c = shares[f].ranges[r];
            EXPECT_LT(c.begin, c.end);
            if (r > 0) EXPECT_GT(c.begin, prev_end) << "not normal";
            prev_end = c.end;
            for (uint64_t i = c.begin; i < c.end; i++) held[f][i]++;
          }
          if (shares[f].first_unit && !contents[f].empty()) {
            ASSERT_FALSE(shares[f].ranges.empty());
            EXPECT_EQ(shares[f].ranges.front().begin, 0u);
          }
          if (shares[f].last_unit && !contents[f].empty()) {
            EXPECT_EQ(shares[f].ranges.back().end, contents[f].size());
          }
        }
      }
      for (size_t f = 0; f < nfiles; f++) {
        EXPECT_EQ(firsts[f], 1) << "file " << f << " N=" << n;
        EXPECT_EQ(lasts[f], 1) << "file " << f << " N=" << n;
        for (size_t i = 0; i < held[f].size(); i++) {
          ASSERT_EQ(held[f][i], 1) << "file " << f << " byte " << i << " N=" << n;
        }
      }
    }
  }
}

// The same inputs give the same split, call after call (nothing but the
// inputs goes in: no workers, no memory, no clock).
TEST_F(ShardSplitTest, Stable) {
  std::mt19937_64 rnd(21);
  const std::string content = RandomText(&rnd, 20000);
  auto file = Open("s", content);
  const auto units = Units(*file, content.size(), 512);
  EXPECT_GT(units.size(), 20u);
  for (int i = 0; i < 3; i++) EXPECT_EQ(Units(*file, content.size(), 512), units);
  const std::vector<std::vector<ChunkRange>> all = {units, {{0, 0}}, units};
  for (uint64_t k = 0; k < 4; k++) {
    const auto a = DealUnits(all, 4, k), b = DealUnits(all, 4, k);
    for (size_t f = 0; f < all.size(); f++) EXPECT_EQ(a[f].ranges, b[f].ranges);
  }
}

}  // namespace
}  // namespace pretokdb

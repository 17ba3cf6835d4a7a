// Copyright (c) pretok-db authors.

#include "ingest/index_plan.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "ingest_test_util.h"
#include "ingest/special_tokens.h"
#include "store/byte_ranges.h"
#include "store/checkpoint.h"
#include "store/coding.h"

namespace pretokdb {
namespace {

using testing_util::TempDir;
using testing_util::WriteFile;

SourceRecord Record(uint64_t size, std::vector<ChunkRange> chunks) {
  SourceRecord r;
  r.id = 9;
  r.path = "f";
  r.size = size;
  r.split_size = size;
  r.chunks = std::move(chunks);
  return r;
}

TEST(IndexPlanTest, GapsAreWantedMinusHeld) {
  ShardShare want;
  want.ranges = {{0, 40}, {60, 100}};
  EXPECT_EQ(GapsToPlan(want, Record(100, {{10, 20}, {20, 20}, {70, 100}})),
            (std::vector<ChunkRange>{{0, 10}, {20, 40}, {60, 70}}));
  // Nothing past what the database knows of the file.
  EXPECT_EQ(GapsToPlan(want, Record(80, {})),
            (std::vector<ChunkRange>{{0, 40}, {60, 80}}));
  EXPECT_TRUE(GapsToPlan(WholeFile(100), Record(100, {{0, 50}, {50, 100}})).empty());
  EXPECT_EQ(WholeFile(0).ranges, std::vector<ChunkRange>{});
  EXPECT_TRUE(WholeFile(0).first_unit);
}

// Chunks stay in order; a chunk that moves takes its checkpoint with it.
TEST(IndexPlanTest, MergeChunksMovesCheckpoints) {
  SourceRecord r = Record(100, {{40, 60}, {60, 80}});
  Checkpoint hashed = Checkpoint::At(80);
  hashed.hashed = true;
  hashed.hashed_end = 80;
  hashed.digest = 1234;
  Checkpoints ckpt = {{{9, 0}, Checkpoint::At(55)}, {{9, 1}, hashed}};
  MetaWrites meta;
  MergeChunks({{0, 20}, {20, 40}, {80, 100}}, ckpt, &r, &meta);
  EXPECT_EQ(r.chunks, (std::vector<ChunkRange>{
                          {0, 20}, {20, 40}, {40, 60}, {60, 80}, {80, 100}}));
  std::map<std::string, Checkpoint> written;
  for (const auto& [key, value] : meta.puts) {
    Checkpoint v;
    ASSERT_TRUE(DecodeCheckpoint(value, &v));
    written[key] = v;
  }
  // The hash moves with its chunk.
  const std::map<std::string, Checkpoint> want = {
      {CheckpointKey(9, 0), Checkpoint::At(0)},
      {CheckpointKey(9, 1), Checkpoint::At(20)},
      {CheckpointKey(9, 2), Checkpoint::At(55)},
      {CheckpointKey(9, 3), hashed},
      {CheckpointKey(9, 4), Checkpoint::At(80)}};
  EXPECT_EQ(written, want);

  // Appending after the held chunks moves none of them.
  SourceRecord tail = Record(100, {{0, 50}});
  MetaWrites meta2;
  MergeChunks({{50, 100}}, {{{9, 0}, Checkpoint::At(30)}}, &tail, &meta2);
  ASSERT_EQ(meta2.puts.size(), 1u);
  EXPECT_EQ(meta2.puts[0].first, CheckpointKey(9, 1));
}

class PlanWantedTest : public testing::Test {
 protected:
  TempDir dir_;
  SpecialTokens specials_{std::vector<std::string>{"<|endoftext|>"}};
  TextRules rules_{&specials_};
};

// The first document goes with the plan that takes the first unit, once.
TEST_F(PlanWantedTest, FirstDocumentOnce) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "some words here. ";
  WriteFile(dir_.File("a"), text);
  std::unique_ptr<SourceFile> file;
  ASSERT_TRUE(SourceFile::Open(dir_.File("a"), &file).ok());
  const uint64_t n = text.size();

  SourceRecord r = Record(n, {});
  ShardShare second_half;
  const uint64_t half = 17 * 100 + 4;  // "some| words": a cut
  ASSERT_EQ(text.substr(half - 4, 5), "some ");
  second_half.ranges = {{half, n}};
  MetaWrites meta;
  bool changed = false;
  ASSERT_TRUE(PlanWanted(*file, rules_, second_half, 256, 1, {}, &r, &meta,
                         &changed).ok());
  EXPECT_TRUE(changed);
  EXPECT_FALSE(r.first_document);
  EXPECT_TRUE(meta.stats.empty());
  EXPECT_EQ(HeldRanges(r), second_half.ranges);

  // Then everything: the rest is planned, and the document counted.
  MetaWrites meta2;
  ASSERT_TRUE(PlanWanted(*file, rules_, WholeFile(n), 256, 1, {}, &r, &meta2,
                         &changed).ok());
  EXPECT_TRUE(changed);
  EXPECT_TRUE(r.first_document);
  EXPECT_EQ(meta2.stats.size(), 1u);
  EXPECT_EQ(HeldRanges(r), (std::vector<ChunkRange>{{0, n}}));
  EXPECT_TRUE(ChunksInOrder(r.chunks, n));

  // Again: nothing.
  MetaWrites meta3;
  ASSERT_TRUE(PlanWanted(*file, rules_, WholeFile(n), 256, 1, {}, &r, &meta3,
                         &changed).ok());
  EXPECT_FALSE(changed);
  EXPECT_TRUE(meta3.puts.empty() && meta3.stats.empty());
}

}  // namespace
}  // namespace pretokdb

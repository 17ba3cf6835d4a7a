// Copyright (c) pretok-db authors.

#include "store/records.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "store/coding.h"

namespace pretokdb {
namespace {

DbConfig SampleConfig() {
  DbConfig c;
  c.pattern = "gpt2";
  c.special_tokens = {"<|endoftext|>", std::string("a\0b", 3), "\xC3\xA9"};
  c.invalid_utf8 = "replace";
  c.jsonl_field = "meta.text";
  return c;
}

SourceRecord SampleSource() {
  SourceRecord r;
  r.id = 300;
  r.path = "/tmp/some dir/\xC3\xA9.txt";
  r.size = uint64_t{5} << 32;
  r.fingerprint = 0xFEDCBA9876543210ull;
  r.split_size = uint64_t{3} << 32;
  r.first_document = true;
  r.chunks = {{0, 1}, {1, 1000}, {1000, uint64_t{1} << 32},
              {uint64_t{1} << 32, r.size}};
  return r;
}

// A shard's record: some units of a file, a relative key.
SourceRecord ShardSource() {
  SourceRecord r;
  r.id = 7;
  r.path = "corpus/web.txt";
  r.relative = true;
  r.size = 1000;
  r.fingerprint = 42;
  r.split_size = 900;
  r.first_document = false;
  r.shard = ShardPlan{1, 4, 3, 64 << 20};
  r.chunks = {{100, 200}, {200, 200}, {500, 1000}};
  return r;
}

// Version 1 as it was written: id, path, size, fingerprint, chunks.
std::string EncodeSourceV1(const SourceRecord& r) {
  std::string out;
  PutVarint64(&out, 1);
  PutVarint64(&out, r.id);
  PutLengthPrefixed(&out, r.path);
  PutVarint64(&out, r.size);
  PutFixed64(&out, r.fingerprint);
  PutVarint64(&out, r.chunks.size());
  for (const ChunkRange& c : r.chunks) {
    PutVarint64(&out, c.begin);
    PutVarint64(&out, c.end);
  }
  return out;
}

TEST(RecordsTest, ConfigRoundTrip) {
  for (DbConfig c : {SampleConfig(), DbConfig{}}) {
    DbConfig got;
    got.special_tokens = {"stale"};
    ASSERT_TRUE(DecodeConfig(EncodeConfig(c), &got));
    EXPECT_EQ(got, c);
  }
}

TEST(RecordsTest, ConfigMalformed) {
  const std::string s = EncodeConfig(SampleConfig());
  DbConfig got;
  for (size_t n = 0; n < s.size(); n++) {
    EXPECT_FALSE(DecodeConfig(s.substr(0, n), &got)) << "prefix " << n;
  }
  EXPECT_FALSE(DecodeConfig(s + "x", &got)) << "trailing bytes";
  std::string other_version = s;
  other_version[0] = 3;
  EXPECT_FALSE(DecodeConfig(other_version, &got)) << "unknown version";
}

// A config written before JSON Lines (version 1) decodes as text.
TEST(RecordsTest, ConfigVersion1IsText) {
  std::string v1;
  PutVarint64(&v1, 1);
  PutLengthPrefixed(&v1, "gpt2");
  PutVarint64(&v1, 1);
  PutLengthPrefixed(&v1, "<|endoftext|>");
  PutLengthPrefixed(&v1, "replace");
  DbConfig got;
  got.jsonl_field = "stale";
  ASSERT_TRUE(DecodeConfig(v1, &got));
  EXPECT_EQ(got.pattern, "gpt2");
  EXPECT_EQ(got.special_tokens, std::vector<std::string>{"<|endoftext|>"});
  EXPECT_EQ(got.invalid_utf8, "replace");
  EXPECT_EQ(got.jsonl_field, "");
  EXPECT_FALSE(DecodeConfig(v1 + "x", &got));
}

TEST(RecordsTest, SourceRoundTrip) {
  SourceRecord empty_file;
  empty_file.id = 1;
  empty_file.path = "/e";
  empty_file.first_document = true;
  SourceRecord holds_nothing = ShardSource();
  holds_nothing.chunks.clear();
  for (const SourceRecord& r :
       {SampleSource(), empty_file, ShardSource(), holds_nothing}) {
    SourceRecord got;
    got.chunks = {{0, 7}};
    got.relative = !r.relative;
    got.shard.count = 99;
    ASSERT_TRUE(DecodeSource(EncodeSource(r), &got));
    EXPECT_EQ(got, r);
  }
}

// Databases written before shards keep working: version 1 reads as an
// unsharded, absolute record that counted its file's first document.
TEST(RecordsTest, SourceVersion1Decodes) {
  SourceRecord v1 = SampleSource();
  SourceRecord got = ShardSource();
  ASSERT_TRUE(DecodeSource(EncodeSourceV1(v1), &got));
  SourceRecord want = v1;
  want.split_size = v1.size;
  want.first_document = true;
  EXPECT_EQ(got, want);
  EXPECT_FALSE(got.relative);
  EXPECT_EQ(got.shard, ShardPlan());

  // Version 1 chunks tiled the file; anything else there is corruption.
  SourceRecord gap = v1;
  gap.chunks = {{0, 1}, {2, v1.size}};
  EXPECT_FALSE(DecodeSource(EncodeSourceV1(gap), &got));
  SourceRecord short_of_end = v1;
  short_of_end.chunks = {{0, 1}};
  EXPECT_FALSE(DecodeSource(EncodeSourceV1(short_of_end), &got));
  const std::string s = EncodeSourceV1(v1);
  for (size_t n = 0; n < s.size(); n++) {
    EXPECT_FALSE(DecodeSource(s.substr(0, n), &got)) << "prefix " << n;
  }
  EXPECT_FALSE(DecodeSource(s + "x", &got)) << "trailing bytes";
}

TEST(RecordsTest, SourceMalformed) {
  for (const SourceRecord& r : {SampleSource(), ShardSource()}) {
    const std::string s = EncodeSource(r);
    SourceRecord got;
    for (size_t n = 0; n < s.size(); n++) {
      EXPECT_FALSE(DecodeSource(s.substr(0, n), &got)) << "prefix " << n;
    }
    EXPECT_FALSE(DecodeSource(s + "x", &got)) << "trailing bytes";
    std::string other_version = s;
    other_version[0] = 9;
    EXPECT_FALSE(DecodeSource(other_version, &got)) << "unknown version";
  }
}

// Chunks need not tile the file, but must be ascending, disjoint and in it.
TEST(RecordsTest, SourceChunksInOrder) {
  const std::vector<std::vector<ChunkRange>> good = {
      {},                          // holds nothing of it
      {{0, 10}},                   // all of it
      {{0, 5}, {6, 10}},           // a gap
      {{1, 9}},                    // neither end
      {{0, 5}, {5, 5}, {5, 10}},   // an empty chunk (after growth)
      {{3, 3}},
  };
  const std::vector<std::vector<ChunkRange>> bad = {
      {{0, 6}, {5, 10}},          // overlap
      {{0, 11}},                  // past the end
      {{11, 11}},                 // empty, past the end
      {{5, 10}, {0, 5}},          // descending
      {{0, 5}, {5, 4}, {4, 10}},  // backwards
      {{0, 5}, {3, 3}},           // empty, inside the one before
      {{6, 5}},                   // end before begin
  };
  for (bool good_case : {true, false}) {
    const auto& cases = good_case ? good : bad;
    for (size_t i = 0; i < cases.size(); i++) {
      SourceRecord r = ShardSource();
      r.size = 10;
      r.split_size = 10;
      r.chunks = cases[i];
      EXPECT_EQ(ChunksInOrder(r.chunks, r.size), good_case) << i;
      SourceRecord got;
      EXPECT_EQ(DecodeSource(EncodeSource(r), &got), good_case)
          << (good_case ? "good" : "bad") << " case " << i;
      if (good_case) EXPECT_EQ(got, r);
    }
  }
}

TEST(RecordsTest, SourceFieldsOutOfRange) {
  SourceRecord got;
  SourceRecord split_past_size = ShardSource();
  split_past_size.split_size = split_past_size.size + 1;
  EXPECT_FALSE(DecodeSource(EncodeSource(split_past_size), &got));
  SourceRecord shard_past_count = ShardSource();
  shard_past_count.shard.index = shard_past_count.shard.count;
  EXPECT_FALSE(DecodeSource(EncodeSource(shard_past_count), &got));
  // A flag is 0 or 1.
  std::string s = EncodeSource(ShardSource());
  // version, id, path length: one byte each, then the path.
  const size_t relative_at = 3 + ShardSource().path.size();
  ASSERT_EQ(s[relative_at], 1);
  s[relative_at] = 2;
  EXPECT_FALSE(DecodeSource(s, &got));
}

TEST(RecordsTest, SourceKeysSortById) {
  std::vector<uint64_t> ids = {0, 1, 2, 255, 256, 257, 65536,
                               uint64_t{1} << 40,
                               std::numeric_limits<uint64_t>::max()};
  for (size_t i = 1; i < ids.size(); i++) {
    EXPECT_LT(SourceKey(ids[i - 1]), SourceKey(ids[i])) << ids[i];
    EXPECT_EQ(SourceKey(ids[i]).compare(0, kSourcePrefix.size(), kSourcePrefix),
              0);
  }
}

TEST(RecordsTest, CheckpointKeyRoundTrip) {
  const std::pair<uint64_t, uint64_t> cases[] = {
      {0, 0}, {1, 2}, {256, 1}, {uint64_t{1} << 63, 77},
      {std::numeric_limits<uint64_t>::max(),
       std::numeric_limits<uint64_t>::max()}};
  for (const auto& [source, chunk] : cases) {
    const std::string key = CheckpointKey(source, chunk);
    EXPECT_EQ(key.compare(0, kCheckpointPrefix.size(), kCheckpointPrefix), 0);
    uint64_t s = 99, c = 99;
    ASSERT_TRUE(ParseCheckpointKey(key, &s, &c));
    EXPECT_EQ(s, source);
    EXPECT_EQ(c, chunk);
  }
}

TEST(RecordsTest, CheckpointKeyMalformed) {
  const std::string key = CheckpointKey(3, 4);
  uint64_t s, c;
  for (size_t n = 0; n < key.size(); n++) {
    EXPECT_FALSE(ParseCheckpointKey(key.substr(0, n), &s, &c)) << n;
  }
  EXPECT_FALSE(ParseCheckpointKey(key + '\0', &s, &c));
  std::string wrong_prefix = key;
  wrong_prefix[0] = 'C';
  EXPECT_FALSE(ParseCheckpointKey(wrong_prefix, &s, &c));
  EXPECT_FALSE(ParseCheckpointKey(SourceKey(3) + std::string(8, '\0'), &s, &c));
}

// Checkpoint keys in byte order are in (source, chunk) numeric order, so a
// prefix scan of the meta column family visits a source's chunks in order.
TEST(RecordsTest, CheckpointKeysSortNumerically) {
  std::mt19937_64 rnd(5);
  std::vector<std::pair<uint64_t, uint64_t>> pairs;
  const uint64_t interesting[] = {0, 1, 9, 10, 255, 256, 4096,
                                  uint64_t{1} << 32, uint64_t{1} << 63,
                                  std::numeric_limits<uint64_t>::max()};
  for (uint64_t a : interesting) {
    for (uint64_t b : interesting) pairs.emplace_back(a, b);
  }
  for (int i = 0; i < 300; i++) {
    pairs.emplace_back(rnd() >> (rnd() % 64), rnd() >> (rnd() % 64));
  }
  std::vector<std::pair<std::string, std::pair<uint64_t, uint64_t>>> keyed;
  for (const auto& p : pairs) keyed.emplace_back(CheckpointKey(p.first, p.second), p);
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::pair<uint64_t, uint64_t>> by_key;
  for (const auto& k : keyed) by_key.push_back(k.second);
  std::sort(pairs.begin(), pairs.end());
  EXPECT_EQ(by_key, pairs);
}

}  // namespace
}  // namespace pretokdb

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
  return c;
}

SourceRecord SampleSource() {
  SourceRecord r;
  r.id = 300;
  r.path = "/tmp/some dir/\xC3\xA9.txt";
  r.size = uint64_t{5} << 32;
  r.fingerprint = 0xFEDCBA9876543210ull;
  r.chunks = {{0, 1}, {1, 1000}, {1000, uint64_t{1} << 32},
              {uint64_t{1} << 32, r.size}};
  return r;
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
  other_version[0] = 2;
  EXPECT_FALSE(DecodeConfig(other_version, &got)) << "unknown version";
}

TEST(RecordsTest, SourceRoundTrip) {
  SourceRecord empty_file;
  empty_file.id = 1;
  empty_file.path = "/e";
  for (const SourceRecord& r : {SampleSource(), empty_file}) {
    SourceRecord got;
    got.chunks = {{0, 7}};
    ASSERT_TRUE(DecodeSource(EncodeSource(r), &got));
    EXPECT_EQ(got, r);
  }
}

TEST(RecordsTest, SourceMalformed) {
  const std::string s = EncodeSource(SampleSource());
  SourceRecord got;
  for (size_t n = 0; n < s.size(); n++) {
    EXPECT_FALSE(DecodeSource(s.substr(0, n), &got)) << "prefix " << n;
  }
  EXPECT_FALSE(DecodeSource(s + "x", &got)) << "trailing bytes";
  std::string other_version = s;
  other_version[0] = 9;
  EXPECT_FALSE(DecodeSource(other_version, &got)) << "unknown version";
}

// Chunks that do not tile [0, size) in order are corruption.
TEST(RecordsTest, SourceChunksMustTileTheFile) {
  const std::vector<std::vector<ChunkRange>> bad = {
      {{0, 5}, {6, 10}},  // gap
      {{0, 6}, {5, 10}},  // overlap
      {{1, 10}},          // does not start at 0
      {{0, 9}},           // does not reach the end
      {{0, 11}},          // past the end
      {{0, 5}, {5, 4}, {4, 10}},  // backwards
      {},                 // a non-empty file with no chunks
  };
  for (size_t i = 0; i < bad.size(); i++) {
    SourceRecord r;
    r.id = 2;
    r.path = "/f";
    r.size = 10;
    r.chunks = bad[i];
    SourceRecord got;
    EXPECT_FALSE(DecodeSource(EncodeSource(r), &got)) << "case " << i;
  }
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

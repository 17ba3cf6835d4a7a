// Copyright (c) pretok-db authors.

#include "store/checkpoint.h"

#include <gtest/gtest.h>

#include <xxhash.h>

#include <cstdint>
#include <string>

#include "store/coding.h"

namespace pretokdb {
namespace {

Checkpoint Hashed(uint64_t offset, uint64_t hashed_end, uint64_t digest) {
  Checkpoint c = Checkpoint::At(offset);
  c.hashed = true;
  c.hashed_end = hashed_end;
  c.digest = digest;
  return c;
}

TEST(CheckpointTest, RoundTrips) {
  for (const Checkpoint& c :
       {Checkpoint::At(0), Checkpoint::At(1ull << 40), Hashed(0, 0, EmptyDigest()),
        Hashed(100, 4196, 0xfedcba9876543210ull),
        Hashed(UINT64_MAX, UINT64_MAX, 1)}) {
    Checkpoint got;
    ASSERT_TRUE(DecodeCheckpoint(EncodeCheckpoint(c), &got));
    EXPECT_EQ(got, c);
  }
}

// A database written before hashes holds a bare fixed64: it reads as the
// same offset, not hashed; and one with no hash is still written that way.
TEST(CheckpointTest, FirstFormatDecodesAsNotHashed) {
  std::string old;
  PutFixed64(&old, 123456789);
  Checkpoint got = Hashed(1, 2, 3);
  ASSERT_TRUE(DecodeCheckpoint(old, &got));
  EXPECT_EQ(got, Checkpoint::At(123456789));
  EXPECT_FALSE(got.hashed);
  EXPECT_EQ(EncodeCheckpoint(Checkpoint::At(123456789)), old);
}

// Every version starts with the offset, so the first 8 bytes always say it.
TEST(CheckpointTest, OffsetComesFirst) {
  const std::string v = EncodeCheckpoint(Hashed(777, 900, 42));
  std::string_view in = v;
  uint64_t offset;
  ASSERT_TRUE(GetFixed64(&in, &offset));
  EXPECT_EQ(offset, 777u);
}

TEST(CheckpointTest, RefusesMalformed) {
  Checkpoint got;
  const std::string v = EncodeCheckpoint(Hashed(10, 20, 99));
  for (size_t n = 0; n < v.size(); ++n) {
    if (n == 8) continue;  // the first format
    EXPECT_FALSE(DecodeCheckpoint(v.substr(0, n), &got)) << n;
  }
  EXPECT_FALSE(DecodeCheckpoint(v + "x", &got));
  // A version this code does not know.
  std::string future;
  PutFixed64(&future, 10);
  PutVarint64(&future, 2);
  PutVarint64(&future, 20);
  PutFixed64(&future, 99);
  EXPECT_FALSE(DecodeCheckpoint(future, &got));
  // The hash covers at least what is counted.
  EXPECT_FALSE(DecodeCheckpoint(EncodeCheckpoint(Hashed(20, 19, 99)), &got));
}

TEST(CheckpointTest, EmptyDigestIsXxh3OfNothing) {
  EXPECT_EQ(EmptyDigest(), XXH3_64bits("", 0));
}

}  // namespace
}  // namespace pretokdb

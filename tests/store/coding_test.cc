// Copyright (c) pretok-db authors.

#include "store/coding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace pretokdb {
namespace {

std::vector<uint64_t> Values() {
  std::vector<uint64_t> v = {0, 1, 127, 128, 255, 256, 16383, 16384,
                             std::numeric_limits<uint32_t>::max(),
                             uint64_t{1} << 32,
                             std::numeric_limits<uint64_t>::max()};
  for (int shift = 0; shift < 64; shift++) {
    const uint64_t p = uint64_t{1} << shift;
    v.push_back(p);
    v.push_back(p - 1);
    v.push_back(p + 1);
  }
  std::mt19937_64 rnd(42);
  for (int i = 0; i < 200; i++) v.push_back(rnd() >> (rnd() % 64));
  return v;
}

TEST(CodingTest, Fixed64IsLittleEndian) {
  std::string s;
  PutFixed64(&s, 0x0102030405060708ull);
  EXPECT_EQ(s, std::string("\x08\x07\x06\x05\x04\x03\x02\x01", 8));
}

TEST(CodingTest, Fixed64RoundTrip) {
  std::string s;
  const std::vector<uint64_t> values = Values();
  for (uint64_t v : values) PutFixed64(&s, v);
  ASSERT_EQ(s.size(), 8 * values.size());
  std::string_view in(s);
  for (uint64_t v : values) {
    uint64_t got;
    ASSERT_TRUE(GetFixed64(&in, &got));
    EXPECT_EQ(got, v);
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, Fixed64Truncated) {
  std::string s;
  PutFixed64(&s, 0xDEADBEEFCAFEF00Dull);
  for (size_t n = 0; n < s.size(); n++) {
    std::string_view in(s.data(), n);
    uint64_t v;
    EXPECT_FALSE(GetFixed64(&in, &v)) << n;
    EXPECT_FALSE(GetBigEndian64(&in, &v)) << n;
  }
}

TEST(CodingTest, DecodeFixed64ValueWantsExactlyEightBytes) {
  std::string s;
  PutFixed64(&s, 12345);
  uint64_t v = 0;
  ASSERT_TRUE(DecodeFixed64Value(s, &v));
  EXPECT_EQ(v, 12345u);
  for (size_t n = 0; n < 8; n++) {
    EXPECT_FALSE(DecodeFixed64Value(std::string_view(s.data(), n), &v)) << n;
  }
  EXPECT_FALSE(DecodeFixed64Value(s + "x", &v));
  EXPECT_FALSE(DecodeFixed64Value(s + s, &v));
}

TEST(CodingTest, BigEndianRoundTripAndOrder) {
  const std::vector<uint64_t> values = Values();
  std::vector<std::string> encoded;
  for (uint64_t v : values) {
    std::string s;
    PutBigEndian64(&s, v);
    ASSERT_EQ(s.size(), 8u);
    std::string_view in(s);
    uint64_t got;
    ASSERT_TRUE(GetBigEndian64(&in, &got));
    EXPECT_EQ(got, v);
    EXPECT_TRUE(in.empty());
    encoded.push_back(s);
  }
  // Byte order (unsigned, as RocksDB compares keys) is numeric order.
  for (size_t i = 0; i < values.size(); i++) {
    for (size_t j = 0; j < values.size(); j += 7) {
      EXPECT_EQ(values[i] < values[j], encoded[i] < encoded[j])
          << values[i] << " vs " << values[j];
    }
  }
  std::string s;
  PutBigEndian64(&s, 0x0102030405060708ull);
  EXPECT_EQ(s, std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
}

TEST(CodingTest, VarintRoundTrip) {
  std::string s;
  const std::vector<uint64_t> values = Values();
  for (uint64_t v : values) {
    const size_t before = s.size();
    PutVarint64(&s, v);
    const size_t len = s.size() - before;
    // 7 bits a byte.
    size_t expected_len = 1;
    for (uint64_t x = v; x >= 128; x >>= 7) expected_len++;
    EXPECT_EQ(len, expected_len) << v;
  }
  std::string_view in(s);
  for (uint64_t v : values) {
    uint64_t got;
    ASSERT_TRUE(GetVarint64(&in, &got));
    EXPECT_EQ(got, v);
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, VarintTruncated) {
  for (uint64_t v : Values()) {
    std::string s;
    PutVarint64(&s, v);
    for (size_t n = 0; n < s.size(); n++) {
      std::string_view in(s.data(), n);
      uint64_t got;
      EXPECT_FALSE(GetVarint64(&in, &got)) << v << " cut to " << n;
    }
  }
}

TEST(CodingTest, VarintTooLong) {
  // Eleven bytes, each saying another follows.
  std::string s(11, '\x80');
  s.push_back('\x01');
  std::string_view in(s);
  uint64_t v;
  EXPECT_FALSE(GetVarint64(&in, &v));
}

TEST(CodingTest, LengthPrefixedRoundTrip) {
  const std::vector<std::string> values = {
      "", "a", std::string("\0\0", 2), std::string(127, 'x'),
      std::string(128, 'y'), std::string(100000, '\xFF')};
  std::string s;
  for (const std::string& v : values) PutLengthPrefixed(&s, v);
  std::string_view in(s);
  for (const std::string& v : values) {
    std::string_view got;
    ASSERT_TRUE(GetLengthPrefixed(&in, &got));
    EXPECT_EQ(got, v);
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, LengthPrefixedTruncated) {
  for (const std::string& v :
       {std::string("abc"), std::string(300, 'z'), std::string("\0", 1)}) {
    std::string s;
    PutLengthPrefixed(&s, v);
    for (size_t n = 0; n < s.size(); n++) {
      std::string_view in(s.data(), n);
      std::string_view got;
      EXPECT_FALSE(GetLengthPrefixed(&in, &got)) << v.size() << " cut to " << n;
    }
  }
}

TEST(CodingTest, LengthPrefixedHugeLength) {
  std::string s;
  PutVarint64(&s, std::numeric_limits<uint64_t>::max());
  s += "abc";
  std::string_view in(s);
  std::string_view got;
  EXPECT_FALSE(GetLengthPrefixed(&in, &got));
}

}  // namespace
}  // namespace pretokdb

// Copyright (c) pretok-db authors.

#include "util/find_bytes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <string_view>

namespace pretokdb {
namespace {

// Copies s to the end of an allocation of exactly s.size() bytes, so that
// AddressSanitizer reports any read past the haystack.
std::unique_ptr<char[]> Exact(std::string_view s) {
  auto p = std::make_unique<char[]>(s.size());
  if (!s.empty()) std::memcpy(p.get(), s.data(), s.size());
  return p;
}

// FindBytes as an offset, npos if not found.
size_t Find(std::string_view hay, std::string_view needle) {
  auto h = Exact(hay);
  auto nd = Exact(needle);
  const char* hit = FindBytes(h.get(), hay.size(), nd.get(), needle.size());
  return hit == nullptr ? std::string_view::npos
                        : static_cast<size_t>(hit - h.get());
}

// Bytes over a small alphabet, so that partial matches are frequent; the
// alphabet includes NUL and 0xFF (signed in a char, for the SIMD compares).
std::string RandomBytes(std::mt19937& rng, size_t n,
                        std::string_view alphabet) {
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string s(n, '\0');
  for (char& c : s) c = alphabet[pick(rng)];
  return s;
}

TEST(FindBytesTest, EmptyNeedle) {
  const char hay[] = "abc";
  EXPECT_EQ(FindBytes(hay, 3, "x", 0), hay);
  EXPECT_EQ(FindBytes(hay, 0, "x", 0), hay);
}

TEST(FindBytesTest, Basics) {
  EXPECT_EQ(Find("", "a"), std::string_view::npos);
  EXPECT_EQ(Find("a", "a"), 0u);
  EXPECT_EQ(Find("ab", "abc"), std::string_view::npos);
  EXPECT_EQ(Find("xxabcxxabc", "abc"), 2u);
  EXPECT_EQ(Find(std::string(40, 'a') + "b", "ab"), 39u);
  EXPECT_EQ(Find(std::string(40, 'a') + "b", std::string(17, 'a') + "b"),
            23u);
  EXPECT_EQ(Find(std::string(40, 'a'), std::string(17, 'a') + "b"),
            std::string_view::npos);
  // First and last bytes match, the middle does not.
  EXPECT_EQ(Find(std::string(64, 'a'), "abba"), std::string_view::npos);
}

TEST(FindBytesTest, EndOfTextAtEveryOffset) {
  const std::string_view eot = "<|endoftext|>";
  for (size_t at = 0; at <= 100; ++at) {
    std::string text(117, 'x');
    // Near misses before it: the first or the last byte alone.
    for (size_t k = 0; k + 14 <= at; k += 14) {
      text.replace(k, eot.size(),
                   k % 28 == 0 ? "<|endoftext|x" : "x|endoftext|>");
    }
    text.replace(at, eot.size(), eot);
    SCOPED_TRACE(at);
    EXPECT_EQ(Find(text, eot), at);
  }
}

TEST(FindBytesTest, RandomAgainstStringView) {
  std::mt19937 rng(20240607);
  const std::string alphabets[] = {
      std::string("ab"), std::string("abc\0\xff", 5), std::string("ab\0", 3),
      std::string("\xff\xfe", 2)};
  std::uniform_int_distribution<size_t> hay_size(0, 300);
  std::uniform_int_distribution<size_t> needle_size(1, 40);
  for (int iter = 0; iter < 20000; ++iter) {
    const std::string& alphabet = alphabets[iter % 4];
    // A few long haystacks: most of the search in the SIMD loop.
    const size_t n = iter % 2000 == 0 ? 100 * 1024 : hay_size(rng);
    const std::string hay = RandomBytes(rng, n, alphabet);
    const size_t m = needle_size(rng);
    std::string needle;
    switch (iter % 4) {
      case 0:  // random: mostly absent for long needles
        needle = RandomBytes(rng, m, alphabet);
        break;
      case 1:  // at the very start
        needle = hay.substr(0, m);
        break;
      case 2:  // at the very end
        needle = hay.substr(n - std::min(n, m));
        break;
      case 3:  // anywhere
        needle = hay.substr(std::uniform_int_distribution<size_t>(0, n)(rng),
                            m);
        break;
    }
    if (needle.empty()) needle = RandomBytes(rng, m, alphabet);
    SCOPED_TRACE(testing::Message() << "iter " << iter << ", n " << n
                                    << ", m " << needle.size());
    ASSERT_EQ(Find(hay, needle), std::string_view(hay).find(needle));
  }
}

TEST(FindBytesTest, EveryLengthOfAPlantedNeedle) {
  // Each needle once, at every position, in every haystack length: the
  // boundaries between the SIMD loop and the tail.
  std::mt19937 rng(7);
  for (size_t m = 1; m <= 40; ++m) {
    const std::string needle = RandomBytes(rng, m, std::string("ab\0\xff", 4));
    for (size_t n = m; n <= m + 40; ++n) {
      for (size_t at = 0; at + m <= n; ++at) {
        std::string hay(n, 'c');
        hay.replace(at, m, needle);
        ASSERT_EQ(Find(hay, needle), std::string_view(hay).find(needle))
            << "m " << m << ", n " << n << ", at " << at;
      }
    }
  }
}

}  // namespace
}  // namespace pretokdb

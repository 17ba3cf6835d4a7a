// Copyright (c) pretok-db authors.
//
// The vector validator against the scalar one (FindFirstInvalidUtf8 with
// at_end, which decodes character by character): every pair and triple of
// interesting bytes, at each place a vector boundary can cut them, and
// random mostly-valid text with random damage.

#include "text/utf8_simd.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "text/utf8.h"

namespace pretokdb {
namespace {

bool ScalarValid(const std::string& s) {
  return FindFirstInvalidUtf8(s.data(), s.size(), /*at_end=*/true) == s.size();
}

// Validates s from the end of an allocation of its exact size, so that a
// read past it is caught by AddressSanitizer.
bool SimdValid(const std::string& s) {
  std::unique_ptr<char[]> copy(new char[s.size() + 1]);
  char* start = copy.get() + 1;  // also misaligned
  std::memcpy(start, s.data(), s.size());
  return IsValidUtf8Simd(start, s.size());
}

TEST(Utf8SimdTest, EveryShortSequenceAtEveryBoundary) {
  if (!HaveUtf8Simd()) GTEST_SKIP() << "no SSSE3";
  // Every byte from 0x80 up, and three ASCII ones.
  std::vector<uint8_t> bytes = {0x00, 0x41, 0x7F};
  for (int b = 0x80; b <= 0xFF; b++) bytes.push_back(static_cast<uint8_t>(b));
  // Placed so the triple ends a vector, straddles one or two boundaries,
  // or ends the text (the vector loop, the 16-byte loop and the tail).
  const size_t offsets[] = {0, 13, 14, 15, 61, 62, 63, 77};
  const size_t suffixes[] = {0, 1, 2, 40};
  int checked = 0;
  for (uint8_t a : bytes) {
    for (uint8_t b : bytes) {
      for (uint8_t c : bytes) {
        for (size_t off : offsets) {
          const size_t suffix = suffixes[(a + b + c + off) % 4];
          std::string s(off, 'x');
          s += static_cast<char>(a);
          s += static_cast<char>(b);
          s += static_cast<char>(c);
          s.append(suffix, 'y');
          ASSERT_EQ(SimdValid(s), ScalarValid(s))
              << std::hex << int(a) << " " << int(b) << " " << int(c)
              << " at " << std::dec << off << " + " << suffix;
          checked++;
        }
      }
    }
  }
  EXPECT_GT(checked, 1000000);
}

// Characters of every length, with the code points at the edges of the
// encoding's ranges, then one of: nothing, a byte replaced, a byte
// inserted, the text cut short.
TEST(Utf8SimdTest, RandomTextWithDamage) {
  if (!HaveUtf8Simd()) GTEST_SKIP() << "no SSSE3";
  const uint32_t edges[] = {0x0,    0x7F,   0x80,    0x7FF,   0x800,  0xFFF,
                            0x1000, 0xD7FF, 0xE000,  0xFFFD,  0xFFFF, 0x10000,
                            0x3FFFF, 0x40000, 0xFFFFF, 0x100000, 0x10FFFF};
  std::mt19937 rnd(5);
  auto append = [](std::string* s, uint32_t cp) {
    if (cp < 0x80) {
      *s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *s += static_cast<char>(0xC0 | cp >> 6);
      *s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *s += static_cast<char>(0xE0 | cp >> 12);
      *s += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
      *s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      *s += static_cast<char>(0xF0 | cp >> 18);
      *s += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
      *s += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
      *s += static_cast<char>(0x80 | (cp & 0x3F));
    }
  };
  int valid = 0, invalid = 0;
  for (int iter = 0; iter < 200000; iter++) {
    std::string s;
    const size_t chars = rnd() % 120;
    const bool ascii_heavy = iter % 2 == 0;
    for (size_t i = 0; i < chars; i++) {
      uint32_t cp;
      const unsigned kind = rnd() % 8;
      if (ascii_heavy && kind < 5) {
        cp = 0x20 + rnd() % 0x5F;
      } else if (kind < 2) {
        cp = edges[rnd() % std::size(edges)];
      } else {
        const uint32_t tops[] = {0x80, 0x800, 0x10000, 0x110000};
        cp = rnd() % tops[rnd() % 4];
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xE000;
      }
      append(&s, cp);
    }
    if (!s.empty()) {
      const size_t at = rnd() % s.size();
      switch (rnd() % 4) {
        case 0: break;
        case 1: s[at] = static_cast<char>(rnd()); break;
        case 2: s.insert(at, 1, static_cast<char>(0x80 + rnd() % 0x80)); break;
        case 3: s.resize(at); break;
      }
    }
    const bool expect = ScalarValid(s);
    ASSERT_EQ(SimdValid(s), expect) << testing::PrintToString(s);
    (expect ? valid : invalid)++;
  }
  // Both outcomes are well represented.
  EXPECT_GT(valid, 50000);
  EXPECT_GT(invalid, 50000);
}

// IsValidUtf8 takes the vector path for long inputs: a long valid text,
// and the same with one bad byte far inside it.
TEST(Utf8SimdTest, IsValidUtf8OnLongText) {
  std::string s;
  for (int i = 0; i < 2000; i++) s += "Привет, мир! 你好 🙂 plain ASCII words. ";
  EXPECT_TRUE(IsValidUtf8(s.data(), s.size()));
  for (size_t at : {size_t{5}, s.size() / 2, s.size() - 1}) {
    std::string bad = s;
    bad[at] = '\xFF';
    EXPECT_FALSE(IsValidUtf8(bad.data(), bad.size())) << at;
  }
  std::string cut = s + "\xE4\xBD";  // a character cut short at the end
  EXPECT_FALSE(IsValidUtf8(cut.data(), cut.size()));
}

}  // namespace
}  // namespace pretokdb

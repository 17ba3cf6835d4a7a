// Copyright (c) pretok-db authors.

#include "text/utf8.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace pretokdb {
namespace {

std::string Replace(std::string_view in, size_t* replaced = nullptr) {
  std::string out = "prefix:";
  const size_t n = AppendReplacingInvalidUtf8(in, &out);
  if (replaced != nullptr) *replaced = n;
  EXPECT_EQ(out.compare(0, 7, "prefix:"), 0);  // appends, keeps *out
  return out.substr(7);
}

const std::string kFffd(kUtf8Replacement);

std::string Fffd(int n) {
  std::string s;
  for (int i = 0; i < n; i++) s += kFffd;
  return s;
}

TEST(Utf8Test, ValidInputIsUnchanged) {
  const std::string cases[] = {
      "",
      "hello, world",
      std::string("nul\0inside", 10),
      "\x7F",
      "\xC2\x80",          // U+0080, smallest 2-byte
      "\xDF\xBF",          // U+07FF
      "\xE0\xA0\x80",      // U+0800, smallest 3-byte
      "\xED\x9F\xBF",      // U+D7FF, below the surrogates
      "\xEE\x80\x80",      // U+E000, above them
      "\xEF\xBF\xBF",      // U+FFFF
      "\xF0\x90\x80\x80",  // U+10000
      "\xF4\x8F\xBF\xBF",  // U+10FFFF
      "\xD0\xBF\xD1\x80\xD0\xB8 \xE4\xB8\xAD \xF0\x9F\x98\x80",
      "a long ASCII run that crosses several 8-byte words \xC3\xA9 and more",
  };
  for (const std::string& s : cases) {
    EXPECT_TRUE(IsValidUtf8(s.data(), s.size())) << s;
    EXPECT_EQ(CountInvalidUtf8(s), 0u) << s;
    size_t replaced = 99;
    EXPECT_EQ(Replace(s, &replaced), s);
    EXPECT_EQ(replaced, 0u);
  }
}

// Expectations from Python: bytes.decode("utf-8", errors="replace").
struct BadCase {
  std::string in;
  std::string want;
  size_t replaced;
};

TEST(Utf8Test, ReplacesMaximalSubparts) {
  const BadCase cases[] = {
      {"\x80", Fffd(1), 1},  // stray continuation
      {"\xBF", Fffd(1), 1},
      {"\xFF", Fffd(1), 1},              // never in UTF-8
      {"\xF5\x80\x80\x80", Fffd(4), 4},  // lead beyond U+10FFFF
      {"\xC0\xAF", Fffd(2), 2},          // overlong lead
      {"\xC1\xBF", Fffd(2), 2},
      {"\xE0\x80\xAF", Fffd(3), 3},      // overlong 3-byte
      {"\xF0\x80\x80\x80", Fffd(4), 4},  // overlong 4-byte
      {"\xED\xA0\x80", Fffd(3), 3},      // surrogate U+D800
      {"\xED\xBF\xBF", Fffd(3), 3},      // surrogate U+DFFF
      {"\xF4\x90\x80\x80", Fffd(4), 4},  // U+110000
      {"\xC2", Fffd(1), 1},              // truncated at the end
      {"\xE2\x82", Fffd(1), 1},
      {"\xE0\xA0", Fffd(1), 1},
      {"\xF0\x9F\x98", Fffd(1), 1},
      {"\xF0\x90\x80", Fffd(1), 1},
      {"\xF8\x88\x80\x80\x80", Fffd(5), 5},  // old 5-byte form
      {"\xC2"
       "A",
       Fffd(1) + "A", 1},  // interrupted by ASCII
      {"a\xE2\x82"
       "b",
       "a" + Fffd(1) + "b", 1},
      {"\xE1\x80"
       "A\xE1\x80\x80",
       Fffd(1) + "A\xE1\x80\x80", 1},
      {"\xF0\x9F\x98\xF0\x9F\x98\x80", Fffd(1) + "\xF0\x9F\x98\x80", 1},
      {"\xE2\x82\xE2\x82\xAC", Fffd(1) + "\xE2\x82\xAC", 1},  // then a euro
      {"\xC3\xA9\x80\xC3\xA9", "\xC3\xA9" + Fffd(1) + "\xC3\xA9", 1},
      {"12345678\xFF"
       "12345678",
       "12345678" + Fffd(1) + "12345678", 1},
  };
  for (const BadCase& c : cases) {
    size_t replaced = 0;
    EXPECT_EQ(Replace(c.in, &replaced), c.want) << c.in;
    EXPECT_EQ(replaced, c.replaced) << c.in;
    EXPECT_EQ(CountInvalidUtf8(c.in), c.replaced) << c.in;
    EXPECT_FALSE(IsValidUtf8(c.in.data(), c.in.size())) << c.in;
  }
}

TEST(Utf8Test, NulIsValid) {
  const std::string s("\0\0a\0", 4);
  EXPECT_TRUE(IsValidUtf8(s.data(), s.size()));
  EXPECT_EQ(Replace(s), s);
}

TEST(Utf8Test, ViewsNotTerminatedAreRespected) {
  // The sequence is cut by the view's end, not by the string's.
  const std::string s = "\xE2\x82\xAC";
  EXPECT_TRUE(IsValidUtf8(s.data(), 3));
  EXPECT_FALSE(IsValidUtf8(s.data(), 2));
  EXPECT_EQ(CountInvalidUtf8(std::string_view(s.data(), 2)), 1u);
  EXPECT_TRUE(IsValidUtf8(s.data(), 0));
}

// Properties on random bytes biased toward UTF-8 structure. Exact agreement
// with Python on random bytes is checked by tools/fuzz_scanner_vs_python.py.
TEST(Utf8Test, RandomBytesProperties) {
  std::mt19937 rng(42);
  const unsigned char kBytes[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F,
                                  0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xE1,
                                  0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
  for (int iter = 0; iter < 20000; iter++) {
    std::string in(rng() % 24, '\0');
    for (char& c : in) c = static_cast<char>(kBytes[rng() % sizeof(kBytes)]);
    size_t replaced = 0;
    const std::string out = Replace(in, &replaced);
    ASSERT_TRUE(IsValidUtf8(out.data(), out.size()));
    ASSERT_EQ(CountInvalidUtf8(in), replaced);
    ASSERT_EQ(IsValidUtf8(in.data(), in.size()), replaced == 0);
    if (replaced == 0) {
      ASSERT_EQ(out, in);
    }
    ASSERT_LE(out.size(), in.size() * 3);
    // Decoding is local: replacing the output again changes nothing.
    ASSERT_EQ(Replace(out), out);
  }
}

}  // namespace
}  // namespace pretokdb

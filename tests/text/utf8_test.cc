// Copyright (c) pretok-db authors.

#include "text/utf8.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>

namespace pretokdb {
namespace {

using std::string_literals::operator""s;

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

std::string Skip(std::string_view in, size_t* dropped = nullptr) {
  std::string out = "prefix:";
  const size_t n = AppendSkippingInvalidUtf8(in, &out);
  if (dropped != nullptr) *dropped = n;
  EXPECT_EQ(out.compare(0, 7, "prefix:"), 0);  // appends, keeps *out
  return out.substr(7);
}

// Expectations from Python 3.11, for b = in:
//   skipped = b.decode("utf-8", errors="ignore").encode("utf-8")
//   invalid = how many U+FFFD b.decode("utf-8", errors="replace") inserts
//   first   = UnicodeDecodeError.start of b.decode("utf-8"), or len(b)
//   partial = first, or len(b) when the error's reason is
//             "unexpected end of data" (a prefix cut by the end)
struct SkipCase {
  std::string in;
  std::string skipped;
  size_t invalid;
  size_t first;    // FindFirstInvalidUtf8(..., /*at_end=*/true)
  size_t partial;  // FindFirstInvalidUtf8(..., /*at_end=*/false)
};

const SkipCase kSkipCases[] = {
    // overlong NUL
    {"\xC0\x80"s, ""s, 2, 0, 0},
    // overlong 2-byte
    {"\xC1\xBF"s, ""s, 2, 0, 0},
    // overlong 3-byte
    {"\xE0\x80\x80"s, ""s, 3, 0, 0},
    // overlong U+07FF
    {"\xE0\x9F\xBF"s, ""s, 3, 0, 0},
    // overlong 4-byte
    {"\xF0\x80\x80\x80"s, ""s, 4, 0, 0},
    // overlong U+FFFF
    {"\xF0\x8F\xBF\xBF"s, ""s, 4, 0, 0},
    // surrogate U+D800
    {"\xED\xA0\x80"s, ""s, 3, 0, 0},
    // surrogate U+DFFF
    {"\xED\xBF\xBF"s, ""s, 3, 0, 0},
    // U+110000
    {"\xF4\x90\x80\x80"s, ""s, 4, 0, 0},
    // lead F5
    {"\xF5\x80\x80\x80"s, ""s, 4, 0, 0},
    // lead F7
    {"\xF7\xBF\xBF\xBF"s, ""s, 4, 0, 0},
    // FE FF
    {"\xFE\xFF"s, ""s, 2, 0, 0},
    // lone continuation
    {"\x80"s, ""s, 1, 0, 0},
    // two lone continuations
    {"a\x80\xBF"
     "b"s,
     "ab"s, 2, 1, 1},
    // truncated 2 at end
    {"\xC2"s, ""s, 1, 0, 1},
    // truncated 3 at end
    {"ab\xE2\x82"s, "ab"s, 1, 2, 4},
    // truncated 4 at end
    {"ab\xF0\x9F\x98"s, "ab"s, 1, 2, 5},
    // truncated 4 at end, 2 bytes
    {"\xF0\x9F"s, ""s, 1, 0, 2},
    // surrogate prefix at end
    {"\xED\xA0"s, ""s, 2, 0, 0},
    // overlong prefix at end
    {"\xE0\x9F"s, ""s, 2, 0, 0},
    // too-big prefix at end
    {"\xF4\x90"s, ""s, 2, 0, 0},
    // truncated 2 then ASCII
    {"\xC2"
     "A"s,
     "A"s, 1, 0, 0},
    // truncated 3 in the middle
    {"a\xE2\x82"
     "b"s,
     "ab"s, 1, 1, 1},
    // truncated 4 in the middle
    {"\xF0\x9F\x98 x"s, " x"s, 1, 0, 0},
    // truncated 3 then a valid 3
    {"\xE1\x80\xE1\x80\x80"s, "\xE1\x80\x80"s, 1, 0, 0},
    // truncated 4 then a valid 4
    {"\xF1\x80\x80\xF1\x80\x80\x80"s, "\xF1\x80\x80\x80"s, 1, 0, 0},
    // NUL around a bad byte
    {"\x00\xFF\x00"s, "\x00\x00"s, 1, 1, 1},
    // a real U+FFFD, then a bad byte
    {"\xEF\xBF\xBD\xFF"s, "\xEF\xBF\xBD"s, 1, 3, 3},
    // mixed
    {"ok \xC3\xA9\x80\xC3"s, "ok \xC3\xA9"s, 2, 5, 5},
    // long mixed
    {"0123456789abcdef\xE2\x82\xAC"
     "0123456789\xC3(0123456789abcdef\xF0\x9F\x98\x80\xF0"s,
     "0123456789abcdef\xE2\x82\xAC"
     "0123456789(0123456789abcdef\xF0\x9F\x98\x80"s,
     2, 29, 29},
};

TEST(Utf8Test, SkipDropsMaximalSubparts) {
  for (const SkipCase& c : kSkipCases) {
    size_t dropped = 99;
    EXPECT_EQ(Skip(c.in, &dropped), c.skipped) << c.in;
    EXPECT_EQ(dropped, c.invalid) << c.in;
    EXPECT_EQ(CountInvalidUtf8(c.in), c.invalid) << c.in;
  }
}

TEST(Utf8Test, SkipKeepsValidInput) {
  const std::string cases[] = {
      "",
      "hello, world",
      std::string("nul\0inside", 10),
      "\xEF\xBF\xBD",  // a real U+FFFD is text, not an error
      "\xF4\x8F\xBF\xBF\xE0\xA0\x80\xC2\x80",
  };
  for (const std::string& s : cases) {
    size_t dropped = 99;
    EXPECT_EQ(Skip(s, &dropped), s);
    EXPECT_EQ(dropped, 0u);
  }
}

TEST(Utf8Test, SkipCanJoinWordsAndSpecialTokens) {
  // Why callers must split and pretokenize the cleaned text.
  EXPECT_EQ(Skip("ab\xFF"
                 "cd"),
            "abcd");
  EXPECT_EQ(Skip("<|endo\xE2\x82"
                 "ftext|>"),
            "<|endoftext|>");
}

TEST(Utf8Test, FindFirstInvalidMatchesPython) {
  for (const SkipCase& c : kSkipCases) {
    EXPECT_EQ(FindFirstInvalidUtf8(c.in.data(), c.in.size(), true), c.first)
        << c.in;
    EXPECT_EQ(FindFirstInvalidUtf8(c.in.data(), c.in.size(), false), c.partial)
        << c.in;
  }
}

TEST(Utf8Test, FindFirstInvalidOnValidInput) {
  const std::string cases[] = {
      "",
      std::string("\0", 1),
      "plain ASCII longer than one 8-byte word, and then some more",
      "\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xF0\x90\x80\x80"
      "\xF4\x8F\xBF\xBF",
  };
  for (const std::string& s : cases) {
    EXPECT_EQ(FindFirstInvalidUtf8(s.data(), s.size(), true), s.size());
    EXPECT_EQ(FindFirstInvalidUtf8(s.data(), s.size(), false), s.size());
  }
}

TEST(Utf8Test, FindFirstInvalidPartialTail) {
  const std::string euro = "\xE2\x82\xAC";
  const std::string emoji = "\xF0\x9F\x98\x80";
  for (size_t k = 1; k < euro.size(); k++) {
    EXPECT_EQ(FindFirstInvalidUtf8(euro.data(), k, false), k);
    EXPECT_EQ(FindFirstInvalidUtf8(euro.data(), k, true), 0u);
  }
  for (size_t k = 1; k < emoji.size(); k++) {
    EXPECT_EQ(FindFirstInvalidUtf8(emoji.data(), k, false), k);
    EXPECT_EQ(FindFirstInvalidUtf8(emoji.data(), k, true), 0u);
  }
  // An error before a partial tail is still reported.
  const std::string s = "a\x80z\xE2\x82";
  EXPECT_EQ(FindFirstInvalidUtf8(s.data(), s.size(), false), 1u);
  // Lone continuation bytes and bad leads are never a prefix.
  EXPECT_EQ(FindFirstInvalidUtf8("ab\x80", 3, false), 2u);
  EXPECT_EQ(FindFirstInvalidUtf8("ab\xC0", 3, false), 2u);
  EXPECT_EQ(FindFirstInvalidUtf8("ab\xF5", 3, false), 2u);
  // Cut-off prefixes that no byte can complete.
  EXPECT_EQ(FindFirstInvalidUtf8("ab\xE0\x9F", 4, false), 2u);
  EXPECT_EQ(FindFirstInvalidUtf8("ab\xED\xA0", 4, false), 2u);
  EXPECT_EQ(FindFirstInvalidUtf8("ab\xF0\x8F", 4, false), 2u);
  EXPECT_EQ(FindFirstInvalidUtf8("ab\xF4\x90", 4, false), 2u);
  EXPECT_EQ(FindFirstInvalidUtf8("ab\xE2\x82"
                                 "a",
                                 5, false),
            2u);
}

// The ASCII fast path hands over at every offset within and across words.
TEST(Utf8Test, FindFirstInvalidAtEveryOffset) {
  for (size_t len = 1; len <= 40; len++) {
    for (size_t at = 0; at < len; at++) {
      std::string s(len, 'x');
      s[at] = '\xFF';
      EXPECT_EQ(FindFirstInvalidUtf8(s.data(), s.size(), true), at);
      EXPECT_EQ(FindFirstInvalidUtf8(s.data(), s.size(), false), at);
      s[at] = '\xE2';  // truncated only when it is the last byte
      EXPECT_EQ(FindFirstInvalidUtf8(s.data(), s.size(), true), at);
      EXPECT_EQ(FindFirstInvalidUtf8(s.data(), s.size(), false),
                at + 1 == len ? len : at);
      if (at + 3 <= len) {
        s.replace(at, 3, "\xE2\x82\xAC");
        EXPECT_EQ(FindFirstInvalidUtf8(s.data(), s.size(), true), len);
      }
    }
  }
}

// Independent oracles for the random tests, built on the replace function
// (which matches Python).
size_t LongestValidPrefix(std::string_view s) {
  size_t best = 0;
  for (size_t i = 0; i <= s.size(); i++) {
    if (CountInvalidUtf8(s.substr(0, i)) == 0) best = i;
  }
  return best;
}

// True iff `q` (1 to 3 bytes) is a proper prefix of one well-formed
// character. Second bytes out of range lie in 80..8F, 90..9F or A0..BF, so
// 80, 90 and A0 reach every completion there is.
bool IsProperPrefix(std::string_view q) {
  if (q.empty() || q.size() > 3) return false;
  const char kCont[] = {'\x80', '\x90', '\xA0'};
  for (size_t extra = 1; extra + q.size() <= 4; extra++) {
    size_t combos = 1;
    for (size_t i = 0; i < extra; i++) combos *= 3;
    for (size_t c = 0; c < combos; c++) {
      std::string t(q);
      for (size_t i = 0, x = c; i < extra; i++, x /= 3) t += kCont[x % 3];
      // Continuation bytes cannot start a character: valid = one character.
      if (IsValidUtf8(t.data(), t.size())) return true;
    }
  }
  return false;
}

std::string RemoveAll(std::string s, std::string_view what) {
  for (size_t at; (at = s.find(what)) != std::string::npos;) {
    s.erase(at, what.size());
  }
  return s;
}

size_t CountOf(std::string_view s, std::string_view what) {
  size_t n = 0;
  for (size_t at = 0; (at = s.find(what, at)) != std::string_view::npos;
       at += what.size()) {
    n++;
  }
  return n;
}

const unsigned char kRandomBytes[] = {
    0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1,
    0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xFF};

std::string RandomBytes(std::mt19937* rng, size_t max_len) {
  std::string in((*rng)() % (max_len + 1), '\0');
  for (char& c : in) {
    c = static_cast<char>(kRandomBytes[(*rng)() % sizeof(kRandomBytes)]);
  }
  return in;
}

TEST(Utf8Test, RandomSkipIsReplaceWithoutReplacements) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 30000; iter++) {
    // No BD in the alphabet, so every U+FFFD of replace is one it inserted.
    const std::string in = RandomBytes(&rng, 24);
    ASSERT_EQ(in.find(kUtf8Replacement), std::string::npos);
    size_t replaced = 0, dropped = 0;
    const std::string replaced_out = Replace(in, &replaced);
    const std::string skipped = Skip(in, &dropped);
    ASSERT_EQ(dropped, replaced) << in;
    ASSERT_EQ(skipped, RemoveAll(replaced_out, kUtf8Replacement)) << in;
    ASSERT_TRUE(IsValidUtf8(skipped.data(), skipped.size()));
    ASSERT_EQ(Skip(skipped), skipped);  // nothing left to drop
    ASSERT_EQ(skipped.size() <= in.size(), true);
    ASSERT_EQ(skipped == in, dropped == 0);
  }
}

TEST(Utf8Test, RandomSkipKeepsRealReplacementCharacters) {
  std::mt19937 rng(8);
  for (int iter = 0; iter < 10000; iter++) {
    // Pieces of random bytes with real U+FFFD between them.
    std::string in;
    const int pieces = 1 + rng() % 4;
    for (int i = 0; i < pieces; i++) {
      in += RandomBytes(&rng, 8);
      if (rng() % 2) in += kFffd;
    }
    size_t replaced = 0, dropped = 0;
    const std::string replaced_out = Replace(in, &replaced);
    const std::string skipped = Skip(in, &dropped);
    ASSERT_EQ(dropped, replaced) << in;
    ASSERT_EQ(CountOf(replaced_out, kFffd) - CountOf(skipped, kFffd), replaced)
        << in;
    ASSERT_EQ(RemoveAll(skipped, kFffd), RemoveAll(replaced_out, kFffd)) << in;
  }
}

TEST(Utf8Test, RandomFindFirstInvalid) {
  std::mt19937 rng(9);
  for (int iter = 0; iter < 20000; iter++) {
    const std::string in = RandomBytes(&rng, 16);
    const size_t n = in.size();
    const size_t first = FindFirstInvalidUtf8(in.data(), n, true);
    ASSERT_EQ(first, LongestValidPrefix(in)) << in;
    ASSERT_EQ(first == n, IsValidUtf8(in.data(), n)) << in;
    ASSERT_EQ(first == n, CountInvalidUtf8(in) == 0) << in;
    if (first < n) {
      // Everything before `first` survives both policies unchanged.
      ASSERT_EQ(Replace(in).compare(0, first, in, 0, first), 0) << in;
      ASSERT_EQ(Skip(in).compare(0, first, in, 0, first), 0) << in;
    }
    // Every prefix, as a chunk that more bytes will follow.
    for (size_t k = 0; k <= n; k++) {
      const std::string_view prefix(in.data(), k);
      const size_t at = LongestValidPrefix(prefix);
      const size_t want = at < k && IsProperPrefix(prefix.substr(at)) ? k : at;
      ASSERT_EQ(FindFirstInvalidUtf8(in.data(), k, false), want)
          << in << " k=" << k;
    }
  }
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

// Copyright (c) pretok-db authors.

#include "text/safe_cut.h"

#include <cctype>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "text/char_class.h"
#include "text/gpt2_scanner.h"
#include "text/utf8.h"

namespace pretokdb {
namespace {

using Tokens = std::vector<std::string>;

// Pretokens of raw bytes, decoded as the reference program does.
Tokens TokensOf(std::string_view raw) {
  std::string text;
  AppendReplacingInvalidUtf8(raw, &text);
  Tokens tokens;
  ScanGpt2(text.data(), text.data() + text.size(),
           [&](std::string_view t) { tokens.emplace_back(t); });
  return tokens;
}

// Offset of the first cut, or -1.
ptrdiff_t First(std::string_view s) {
  const char* q = FindFirstSafeCut(s.data(), s.data() + s.size());
  return q == nullptr ? -1 : q - s.data();
}
ptrdiff_t Last(std::string_view s) {
  const char* q = FindLastSafeCut(s.data(), s.data() + s.size());
  return q == nullptr ? -1 : q - s.data();
}

// Class of an ASCII byte for rule (b): 0 other, 1 letter, 2 number, 3 space.
int AsciiClassReference(unsigned char b) {
  if (b == ' ' || (b >= 0x09 && b <= 0x0D)) return 3;
  if (std::isalpha(b)) return 1;
  if (std::isdigit(b)) return 2;
  return 0;
}

// The definition, spelled out slowly: (a) byte q is ASCII whitespace and
// the last character of the decoded s[:q] is not \s; and, since bytes
// before the range are unknown, s[:q] is not one or two continuation bytes
// only (the tail of a multi-byte space that starts before the range); or
// (b) bytes q-1 and q are ASCII non-spaces of different classes and q-1 is
// not an apostrophe.
// Rule (c): well-formed non-space characters of different classes on both
// sides of q, the first not an apostrophe.
bool IsClassChangeReference(std::string_view s, size_t q) {
  auto decode = [](std::string_view c) {
    std::u32string out;
    std::string text(c);
    char32_t cp = static_cast<unsigned char>(text[0]);
    const int n = static_cast<int>(text.size());
    if (n > 1) {
      cp = static_cast<unsigned char>(text[0]) & (0x7F >> n);
      for (int i = 1; i < n; ++i) cp = (cp << 6) | (text[i] & 0x3F);
    }
    return cp;
  };
  // One well-formed character of n bytes: valid, and its lead says n.
  auto one_char = [&](size_t at, int n) {
    if (at + n > s.size() || !IsValidUtf8(s.data() + at, n)) return false;
    const unsigned char lead = s[at];
    const int len = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    return len == n;
  };
  int na = 0, nb = 0;
  for (int n = 1; n <= 4; ++n) {
    if (q >= static_cast<size_t>(n) && one_char(q - n, n)) na = n;
    if (one_char(q, n)) nb = n;
  }
  if (na == 0 || nb == 0) return false;
  const char32_t a = decode(s.substr(q - na, na));
  const char32_t b = decode(s.substr(q, nb));
  if (a == '\'') return false;
  const CharClass x = ClassOf(a), y = ClassOf(b);
  return x != y && x != CharClass::kSpace && y != CharClass::kSpace;
}

bool IsSafeCutReference(std::string_view s, size_t q) {
  if (q == 0 || q >= s.size()) return false;
  const unsigned char b = s[q];
  const unsigned char a = s[q - 1];
  if (!(b == ' ' || (b >= 0x09 && b <= 0x0D)) &&
      IsClassChangeReference(s, q)) {
    return true;
  }
  if (a < 0x80 && b < 0x80 && a != '\'' && AsciiClassReference(a) != 3 &&
      AsciiClassReference(b) != 3 &&
      AsciiClassReference(a) != AsciiClassReference(b)) {
    return true;
  }
  if (!(b == ' ' || (b >= 0x09 && b <= 0x0D))) return false;
  bool all_continuation = true;
  for (size_t i = 0; i < q; i++) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      all_continuation = false;
    }
  }
  if (all_continuation && q <= 2) return false;
  std::string text;
  AppendReplacingInvalidUtf8(s.substr(0, q), &text);
  // Decode the last character of the (valid) text.
  size_t start = text.size() - 1;
  while ((static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) start--;
  const auto* u = reinterpret_cast<const unsigned char*>(text.data() + start);
  const size_t n = text.size() - start;
  char32_t cp =
      n == 1   ? u[0]
      : n == 2 ? ((u[0] & 0x1F) << 6) | (u[1] & 0x3F)
      : n == 3 ? ((u[0] & 0x0F) << 12) | ((u[1] & 0x3F) << 6) | (u[2] & 0x3F)
               : ((u[0] & 0x07) << 18) | ((u[1] & 0x3F) << 12) |
                     ((u[2] & 0x3F) << 6) | (u[3] & 0x3F);
  return ClassOf(cp) != CharClass::kSpace;
}

TEST(SafeCutTest, Examples) {
  EXPECT_EQ(First("ab cd"), 2);
  EXPECT_EQ(Last("ab cd ef"), 5);
  EXPECT_EQ(First("a  b"), 1);  // not 2: a space precedes it
  EXPECT_EQ(Last("a  b"), 1);
  EXPECT_EQ(First("x\n\ny"), 1);
  EXPECT_EQ(First("!\tz"), 1);
  EXPECT_EQ(First("  a"), -1);
  EXPECT_EQ(First("abc"), -1);
  EXPECT_EQ(First(""), -1);
  EXPECT_EQ(First(" "), -1);
  EXPECT_EQ(First("a"), -1);
  EXPECT_EQ(First("a "), 1);
  EXPECT_EQ(Last("a "), 1);
  EXPECT_EQ(First(" a"), -1);    // q must be > begin
  EXPECT_EQ(First("\x1C "), 1);  // U+001C is not \s
  EXPECT_EQ(First(std::string_view("\0 ", 2)), 1);
}

TEST(SafeCutTest, NonAsciiCharacterBefore) {
  EXPECT_EQ(First("\u00E9 b"), 2);      // é
  EXPECT_EQ(First("\u4E2D b"), 3);      // 中
  EXPECT_EQ(First("\U0001F600 b"), 4);  // emoji
  EXPECT_EQ(First("\u200B b"), 3);      // zero-width space is not \s
  EXPECT_EQ(First("\u2020 b"), 3);      // dagger: E2 80 A0
  EXPECT_EQ(First("\u00E0 b"), 2);      // à: C3 A0
}

TEST(SafeCutTest, NoCutAfterAMultiByteSpace) {
  for (std::string_view w :
       {"\xC2\x85", "\u00A0", "\u1680", "\u2000", "\u2005", "\u200A", "\u2028",
        "\u2029", "\u202F", "\u205F", "\u3000"}) {
    const std::string s = "a" + std::string(w) + " b";
    EXPECT_EQ(First(s), -1) << s;
    EXPECT_EQ(Last(s), -1) << s;
    const std::string t = "a" + std::string(w) + "x b";
    EXPECT_EQ(First(t), static_cast<ptrdiff_t>(w.size()) + 2) << t;
  }
}

TEST(SafeCutTest, IllFormedBytesBeforeAreNotSpaces) {
  EXPECT_EQ(First("a\xC2 b"), 2);          // lone lead: U+FFFD
  EXPECT_EQ(First("a\xE2\x80 b"), 3);      // truncated U+2000
  EXPECT_EQ(First("a\x80 b"), 2);          // stray continuation after 'a'
  EXPECT_EQ(First("a\xF0\x80\x80 b"), 4);  // lead not E1..E3
}

TEST(SafeCutTest, CharacterCutOffByBeginIsNotTrusted) {
  // "\xA0" may be the end of U+00A0 whose C2 lies before the range.
  EXPECT_EQ(First("\xA0 b"), -1);
  EXPECT_EQ(First("\x80\x80 b"), -1);     // maybe U+2000 (E2 80 80)
  EXPECT_EQ(First("\x80\x80\x80 b"), 3);  // three: no space is that long
  EXPECT_EQ(First("\xA0 b c"), 3);
}

std::string RandomBytes(std::mt19937* rng, size_t max_pieces) {
  static const std::string_view kPieces[] = {
      " ", " ", " ", "\n", "\t", "\r", "\v", "\f", "\xC2\x85", "\u00A0",
      "\u1680", "\u2000", "\u2009", "\u200A", "\u2028", "\u2029", "\u202F",
      "\u205F", "\u3000", "a", "b", "Z", "s", "t", "l", "v", "e", "r", "d", "m",
      "'", "'", "7", "0", "!", ".", "?", "\x1C", "\u00E9", "\u0416", "\u4E2D",
      "\u0928", "\u094D", "\u0301", "\u00B2", "\u2167", "\U0001F600", "\uFFFD",
      "\u200B", "\u2020", "\u00E0",
      // ill-formed: stray continuations, lone leads, truncated spaces
      "\x80", "\xA0", "\x85", "\xC2", "\xE2\x80", "\xE3\x80", "\xFF",
      "\xED\xA0\x80", std::string_view("\0", 1)};
  std::string s;
  const size_t n = (*rng)() % (max_pieces + 1);
  for (size_t i = 0; i < n; i++) {
    s += kPieces[(*rng)() % std::size(kPieces)];
  }
  return s;
}

TEST(SafeCutTest, FindMatchesDefinition) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 20000; iter++) {
    const std::string s = RandomBytes(&rng, 12);
    ptrdiff_t first = -1, last = -1;
    for (size_t q = 0; q < s.size(); q++) {
      if (IsSafeCutReference(s, q)) {
        if (first < 0) first = q;
        last = q;
      }
    }
    ASSERT_EQ(First(s), first) << testing::PrintToString(s);
    ASSERT_EQ(Last(s), last) << testing::PrintToString(s);
  }
}

// The property the chunk planner relies on.
TEST(SafeCutTest, CuttingNeverChangesTokens) {
  std::mt19937 rng(11);
  size_t cuts_checked = 0;
  for (int iter = 0; iter < 100000; iter++) {
    const std::string s = RandomBytes(&rng, 16);
    const Tokens whole = TokensOf(s);
    const char* const end = s.data() + s.size();
    // Every safe cut, found by walking FindFirstSafeCut.
    for (const char* q = FindFirstSafeCut(s.data(), end); q != nullptr;
         q = FindFirstSafeCut(q, end)) {
      const size_t at = q - s.data();
      Tokens parts = TokensOf(std::string_view(s).substr(0, at));
      const Tokens right = TokensOf(std::string_view(s).substr(at));
      parts.insert(parts.end(), right.begin(), right.end());
      ASSERT_EQ(parts, whole) << testing::PrintToString(s) << " cut at " << at;
      cuts_checked++;
    }
  }
  EXPECT_GT(cuts_checked, 50000u);
}

// And why not anywhere else: a cut inside a space run, or inside a word,
// changes tokens.
TEST(SafeCutTest, OtherCutsWouldBeWrong) {
  auto split = [](std::string_view s, size_t at) {
    Tokens left = TokensOf(s.substr(0, at));
    const Tokens right = TokensOf(s.substr(at));
    left.insert(left.end(), right.begin(), right.end());
    return left;
  };
  EXPECT_EQ(TokensOf("a   b"), (Tokens{"a", "  ", " b"}));
  EXPECT_EQ(split("a   b", 2), (Tokens{"a", " ", " ", " b"}));
  EXPECT_NE(split("a \n b", 2), TokensOf("a \n b"));
  EXPECT_NE(split("ab", 1), TokensOf("ab"));
  EXPECT_NE(split("a b", 1 + 1), TokensOf("a b"));  // after the space
}

}  // namespace
}  // namespace pretokdb

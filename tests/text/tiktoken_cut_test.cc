// Copyright (c) pretok-db authors.
//
// Safe cuts per CutRule (text/safe_cut.h): the kTiktoken rule against its
// definition, and for every built-in pattern, cutting at any safe cut of
// its rule never changes the pretokens (checked with the RE2 path, which
// pattern_golden_test.cc checks against Python).

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "text/char_class.h"
#include "text/pattern.h"
#include "text/safe_cut.h"
#include "text/utf8.h"

namespace pretokdb {
namespace {

using Tokens = std::vector<std::string>;

ptrdiff_t First(std::string_view s, CutRule rule) {
  const char* q = FindFirstSafeCut(s.data(), s.data() + s.size(), rule);
  return q == nullptr ? -1 : q - s.data();
}
ptrdiff_t Last(std::string_view s, CutRule rule) {
  const char* q = FindLastSafeCut(s.data(), s.data() + s.size(), rule);
  return q == nullptr ? -1 : q - s.data();
}

std::unique_ptr<Pretokenizer> MustCreate(std::string_view name) {
  PatternSpec spec;
  EXPECT_TRUE(ResolvePattern(name, &spec).ok()) << name;
  std::unique_ptr<Pretokenizer> tok;
  EXPECT_TRUE(Pretokenizer::Create(spec, &tok).ok()) << name;
  return tok;
}

// Pretokens of raw bytes, decoded as the reference program does.
Tokens TokensOf(const Pretokenizer& tok, std::string_view raw) {
  std::string text;
  AppendReplacingInvalidUtf8(raw, &text);
  Tokens tokens;
  tok.Scan(text.data(), text.data() + text.size(),
           [&](std::string_view t) { tokens.emplace_back(t); });
  return tokens;
}

Tokens Split(const Pretokenizer& tok, std::string_view s, size_t at) {
  Tokens left = TokensOf(tok, s.substr(0, at));
  const Tokens right = TokensOf(tok, s.substr(at));
  left.insert(left.end(), right.begin(), right.end());
  return left;
}

bool IsAlpha(unsigned char b) { return (b | 0x20) >= 'a' && (b | 0x20) <= 'z'; }
bool IsDigit(unsigned char b) { return b >= '0' && b <= '9'; }
bool IsSpaceByte(unsigned char b) {
  return b == ' ' || (b >= 0x09 && b <= 0x0D);
}

// True if the decoded s[:q] ends with \s; s[:q] made of one or two
// continuation bytes only may be the tail of a space cut off by the range.
bool SpaceBefore(std::string_view s, size_t q) {
  bool all_continuation = true;
  for (size_t i = 0; i < q; i++) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      all_continuation = false;
    }
  }
  if (all_continuation && q <= 2) return true;
  std::string text;
  AppendReplacingInvalidUtf8(s.substr(0, q), &text);
  size_t start = text.size() - 1;
  while ((static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) start--;
  const auto* u = reinterpret_cast<const unsigned char*>(text.data() + start);
  const size_t n = text.size() - start;
  const char32_t cp =
      n == 1   ? u[0]
      : n == 2 ? ((u[0] & 0x1F) << 6) | (u[1] & 0x3F)
      : n == 3 ? ((u[0] & 0x0F) << 12) | ((u[1] & 0x3F) << 6) | (u[2] & 0x3F)
               : ((u[0] & 0x07) << 18) | ((u[1] & 0x3F) << 12) |
                     ((u[2] & 0x3F) << 6) | (u[3] & 0x3F);
  return ClassOf(cp) == CharClass::kSpace;
}

// The kTiktoken rule as the header states it, spelled out slowly.
bool IsTiktokenCutReference(std::string_view s, size_t q) {
  if (q == 0 || q >= s.size()) return false;
  const unsigned char a = s[q - 1];
  const unsigned char b = s[q];
  if (b == ' ' || b == '\t' || b == '\v' || b == '\f') {
    return !SpaceBefore(s, q);  // (a')
  }
  if (b == '\r' || b == '\n') return IsAlpha(a) || IsDigit(a);  // (a')
  if (a >= 0x80 || b >= 0x80 || IsSpaceByte(a) || IsSpaceByte(b)) {
    return false;
  }
  const bool a_letter = IsAlpha(a), b_letter = IsAlpha(b);
  const bool a_digit = IsDigit(a), b_digit = IsDigit(b);
  const bool a_other = !a_letter && !a_digit;
  const bool b_other = !b_letter && !b_digit;
  return (a_letter && b_digit) || (a_digit && b_letter) ||
         (a_digit && b_other) || (a_other && b_digit) ||
         (a_letter && b_other && b != '\'');  // (b')
}

// Characters chosen to hit every item of the three patterns: contraction
// letters in both cases and their case-folding relatives (long s, Kelvin
// sign), every class boundary, \r \n '/', Unicode spaces, upper, lower,
// title and modifier letters, marks, non-ASCII digits, emoji, and
// ill-formed bytes (decoded to U+FFFD before scanning, as the reference
// does).
std::string RandomBytes(std::mt19937* rng, size_t max_pieces) {
  static const std::string_view kPieces[] = {
      " ", " ", " ", " ", "\n", "\n", "\r", "\r\n", "\t", "\v", "\f",
      "\xC2\x85", "\u00A0", "\u2009", "\u3000", "\u2028", "a", "b", "Z", "s",
      "S", "t", "T", "l", "L", "v", "V", "e", "E", "r", "R", "d", "D", "m", "M",
      "x", "'", "'", "'", "7", "0", "1", "!", ".", "/", "/", "(", "?", "-",
      "\x1C", std::string_view("\0", 1), "\u017F", "\u212A", "\u0130", "\u0131",
      "\u00E9", "\u00C9", "\u01C5", "\u02B0", "\u0416", "\u0436", "\u4E2D",
      "\u0928", "\u094D", "\u0301", "\u0903", "\u20DD", "\u00B2", "\u0663",
      "\u2167", "\U0001F600", "\u200D", "\uFFFD", "\u2019",
      // ill-formed: stray continuations, lone leads, truncated spaces
      "\x80", "\xA0", "\xC2", "\xE2\x80", "\xFF"};
  std::string s;
  const size_t n = (*rng)() % (max_pieces + 1);
  for (size_t i = 0; i < n; i++) {
    s += kPieces[(*rng)() % std::size(kPieces)];
  }
  return s;
}

TEST(TiktokenCutTest, Examples) {
  const CutRule k = CutRule::kTiktoken;
  EXPECT_EQ(First("ab cd", k), 2);
  EXPECT_EQ(First("a  b", k), 1);
  EXPECT_EQ(First("ab\ncd", k), 2);      // \n after a letter
  EXPECT_EQ(First("42\r\n", k), 2);      // \r after a digit
  EXPECT_EQ(First("!\nx", k), -1);       // punctuation absorbs \n
  EXPECT_EQ(First("\u00E9\nx", k), -1);  // non-ASCII before \n: not trusted
  EXPECT_EQ(First("ab12", k), 2);
  EXPECT_EQ(First("12ab", k), 2);
  EXPECT_EQ(First("12.", k), 2);
  EXPECT_EQ(First(".12", k), 1);
  EXPECT_EQ(First("'1", k), 1);
  EXPECT_EQ(First("ab.", k), 2);
  EXPECT_EQ(First("(ab", k), -1);        // other -> letter: "(ab" is one token
  EXPECT_EQ(First("DON'T", k), -1);      // o200k: "DON'T" is one token
  EXPECT_EQ(First("a\u00A0 b", k), -1);  // a space before the space
  EXPECT_EQ(First("a\u00A0x b", k), 4);
  EXPECT_EQ(Last("ab cd ef", k), 5);
  EXPECT_EQ(First("", k), -1);
  EXPECT_EQ(First("a", k), -1);
  // The GPT-2 rule is still the default.
  const std::string_view kGpt2Cuts = "!\nx(ab";
  EXPECT_EQ(FindFirstSafeCut(kGpt2Cuts.data(), kGpt2Cuts.end()),
            kGpt2Cuts.data() + 1);
  EXPECT_EQ(FindLastSafeCut(kGpt2Cuts.data(), kGpt2Cuts.end()),
            kGpt2Cuts.data() + 4);
}

TEST(TiktokenCutTest, NoneNeverCuts) {
  std::mt19937 rng(3);
  for (int iter = 0; iter < 2000; iter++) {
    const std::string s = RandomBytes(&rng, 16);
    ASSERT_EQ(First(s, CutRule::kNone), -1);
    ASSERT_EQ(Last(s, CutRule::kNone), -1);
  }
}

TEST(TiktokenCutTest, FindMatchesDefinition) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 20000; iter++) {
    const std::string s = RandomBytes(&rng, 12);
    ptrdiff_t first = -1, last = -1;
    for (size_t q = 0; q < s.size(); q++) {
      if (IsTiktokenCutReference(s, q)) {
        if (first < 0) first = q;
        last = q;
      }
    }
    ASSERT_EQ(First(s, CutRule::kTiktoken), first) << testing::PrintToString(s);
    ASSERT_EQ(Last(s, CutRule::kTiktoken), last) << testing::PrintToString(s);
  }
}

class CutInvarianceTest : public testing::TestWithParam<const char*> {};

// The property the chunk planner relies on, for each built-in pattern with
// its own rule: tokens(s) == tokens(s[:q]) ++ tokens(s[q:]) at every safe
// cut q.
TEST_P(CutInvarianceTest, CuttingNeverChangesTokens) {
  const auto tok = MustCreate(GetParam());
  ASSERT_NE(tok, nullptr);
  const CutRule rule = tok->spec().cut_rule;
  std::mt19937 rng(11);
  size_t cuts_checked = 0;
  for (int iter = 0; iter < 100000; iter++) {
    const std::string s = RandomBytes(&rng, 20);
    const Tokens whole = TokensOf(*tok, s);
    const char* const end = s.data() + s.size();
    for (const char* q = FindFirstSafeCut(s.data(), end, rule); q != nullptr;
         q = FindFirstSafeCut(q, end, rule)) {
      const size_t at = q - s.data();
      ASSERT_EQ(Split(*tok, s, at), whole)
          << testing::PrintToString(s) << " cut at " << at;
      cuts_checked++;
    }
  }
  EXPECT_GT(cuts_checked, 100000u);
}

INSTANTIATE_TEST_SUITE_P(BuiltIn, CutInvarianceTest,
                         testing::Values("gpt2", "cl100k", "o200k"),
                         [](const testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param);
                         });

// Why the kTiktoken rule leaves out what GPT-2's allows: each left-out cut
// changes tokens for cl100k or o200k.
TEST(TiktokenCutTest, LeftOutCutsWouldBeWrong) {
  const auto cl100k = MustCreate("cl100k");
  const auto o200k = MustCreate("o200k");
  ASSERT_NE(cl100k, nullptr);
  ASSERT_NE(o200k, nullptr);
  // Punctuation absorbs following \r and \n: "!\n" is one token.
  EXPECT_NE(Split(*cl100k, "x!\ny", 2), TokensOf(*cl100k, "x!\ny"));
  EXPECT_NE(Split(*o200k, "x!\ny", 2), TokensOf(*o200k, "x!\ny"));
  // A non-letter prefixes a word: "(ab" is one token.
  EXPECT_NE(Split(*cl100k, "(ab", 1), TokensOf(*cl100k, "(ab"));
  EXPECT_NE(Split(*o200k, "(ab", 1), TokensOf(*o200k, "(ab"));
  // o200k appends contractions to words, in any case.
  EXPECT_EQ(TokensOf(*o200k, "DON'T"), Tokens{"DON'T"});
  EXPECT_NE(Split(*o200k, "DON'T", 3), TokensOf(*o200k, "DON'T"));
  // o200k: "/" after punctuation and newlines.
  EXPECT_EQ(TokensOf(*o200k, "x?\n/"), (Tokens{"x", "?\n/"}));
  // cl100k: a whitespace run at the end is one token (\s++$).
  EXPECT_EQ(TokensOf(*cl100k, "a \n "), (Tokens{"a", " \n "}));
  EXPECT_NE(Split(*cl100k, "a \n ", 3), TokensOf(*cl100k, "a \n "));
}

}  // namespace
}  // namespace pretokdb

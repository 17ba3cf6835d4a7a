// Copyright (c) pretok-db authors.
//
// Safe cuts per CutRule (text/safe_cut.h): the kTiktoken rule against its
// definition, and for every built-in pattern, cutting at any safe cut of
// its rule never changes the pretokens, by the pattern's scanner and by its
// RE2 path (which pattern_golden_test.cc checks against Python).

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "text/char_class.h"
#include "text/general_category.h"
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

// Pretokens of raw bytes, decoded as the reference program does, by the
// pattern's scanner or (re2) by its RE2 path.
Tokens TokensOf(const Pretokenizer& tok, std::string_view raw,
                bool re2 = false) {
  std::string text;
  AppendReplacingInvalidUtf8(raw, &text);
  Tokens tokens;
  auto sink = [&](std::string_view t) { tokens.emplace_back(t); };
  if (re2) {
    tok.re2()->Scan(text.data(), text.data() + text.size(), sink);
  } else {
    tok.Scan(text.data(), text.data() + text.size(), sink);
  }
  return tokens;
}

Tokens Split(const Pretokenizer& tok, std::string_view s, size_t at,
             bool re2 = false) {
  Tokens left = TokensOf(tok, s.substr(0, at), re2);
  const Tokens right = TokensOf(tok, s.substr(at), re2);
  left.insert(left.end(), right.begin(), right.end());
  return left;
}

// The code point of the UTF-8 sequence `c` (well-formed, one character).
char32_t DecodeOne(std::string_view c) {
  const auto* u = reinterpret_cast<const unsigned char*>(c.data());
  const size_t n = c.size();
  return n == 1   ? u[0]
         : n == 2 ? ((u[0] & 0x1F) << 6) | (u[1] & 0x3F)
         : n == 3 ? ((u[0] & 0x0F) << 12) | ((u[1] & 0x3F) << 6) | (u[2] & 0x3F)
                  : ((u[0] & 0x07) << 18) | ((u[1] & 0x3F) << 12) |
                        ((u[2] & 0x3F) << 6) | (u[3] & 0x3F);
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
  return ClassOf(DecodeOne(std::string_view(text).substr(start))) ==
         CharClass::kSpace;
}

// The well-formed character of s that starts at q (false if there is none:
// ill-formed or cut off by the end of s), decoded.
bool CharAtReference(std::string_view s, size_t q, char32_t* cp) {
  for (size_t n = 1; n <= 4 && q + n <= s.size(); n++) {
    if (IsValidUtf8(s.data() + q, n)) {
      *cp = DecodeOne(s.substr(q, n));
      return true;
    }
  }
  return false;
}

// The well-formed character of s that ends just before q, decoded.
bool CharBeforeReference(std::string_view s, size_t q, char32_t* cp) {
  for (size_t n = 1; n <= 4 && n <= q; n++) {
    if (IsValidUtf8(s.data() + q - n, n)) {
      *cp = DecodeOne(s.substr(q - n, n));
      return true;
    }
  }
  return false;
}

enum class Kind { kSpace, kLineBreak, kLetter, kMark, kNumber, kOther };

// The class the kTiktoken rule gives a code point, from the general
// category table and the \p{L}/\p{N}/\s table.
Kind KindOf(char32_t cp) {
  if (cp == '\r' || cp == '\n') return Kind::kLineBreak;
  switch (ClassOf(cp)) {
    case CharClass::kSpace:
      return Kind::kSpace;
    case CharClass::kLetter:
      return Kind::kLetter;
    case CharClass::kNumber:
      return Kind::kNumber;
    case CharClass::kOther:
      break;
  }
  const GeneralCategory gc = GeneralCategoryOf(cp);
  if (gc == GeneralCategory::kMn || gc == GeneralCategory::kMc ||
      gc == GeneralCategory::kMe) {
    return Kind::kMark;
  }
  return Kind::kOther;
}

// The kTiktoken rule as the header states it, spelled out slowly.
bool IsTiktokenCutReference(std::string_view s, size_t q) {
  if (q == 0 || q >= s.size()) return false;
  char32_t b;
  if (!CharAtReference(s, q, &b)) return false;
  const Kind kb = KindOf(b);
  if (kb == Kind::kSpace) return !SpaceBefore(s, q);  // (a')
  char32_t a;
  if (!CharBeforeReference(s, q, &a)) return false;
  const Kind ka = KindOf(a);
  if (kb == Kind::kLineBreak) {
    return ka == Kind::kLetter || ka == Kind::kNumber;  // (a')
  }
  if (ka == Kind::kSpace || ka == Kind::kLineBreak) return false;
  const bool other_b = kb == Kind::kOther || kb == Kind::kMark;
  const bool other_a = ka == Kind::kOther || ka == Kind::kMark;
  return (ka == Kind::kLetter && kb == Kind::kNumber) ||
         (ka == Kind::kNumber && kb == Kind::kLetter) ||
         (ka == Kind::kNumber && other_b) || (other_a && kb == Kind::kNumber) ||
         (ka == Kind::kLetter && kb == Kind::kOther && b != '\'');  // (b')
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
      "\u2167", "\U0001F600", "\u200D", "\uFFFD", "\u2019", "\u201C", "\u2014",
      "\u3002", "\uFF0C", "\u6587", "\u0664", "\uFE0F",
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
  EXPECT_EQ(First("\u00E9\nx", k), 2);   // \n after a letter
  EXPECT_EQ(First("\u0663\rx", k), 2);   // \r after a number
  EXPECT_EQ(First("\u2014\nx", k), -1);  // \n after "other"
  EXPECT_EQ(First("e\u0301\n", k), -1);  // \n after a mark
  EXPECT_EQ(First("ab12", k), 2);
  EXPECT_EQ(First("12ab", k), 2);
  EXPECT_EQ(First("12.", k), 2);
  EXPECT_EQ(First(".12", k), 1);
  EXPECT_EQ(First("'1", k), 1);
  EXPECT_EQ(First("ab.", k), 2);
  EXPECT_EQ(First("(ab", k), -1);       // other -> letter: "(ab" is one token
  EXPECT_EQ(First("DON'T", k), -1);     // o200k: "DON'T" is one token
  EXPECT_EQ(First("a\u00A0 b", k), 1);  // a non-space before U+00A0
  EXPECT_EQ(First("\u00A0 b", k), -1);  // a space before the space
  EXPECT_EQ(Last("a\u00A0x b", k), 4);
  // Beyond ASCII: text without ASCII has cuts too.
  EXPECT_EQ(First("\u4E2D\u6587\u3002\u5B57", k), 6);  // letter -> other
  EXPECT_EQ(First("\u4E2D\u3000\u6587", k), 3);        // before U+3000
  EXPECT_EQ(First("\u4E2D\u0663", k), 3);              // letter -> number
  EXPECT_EQ(First("\u0663\u4E2D", k), 2);              // number -> letter
  EXPECT_EQ(First("\u0663\u0301", k), 2);              // number -> mark
  EXPECT_EQ(First("\u2014\u0663", k), 3);              // other -> number
  EXPECT_EQ(First("\u201CHello", k), -1);              // a prefix: one token
  EXPECT_EQ(First("e\u0301t", k), -1);  // o200k: marks are in words
  EXPECT_EQ(First("\u00E9\u0301", k), -1);
  EXPECT_EQ(First("\u00E9\u2014", k), 2);     // letter -> other
  EXPECT_EQ(First("\u00E9'", k), -1);         // letter -> apostrophe
  EXPECT_EQ(First("\u0663\u0664", k), -1);    // numbers: in threes
  EXPECT_EQ(First("\xE4\xB8\u0663", k), -1);  // ill-formed before
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

struct CutParam {
  const char* pattern;
  bool re2;  // by the RE2 path instead of the scanner
};

class CutInvarianceTest : public testing::TestWithParam<CutParam> {};

// The property the chunk planner relies on, for each built-in pattern with
// its own rule: tokens(s) == tokens(s[:q]) ++ tokens(s[q:]) at every safe
// cut q.
TEST_P(CutInvarianceTest, CuttingNeverChangesTokens) {
  const auto tok = MustCreate(GetParam().pattern);
  ASSERT_NE(tok, nullptr);
  const bool re2 = GetParam().re2;
  ASSERT_TRUE(!re2 || tok->re2() != nullptr);
  const CutRule rule = tok->spec().cut_rule;
  std::mt19937 rng(11);
  size_t cuts_checked = 0;
  for (int iter = 0; iter < 100000; iter++) {
    const std::string s = RandomBytes(&rng, 20);
    const Tokens whole = TokensOf(*tok, s, re2);
    const char* const end = s.data() + s.size();
    for (const char* q = FindFirstSafeCut(s.data(), end, rule); q != nullptr;
         q = FindFirstSafeCut(q, end, rule)) {
      const size_t at = q - s.data();
      ASSERT_EQ(Split(*tok, s, at, re2), whole)
          << testing::PrintToString(s) << " cut at " << at;
      cuts_checked++;
    }
  }
  EXPECT_GT(cuts_checked, 100000u);
}

INSTANTIATE_TEST_SUITE_P(
    BuiltIn, CutInvarianceTest,
    testing::Values(CutParam{"gpt2", false}, CutParam{"cl100k", false},
                    CutParam{"cl100k", true}, CutParam{"o200k", false},
                    CutParam{"o200k", true}),
    [](const testing::TestParamInfo<CutParam>& info) {
      return std::string(info.param.pattern) + (info.param.re2 ? "_re2" : "");
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
  // o200k: marks are word characters: "e\u0301t" is one token, and a mark
  // after a number starts one.
  EXPECT_EQ(TokensOf(*o200k, "e\u0301t"), Tokens{"e\u0301t"});
  EXPECT_NE(Split(*o200k, "e\u0301t", 1), TokensOf(*o200k, "e\u0301t"));
  EXPECT_NE(Split(*o200k, "e\u0301t", 3), TokensOf(*o200k, "e\u0301t"));
  // cl100k: a mark is "other": it takes the line break after it.
  EXPECT_EQ(TokensOf(*cl100k, "e\u0301\nx"), (Tokens{"e", "\u0301\n", "x"}));
  // Both: a quotation mark prefixes a word.
  EXPECT_EQ(TokensOf(*cl100k, "\u201CHi"), Tokens{"\u201CHi"});
  EXPECT_EQ(TokensOf(*o200k, "\u201CHi"), Tokens{"\u201CHi"});
  // cl100k: a whitespace run at the end is one token (\s++$).
  EXPECT_EQ(TokensOf(*cl100k, "a \n "), (Tokens{"a", " \n "}));
  EXPECT_NE(Split(*cl100k, "a \n ", 3), TokensOf(*cl100k, "a \n "));
}

}  // namespace
}  // namespace pretokdb

// What the tests of the cl100k and o200k scanners share. A Scanner type
// names one:
//
//   struct X {
//     template <bool kBlocks, typename Sink>
//     static void Run(const char* p, const char* limit, Sink& sink);
//     static constexpr const char* kName = "cl100k";  // its pattern
//   };
//
// Run<true> is the scanner with its 64-byte block path, Run<false> the
// scalar path alone; the tests hold them to each other, and both to the
// RE2 path of the same built-in pattern (text/pattern.h), which
// pattern_golden_test.cc holds to Python `regex`.

#ifndef PRETOKDB_TESTS_TEXT_SCANNER_TEST_UTIL_H_
#define PRETOKDB_TESTS_TEXT_SCANNER_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "text/pattern.h"

namespace pretokdb {
namespace scanner_test {

using Tokens = std::vector<std::string>;

// The tokens of one path; checks that they are non-empty and tile the
// input. The input is copied to a buffer of its exact size, so that
// AddressSanitizer sees any read past its end.
template <typename Scanner, bool kBlocks>
Tokens ScanPath(std::string_view text) {
  const std::unique_ptr<char[]> copy(new char[text.size() + 1]);
  if (!text.empty()) text.copy(copy.get(), text.size());
  const char* const begin = copy.get();
  const char* const end = begin + text.size();
  Tokens tokens;
  const char* expected_start = begin;
  bool tiles = true;
  auto sink = [&](std::string_view token) {
    tiles &= token.data() == expected_start && !token.empty();
    expected_start = token.data() + token.size();
    tokens.emplace_back(token);
  };
  Scanner::template Run<kBlocks>(begin, end, sink);
  EXPECT_TRUE(tiles && expected_start == end)
      << (kBlocks ? "block" : "scalar") << " path does not tile "
      << testing::PrintToString(std::string(text));
  return tokens;
}

// The tokens, after checking that both paths give them.
template <typename Scanner>
Tokens ScanBothPaths(std::string_view text) {
  Tokens tokens = ScanPath<Scanner, true>(text);
  EXPECT_EQ(tokens, (ScanPath<Scanner, false>(text)))
      << testing::PrintToString(std::string(text));
  return tokens;
}

// Pieces for random text, chosen to reach every rule of both patterns:
// contraction letters in both cases and U+017F, every class boundary,
// \r \n '/', Unicode spaces, upper, lower, title and modifier letters,
// other letters, marks, non-ASCII numbers, emoji.
inline const std::vector<std::string_view>& Pieces() {
  // clang-format off
  static const std::vector<std::string_view> pieces = {
      " ", " ", " ", " ", "\n", "\n", "\r", "\r\n", "\t", "\v", "\f",
      "\xC2\x85", "\u00A0", "\u2009", "\u3000", "\u2028", "a", "b", "Z",
      "s", "S", "t", "T", "l", "L", "v", "V", "e", "E", "r", "R", "d", "D",
      "m", "M", "x", "word", " the", "'", "'", "'", "7", "0", "1", "123",
      "!", ".", "/", "/", "(", "?", "-", "\x1C", std::string_view("\0", 1),
      "\u017F", "\u212A", "\u0130", "\u0131", "\u00E9", "\u00C9", "\u01C5",
      "\u02B0", "\u0416", "\u0436", "\u4E2D", "\u3042", "\u0928", "\u094D",
      "\u0301", "\u0308", "\u0903", "\u20DD", "\uFE0F", "\u00B2", "\u0663",
      "\u2167", "\U0001F600", "\u200D", "\uFFFD", "\u2019", "\u201C",
      "\u2014", "\U0001D400", "\U0001D7CE"};
  // clang-format on
  return pieces;
}

inline std::string RandomText(std::mt19937* rng, size_t max_pieces) {
  const auto& pieces = Pieces();
  std::string s;
  const size_t n = (*rng)() % (max_pieces + 1);
  for (size_t i = 0; i < n; i++) s += pieces[(*rng)() % pieces.size()];
  return s;
}

// Both paths against the RE2 path on random strings.
template <typename Scanner>
void CompareWithRe2(uint32_t seed, int iterations) {
  PatternSpec spec;
  ASSERT_TRUE(ResolvePattern(Scanner::kName, &spec).ok());
  std::unique_ptr<Pretokenizer> tok;
  ASSERT_TRUE(Pretokenizer::Create(spec, &tok).ok());
  ASSERT_NE(tok->re2(), nullptr);
  std::mt19937 rng(seed);
  for (int i = 0; i < iterations; i++) {
    const std::string text = RandomText(&rng, 24);
    Tokens want;
    tok->re2()->Scan(text.data(), text.data() + text.size(),
                     [&](std::string_view t) { want.emplace_back(t); });
    ASSERT_EQ(ScanBothPaths<Scanner>(text), want)
        << testing::PrintToString(text);
  }
}

// The block path against the scalar path: characters of every kind, one
// or two at a time, inserted at every offset of mostly-ASCII text of three
// blocks and more; then random text at densities of multi-byte characters
// from a few per block to most of it.
template <typename Scanner>
void CompareBlockPathAtEveryOffset(uint32_t seed) {
  const std::string base =
      "It's a test: 42 words, DON'T they'll  say?\tNo--\n  yes 3.14 ok  "
      "abc'  'll x'S we've\r\n\n  1 2  3 (paren) [x] she'd I'm end.   "
      "Tail words, camelCase and HTTPServer, 1234567 to fill the block!\n"
      "    indented(code);\n\t\tmore: http://x.y/z/\n/// \r\n  \n x";
  const char* const kChars[] = {
      "\u00E9", "\u00C9", "\u0416", "\u4E2D",     "\U0001D400",  // letters
      "\u01C5", "\u02B0", "\u3042", "\u017F",                    // Lt Lm Lo
      "\u0663", "\u00B2", "\u2160", "\U0001D7CE",                // numbers
      "\u2014", "\u201C", "\u2019", "\uFFFD",     "\U0001F600",  // others
      "\u0301", "\uFE0F",                                        // marks
      "\u00A0", "\u3000", "\u2028", "\xC2\x85",                  // spaces
  };
  for (const char* c : kChars) {
    for (const std::string& insert :
         {std::string(c), std::string(c) + c, " " + std::string(c),
          std::string(c) + "'s", std::string(c) + " ", "'" + std::string(c),
          std::string(c) + "A", std::string(c) + "\n"}) {
      for (size_t at = 0; at <= base.size(); ++at) {
        std::string text = base;
        text.insert(at, insert);
        ASSERT_EQ((ScanPath<Scanner, true>(text)),
                  (ScanPath<Scanner, false>(text)))
            << c << " inserted as " << testing::PrintToString(insert) << " at "
            << at;
      }
    }
  }
  const auto& pieces = Pieces();
  const std::vector<std::string_view> ascii = {
      "a", "Z",  "s",  "t",  "ll", "ve",   "word", " ",
      " ", "  ", "'",  "\t", "\n", "\r\n", "7",    "42",
      ".", ",",  "--", "!?", "/",  "\x1C", "A",    "Ab"};
  std::mt19937 rng(seed);
  for (int round = 0; round < 4000; ++round) {
    const double density =
        std::vector<double>{0.0, 0.01, 0.05, 0.2, 0.6}[round % 5];
    std::bernoulli_distribution pick_any(density);
    const size_t size = 64 + rng() % 400;
    std::string text;
    while (text.size() < size) {
      text += pick_any(rng) ? pieces[rng() % pieces.size()]
                            : ascii[rng() % ascii.size()];
    }
    ASSERT_EQ((ScanPath<Scanner, true>(text)), (ScanPath<Scanner, false>(text)))
        << testing::PrintToString(text);
  }
}

}  // namespace scanner_test
}  // namespace pretokdb

#endif  // PRETOKDB_TESTS_TEXT_SCANNER_TEST_UTIL_H_

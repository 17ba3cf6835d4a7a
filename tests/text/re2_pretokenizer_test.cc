// Copyright (c) pretok-db authors.
//
// Re2Pretokenizer with the GPT-2 pattern against ScanGpt2 and the Python
// `regex` golden file data/golden/gpt2_tokens.txt (format: see
// gpt2_golden_test.cc); other patterns against expectations taken from
// Python `regex` 2026.5.9; and the constructs Create() refuses.

#include "golden_cases.h"
#include "text/re2_pretokenizer.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "text/gpt2_scanner.h"
#include "text/utf8.h"

namespace pretokdb {
namespace {

namespace fs = std::filesystem;

constexpr char kGpt2Pattern[] =
    R"('(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

using Tokens = std::vector<std::string>;

std::unique_ptr<Re2Pretokenizer> MustCreate(std::string_view pattern) {
  std::unique_ptr<Re2Pretokenizer> tok;
  const Status s = Re2Pretokenizer::Create(pattern, &tok);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return tok;
}

Tokens Re2Tokens(const Re2Pretokenizer& tok, std::string_view text) {
  Tokens out;
  tok.Scan(text, [&](std::string_view t) { out.emplace_back(t); });
  return out;
}

Tokens ScannerTokens(std::string_view text) {
  Tokens out;
  ScanGpt2(text.data(), text.data() + text.size(),
           [&](std::string_view t) { out.emplace_back(t); });
  return out;
}

// UTF-8 of one code point.
std::string Utf8(char32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

// ---------------------------------------------------------------------------
// Golden file (same lookup and format as gpt2_golden_test.cc).

using golden::FindGoldenFile;
using golden::kGoldenPath;

TEST(Re2PretokenizerTest, Gpt2MatchesGoldenAndScanner) {
  const std::string path = FindGoldenFile();
  ASSERT_FALSE(path.empty())
      << "cannot find " << kGoldenPath << ": set PRETOKDB_SOURCE_DIR";
  auto tok = MustCreate(kGpt2Pattern);
  ASSERT_NE(tok, nullptr);
  int bad_line = 0;
  const std::vector<golden::GoldenCase> cases =
      golden::LoadGoldenCases(path, &bad_line);
  ASSERT_EQ(bad_line, 0) << path << ": malformed line";
  int failures = 0;
  for (const golden::GoldenCase& c : cases) {
    if (failures >= 10) break;
    const Tokens want(c.tokens.begin(), c.tokens.end());
    const Tokens got = Re2Tokens(*tok, c.input);
    if (got != want || got != ScannerTokens(c.input)) {
      failures++;
      ADD_FAILURE() << path << ":" << c.line << " input "
                    << testing::PrintToString(c.input)
                    << "\n  python:  " << testing::PrintToString(want)
                    << "\n  re2:     " << testing::PrintToString(got)
                    << "\n  scanner: "
                    << testing::PrintToString(ScannerTokens(c.input));
    }
  }
  EXPECT_GE(cases.size(), 1000u) << path << " looks truncated";
}

// ---------------------------------------------------------------------------
// GPT-2 by hand.

class Re2Gpt2Test : public testing::Test {
 protected:
  void SetUp() override {
    tok_ = MustCreate(kGpt2Pattern);
    ASSERT_NE(tok_, nullptr);
  }

  // Expects the RE2 path and the scanner to agree on text, and returns the
  // tokens.
  Tokens Both(std::string_view text) {
    const Tokens got = Re2Tokens(*tok_, text);
    EXPECT_EQ(got, ScannerTokens(text)) << testing::PrintToString(text);
    return got;
  }

  std::unique_ptr<Re2Pretokenizer> tok_;
};

// The \s set of docs/DESIGN.md (and code points that RE2's \s or Python's `re`
// would count but `regex` does not).
const char32_t kSpaces[] = {
    0x09,   0x0A,   0x0B,   0x0C,   0x0D,   0x20,   0x85,   0xA0,   0x1680,
    0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008,
    0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000};
const char32_t kNonSpaces[] = {0x1C,   0x1D,   0x1E,   0x1F,
                               0x200B, 0x180E, 0xFEFF, 0x00};

TEST_F(Re2Gpt2Test, LookaheadCases) {
  EXPECT_EQ(Both("a  b"), (Tokens{"a", " ", " b"}));
  EXPECT_EQ(Both("a\t\tb"), (Tokens{"a", "\t", "\t", "b"}));
  EXPECT_EQ(Both("a \nb"), (Tokens{"a", " ", "\n", "b"}));
  EXPECT_EQ(Both("a\n b"), (Tokens{"a", "\n", " b"}));
  EXPECT_EQ(Both("a \n"), (Tokens{"a", " \n"}));
  EXPECT_EQ(Both("foo  "), (Tokens{"foo", "  "}));
  EXPECT_EQ(Both("   "), (Tokens{"   "}));
  EXPECT_EQ(Both(" "), (Tokens{" "}));
  EXPECT_EQ(Both("   x"), (Tokens{"  ", " x"}));
  EXPECT_EQ(Both("\n\n\nx"), (Tokens{"\n\n", "\n", "x"}));
  EXPECT_EQ(Both("  1"), (Tokens{" ", " 1"}));
  EXPECT_EQ(Both("  !!"), (Tokens{" ", " !!"}));
  EXPECT_EQ(Both("  's"), (Tokens{" ", " '", "s"}));
  EXPECT_EQ(Both("x \xC2\xA0y"), (Tokens{"x", " ", "\xC2\xA0", "y"}));
  EXPECT_EQ(Both("x\xC2\xA0 y"), (Tokens{"x", "\xC2\xA0", " y"}));
  EXPECT_EQ(Both(""), Tokens{});
}

TEST_F(Re2Gpt2Test, EveryWhitespaceCharacter) {
  for (char32_t cp : kSpaces) {
    const std::string w = Utf8(cp);
    SCOPED_TRACE(testing::Message() << "U+" << std::hex << uint32_t{cp});
    EXPECT_EQ(Both(w), Tokens{w});
    EXPECT_EQ(Both("a" + w), (Tokens{"a", w}));
    EXPECT_EQ(Both(w + w), Tokens{w + w});
    // Two before a word: the last one is given up.
    const Tokens split = Both(w + w + "b");
    if (cp == 0x20) {
      EXPECT_EQ(split, (Tokens{w, w + "b"}));
    } else {
      EXPECT_EQ(split, (Tokens{w, w, "b"}));
    }
    Both(w + "b" + w + w + w + "1" + w + " " + w + "'s" + w + "\xE4\xB8\xAD");
    Both(" " + w + " x" + w + "  " + w + w + "!" + w);
    for (char32_t other : kSpaces) {
      const std::string o = Utf8(other);
      Both(w + o + "x");
      Both("x" + w + o + " y" + o + w);
    }
  }
  for (char32_t cp : kNonSpaces) {
    const std::string c = Utf8(cp);
    SCOPED_TRACE(testing::Message() << "U+" << std::hex << uint32_t{cp});
    EXPECT_EQ(Both("  " + c), (Tokens{" ", " " + c}));
    Both(c + c + " " + c + "\t\t" + c);
  }
}

TEST_F(Re2Gpt2Test, Contractions) {
  EXPECT_EQ(Both("it's"), (Tokens{"it", "'s"}));
  EXPECT_EQ(Both("they'll"), (Tokens{"they", "'ll"}));
  EXPECT_EQ(Both("we've you're I'd"),
            (Tokens{"we", "'ve", " you", "'re", " I", "'d"}));
  EXPECT_EQ(Both("I'M"), (Tokens{"I", "'", "M"}));  // case-sensitive
  EXPECT_EQ(Both(" 's"), (Tokens{" '", "s"}));
  EXPECT_EQ(Both("?'s"), (Tokens{"?'", "s"}));
  EXPECT_EQ(Both("''s"), (Tokens{"''", "s"}));
  EXPECT_EQ(Both("'l'"), (Tokens{"'", "l", "'"}));
  EXPECT_EQ(Both("it\xE2\x80\x99s"), (Tokens{"it", "\xE2\x80\x99", "s"}));
  Both("'sss'tt'mm'dd'llama've're'reee'");
}

TEST_F(Re2Gpt2Test, EmojiCjkNulAndOthers) {
  // Emoji (So) and modifiers are "other"; joiners too.
  EXPECT_EQ(
      Both("hi \xF0\x9F\x98\x80\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD!"),
      (Tokens{"hi", " \xF0\x9F\x98\x80\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD!"}));
  EXPECT_EQ(Both("\xE4\xB8\xAD\xE6\x96\x87 \xE3\x81\x82\xED\x95\x9C"),
            (Tokens{"\xE4\xB8\xAD\xE6\x96\x87", " \xE3\x81\x82\xED\x95\x9C"}));
  EXPECT_EQ(Both(std::string("a\0b", 3)),
            (Tokens{"a", std::string(1, '\0'), "b"}));
  EXPECT_EQ(Both(std::string("  \0", 3)), (Tokens{" ", std::string(" \0", 2)}));
  EXPECT_EQ(Both("x\xEF\xBF\xBD\xEF\xBF\xBDy"),
            (Tokens{"x", "\xEF\xBF\xBD\xEF\xBF\xBD", "y"}));
  // Numbers: Arabic-Indic, superscripts, Roman numerals, fractions.
  EXPECT_EQ(Both("x \xD9\xA3\xC2\xB2\xE2\x85\xA7\xC2\xBD"),
            (Tokens{"x", " \xD9\xA3\xC2\xB2\xE2\x85\xA7\xC2\xBD"}));
  // A combining mark is "other": it splits a word.
  EXPECT_EQ(Both("e\xCC\x81t\xC3\xA9"), (Tokens{"e", "\xCC\x81", "t\xC3\xA9"}));
  // Letters from recent Unicode versions (here U+1C89, Unicode 16) follow
  // the `regex` tables, not RE2's own.
  EXPECT_EQ(Both("a\xE1\xB2\x89"), (Tokens{"a\xE1\xB2\x89"}));
  Both("Hello, world! 123 4.5e6 -- x_y @home #tag $$$ \"quoted\" (paren)");
}

// Every string of up to 5 characters over a small alphabet that exercises
// every branch and their order.
TEST_F(Re2Gpt2Test, AllShortStrings) {
  const std::vector<std::string> alphabet = {
      "a", "s", "1", " ", "\t", "\n", "'", ".", "\xC2\xA0", "\xE3\x80\x80"};
  std::vector<std::string> level = {""};
  for (int len = 1; len <= 5; len++) {
    std::vector<std::string> next;
    for (const std::string& prefix : level) {
      for (const std::string& c : alphabet) next.push_back(prefix + c);
    }
    for (const std::string& s : next) {
      ASSERT_EQ(Re2Tokens(*tok_, s), ScannerTokens(s))
          << testing::PrintToString(s);
    }
    level = std::move(next);
  }
}

// The scanner's 64-byte block path (text/gpt2_blocks.h): mostly ASCII
// text with runs, contractions and whitespace at every place in and across
// blocks, and now and then a character that is not ASCII (a non-ASCII
// space makes the path leave the block to the scalar scanner). Each text is in a buffer of its exact
// size, so that a sanitizer build sees any read outside it.
TEST_F(Re2Gpt2Test, AsciiBlocksAgreeWithRe2) {
  const std::vector<std::string> pieces = {
      "a", "Z", "s", "t", "ll", "ve", "re", "'", "'s", "'ll", "'ve", "'re",
      "'S", "'l", " ", " ", " ", "  ", "\t", "\n", "\r\n", "\x0B", "\x0C",
      "\x1C", "1", "42", ".", ",", "?!", "\"", "-", std::string(1, '\0'),
      "\xC3\xA9", "\xC2\xA0", "\xC2\x85", "\xE3\x80\x80", "\xF0\x9F\x98\x80"};
  std::mt19937 rnd(20261125);
  for (int round = 0; round < 3000; round++) {
    const size_t length = 60 + rnd() % 400;
    // Rounds without the last five (non-ASCII) pieces stay on the path.
    const size_t choices = pieces.size() - (round % 3 == 0 ? 0 : 5);
    std::string text;
    while (text.size() < length) text += pieces[rnd() % choices];
    const std::unique_ptr<char[]> exact(new char[text.size()]);
    std::memcpy(exact.get(), text.data(), text.size());
    const std::string_view view(exact.get(), text.size());
    ASSERT_EQ(ScannerTokens(view), Re2Tokens(*tok_, text))
        << testing::PrintToString(text);
  }
}

TEST_F(Re2Gpt2Test, SampleText) {
  std::string text;
  const std::string raw =
      "The quick brown fox's friends  didn't\tjump.\r\n\r\n  Ÿes, 42 ÉCOLE "
      "naïve café — «quotes» 東京 2024年 \xF0\x9F\x8E\x89\xF0\x9F\x8E\x89  "
      "\xE2\x80\x83"
      "em space\xE2\x80\x83\xE2\x80\x83"
      "end \xC2\x85"
      "nel   ";
  AppendReplacingInvalidUtf8(raw + "\xFF\xC0\xAF bad", &text);
  Both(text);
}

// ---------------------------------------------------------------------------
// Other patterns; expectations from Python regex.finditer.

TEST(Re2PretokenizerTest, UncoveredTextIsSkipped) {
  auto tok = MustCreate(R"(\p{L}+)");
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(Re2Tokens(*tok, "12 ab, c\xC3\xA9!"), (Tokens{"ab", "c\xC3\xA9"}));
  EXPECT_EQ(Re2Tokens(*tok, "123"), Tokens{});
}

TEST(Re2PretokenizerTest, LookaheadAloneOrFirst) {
  // regex.findall(r"\s+(?!\S)", "a   b  ") == ['  ', '  ']
  auto alone = MustCreate(R"(\s+(?!\S))");
  ASSERT_NE(alone, nullptr);
  EXPECT_EQ(Re2Tokens(*alone, "a   b  "), (Tokens{"  ", "  "}));
  EXPECT_EQ(Re2Tokens(*alone, "a b \t"), (Tokens{" \t"}));
  // regex.findall(r"\s+(?!\S)|\p{L}+", "ab  cd\t e ") ==
  //   ['ab', ' ', 'cd', '\t', 'e', ' ']
  auto first = MustCreate(R"(\s+(?!\S)|\p{L}+)");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(Re2Tokens(*first, "ab  cd\t e "),
            (Tokens{"ab", " ", "cd", "\t", "e", " "}));
}

TEST(Re2PretokenizerTest, O200kWithoutRecentCharacters) {
  const std::string pattern =
      R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|)"
      R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|)"
      R"(\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
  auto tok = MustCreate(pattern);
  ASSERT_NE(tok, nullptr);
  // From Python regex.findall(pattern, text).
  EXPECT_EQ(Re2Tokens(*tok, "Hello WORLD's 12345  x\n\n  y/\nHOW'LL"),
            (Tokens{"Hello", " WORLD's", " ", "123", "45", " ", " x", "\n\n",
                    " ", " y", "/\n", "HOW'LL"}));
}

TEST(Re2PretokenizerTest, FlagsScopeAndEscapes) {
  // regex.findall(r"x|(?i)b|c", "XBbCcx") == ['B', 'b', 'C', 'c', 'x']
  auto flags = MustCreate(R"(x|(?i)b|c)");
  ASSERT_NE(flags, nullptr);
  EXPECT_EQ(Re2Tokens(*flags, "XBbCcx"), (Tokens{"B", "b", "C", "c", "x"}));
  // \u, \x, octal, {,n}, [\b], leading ']' in a set, (?<name>...), comments.
  auto esc = MustCreate(R"(\u0041{,2}B|\x43|\104|[\b]|[]e]+|(?<n>f)(?#c)g)");
  ASSERT_NE(esc, nullptr);
  EXPECT_EQ(Re2Tokens(*esc, "AAABBCD\b]e]fg"),
            (Tokens{"AAB", "B", "C", "D", "\b", "]e]", "fg"}));
  // \S inside a set is spelled out: [\S\n] is every non-space and \n.
  auto set = MustCreate(R"([^\S\n]+|[\S\n]+)");
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(Re2Tokens(*set, "a \xC2\xA0\nb\t"),
            (Tokens{"a", " \xC2\xA0", "\nb", "\t"}));
}

TEST(Re2PretokenizerTest, RefusesWhatRe2CannotRun) {
  const struct {
    const char* pattern;
    const char* construct;  // a word the message must contain
  } kCases[] = {
      {"(?=x)", "lookahead"},
      {"a(?!x)", "lookahead"},
      {"(?<=x)", "lookbehind"},
      {"(?<!x)y", "lookbehind"},
      {"(a)\\1", "backreference"},
      {"(?P<n>a)(?P=n)", "backreference"},
      {"a++", "possessive"},
      {"a*+", "possessive"},
      {"a{2}+", "possessive"},
      {"(?>a)", "atomic"},
      {"\\s+(?!\\S)x|y", "lookahead"},  // not a whole alternative
      {"\\w+", "\\w"},
      {"\\bx", "\\b"},
      {"x$", "$"},
      {"[[:alpha:]]", "POSIX"},
      {"(?x)a", "verbose"},
      {"a*|b", "empty"},
      {"a||b", "empty"},
      {"(a", "unterminated"},
      {"a)", "unbalanced"},
      {"[a", "unterminated"},
      {"\\p{NoSuchClass}", "RE2"},
  };
  for (const auto& c : kCases) {
    std::unique_ptr<Re2Pretokenizer> tok;
    const Status s = Re2Pretokenizer::Create(c.pattern, &tok);
    EXPECT_TRUE(s.IsInvalidArgument()) << c.pattern << ": " << s.ToString();
    EXPECT_NE(s.message().find(c.construct), std::string::npos)
        << c.pattern << ": " << s.ToString();
    EXPECT_EQ(tok, nullptr) << c.pattern;
  }
}

}  // namespace
}  // namespace pretokdb

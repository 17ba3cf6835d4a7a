// Copyright (c) pretok-db authors.
//
// ResolvePattern and Pretokenizer (text/pattern.h): names, specs, errors,
// and hand-picked cases of the built-in patterns; expectations from Python
// regex.findall(PATTERN, text) with `regex` 2026.5.9.

#include "text/pattern.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pretokdb {
namespace {

using Tokens = std::vector<std::string>;

std::unique_ptr<Pretokenizer> MustCreate(std::string_view name_or_regex) {
  PatternSpec spec;
  const Status s = ResolvePattern(name_or_regex, &spec);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::unique_ptr<Pretokenizer> tok;
  const Status c = Pretokenizer::Create(spec, &tok);
  EXPECT_TRUE(c.ok()) << c.ToString();
  return tok;
}

Tokens Scan(const Pretokenizer& tok, std::string_view text) {
  Tokens out;
  tok.Scan(text.data(), text.data() + text.size(),
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

TEST(ResolvePatternTest, BuiltInNames) {
  const struct {
    const char* given;
    const char* name;
    std::string_view regex;
    CutRule rule;
  } kCases[] = {
      {"gpt2", "gpt2", kGpt2Pattern, CutRule::kGpt2},
      {"r50k_base", "gpt2", kGpt2Pattern, CutRule::kGpt2},
      {"p50k_base", "gpt2", kGpt2Pattern, CutRule::kGpt2},
      {"cl100k", "cl100k", kCl100kPattern, CutRule::kTiktoken},
      {"cl100k_base", "cl100k", kCl100kPattern, CutRule::kTiktoken},
      {"o200k", "o200k", kO200kPattern, CutRule::kTiktoken},
      {"o200k_base", "o200k", kO200kPattern, CutRule::kTiktoken},
  };
  for (const auto& c : kCases) {
    PatternSpec spec;
    ASSERT_TRUE(ResolvePattern(c.given, &spec).ok()) << c.given;
    EXPECT_EQ(spec.name, c.name) << c.given;
    EXPECT_EQ(spec.regex, c.regex) << c.given;
    EXPECT_EQ(spec.cut_rule, c.rule) << c.given;
    // The stored regex resolves back to the same spec.
    PatternSpec again;
    ASSERT_TRUE(ResolvePattern(spec.regex, &again).ok()) << c.given;
    EXPECT_EQ(again.name, spec.name);
    EXPECT_EQ(again.cut_rule, spec.cut_rule);
  }
}

TEST(ResolvePatternTest, BuiltInStringsAreTiktokens) {
  // Pinned here so that an edit to pattern.h shows in review.
  EXPECT_EQ(kO200kPattern,
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*"
            "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+"
            "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
            "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|"
            "\\s+(?!\\S)|\\s+");
  EXPECT_EQ(kCl100kPattern,
            "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++|"
            "\\p{N}{1,3}+| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*+|\\s++$|"
            "\\s*[\\r\\n]|\\s+(?!\\S)|\\s");
}

TEST(ResolvePatternTest, CustomRegex) {
  PatternSpec spec;
  ASSERT_TRUE(
      ResolvePattern(R"(\p{L}+|\p{N}|\s+|[^\s\p{L}\p{N}]+)", &spec).ok());
  EXPECT_EQ(spec.name, "custom");
  EXPECT_EQ(spec.regex, R"(\p{L}+|\p{N}|\s+|[^\s\p{L}\p{N}]+)");
  EXPECT_EQ(spec.cut_rule, CutRule::kNone);
}

TEST(ResolvePatternTest, RefusesWhatCannotRun) {
  const struct {
    const char* given;
    const char* construct;  // a word the message must contain
  } kCases[] = {
      {"", "empty"},
      {"cl100k_bas", "unknown pattern name"},  // a typo, not a regex
      {"a*", "empty string"},
      {"a++", "possessive"},
      {R"(\s++$)", "possessive"},
      {R"(\s+$)", "$"},
      {"(?=x)", "lookahead"},
      {"\\w+", "\\w"},
  };
  for (const auto& c : kCases) {
    PatternSpec spec;
    spec.name = "untouched";
    const Status s = ResolvePattern(c.given, &spec);
    EXPECT_TRUE(s.IsInvalidArgument()) << c.given << ": " << s.ToString();
    EXPECT_NE(s.message().find(c.construct), std::string::npos)
        << c.given << ": " << s.ToString();
    EXPECT_EQ(spec.name, "untouched");
  }
}

TEST(PretokenizerTest, RefusesInconsistentSpecs) {
  const PatternSpec kBad[] = {
      {"gpt2", std::string(kCl100kPattern), CutRule::kGpt2},
      {"cl100k", std::string(kCl100kPattern), CutRule::kGpt2},
      {"o200k", std::string(kO200kPattern), CutRule::kNone},
      {"custom", "x+", CutRule::kTiktoken},
      {"custom", "x++", CutRule::kNone},
      {"p50k", std::string(kGpt2Pattern), CutRule::kGpt2},
  };
  for (const PatternSpec& spec : kBad) {
    std::unique_ptr<Pretokenizer> tok;
    EXPECT_TRUE(Pretokenizer::Create(spec, &tok).IsInvalidArgument())
        << spec.name << " " << spec.regex;
    EXPECT_EQ(tok, nullptr);
  }
}

TEST(PretokenizerTest, Paths) {
  const auto gpt2 = MustCreate("gpt2");
  const auto cl100k = MustCreate("cl100k");
  const auto o200k = MustCreate("o200k");
  const auto custom = MustCreate(R"(\p{L}+)");
  ASSERT_TRUE(gpt2 && cl100k && o200k && custom);
  EXPECT_TRUE(gpt2->is_gpt2());
  EXPECT_EQ(gpt2->re2(), nullptr);
  EXPECT_FALSE(cl100k->is_gpt2());
  ASSERT_NE(cl100k->re2(), nullptr);
  // RE2 runs the internal equivalent; the spec keeps tiktoken's string.
  EXPECT_EQ(cl100k->re2()->pattern().find("++"), std::string::npos);
  EXPECT_EQ(cl100k->spec().regex, kCl100kPattern);
  ASSERT_NE(o200k->re2(), nullptr);
  EXPECT_EQ(o200k->re2()->pattern(), kO200kPattern);
  EXPECT_EQ(Scan(*custom, "ab 12 cd"), (Tokens{"ab", "cd"}));
  EXPECT_EQ(Scan(*gpt2, "Hello world's  x\n"),
            (Tokens{"Hello", " world", "'s", " ", " x", "\n"}));
}

TEST(PretokenizerTest, Cl100k) {
  const auto tok = MustCreate("cl100k");
  ASSERT_NE(tok, nullptr);
  // Contractions, case-insensitive; a non-letter prefixes a word.
  EXPECT_EQ(Scan(*tok, "I'M don't WE'VE (x) $y"),
            (Tokens{"I", "'M", " don", "'t", " WE", "'VE", " (", "x", ")", " $",
                    "y"}));
  // Numbers in threes; punctuation takes following newlines.
  EXPECT_EQ(Scan(*tok, "1234567 ok!!\n\nx"),
            (Tokens{"123", "456", "7", " ok", "!!\n\n", "x"}));
  // \s++$: a whitespace run reaching the end is one token ...
  EXPECT_EQ(Scan(*tok, "a \n "), (Tokens{"a", " \n "}));
  EXPECT_EQ(Scan(*tok, "a\n"), (Tokens{"a", "\n"}));
  // ... elsewhere \s*[\r\n] and \s+(?!\S) split it.
  EXPECT_EQ(Scan(*tok, "a \n b"), (Tokens{"a", " \n", " b"}));
  EXPECT_EQ(Scan(*tok, "a  \t b"), (Tokens{"a", "  \t", " b"}));
  EXPECT_EQ(Scan(*tok, "a \n\n b\n"), (Tokens{"a", " \n\n", " b", "\n"}));
}

TEST(PretokenizerTest, O200k) {
  const auto tok = MustCreate("o200k");
  ASSERT_NE(tok, nullptr);
  // Case runs: an upper run keeps the lower run after it; camelCase splits.
  EXPECT_EQ(Scan(*tok, "HelloWORLDFoo camelCase"),
            (Tokens{"Hello", "WORLDFoo", " camel", "Case"}));
  // Contractions stay on the word, in any case.
  EXPECT_EQ(Scan(*tok, "DON'T it's they'LL"),
            (Tokens{"DON'T", " it's", " they'LL"}));
  // Marks belong to words; titlecase starts one.
  EXPECT_EQ(Scan(*tok,
                 "nai\xCC\x88ve \xC7\x85"
                 "emal"),
            (Tokens{"nai\xCC\x88ve",
                    " \xC7\x85"
                    "emal"}));
  // Punctuation takes newlines and '/'.
  EXPECT_EQ(Scan(*tok, "x?\n/y 1234"),
            (Tokens{"x", "?\n/", "y", " ", "123", "4"}));
}

// The case-insensitive contraction groups match what Python's do, over all
// of Unicode: `regex` and RE2 both fold s to U+017F LONG S (and k to
// U+212A KELVIN SIGN, which no contraction uses) and nothing else to these
// letters.
TEST(PretokenizerTest, ContractionCaseFoldingIsPythons) {
  const auto cl100k = MustCreate("cl100k");
  const auto o200k = MustCreate("o200k");
  ASSERT_TRUE(cl100k && o200k);
  auto folds = [](char32_t cp, std::string_view letters) {
    if (cp == 0x17F) return letters.find('s') != std::string_view::npos;
    return cp < 0x80 &&
           letters.find(static_cast<char>(cp | 0x20)) !=
               std::string_view::npos &&
           ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
  };
  for (char32_t cp = 0; cp <= 0x10FFFF; cp++) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    const std::string c = Utf8(cp);
    // cl100k: '(?i:[sdmt]|...) — "'" + c a token exactly when c folds
    // ("'" + c + c + "x" keeps other branches from making that token).
    const Tokens t = Scan(*cl100k, "'" + c + c + "x");
    ASSERT_EQ(!t.empty() && t[0] == "'" + c, folds(cp, "sdmt"))
        << "cl100k U+" << std::hex << static_cast<uint32_t>(cp);
    // o200k: x'c is one token exactly when c folds (s, t, m, d).
    const Tokens u = Scan(*o200k, "x'" + c);
    ASSERT_EQ(!u.empty() && u[0] == "x'" + c, folds(cp, "stmd"))
        << "o200k U+" << std::hex << static_cast<uint32_t>(cp);
  }
  EXPECT_EQ(Scan(*cl100k, "x'\xC5\xBF"), (Tokens{"x", "'\xC5\xBF"}));
  EXPECT_EQ(Scan(*cl100k, "x'LL x'Re x'vE"),
            (Tokens{"x", "'LL", " x", "'Re", " x", "'vE"}));
}

}  // namespace
}  // namespace pretokdb

namespace pretokdb {
namespace {

// RE2 and `regex` fold i/I/U+0130/U+0131 (and a few others) differently: a
// user pattern that could meet them under (?i) is refused, others pass.
TEST(ResolvePatternTest, CaseFoldingRiskIsRefused) {
  PatternSpec spec;
  for (const char* refused :
       {"(?i)[A-Z]+|(?s:.)", "(?i)i+|(?s:.)", "(?i:\\p{L})+|.", "(?i:.)",
        "(?i:[^a])|a", "x(?i)abc|I"}) {
    EXPECT_TRUE(ResolvePattern(refused, &spec).IsInvalidArgument()) << refused;
  }
  for (const char* accepted :
       {"'(?i:[sdmt]|ll|ve|re)|\\p{L}+|\\s+|.", "(?i:ab)|\\p{L}+|\\s+|.",
        "(?-i:i)|\\p{L}+|.", "\\(?i\\)|.", "[I]|(?i:ab)|."}) {
    EXPECT_TRUE(ResolvePattern(accepted, &spec).ok()) << accepted;
  }
}

}  // namespace
}  // namespace pretokdb

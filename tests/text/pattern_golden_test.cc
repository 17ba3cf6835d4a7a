// Copyright (c) pretok-db authors.
//
// The hand-written scanners of cl100k and o200k, and their RE2 path,
// against Python `regex` on data/golden/{cl100k,o200k}_tokens.txt
// (tools/gen_pattern_golden.py; format in golden_cases.h), and the
// kTiktoken safe cuts on the same inputs.

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "golden_cases.h"
#include "text/pattern.h"
#include "text/safe_cut.h"
#include "text/utf8.h"

namespace pretokdb {
namespace {

using Tokens = std::vector<std::string>;

struct GoldenParam {
  const char* name;
  const char* path;
  std::string_view pattern;
};

void PrintTo(const GoldenParam& p, std::ostream* os) { *os << p.name; }

// The pattern a golden file was made with: its "# pattern (hex): " line.
std::string PatternOfFile(const std::string& path) {
  constexpr std::string_view kPrefix = "# pattern (hex): ";
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line) && !line.empty() && line[0] == '#') {
    if (line.compare(0, kPrefix.size(), kPrefix) == 0) {
      std::string pattern;
      if (golden::FromHex(line.substr(kPrefix.size()), &pattern)) {
        return pattern;
      }
    }
  }
  return "";
}

class PatternGoldenTest : public testing::TestWithParam<GoldenParam> {
 protected:
  void SetUp() override {
    path_ = golden::FindGoldenFile(GetParam().path);
    ASSERT_FALSE(path_.empty())
        << "cannot find " << GetParam().path
        << ": set PRETOKDB_SOURCE_DIR to the source tree, or run from "
           "inside it";
    int bad_line = 0;
    cases_ = golden::LoadGoldenCases(path_, &bad_line);
    ASSERT_EQ(bad_line, 0) << path_ << ": malformed line";
    ASSERT_GE(cases_.size(), 3000u) << path_ << " looks truncated";
    PatternSpec spec;
    ASSERT_TRUE(ResolvePattern(GetParam().name, &spec).ok());
    ASSERT_TRUE(Pretokenizer::Create(spec, &tok_).ok());
  }

  // By the scanner (what Pretokenizer::Scan runs for a built-in pattern).
  Tokens Scan(std::string_view text) const {
    Tokens out;
    tok_->Scan(text.data(), text.data() + text.size(),
               [&](std::string_view t) { out.emplace_back(t); });
    return out;
  }

  Tokens ScanRe2(std::string_view text) const {
    Tokens out;
    tok_->re2()->Scan(text.data(), text.data() + text.size(),
                      [&](std::string_view t) { out.emplace_back(t); });
    return out;
  }

  std::string path_;
  std::vector<golden::GoldenCase> cases_;
  std::unique_ptr<Pretokenizer> tok_;
};

TEST_P(PatternGoldenTest, FileIsForTheBuiltInPattern) {
  EXPECT_EQ(PatternOfFile(path_), GetParam().pattern)
      << path_ << " was made with another pattern: regenerate it";
}

TEST_P(PatternGoldenTest, ScannerMatchesPythonRegex) {
  ASSERT_NE(tok_->scanner(), Scanner::kRe2);
  int failures = 0;
  for (const golden::GoldenCase& c : cases_) {
    ASSERT_TRUE(IsValidUtf8(c.input.data(), c.input.size()))
        << path_ << ":" << c.line;
    const Tokens got = Scan(c.input);
    if (got != c.tokens) {
      ADD_FAILURE() << path_ << ":" << c.line << " input "
                    << testing::PrintToString(c.input)
                    << "\n  python:  " << testing::PrintToString(c.tokens)
                    << "\n  scanner: " << testing::PrintToString(got);
      if (++failures >= 10) return;
    }
  }
}

TEST_P(PatternGoldenTest, Re2PathMatchesPythonRegex) {
  ASSERT_NE(tok_->re2(), nullptr);
  int failures = 0;
  for (const golden::GoldenCase& c : cases_) {
    const Tokens got = ScanRe2(c.input);
    if (got != c.tokens) {
      ADD_FAILURE() << path_ << ":" << c.line << " input "
                    << testing::PrintToString(c.input)
                    << "\n  python: " << testing::PrintToString(c.tokens)
                    << "\n  re2:    " << testing::PrintToString(got);
      if (++failures >= 10) return;
    }
  }
}

// Every kTiktoken safe cut falls between two reference tokens, and scanning
// the two sides apart gives the reference tokens.
TEST_P(PatternGoldenTest, SafeCutsSplitTheReferenceTokens) {
  size_t cuts = 0;
  for (const golden::GoldenCase& c : cases_) {
    const char* const begin = c.input.data();
    const char* const end = begin + c.input.size();
    for (const char* q = FindFirstSafeCut(begin, end, CutRule::kTiktoken);
         q != nullptr; q = FindFirstSafeCut(q, end, CutRule::kTiktoken)) {
      size_t offset = 0;
      bool boundary = false;
      for (const std::string& t : c.tokens) {
        offset += t.size();
        if (offset == static_cast<size_t>(q - begin)) boundary = true;
      }
      ASSERT_TRUE(boundary)
          << path_ << ":" << c.line << " cut at " << (q - begin);
      Tokens joined = Scan(std::string_view(begin, q - begin));
      const Tokens right = Scan(std::string_view(q, end - q));
      joined.insert(joined.end(), right.begin(), right.end());
      ASSERT_EQ(joined, c.tokens) << path_ << ":" << c.line;
      cuts++;
    }
  }
  EXPECT_GT(cuts, 5000u);
}

INSTANTIATE_TEST_SUITE_P(
    BuiltIn, PatternGoldenTest,
    testing::Values(
        GoldenParam{"cl100k", golden::kCl100kGoldenPath, kCl100kPattern},
        GoldenParam{"o200k", golden::kO200kGoldenPath, kO200kPattern}),
    [](const testing::TestParamInfo<GoldenParam>& info) {
      return std::string(info.param.name);
    });

}  // namespace
}  // namespace pretokdb

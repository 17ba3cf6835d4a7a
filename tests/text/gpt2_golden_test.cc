// Copyright (c) pretok-db authors.
//
// Compares ScanGpt2 with Python `regex` on data/golden/gpt2_tokens.txt
// (golden_cases.h).

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "golden_cases.h"
#include "text/gpt2_scanner.h"
#include "text/safe_cut.h"
#include "text/utf8.h"

namespace pretokdb {
namespace {

namespace fs = std::filesystem;

using golden::FindGoldenFile;
using golden::GoldenCase;
using golden::kGoldenPath;

std::vector<std::string> Scan(std::string_view text) {
  std::vector<std::string> tokens;
  ScanGpt2(text.data(), text.data() + text.size(),
           [&](std::string_view t) { tokens.emplace_back(t); });
  return tokens;
}

class Gpt2GoldenTest : public testing::Test {
 protected:
  void SetUp() override {
    path_ = FindGoldenFile();
    ASSERT_FALSE(path_.empty())
        << "cannot find " << kGoldenPath
        << ": set PRETOKDB_SOURCE_DIR to the source tree, or run from "
           "inside it";
    int bad_line = 0;
    cases_ = golden::LoadGoldenCases(path_, &bad_line);
    ASSERT_EQ(bad_line, 0) << path_ << ": malformed line";
    ASSERT_GE(cases_.size(), 1000u) << path_ << " looks truncated";
  }

  std::string path_;
  std::vector<GoldenCase> cases_;
};

TEST_F(Gpt2GoldenTest, MatchesPythonRegex) {
  int failures = 0;
  for (const GoldenCase& c : cases_) {
    ASSERT_TRUE(IsValidUtf8(c.input.data(), c.input.size()))
        << path_ << ":" << c.line;
    const std::vector<std::string> got = Scan(c.input);
    if (got != c.tokens) {
      ADD_FAILURE() << path_ << ":" << c.line << " input "
                    << testing::PrintToString(c.input)
                    << "\n  python: " << testing::PrintToString(c.tokens)
                    << "\n  scanner: " << testing::PrintToString(got);
      if (++failures >= 10) return;
    }
  }
}

// The golden inputs also check safe cuts on the reference's own tokens.
TEST_F(Gpt2GoldenTest, SafeCutsSplitTheReferenceTokens) {
  for (const GoldenCase& c : cases_) {
    const char* const begin = c.input.data();
    const char* const end = begin + c.input.size();
    for (const char* q = FindFirstSafeCut(begin, end); q != nullptr;
         q = FindFirstSafeCut(q, end)) {
      // A token of the reference ends exactly at q.
      size_t offset = 0;
      bool boundary = false;
      for (const std::string& t : c.tokens) {
        offset += t.size();
        if (offset == static_cast<size_t>(q - begin)) boundary = true;
      }
      ASSERT_TRUE(boundary)
          << path_ << ":" << c.line << " cut at " << (q - begin);
      std::vector<std::string> joined =
          Scan(std::string_view(begin, q - begin));
      const std::vector<std::string> right = Scan(std::string_view(q, end - q));
      joined.insert(joined.end(), right.begin(), right.end());
      ASSERT_EQ(joined, c.tokens) << path_ << ":" << c.line;
    }
  }
}

}  // namespace
}  // namespace pretokdb

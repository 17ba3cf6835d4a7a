// Copyright (c) pretok-db authors.
//
// Compares ScanGpt2 with Python `regex` on data/golden/gpt2_tokens.txt,
// written by tools/gen_scanner_golden.py (its header gives the format).
//
// The file is found through the PRETOKDB_SOURCE_DIR macro, else the
// PRETOKDB_SOURCE_DIR environment variable, else by walking up from the
// current directory to one that holds data/golden.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "text/gpt2_scanner.h"
#include "text/safe_cut.h"
#include "text/utf8.h"

namespace pretokdb {
namespace {

namespace fs = std::filesystem;

constexpr char kGoldenPath[] = "data/golden/gpt2_tokens.txt";

// Returns the golden file's path, or "" if it cannot be found.
std::string FindGoldenFile() {
  std::vector<fs::path> roots;
#ifdef PRETOKDB_SOURCE_DIR
  roots.emplace_back(PRETOKDB_SOURCE_DIR);
#endif
  if (const char* env = std::getenv("PRETOKDB_SOURCE_DIR")) {
    roots.emplace_back(env);
  }
  std::error_code ec;
  for (fs::path dir = fs::current_path(ec); !ec && !dir.empty();
       dir = dir.parent_path()) {
    roots.push_back(dir);
    if (dir == dir.root_path()) break;
  }
  for (const fs::path& root : roots) {
    const fs::path candidate = root / kGoldenPath;
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
  }
  return "";
}

// Decodes lowercase or uppercase hex; "-" is the empty string. False if
// malformed.
bool FromHex(std::string_view hex, std::string* out) {
  out->clear();
  if (hex == "-") return true;
  if (hex.empty() || hex.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi << 4 | lo));
  }
  return true;
}

struct GoldenCase {
  int line;
  std::string input;
  std::vector<std::string> tokens;
};

std::vector<GoldenCase> LoadGoldenCases(const std::string& path) {
  std::vector<GoldenCase> cases;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    line_no++;
    if (!line.empty() && line[0] == '#') continue;
    GoldenCase c;
    c.line = line_no;
    std::vector<std::string_view> fields;
    std::string_view rest = line;
    while (true) {
      const size_t tab = rest.find('\t');
      fields.push_back(rest.substr(0, tab));
      if (tab == std::string_view::npos) break;
      rest.remove_prefix(tab + 1);
    }
    EXPECT_TRUE(FromHex(fields[0], &c.input)) << path << ":" << line_no;
    for (size_t i = 1; i < fields.size(); i++) {
      std::string token;
      EXPECT_TRUE(FromHex(fields[i], &token) && !token.empty())
          << path << ":" << line_no;
      c.tokens.push_back(std::move(token));
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

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
    cases_ = LoadGoldenCases(path_);
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

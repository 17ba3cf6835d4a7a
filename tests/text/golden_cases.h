// Reads data/golden/*_tokens.txt, the Python `regex` reference output
// written by tools/gen_scanner_golden.py (gpt2) and
// tools/gen_pattern_golden.py (cl100k, o200k); their headers give the
// format: one case a line, the input's hex then each token's hex,
// tab-separated; "-" is the empty string.
//
// The file is found through the PRETOKDB_SOURCE_DIR macro, else the
// PRETOKDB_SOURCE_DIR environment variable, else by walking up from the
// current directory to one that holds data/golden.

#ifndef PRETOKDB_TESTS_TEXT_GOLDEN_CASES_H_
#define PRETOKDB_TESTS_TEXT_GOLDEN_CASES_H_

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace pretokdb {
namespace golden {

inline constexpr char kGoldenPath[] = "data/golden/gpt2_tokens.txt";
inline constexpr char kCl100kGoldenPath[] = "data/golden/cl100k_tokens.txt";
inline constexpr char kO200kGoldenPath[] = "data/golden/o200k_tokens.txt";

struct GoldenCase {
  int line;
  std::string input;
  std::vector<std::string> tokens;
};

// The path of the golden file `relative` (to the source tree), or "" if it
// cannot be found.
inline std::string FindGoldenFile(const char* relative = kGoldenPath) {
  namespace fs = std::filesystem;
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
    const fs::path candidate = root / relative;
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
  }
  return "";
}

// Decodes lowercase or uppercase hex; "-" is the empty string. False if
// malformed.
inline bool FromHex(std::string_view hex, std::string* out) {
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

// The cases of the file at path. A malformed line is returned in *bad_line
// (0 if none) and ends the reading.
inline std::vector<GoldenCase> LoadGoldenCases(const std::string& path,
                                               int* bad_line) {
  std::vector<GoldenCase> cases;
  *bad_line = 0;
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
    bool ok = FromHex(fields[0], &c.input);
    for (size_t i = 1; ok && i < fields.size(); i++) {
      std::string token;
      ok = FromHex(fields[i], &token) && !token.empty();
      c.tokens.push_back(std::move(token));
    }
    if (!ok) {
      *bad_line = line_no;
      break;
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

}  // namespace golden
}  // namespace pretokdb

#endif  // PRETOKDB_TESTS_TEXT_GOLDEN_CASES_H_

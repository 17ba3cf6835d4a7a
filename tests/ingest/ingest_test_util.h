// Copyright (c) pretok-db authors.
//
// Helpers shared by the ingest tests: temp files, a slow and obvious
// reference for the counts of a text (the Python program of docs/DESIGN.md,
// spelled out), and tricky random text.

#ifndef PRETOKDB_TESTS_INGEST_INGEST_TEST_UTIL_H_
#define PRETOKDB_TESTS_INGEST_INGEST_TEST_UTIL_H_

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "text/gpt2_scanner.h"
#include "text/utf8.h"

namespace pretokdb {
namespace testing_util {

using Counts = std::map<std::string, uint64_t>;

// A directory under /tmp, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/pretokdb_ingest_test_XXXXXX";
    if (mkdtemp(tmpl) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void WriteFile(const std::string& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

struct Reference {
  Counts counts;
  uint64_t separators = 0;
  uint64_t invalid_utf8 = 0;
  uint64_t pretokens = 0;
};

// Splits text on the tokens as Python's regex.split does with the tokens
// joined longest first: at each position from the left, the longest token
// that matches there; the search resumes after it.
inline std::vector<std::string> SplitOnTokens(
    const std::string& text, const std::vector<std::string>& tokens,
    uint64_t* separators) {
  std::vector<std::string> docs;
  size_t doc = 0, pos = 0;
  while (pos < text.size()) {
    size_t best = 0;
    for (const std::string& t : tokens) {
      if (!t.empty() && t.size() > best && text.compare(pos, t.size(), t) == 0) {
        best = t.size();
      }
    }
    if (best == 0) {
      pos++;
      continue;
    }
    docs.push_back(text.substr(doc, pos - doc));
    ++*separators;
    pos += best;
    doc = pos;
  }
  docs.push_back(text.substr(doc));
  return docs;
}

// The counts of raw bytes: decode with U+FFFD replacement, split into
// documents, scan each document.
inline Reference ReferenceCount(std::string_view raw,
                                const std::vector<std::string>& tokens) {
  Reference ref;
  std::string text;
  ref.invalid_utf8 = AppendReplacingInvalidUtf8(raw, &text);
  for (const std::string& doc : SplitOnTokens(text, tokens, &ref.separators)) {
    ScanGpt2(doc.data(), doc.data() + doc.size(), [&](std::string_view t) {
      ref.counts[std::string(t)]++;
      ref.pretokens++;
    });
  }
  return ref;
}

inline void AddCounts(const Counts& from, Counts* to) {
  for (const auto& [token, count] : from) (*to)[token] += count;
}

// Pieces that make pretokenizing and document splitting hard.
inline const std::vector<std::string>& TrickyPieces() {
  static const std::vector<std::string> pieces = {
      "a", "Z", "word", " the", "\xC3\xA9",  // é
      "\xE6\x97\xA5",                          // 日
      "\xF0\x9F\x8E\x89",                      // 🎉 (4 bytes)
      "\xCC\x81",                              // combining acute (\p{M})
      "1", "42", "\xD9\xA3",                   // Arabic-Indic three (\p{N})
      " ", "  ", "\t", "\n", "\r\n", "\n\n", "\x0B", "\x0C", "\r",
      "\xC2\x85", "\xC2\xA0", "\xE3\x80\x80", "\xE2\x80\xA8",  // \s
      "\x1C", "\x1F",                                        // not \s
      "'s", "'", "'ll", "!", "?!", ".", "\"",
      "<|endoftext|>", "<|endoftext|", "<|", "|>", "<|end|>", "<end doc>",
      "ab", "abc", "bc",
      "\xE2\x82", "\x80", "\xFF", "\xF0\x9F", "\xED\xA0\x80", "\xC0\xAF",
      std::string("\0", 1),
  };
  return pieces;
}

inline std::string RandomTrickyText(std::mt19937* rnd, size_t pieces) {
  const std::vector<std::string>& p = TrickyPieces();
  std::string s;
  for (size_t i = 0; i < pieces; i++) s += p[(*rnd)() % p.size()];
  return s;
}

}  // namespace testing_util
}  // namespace pretokdb

#endif  // PRETOKDB_TESTS_INGEST_INGEST_TEST_UTIL_H_

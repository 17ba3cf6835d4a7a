// Copyright (c) pretok-db authors.
//
// libFuzzer target: the hand-written GPT-2 scanner (ScanGpt2) against the
// RE2 path (Re2Pretokenizer with the GPT-2 pattern) on arbitrary bytes.
// Invalid UTF-8 is first replaced as the indexer does (U+FFFD per maximal
// subpart); the two token streams must then be identical and tile the text.
// Any difference prints the input and both streams and aborts, which
// libFuzzer records as a crash artifact. Build and run:
// tools/fuzz/build_fuzzer.sh (see tools/fuzz/README.md).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "text/gpt2_scanner.h"
#include "text/re2_pretokenizer.h"
#include "text/utf8.h"

namespace {

constexpr char kGpt2Pattern[] =
    R"('(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

const pretokdb::Re2Pretokenizer& Gpt2Re2() {
  static const pretokdb::Re2Pretokenizer* const tok = [] {
    std::unique_ptr<pretokdb::Re2Pretokenizer> t;
    const pretokdb::Status s =
        pretokdb::Re2Pretokenizer::Create(kGpt2Pattern, &t);
    if (!s.ok()) {
      std::fprintf(stderr, "Re2Pretokenizer::Create: %s\n",
                   s.ToString().c_str());
      std::abort();
    }
    return t.release();
  }();
  return *tok;
}

void PrintHex(std::string_view s) {
  for (unsigned char c : s) std::fprintf(stderr, "%02x", c);
}

void PrintTokens(const char* name, const std::vector<std::string_view>& toks) {
  std::fprintf(stderr, "%s (%zu):", name, toks.size());
  for (std::string_view t : toks) {
    std::fputc(' ', stderr);
    PrintHex(t);
  }
  std::fputc('\n', stderr);
}

void Fail(const char* what, std::string_view text,
          const std::vector<std::string_view>& scanner,
          const std::vector<std::string_view>& re2) {
  std::fprintf(stderr, "scanner_vs_re2: %s\ninput (UTF-8, hex): ", what);
  PrintHex(text);
  std::fputc('\n', stderr);
  PrintTokens("scanner", scanner);
  PrintTokens("re2    ", re2);
  std::abort();
}

// The second view of an input: each byte picks one of 64 pieces, so short
// inputs are dense in what the pattern's branches turn on (every \s
// character, contraction letters, apostrophes, letters, numbers, marks and
// "other" characters, some only in recent Unicode versions) instead of the
// U+FFFD that most random bytes decode to.
// clang-format off
constexpr std::string_view kPieces[64] = {
    "\t", "\n", "\v", "\f", "\r", " ", " ", " ", "\xC2\x85", "\xC2\xA0",
    "\xE1\x9A\x80", "\xE2\x80\x80", "\xE2\x80\x85", "\xE2\x80\x8A",
    "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF", "\xE2\x81\x9F",
    "\xE3\x80\x80", "'", "'", "s", "d", "m", "t", "l", "v", "e", "r", "S",
    "a", "Z", "0", "9", ".", "!", "_", "\x1C", "\x1F", std::string_view("\0", 1),
    "\xE2\x80\x8B", "\xEF\xBB\xBF", "\xEF\xBF\xBD", "\xCC\x81",
    "\xC3\xA9", "\xC3\x9F", "\xD0\xB6", "\xE4\xB8\xAD", "\xE3\x81\x82",
    "\xC2\xB2", "\xC2\xBD", "\xD9\xA3", "\xE2\x85\xA7", "\xE2\x80\x99",
    "\xF0\x9F\x98\x80", "\xF0\x9F\x8F\xBD", "\xE1\xB2\x89",
    "\xF0\x91\x8F\x80", "\xF0\x90\xB5\x80", "\xE0\xB1\x9C", "\xC7\x85",
    "\xCA\xB0", "\xE2\x80\x94", "\xF0\x9D\x9F\x98"};
// clang-format on

std::string Pieces(const uint8_t* data, size_t size) {
  std::string text;
  for (size_t i = 0; i < size; i++) text.append(kPieces[data[i] & 63]);
  return text;
}

bool Tiles(std::string_view text, const std::vector<std::string_view>& toks) {
  const char* p = text.data();
  for (std::string_view t : toks) {
    if (t.empty() || t.data() != p) return false;
    p += t.size();
  }
  return p == text.data() + text.size();
}

void Compare(const std::string& text) {
  std::vector<std::string_view> scanner;
  pretokdb::ScanGpt2(text.data(), text.data() + text.size(),
                     [&](std::string_view t) { scanner.push_back(t); });
  std::vector<std::string_view> re2;
  Gpt2Re2().Scan(text.data(), text.data() + text.size(),
                 [&](std::string_view t) { re2.push_back(t); });

  if (scanner != re2) Fail("token streams differ", text, scanner, re2);
  if (!Tiles(text, scanner)) {
    Fail("tokens do not tile the input", text, scanner, re2);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The input as bytes, as the indexer reads a file.
  std::string text;
  pretokdb::AppendReplacingInvalidUtf8(
      std::string_view(reinterpret_cast<const char*>(data), size), &text);
  if (!pretokdb::IsValidUtf8(text.data(), text.size())) {
    Fail("AppendReplacingInvalidUtf8 left invalid UTF-8", text, {}, {});
  }
  Compare(text);
  // The input as a string of pieces.
  Compare(Pieces(data, size));
  return 0;
}

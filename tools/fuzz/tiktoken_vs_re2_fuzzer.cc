// Copyright (c) pretok-db authors.
//
// libFuzzer target: the hand-written cl100k and o200k scanners
// (ScanCl100k, ScanO200k) against their RE2 path (the Re2Pretokenizer that
// Pretokenizer keeps beside each as a cross-check) on arbitrary bytes. As
// scanner_vs_re2_fuzzer.cc does for GPT-2, each input is read two ways:
// as bytes, with invalid UTF-8 replaced as the indexer does, and as a
// string of pieces (each byte picks one of 128 that the patterns' branches
// turn on). For each text and each pattern it checks that
//   - the scanner (with its block path) gives RE2's tokens, which tile the
//     text;
//   - the scalar path alone gives the same;
//   - cutting the text at its safe cuts (CutRule::kTiktoken) and scanning
//     the pieces apart gives the same, as the indexer does with chunks.
// Any difference prints the input and both token streams and aborts, which
// libFuzzer records as a crash artifact. Build and run:
// TARGET=tiktoken_vs_re2 tools/fuzz/build_fuzzer.sh (tools/fuzz/README.md).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "text/cl100k_scanner.h"
#include "text/o200k_scanner.h"
#include "text/pattern.h"
#include "text/safe_cut.h"
#include "text/utf8.h"

namespace {

using Tokens = std::vector<std::string_view>;

const pretokdb::Pretokenizer& Builtin(const char* name) {
  auto make = [](const char* n) {
    pretokdb::PatternSpec spec;
    std::unique_ptr<pretokdb::Pretokenizer> t;
    if (!pretokdb::ResolvePattern(n, &spec).ok() ||
        !pretokdb::Pretokenizer::Create(spec, &t).ok() || t->re2() == nullptr) {
      std::fprintf(stderr, "cannot create the %s pretokenizer\n", n);
      std::abort();
    }
    return t.release();
  };
  static const pretokdb::Pretokenizer* const cl100k = make("cl100k");
  static const pretokdb::Pretokenizer* const o200k = make("o200k");
  return std::string_view(name) == "cl100k" ? *cl100k : *o200k;
}

void PrintHex(std::string_view s) {
  for (unsigned char c : s) std::fprintf(stderr, "%02x", c);
}

void PrintTokens(const char* name, const Tokens& toks) {
  std::fprintf(stderr, "%s (%zu):", name, toks.size());
  for (std::string_view t : toks) {
    std::fputc(' ', stderr);
    PrintHex(t);
  }
  std::fputc('\n', stderr);
}

void Fail(const char* pattern, const char* what, std::string_view text,
          const Tokens& got, const Tokens& re2) {
  std::fprintf(stderr,
               "tiktoken_vs_re2 (%s): %s\ninput (UTF-8, hex): ", pattern, what);
  PrintHex(text);
  std::fputc('\n', stderr);
  PrintTokens("scanner", got);
  PrintTokens("re2    ", re2);
  std::abort();
}

// clang-format off
constexpr std::string_view kPieces[] = {
    // whitespace: every \s character, runs, line breaks
    "\t", "\n", "\v", "\f", "\r", " ", " ", " ", "  ", "\r\n", "\n\n", " \n",
    "   ", "\n \n", "!\n", ".\r\n",
    "\xC2\x85", "\xC2\xA0", "\xE1\x9A\x80", "\xE2\x80\x80", "\xE2\x80\x8A",
    "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF", "\xE2\x81\x9F",
    "\xE3\x80\x80",
    // contractions, their letters in both cases, long s, near misses
    "'", "'", "'", "s", "S", "t", "T", "d", "D", "m", "M", "l", "L", "v", "V",
    "e", "E", "r", "R", "\xC5\xBF", "\xE2\x84\xAA", "\xC4\xB0", "\xC4\xB1",
    "'s", "'LL", "'Ve", "'rE",
    // letters: lower, upper, title (Lt), modifier (Lm), other (Lo)
    "a", "z", "A", "Z", "word", "Word", "WORD", "HTTP", "camelCase",
    "\xC3\x9F", "\xCE\xA9", "\xCF\x89", "\xC3\xA9",
    "\xC3\x89", "\xD0\xB6", "\xD0\x96", "\xC7\x85", "\xE1\xBE\x88",
    "\xCA\xB0", "\xE3\x83\xBC", "\xE4\xB8\xAD", "\xE3\x81\x82", "\xD7\x90",
    "\xE0\xA4\xA8",
    // marks (Mn, Mc, Me), variation selector, ZWJ
    "\xCC\x81", "\xCC\x88", "\xE0\xA5\x8D", "\xE0\xA4\xBE", "\xE0\xA4\x83",
    "\xE2\x83\x9D", "\xEF\xB8\x8F", "\xE2\x80\x8D",
    // numbers: ASCII, runs, other scripts, No, Nl
    "0", "7", "42", "1234", "\xD9\xA3", "\xE0\xA5\xA9", "\xEF\xBC\x93",
    "\xC2\xB2", "\xC2\xBD", "\xE2\x85\xA7", "\xE2\x85\xB7", "\xF0\x9D\x9F\x98",
    // punctuation and symbols, '/' runs, CJK punctuation, quotes
    ".", ",", "!", "?", "(", ")", "-", "_", "/", "//", "://", "\"", "#", "$", "@",
    "\x1C", std::string_view("\0", 1), "\xE2\x80\x94", "\xE2\x80\x9C",
    "\xE2\x80\x99", "\xE3\x80\x82", "\xEF\xBC\x8C", "\xEF\xBF\xBD",
    "\xF0\x9F\x98\x80", "\xF0\x9F\x8F\xBD",
    // characters of recent Unicode versions (the tables are regex 2026's)
    "\xE1\xB2\x89", "\xF0\x91\x8F\x80", "\xF0\x90\xB5\x80", "\xE0\xB1\x9C",
    "\xE1\xAB\xA9", "\xCA\x95",
};
// clang-format on
static_assert(std::size(kPieces) == 128, "one piece per 7-bit value");

std::string Pieces(const uint8_t* data, size_t size) {
  std::string text;
  for (size_t i = 0; i < size; i++) text.append(kPieces[data[i] & 127]);
  return text;
}

bool Tiles(std::string_view text, const Tokens& toks) {
  const char* p = text.data();
  for (std::string_view t : toks) {
    if (t.empty() || t.data() != p) return false;
    p += t.size();
  }
  return p == text.data() + text.size();
}

template <bool kBlocks>
Tokens ScanPath(const char* pattern, const char* p, const char* limit) {
  Tokens out;
  auto sink = [&](std::string_view t) { out.push_back(t); };
  if (std::string_view(pattern) == "cl100k") {
    pretokdb::cl100k_internal::ScanCl100kPaths<kBlocks>(p, limit, sink);
  } else {
    pretokdb::o200k_internal::ScanO200kPaths<kBlocks>(p, limit, sink);
  }
  return out;
}

void Compare(const char* pattern, const std::string& text) {
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  Tokens re2;
  Builtin(pattern).re2()->Scan(begin, end,
                               [&](std::string_view t) { re2.push_back(t); });
  const Tokens scanner = ScanPath<true>(pattern, begin, end);
  if (scanner != re2) Fail(pattern, "token streams differ", text, scanner, re2);
  if (!Tiles(text, scanner)) {
    Fail(pattern, "tokens do not tile the input", text, scanner, re2);
  }
  const Tokens scalar = ScanPath<false>(pattern, begin, end);
  if (scalar != re2) {
    Fail(pattern, "the scalar path differs", text, scalar, re2);
  }
  // As chunks: every safe cut ends a piece.
  Tokens pieces;
  for (const char* p = begin; p < end;) {
    const char* cut =
        pretokdb::FindFirstSafeCut(p, end, pretokdb::CutRule::kTiktoken);
    const char* piece_end = cut != nullptr ? cut : end;
    for (std::string_view t : ScanPath<true>(pattern, p, piece_end)) {
      pieces.push_back(t);
    }
    p = piece_end;
  }
  if (pieces != re2) {
    Fail(pattern, "cutting at safe cuts changes the tokens", text, pieces, re2);
  }
}

void CompareBoth(const std::string& text) {
  Compare("cl100k", text);
  Compare("o200k", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The input as bytes, as the indexer reads a file.
  std::string text;
  pretokdb::AppendReplacingInvalidUtf8(
      std::string_view(reinterpret_cast<const char*>(data), size), &text);
  if (!pretokdb::IsValidUtf8(text.data(), text.size())) {
    std::fprintf(stderr, "AppendReplacingInvalidUtf8 left invalid UTF-8\n");
    std::abort();
  }
  CompareBoth(text);
  // The input as a string of pieces.
  CompareBoth(Pieces(data, size));
  return 0;
}

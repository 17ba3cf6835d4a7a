// Copyright (c) pretok-db authors.
//
// The GPT-2 pretokenizer, hand-written: ScanGpt2() yields exactly the
// matches of the Python reference
//
//   regex.finditer(r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+"""
//                  r"""| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""", text)
//
// with the `regex` module's classes (text/char_class.h). It is the hot loop
// of the indexer, so it is a template over the sink: no allocation, no
// indirect call per token or byte.
//
// How the pattern reads, at the position where the previous match ended
// (every character is a letter, number, space or "other", so some branch
// always matches at least one character and matches tile the text):
//   - "'" followed by s, d, m, t, ll, ve or re (case-sensitive, ASCII
//     apostrophe only) is a contraction token;
//   - else an optional U+0020 and a maximal run of one class: letters,
//     numbers, or "other" (not letter, number or space; apostrophes included,
//     so "?'s" is "?'" then "s");
//   - else a whitespace run. If it reaches the end of the text it is one
//     token. Otherwise (?!\S) makes a run of two or more characters give up
//     its last one; that last character then starts the next token: " x..."
//     if it is U+0020 (the branch above), or alone (the \s+ branch) if it is
//     any other space. So "a  b" is "a", " ", " b" and "a\t\tb" is "a",
//     "\t", "\t", "b". U+00A0 and the other non-ASCII spaces never prefix a
//     word.

#ifndef PRETOKDB_TEXT_GPT2_SCANNER_H_
#define PRETOKDB_TEXT_GPT2_SCANNER_H_

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "text/gpt2_blocks.h"
#include "text/gpt2_classes.h"

namespace pretokdb {

// Calls sink(std::string_view token) for each GPT-2 pretoken of [p, limit),
// in order. The tokens point into [p, limit) and tile it exactly.
//
// REQUIRES: [p, limit) is valid UTF-8 (see text/utf8.h) and one document
// (already split on special tokens). On invalid UTF-8 the tokens still tile
// the input and nothing outside it is read, but they need not match Python.
template <typename Sink>
void ScanGpt2(const char* p, const char* limit, Sink&& sink);

namespace gpt2_internal {

// ScanGpt2(), with or without the block path (tests compare the two).
// Always inlined, as ScanGpt2() is: a sink that counts into its caller's
// locals (count/batched_add.h) then keeps them in registers instead of
// storing and loading them for every pretoken.
template <bool kBlocks, typename Sink>
[[gnu::always_inline]] inline void ScanGpt2Paths(const char* p,
                                                 const char* limit,
                                                 Sink& sink) {
#ifdef PRETOKDB_GPT2_BLOCKS
  // Blocks without a non-ASCII space go by the fast path; the rest, one
  // token at a time, until the block that stopped it is behind.
  const char* try_blocks = kBlocks ? p : limit;
#endif
  while (p < limit) {
#ifdef PRETOKDB_GPT2_BLOCKS
    if (p >= try_blocks) {
      const char* stop;
      p = ScanBlocks(p, limit, sink, &stop);
      try_blocks = stop + 64 + 1;
    }
#endif
    const char* const start = p;
    // Fast path: most tokens of prose are words, with or without one
    // leading U+0020.
    const char* const word = p + (*p == ' ');
    if (word < limit) {
      uint8_t c = kByteClass[static_cast<uint8_t>(*word)];
      int len = 1;
      if (c == kNonAscii) c = DecodeClass(word, limit, &len);
      if (c == kLetter) {
        p = SkipRun<kLetter>(word + len, limit);
        sink(std::string_view(start, p - start));
        continue;
      }
    }
    int len;
    const uint8_t cls = ClassAt(p, limit, &len);
    if (cls == kLetter) {
      p = SkipRun<kLetter>(p + len, limit);
    } else if (cls == kSpace) {
      // " x...": U+0020 followed by a non-space joins the run that follows.
      if (*p == ' ' && limit - p >= 2) {
        int next_len;
        const uint8_t next = ClassAt(p + 1, limit, &next_len);
        if (next != kSpace) {
          p = SkipRunOf(next, p + 1 + next_len, limit);
          sink(std::string_view(start, p - start));
          continue;
        }
      }
      // A whitespace run; `last` is where its last character starts.
      const char* last = p;
      p += len;
      while (p < limit) {
        int l;
        if (ClassAt(p, limit, &l) != kSpace) break;
        last = p;
        p += l;
      }
      if (p < limit && last != start) {
        // (?!\S): the run gives up its last character, which the next
        // iteration scans as " x..." or as a lone \s+ token.
        p = last;
      }
    } else if (cls == kNumber) {
      p = SkipRun<kNumber>(p + len, limit);
    } else {
      if (*p == '\'') {
        const int n = ContractionLength(p, limit);
        if (n != 0) {
          p += n;
          sink(std::string_view(start, p - start));
          continue;
        }
      }
      p = SkipRun<kOther>(p + len, limit);
    }
    sink(std::string_view(start, p - start));
  }
}

}  // namespace gpt2_internal

template <typename Sink>
[[gnu::always_inline]] inline void ScanGpt2(const char* p, const char* limit,
                                            Sink&& sink) {
  gpt2_internal::ScanGpt2Paths<true>(p, limit, sink);
}

}  // namespace pretokdb

#endif  // PRETOKDB_TEXT_GPT2_SCANNER_H_

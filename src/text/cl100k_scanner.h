// Copyright (c) pretok-db authors.
//
// The cl100k pretokenizer, hand-written: ScanCl100k() yields exactly the
// matches of the Python reference
//
//   regex.finditer(r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++"""
//                  r"""|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$"""
//                  r"""|\s*[\r\n]|\s+(?!\S)|\s""", text)
//
// with the `regex` module's classes (text/char_class.h): tiktoken's
// cl100k_base, as text/pattern.h holds it. Like ScanGpt2(), a template over
// the sink, always inlined.
//
// How the pattern reads at the position where the previous match ended.
// Every character is a letter (\p{L}), a number (\p{N}), whitespace (\s)
// or "other", so some branch always matches and matches tile the text.
// Let c be the character there and d the one after it.
//   1. '(?i:[sdmt]|ll|ve|re): c is an apostrophe and a contraction follows,
//      in any case, U+017F (long s) matching s (text/tiktoken_contraction.h).
//   2. [^\r\n\p{L}\p{N}]?+\p{L}++: a letter run, with c before it if c is
//      other or whitespace but \r and \n and d is a letter ("(ab", " ab",
//      "\tab", "'hello", "\u00A0ab"). (Possessive or not makes no
//      difference: without c the run would have to start on c, which is
//      not a letter.)
//   3. \p{N}{1,3}+: one to three numbers; a longer run is cut in threes
//      from its start.
//   4.  ?[^\s\p{L}\p{N}]++[\r\n]*+: a run of "other", with a U+0020 before
//      it if c is that space, then every \r and \n that follows it: "!\n\n"
//      is one token. (An "other" c followed by a letter took branch 2, and
//      an "other" run never gives up its last character to the letters
//      after it: "((ab" is "((", "ab".)
//   5. \s++$: a whitespace run that reaches the end of the text is one
//      token. (Python's `$` also holds before a final "\n", but that "\n"
//      would belong to the run.)
//   6. \s*[\r\n]: else, if the whitespace run holds a \r or \n, the run up
//      to its last one (\s* backtracks until [\r\n] matches).
//   7. \s+(?!\S): else, a run of two or more gives up its last character;
//   8. \s: which is a token of its own, unless branch 2 or 4 takes it with
//      what follows (" ab", "\tab", " !").
// So a single whitespace character before a letter prefixes it (but \r and
// \n), U+0020 before punctuation prefixes it, and otherwise whitespace
// never joins a token that is not whitespace, but a \r or \n right after
// punctuation.

#ifndef PRETOKDB_TEXT_CL100K_SCANNER_H_
#define PRETOKDB_TEXT_CL100K_SCANNER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "text/gpt2_classes.h"
#include "text/tiktoken_blocks.h"
#include "text/tiktoken_contraction.h"

namespace pretokdb {

// Calls sink(std::string_view token) for each cl100k pretoken of
// [p, limit), in order. The tokens point into [p, limit) and tile it.
//
// REQUIRES: [p, limit) is valid UTF-8 and one document (already split on
// special tokens), or a piece of one that ends at a safe cut
// (text/safe_cut.h, CutRule::kTiktoken): its end is taken for the
// document's end (branch 5). On invalid UTF-8 the tokens still tile the
// input and nothing outside it is read, but they need not match Python.
template <typename Sink>
void ScanCl100k(const char* p, const char* limit, Sink&& sink);

namespace cl100k_internal {

using gpt2_internal::ClassAt;
using gpt2_internal::kLetter;
using gpt2_internal::kNumber;
using gpt2_internal::kOther;
using gpt2_internal::kSpace;
using gpt2_internal::SkipRun;

inline bool IsLineBreak(char c) { return c == '\r' || c == '\n'; }

// [\r\n]*: the line breaks at p.
inline const char* SkipLineBreaks(const char* p, const char* limit) {
  while (p < limit && IsLineBreak(*p)) p++;
  return p;
}

// \p{N}{1,3}: p starts a number; returns the end of it and at most two
// more.
inline const char* SkipNumbers(const char* p, int len, const char* limit) {
  p += len;
  for (int i = 0; i < 2 && p < limit; i++) {
    if (ClassAt(p, limit, &len) != kNumber) break;
    p += len;
  }
  return p;
}

// Branches 2 and 4 to 8 at p, which starts a whitespace character of len
// bytes: returns the end of the token.
inline const char* ScanFromSpace(const char* p, int len, const char* limit) {
  const bool line_break = IsLineBreak(*p);
  const char* q = p + len;
  if (q < limit) {
    int next_len;
    const uint8_t next = ClassAt(q, limit, &next_len);
    if (next != kSpace) {
      // One whitespace character before a non-space.
      if (next == kLetter && !line_break) {
        return SkipRun<kLetter>(q + next_len, limit);  // 2
      }
      if (next == kOther && *p == ' ') {
        return SkipLineBreaks(SkipRun<kOther>(q + next_len, limit),
                              limit);  // 4
      }
      return q;  // 6 (a \r or \n) or 8
    }
  }
  // A run of two or more, or one at the end of the text. `last`: where its
  // last character starts; `after_break`: the end of its last \r or \n.
  const char* last = p;
  const char* after_break = line_break ? q : nullptr;
  while (q < limit) {
    int l;
    if (ClassAt(q, limit, &l) != kSpace) break;
    last = q;
    q += l;
    if (IsLineBreak(*last)) after_break = q;
  }
  if (q == limit) return limit;                    // 5
  if (after_break != nullptr) return after_break;  // 6
  return last;                                     // 7
}

// One token from p, a token start: returns its end.
[[gnu::always_inline]] inline const char* ScanToken(const char* p,
                                                    const char* limit) {
  int len;
  const uint8_t cls = ClassAt(p, limit, &len);
  if (cls == kLetter) return SkipRun<kLetter>(p + len, limit);  // 2
  if (cls == kNumber) return SkipNumbers(p, len, limit);        // 3
  if (cls == kSpace) return ScanFromSpace(p, len, limit);       // 2, 4-8
  if (*p == '\'') {
    const int n = TiktokenContractionLength(p, limit);
    if (n != 0) return p + n;  // 1
  }
  const char* q = p + len;
  if (q < limit) {
    int next_len;
    const uint8_t next = ClassAt(q, limit, &next_len);
    if (next == kLetter) return SkipRun<kLetter>(q + next_len, limit);  // 2
    if (next == kOther) q = SkipRun<kOther>(q + next_len, limit);
  }
  return SkipLineBreaks(q, limit);  // 4
}

// ScanCl100k(), with or without the block path (tests compare the two).
template <bool kBlocks, typename Sink>
[[gnu::always_inline]] inline void ScanCl100kPaths(const char* p,
                                                   const char* limit,
                                                   Sink& sink) {
#ifdef PRETOKDB_TIKTOKEN_BLOCKS
  // Blocks the block path takes go by it (text/tiktoken_blocks.h); the
  // rest, one token at a time, until the block that stopped it is behind.
  const char* try_blocks = kBlocks ? p : limit;
#endif
  while (p < limit) {
#ifdef PRETOKDB_TIKTOKEN_BLOCKS
    if (p >= try_blocks) {
      const char* stop;
      p = tiktoken_internal::ScanBlocks<tiktoken_internal::Pattern::kCl100k>(
          p, limit, sink, &stop);
      try_blocks = stop + 64 + 1;
    }
#endif
    const char* const end = ScanToken(p, limit);
    sink(std::string_view(p, end - p));
    p = end;
  }
}

}  // namespace cl100k_internal

template <typename Sink>
[[gnu::always_inline]] inline void ScanCl100k(const char* p, const char* limit,
                                              Sink&& sink) {
  cl100k_internal::ScanCl100kPaths<true>(p, limit, sink);
}

}  // namespace pretokdb

#endif  // PRETOKDB_TEXT_CL100K_SCANNER_H_

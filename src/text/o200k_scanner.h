// Copyright (c) pretok-db authors.
//
// The o200k pretokenizer, hand-written: ScanO200k() yields exactly the
// matches of the Python reference regex.finditer(O200K, text), O200K being
// tiktoken's o200k_base (text/pattern.h), the alternatives
//
//   W1  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*
//         [\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//   W2  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+
//         [\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//   N   \p{N}{1,3}
//   P    ?[^\s\p{L}\p{N}]+[\r\n/]*
//   B   \s*[\r\n]+
//   S   \s+(?!\S)
//   S'  \s+
//
// with the `regex` module's classes (text/o200k_classes.h). Like
// ScanGpt2(), a template over the sink, always inlined.
//
// Write U for [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}], L for [\p{Ll}\p{Lm}\p{Lo}\p{M}]
// (Lm, Lo and the marks M are in both), and a word character for one in
// either. None of the quantifiers is possessive, so a branch matches as the
// backtracking matcher first finds it. At a token start c, after the
// optional prefix (if c is in its class and a word character follows):
//   - W1 takes the U run R (greedy), then needs an L. If the character x
//     after R is one (then x is Ll, being outside U), the token is R and the
//     L run from x: "Hello", "HTTPServer" (R = "HTTPS"), and "camelCase" is
//     "camel", "Case" (an L run ends at a Lu). Else U* backtracks: the L+
//     starts on the last character of R that is in L too (Lm, Lo or M), and
//     ends right after it, the characters after it in R being Lu or Lt ("ʰA" is
//     "ʰ", "A"). If R has none, W1 fails.
//   - Then W2, which now can only take R, if R is not empty ("ABC").
//   - Either then takes a contraction, in any case ("DON'T", "they're").
// Without the prefix (backtracking into it) nothing new matches: if c is a
// mark, W1 then gives c alone, which is what W1 gives when c is taken as a
// word character (in U and in L) instead of a prefix; so a mark at a token
// start is just a word character. A prefix is taken with the word that
// follows it: " Hello", "(HTTP", "\tx", "\u00A0x".
// Else N, one to three numbers. Else P, a punctuation run: U+0020 then
// "other" characters (marks too, which W1 did not take: "!!\u0301a" is
// "!!\u0301", "a"), then any \r, \n and '/' ("?\n/"). Else whitespace:
// B takes the run up to its last \r or \n, if it holds one; S a run of two
// or more that does not reach the end of the text gives up its last
// character, which then starts the next token; S' a lone one, or a run
// reaching the end.

#ifndef PRETOKDB_TEXT_O200K_SCANNER_H_
#define PRETOKDB_TEXT_O200K_SCANNER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "text/o200k_classes.h"
#include "text/tiktoken_blocks.h"
#include "text/tiktoken_contraction.h"

namespace pretokdb {

// Calls sink(std::string_view token) for each o200k pretoken of [p, limit),
// in order. The tokens point into [p, limit) and tile it.
//
// REQUIRES: [p, limit) is valid UTF-8 and one document (already split on
// special tokens), or a piece of one that ends at a safe cut
// (text/safe_cut.h, CutRule::kTiktoken). On invalid UTF-8 the tokens still
// tile the input and nothing outside it is read, but they need not match
// Python.
template <typename Sink>
void ScanO200k(const char* p, const char* limit, Sink&& sink);

namespace o200k_internal {

inline uint8_t ClassAt(const char* p, const char* limit, int* len) {
  return O200kClassAt(p, limit, len);
}

// Returns the end of the run of characters with a class bit in `bits`
// that starts at p.
inline const char* SkipRun(uint8_t bits, const char* p, const char* limit) {
  while (p < limit) {
    int len;
    if ((ClassAt(p, limit, &len) & bits) == 0) break;
    p += len;
  }
  return p;
}

// W1 or W2 from p, a word character (the prefix, if any, is behind):
// returns the end of the word and its contraction.
inline const char* ScanWord(const char* p, const char* limit) {
  // R, the U run; `after_both`: the end of its last character that is in
  // L too.
  const char* after_both = nullptr;
  uint8_t cls = 0;
  int len = 0;
  while (p < limit) {
    cls = ClassAt(p, limit, &len);
    if ((cls & kO200kUpper) == 0) break;
    p += len;
    if (cls & kO200kLower) after_both = p;
  }
  if (p < limit && (cls & kO200kLower) != 0) {
    p = SkipRun(kO200kLower, p + len, limit);  // W1: R, then x's L run
  } else if (after_both != nullptr) {
    p = after_both;  // W1, U* backtracked
  }                  // else W2: R
  if (p < limit && *p == '\'') p += TiktokenContractionLength(p, limit);
  return p;
}

// B, S or S' from p, a whitespace character of len bytes that no branch
// before them takes: returns the end of the token.
inline const char* ScanSpaces(const char* p, int len, const char* limit) {
  const char* last = p;
  const char* after_break = nullptr;
  const char* q = p;
  while (true) {
    last = q;
    q += len;
    if (*last == '\r' || *last == '\n') after_break = q;
    if (q >= limit || (ClassAt(q, limit, &len) & kO200kSpace) == 0) break;
  }
  if (after_break != nullptr) return after_break;  // B
  if (q == limit || last == p) return q;           // S' (or S at the end)
  return last;                                     // S
}

// One token from p, a token start: returns its end.
[[gnu::always_inline]] inline const char* ScanToken(const char* p,
                                                    const char* limit) {
  int len;
  const uint8_t cls = ClassAt(p, limit, &len);
  if (cls & kO200kWord) return ScanWord(p, limit);  // a mark too
  if (cls & kO200kNumber) {
    const char* q = p + len;
    for (int i = 0; i < 2 && q < limit; i++) {
      if ((ClassAt(q, limit, &len) & kO200kNumber) == 0) break;
      q += len;
    }
    return q;  // N
  }
  const char* q = p + len;
  int next_len = 0;
  const uint8_t next = q < limit ? ClassAt(q, limit, &next_len) : 0;
  if ((cls & kO200kPrefix) && (next & kO200kWord)) {
    return ScanWord(q, limit);  // W1 or W2 with the prefix
  }
  if ((cls & kO200kOther) || (*p == ' ' && (next & kO200kOther))) {
    // P: c is "other" (not a mark: marks are word characters), or U+0020
    // before one.
    if (next & kO200kOther) q = SkipRun(kO200kOther, q + next_len, limit);
    while (q < limit && (*q == '\r' || *q == '\n' || *q == '/')) q++;
    return q;
  }
  return ScanSpaces(p, len, limit);
}

// ScanO200k(), with or without the block path (tests compare the two).
template <bool kBlocks, typename Sink>
[[gnu::always_inline]] inline void ScanO200kPaths(const char* p,
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
      p = tiktoken_internal::ScanBlocks<tiktoken_internal::Pattern::kO200k>(
          p, limit, sink, &stop);
      try_blocks = stop + 64 + 1;
    }
#endif
    const char* const end = ScanToken(p, limit);
    sink(std::string_view(p, end - p));
    p = end;
  }
}

}  // namespace o200k_internal

template <typename Sink>
[[gnu::always_inline]] inline void ScanO200k(const char* p, const char* limit,
                                             Sink&& sink) {
  o200k_internal::ScanO200kPaths<true>(p, limit, sink);
}

}  // namespace pretokdb

#endif  // PRETOKDB_TEXT_O200K_SCANNER_H_

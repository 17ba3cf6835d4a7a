// Copyright (c) pretok-db authors.
//
// The fast path of the cl100k and o200k scanners (text/cl100k_scanner.h,
// text/o200k_scanner.h), as text/gpt2_blocks.h is GPT-2's: the token
// starts of 64 bytes at once, as bit masks, from SSE2 byte compares and the
// classes of the block's few multi-byte characters. Blocks it cannot take
// go to the scalar scanner, which follows the pattern character by
// character: one holding a non-ASCII space or a non-ASCII number (and, for
// o200k, a mark); one whose starts depend on what lies beyond its
// lookahead (below); the end of the text.
//
// Every byte has the class of its character: L (cl100k: \p{L}; o200k: a
// letter, split into Lu/Lt "upper", Ll "lower" and Lm/Lo "both"), N (an
// ASCII digit), S (U+0020), T (\t \v \f), R (\r \n), or O ("other":
// anything else; for cl100k marks too). X = S|T, W = X|R. "prev" of a
// position is the character before it, whose last byte is the byte before
// it. The block path starts at a token start, and the pattern has no
// lookbehind: matching from a token start does not depend on what precedes
// it, so the text before the first block is taken as nothing.
//
// The rules, for a position i that starts a character (the bytes of one
// character never start a token: each rule asks for a class change or an
// ASCII byte), read off the scanners' headers:
//   (a) Absorbed line breaks: punctuation takes the \r and \n after it
//       (cl100k [\r\n]*+; o200k [\r\n/]*, with '/' among them after the
//       first). A = the run of R (o200k: R or '/') that starts at an R whose
//       prev is O. (An O before an R always ends a punctuation run: an O
//       in a word's prefix has a letter after it.) O' = O not in A.
//   (b) Punctuation: i in O' starts a token iff prev is not in O' (an O'
//       run is one token) and not S (U+0020 before punctuation joins it:
//       that space always starts a token, being the last of its run).
//   (c) Prefixes: P = the first character of each O' run that (b) makes a
//       token start. A letter after a P character, or after an X, does not
//       start a token: the prefix and the word are one. (An X before a
//       letter is the last of its whitespace run, so it starts a token.
//       The last character of a longer O' run never prefixes: the run took
//       it.)
//   (d) Words, cl100k: i in L starts a token iff prev is not L, not X and
//       not in P. o200k: i in L starts a token iff
//         - prev is not L, X or P (a word's first character); or
//         - i is upper and prev is lower: an L run ends at an upper; or
//         - i is upper, prev is "both" and in an L run (the run of lower and
//           "both" that starts at a lower: that L run ends at i); or
//         - i is upper, prev is "both" but not in an L run (so in the upper
//           run R of its word), and the run of upper from i ends at a
//           non-letter: then W1 ends R's L+ on that "both" character
//           (o200k_scanner.h). If the run ends at a lower, W1 takes all of
//           R and more; at a "both", R goes on. Decided here if that run
//           ends inside the block; else the block goes to the scalar scanner.
//   (e) Numbers: the first digit of a run, then every third: carried across
//       blocks as the number of digits since the last start.
//   (f) Whitespace: a W run tiles as "first" (its first character not in
//       A), "last line" (the character after its last R, if that is not
//       its end) and "last" (its last character, if in X), but at the end
//       of the text, which this path never reaches. So i in W starts a
//       token iff
//         - i is not in A and prev is not W, or is in A; or
//         - i is in X and the character after i is not W; or
//         - i is in X, prev is R, and the X run from i ends at a non-W:
//           decided when that run ends, in this block or a later one (the
//           start is then "pending").
//   (g) Contractions. cl100k: an apostrophe that starts a token with a
//       contraction after it is that token, and the character after it
//       starts one. o200k: a contraction right after a letter ends that
//       letter's word (the last token of a run of letters always ends at
//       the run's end): neither the apostrophe nor its letters start a
//       token, the character after them does; but an apostrophe right
//       after a contraction's last letter starts its own token. If a
//       letter follows an o200k contraction, the L runs of (d) would cross
//       the token end: the block goes to the scalar scanner.
// The rule for "last" needs the class of the byte after the block, so a
// block is only taken with bytes after it, and never at the end of the
// text.

#ifndef PRETOKDB_TEXT_TIKTOKEN_BLOCKS_H_
#define PRETOKDB_TEXT_TIKTOKEN_BLOCKS_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "text/gpt2_classes.h"
#include "text/o200k_classes.h"
#include "text/tiktoken_contraction.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#define PRETOKDB_TIKTOKEN_BLOCKS 1
#endif

namespace pretokdb {
namespace tiktoken_internal {

enum class Pattern { kCl100k, kO200k };

#ifdef PRETOKDB_TIKTOKEN_BLOCKS

// Bytes a block reads past its end: the class of the character after it,
// and a contraction whose apostrophe ends the block, with the character
// after it.
inline constexpr ptrdiff_t kBlockLookahead = 4;

// The class masks of 64 bytes (bit i: byte i). upper, lower and slash are
// o200k's only.
struct BlockMasks {
  uint64_t letter = 0, upper = 0, lower = 0, digit = 0, space = 0, blank = 0,
           line_break = 0, apostrophe = 0, slash = 0, non_ascii = 0,
           continuation = 0;
};

inline uint64_t MaskOf16(__m128i v, int shift) {
  return static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(v)))
         << shift;
}

// Signed-compare form of (uint8_t)(b - lo) < n, for SSE2's signed compares.
inline __m128i InRange(__m128i b, char lo, int n) {
  const __m128i shifted =
      _mm_add_epi8(b, _mm_set1_epi8(static_cast<char>(0x80 - lo)));
  return _mm_cmplt_epi8(shifted, _mm_set1_epi8(static_cast<char>(0x80 + n)));
}

template <Pattern kPattern>
inline BlockMasks ClassifyAscii(const char* p) {
  BlockMasks m;
  uint64_t ws = 0;
  for (int k = 0; k < 4; ++k) {
    const __m128i b =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    const int shift = 16 * k;
    m.non_ascii |= MaskOf16(b, shift);
    // 0x80..0xBF are the signed bytes below -64.
    m.continuation |= MaskOf16(_mm_cmplt_epi8(b, _mm_set1_epi8(-64)), shift);
    if constexpr (kPattern == Pattern::kO200k) {
      const __m128i lower = InRange(b, 'a', 26);
      const __m128i upper = InRange(b, 'A', 26);
      m.lower |= MaskOf16(lower, shift);
      m.upper |= MaskOf16(upper, shift);
      m.slash |= MaskOf16(_mm_cmpeq_epi8(b, _mm_set1_epi8('/')), shift);
    } else {
      // (b | 0x20) maps A-Z onto a-z and nothing else onto it.
      m.letter |= MaskOf16(
          InRange(_mm_or_si128(b, _mm_set1_epi8(0x20)), 'a', 26), shift);
    }
    m.digit |= MaskOf16(InRange(b, '0', 10), shift);
    const __m128i space = _mm_cmpeq_epi8(b, _mm_set1_epi8(' '));
    m.space |= MaskOf16(space, shift);
    ws |= MaskOf16(_mm_or_si128(space, InRange(b, '\t', 5)), shift);
    m.line_break |=
        MaskOf16(_mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8('\n')),
                              _mm_cmpeq_epi8(b, _mm_set1_epi8('\r'))),
                 shift);
    m.apostrophe |= MaskOf16(_mm_cmpeq_epi8(b, _mm_set1_epi8('\'')), shift);
  }
  if constexpr (kPattern == Pattern::kO200k) m.letter = m.upper | m.lower;
  m.blank = ws & ~m.line_break;
  return m;
}

// What a multi-byte character adds to the masks: bits of kLetterCode and,
// for o200k, kUpperCode or kLowerCode ("both" has neither).
inline constexpr uint8_t kLetterCode = 1, kUpperCode = 2, kLowerCode = 4;
// A character the block path does not take: a non-ASCII space or number,
// an o200k mark.
inline constexpr uint8_t kLeaveCode = 0x80;

template <Pattern kPattern>
inline uint8_t MultiByteCode(const char* p, const char* limit, int* len) {
  if constexpr (kPattern == Pattern::kO200k) {
    const uint8_t bits = O200kClassAt(p, limit, len);
    if (bits & (kO200kSpace | kO200kNumber)) return kLeaveCode;
    if ((bits & kO200kWord) == 0) return 0;
    if (bits & kO200kOther) return kLeaveCode;  // a mark
    if ((bits & kO200kLower) == 0) return kLetterCode | kUpperCode;
    if ((bits & kO200kUpper) == 0) return kLetterCode | kLowerCode;
    return kLetterCode;  // Lm, Lo
  } else {
    const uint8_t cls = gpt2_internal::DecodeClass(p, limit, len);
    if (cls == gpt2_internal::kLetter) return kLetterCode;
    if (cls == gpt2_internal::kOther) return 0;
    return kLeaveCode;
  }
}

// A character that crosses from one block into the next: the bits of its
// bytes in the next block, and its code.
struct BlockCarry {
  uint64_t bits = 0;
  uint8_t code = 0;
};

// Gives the bytes of the block's multi-byte characters their classes in *m.
// *carry: in, the character that the previous block ends inside of; out,
// the one this block ends inside of. Returns false at a character the
// block path does not take.
template <Pattern kPattern>
inline bool ClassifyMultiByte(const char* block, const char* limit,
                              BlockMasks* m, BlockCarry* carry) {
  auto set_class = [m](uint64_t bits, uint8_t code) {
    if (code & kLetterCode) m->letter |= bits;
    if (code & kUpperCode) m->upper |= bits;
    if (code & kLowerCode) m->lower |= bits;
  };
  uint64_t pending = m->non_ascii & ~carry->bits;  // lead bytes, mostly
  set_class(carry->bits, carry->code);
  carry->bits = 0;
  while (pending != 0) {
    const int i = std::countr_zero(pending);
    int len;
    const uint8_t code = MultiByteCode<kPattern>(block + i, limit, &len);
    if (code == kLeaveCode) return false;
    const uint64_t bits = ((uint64_t{1} << len) - 1) << i;  // drops bits > 63
    set_class(bits, code);
    pending &= ~bits;
    if (i + len > 64) {
      *carry = BlockCarry{(uint64_t{1} << (i + len - 64)) - 1, code};
    }
  }
  return true;
}

// True if the character at p < limit is whitespace (the byte after a
// block, for rule (f)'s "last").
inline bool IsSpaceAt(const char* p, const char* limit) {
  int len;
  return gpt2_internal::ClassAt(p, limit, &len) == gpt2_internal::kSpace;
}

// The run of `run` bits that each seed starts, seeds included: run & ~(run
// + seeds) clears a run from its first seed up (the carry ends past the
// run), which a second seed in the same run (0 by then) would be set
// again, hence the `| seeds`. REQUIRES: seeds is within run.
inline uint64_t FillRuns(uint64_t run, uint64_t seeds) {
  return (run & ~(run + seeds)) | seeds;
}

// The masks of the previous block that the rules read (at bit 63), and what
// else it hands to the next: all zero before the first block.
struct BlockState {
  uint64_t letter = 0, upper = 0, lower = 0, digit = 0, space = 0, blank = 0,
           line_break = 0, other = 0, punct = 0, absorbed = 0, prefix = 0,
           l_run = 0, digit_starts = 0;
  // Rule (f)'s "last line" start whose X run reached the block's end.
  const char* pending = nullptr;
  // Starts that a contraction crossing into the next block forces or
  // clears there.
  uint64_t force_next = 0, clear_next = 0;
  // o200k: the apostrophe right after a contraction that crossed into the
  // next block, which starts a token of its own (rule (g)).
  uint64_t after_contraction_next = 0;
};

inline uint64_t Prev(uint64_t m, uint64_t before) {
  return (m << 1) | (before >> 63);
}

// The starts of one block, or false if the block path cannot take it.
// Updates *s for the next block; *emit_pending: whether s->pending (as it
// was) is a token start, to be emitted before the block's starts.
template <Pattern kPattern>
[[gnu::always_inline]] inline bool BlockStarts(const char* block,
                                               const char* limit, BlockMasks& c,
                                               BlockCarry* carry, BlockState* s,
                                               uint64_t* out,
                                               bool* emit_pending) {
  constexpr bool kO200k = kPattern == Pattern::kO200k;
  if ((c.non_ascii | carry->bits) != 0 &&
      !ClassifyMultiByte<kPattern>(block, limit, &c, carry)) {
    return false;
  }
  const uint64_t ws = c.blank | c.line_break;
  const uint64_t other = ~(c.letter | c.digit | ws);
  const bool ws_after = IsSpaceAt(block + 64, limit);

  // (a) Absorbed line breaks.
  const uint64_t absorbable = kO200k ? c.line_break | c.slash : c.line_break;
  const uint64_t absorbed =
      FillRuns(absorbable, (c.line_break & Prev(other, s->other)) |
                               (absorbable & (s->absorbed >> 63)));
  // (b) Punctuation.
  const uint64_t punct = other & ~absorbed;
  const uint64_t punct_run_start = punct & ~Prev(punct, s->punct);
  const uint64_t punct_starts = punct_run_start & ~Prev(c.space, s->space);
  // (c) Prefixes: the bytes of the first character of each such run: its
  // first byte, and the continuation bytes after it (those of a character
  // crossing from the previous block too).
  const uint64_t punct_tail = punct & c.continuation;
  const uint64_t prefix =
      FillRuns(punct_run_start | punct_tail,
               punct_starts | (punct_tail & (s->prefix >> 63)));
  // (d) Words.
  const uint64_t prev_letter = Prev(c.letter, s->letter);
  uint64_t word_starts = c.letter & ~prev_letter & ~Prev(c.blank, s->blank) &
                         ~Prev(prefix, s->prefix);
  uint64_t l_run = 0;
  if constexpr (kO200k) {
    const uint64_t both = c.letter & ~c.upper & ~c.lower;
    const uint64_t prev_both = Prev(both, s->letter & ~s->upper & ~s->lower);
    const uint64_t l_chars = c.lower | both;
    l_run = FillRuns(l_chars, c.lower | (l_chars & (s->l_run >> 63)));
    const uint64_t prev_l_run = Prev(l_run, s->l_run);
    word_starts |=
        c.upper & (Prev(c.lower, s->lower) | (prev_both & prev_l_run));
    for (uint64_t k = c.upper & prev_both & ~prev_l_run; k != 0; k &= k - 1) {
      const int i = std::countr_zero(k);
      const uint64_t rest = ~c.upper >> i;
      if (rest == 0) return false;  // the upper run goes on past the block
      const int end = i + std::countr_zero(rest);
      if (((c.letter >> end) & 1) == 0) word_starts |= uint64_t{1} << i;
    }
  }
  // (e) Numbers.
  uint64_t digit_starts = c.digit & ~Prev(c.digit, s->digit);
  if ((s->digit >> 63) != 0 && s->digit_starts != 0) {
    // Digits since the last start, 1 to 3; the next start is 3 after it.
    const int since = 64 - (63 - std::countl_zero(s->digit_starts));
    const uint64_t through = (uint64_t{2} << (3 - since)) - 1;
    if ((c.digit & through) == through)
      digit_starts |= uint64_t{1} << (3 - since);
  }
  const uint64_t three = c.digit & (c.digit << 1) & (c.digit << 2);
  for (uint64_t more = (digit_starts << 3) & three & ~digit_starts; more != 0;
       more = (digit_starts << 3) & three & ~digit_starts) {
    digit_starts |= more;
  }
  // (f) Whitespace.
  const uint64_t ws_first =
      ws & ~absorbed &
      (~Prev(ws, s->blank | s->line_break) | Prev(absorbed, s->absorbed));
  uint64_t ws_starts =
      ws_first |
      (c.blank & ~((ws >> 1) | (static_cast<uint64_t>(ws_after) << 63)));
  *emit_pending = false;
  if (s->pending != nullptr) {
    // The X run of the pending start goes on from byte 0.
    const uint64_t rest = ~c.blank;
    if (rest != 0) {
      const int end = std::countr_zero(rest);
      *emit_pending = ((c.line_break >> end) & 1) == 0;
      s->pending = nullptr;
    } else if (!ws_after) {
      *emit_pending = true;
      s->pending = nullptr;
    } else if (block[64] == '\r' || block[64] == '\n') {
      s->pending = nullptr;
    }  // else the run goes on through the next block too
  }
  // "Last line" candidates; one after an absorbed R is "first" already.
  for (uint64_t k = c.blank & Prev(c.line_break, s->line_break) & ~ws_first;
       k != 0; k &= k - 1) {
    const int i = std::countr_zero(k);
    const uint64_t rest = ~c.blank >> i;
    if (rest != 0) {
      const int end = i + std::countr_zero(rest);
      if (((c.line_break >> end) & 1) == 0) ws_starts |= uint64_t{1} << i;
    } else if (!ws_after) {
      ws_starts |= uint64_t{1} << i;
    } else if (block[64] != '\r' && block[64] != '\n') {
      s->pending = block + i;  // decided by a later block
    }
  }

  uint64_t starts = word_starts | digit_starts | punct_starts | ws_starts;
  starts = (starts | s->force_next) & ~s->clear_next;
  s->force_next = s->clear_next = 0;

  // (g) Contractions: rare, one by one.
  uint64_t apostrophes = c.apostrophe & (kO200k ? prev_letter : starts);
  if constexpr (kO200k) apostrophes &= ~s->after_contraction_next;
  s->after_contraction_next = 0;
  int after_contraction = -1;
  for (; apostrophes != 0; apostrophes &= apostrophes - 1) {
    const int i = std::countr_zero(apostrophes);
    if (kO200k && i == after_contraction) continue;
    const int len = TiktokenContractionLength(block + i, limit);
    if (len == 0) continue;
    const int end = i + len;
    if constexpr (kO200k) {
      int next_len;
      if (block + end < limit &&
          (O200kClassAt(block + end, limit, &next_len) & kO200kWord) != 0) {
        return false;
      }
      after_contraction = end;
      if (end >= 64) s->after_contraction_next = uint64_t{1} << (end - 64);
    }
    // cl100k: the apostrophe starts the token; o200k: the word's token goes
    // on through it.
    const uint64_t inside =
        kO200k ? ((uint64_t{1} << len) - 1) : ((uint64_t{1} << len) - 2);
    if (end < 64) {
      starts = (starts & ~(inside << i)) | (uint64_t{1} << end);
    } else {
      starts &= ~(inside << i);  // drops bits past 63
      s->force_next |= uint64_t{1} << (end - 64);
      s->clear_next |= inside >> (64 - i);
    }
  }

  s->letter = c.letter;
  s->upper = c.upper;
  s->lower = c.lower;
  s->digit = c.digit;
  s->space = c.space;
  s->blank = c.blank;
  s->line_break = c.line_break;
  s->other = other;
  s->punct = punct;
  s->absorbed = absorbed;
  s->prefix = prefix;
  s->l_run = l_run;
  s->digit_starts = digit_starts;
  *out = starts;
  return true;
}

// Scans whole 64-byte blocks from `token` (a token start) while one fits
// before `limit` with its lookahead. Calls sink() for every token that
// ends inside the blocks scanned, and returns the start of the token still
// open: where the scalar scanner goes on. *stop: the block it could not
// take.
template <Pattern kPattern, typename Sink>
const char* ScanBlocks(const char* token, const char* limit, Sink& sink,
                       const char** stop) {
  const char* block = token;
  BlockState state;
  BlockCarry carry;
  bool first = true;
  while (limit - block >= 64 + kBlockLookahead) {
    BlockMasks c = ClassifyAscii<kPattern>(block);
    const char* const pending = state.pending;
    uint64_t starts;
    bool emit_pending;
    if (!BlockStarts<kPattern>(block, limit, c, &carry, &state, &starts,
                               &emit_pending)) {
      break;
    }
    if (emit_pending) {
      sink(std::string_view(token, pending - token));
      token = pending;
    }
    if (first) {
      starts &= ~uint64_t{1};  // `token` starts here: no empty token
      first = false;
    }
    for (; starts != 0; starts &= starts - 1) {
      const char* s = block + std::countr_zero(starts);
      sink(std::string_view(token, s - token));
      token = s;
    }
    block += 64;
  }
  *stop = block;
  return token;
}

#endif  // PRETOKDB_TIKTOKEN_BLOCKS

}  // namespace tiktoken_internal
}  // namespace pretokdb

#endif  // PRETOKDB_TEXT_TIKTOKEN_BLOCKS_H_

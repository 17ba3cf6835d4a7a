// Copyright (c) pretok-db authors.
//
// The GPT-2 pretokenizer's fast path for ASCII text: it finds the token
// starts of 64 bytes at once, as bit masks, instead of following the
// pattern byte by byte, where each token's end waits on the last byte's
// class and each token kind is a branch the CPU mispredicts.
//
// On ASCII the pattern (text/gpt2_scanner.h) reduces to local rules. With
// classes L (letters), N (digits), W (whitespace: \t \n \v \f \r and space)
// and O (everything else), and P the spaces followed by a non-space, a
// token starts at byte i if
//   - i is L, N or O, its class differs from byte i-1's, and byte i-1 is
//     not in P (a space in P begins the token of the run after it);
//   - i is W and byte i-1 is not, or byte i+1 is L, N or O: a whitespace
//     run followed by a non-space gives up its last character (?!\S),
//     which is then its own token or, if a space, the next token's prefix;
//   - a contraction ('s 'd 'm 't 'll 've 're) ends at i: it is one token
//     when its apostrophe starts a token by the rules above, and the
//     letters after it start a new one.
// The rule for W needs byte i+1, so a block is only taken with the byte
// after it, and never at the end of the text, where a whitespace run keeps
// its last character: the scalar scanner does the end.

#ifndef PRETOKDB_TEXT_GPT2_ASCII_BLOCKS_H_
#define PRETOKDB_TEXT_GPT2_ASCII_BLOCKS_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "text/gpt2_classes.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#define PRETOKDB_GPT2_ASCII_BLOCKS 1
#endif

namespace pretokdb {
namespace gpt2_internal {

#ifdef PRETOKDB_GPT2_ASCII_BLOCKS

// Bytes of lookahead a block needs past its end: the next byte's class, and
// two letters for a contraction whose apostrophe ends the block.
inline constexpr ptrdiff_t kBlockLookahead = 3;

// The class masks of 64 bytes (bit i: byte i).
struct BlockClasses {
  uint64_t letter, digit, space_class, space, apostrophe, non_ascii;
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

inline BlockClasses ClassifyBlock(const char* p) {
  BlockClasses c{};
  for (int k = 0; k < 4; ++k) {
    const __m128i b =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    const int shift = 16 * k;
    c.non_ascii |= MaskOf16(b, shift);
    // (b | 0x20) maps A-Z onto a-z and nothing else onto it; bytes >= 0x80
    // stay >= 0x80, outside the range.
    c.letter |= MaskOf16(InRange(_mm_or_si128(b, _mm_set1_epi8(0x20)), 'a', 26),
                         shift);
    c.digit |= MaskOf16(InRange(b, '0', 10), shift);
    const __m128i space = _mm_cmpeq_epi8(b, _mm_set1_epi8(' '));
    c.space |= MaskOf16(space, shift);
    c.space_class |=
        MaskOf16(_mm_or_si128(space, InRange(b, '\t', 5)), shift);
    c.apostrophe |= MaskOf16(_mm_cmpeq_epi8(b, _mm_set1_epi8('\'')), shift);
  }
  return c;
}

inline uint8_t AsciiClass(unsigned char b) { return kByteClass[b]; }

// Scans whole 64-byte ASCII blocks from `token` (a token start) while one
// fits before `limit` with its lookahead. Calls sink() for every token that
// ends inside the blocks scanned, and returns the start of the token still
// open: where the scalar scanner goes on. *stop: the block it could not
// take (not all ASCII, or too near the end).
template <typename Sink>
const char* ScanAsciiBlocks(const char* token, const char* limit, Sink& sink,
                            const char** stop) {
  const char* block = token;
  // Starts forced or cleared in the next block by a contraction that
  // crosses into it.
  uint64_t force_next = 0, clear_next = 0;
  bool first = true;
  while (limit - block >= 64 + kBlockLookahead) {
    const BlockClasses c = ClassifyBlock(block);
    if (c.non_ascii != 0 ||
        static_cast<unsigned char>(block[64]) >= 0x80) {
      break;
    }
    const uint64_t other = ~(c.letter | c.digit | c.space_class);
    const uint64_t word = ~c.space_class;
    // The classes of the byte before the block, and of the byte after it,
    // at bit 0 and bit 63 of the shifted masks.
    // (The first block may begin the text: nothing before it is read.)
    const unsigned char before =
        first ? 0 : static_cast<unsigned char>(block[-1]);
    const unsigned char after = static_cast<unsigned char>(block[64]);
    const uint8_t before_class = first ? 0xFF : AsciiClass(before);
    const uint8_t after_class = AsciiClass(after);
    auto prev = [](uint64_t m, bool bit) {
      return (m << 1) | static_cast<uint64_t>(bit);
    };
    const uint64_t prev_letter = prev(c.letter, before_class == kLetter);
    const uint64_t prev_digit = prev(c.digit, before_class == kNumber);
    const uint64_t prev_other = prev(other, before_class == kOther);
    const uint64_t prev_space_class = prev(c.space_class, before_class == kSpace);
    const uint64_t next_word =
        (word >> 1) | (static_cast<uint64_t>(after_class != kSpace) << 63);
    // Spaces that prefix the next token; shifted: bytes after one.
    const uint64_t prefix = c.space & next_word;
    const uint64_t after_prefix = prev(prefix, !first && before == ' ' &&
                                                  (word & 1) != 0);
    const uint64_t same_class = (c.letter & prev_letter) |
                                (c.digit & prev_digit) | (other & prev_other);
    uint64_t starts = (word & ~same_class & ~after_prefix) |
                      (c.space_class & (~prev_space_class | next_word));
    starts = (starts | force_next) & ~clear_next;
    force_next = clear_next = 0;

    // Contractions: rare, one by one.
    for (uint64_t a = c.apostrophe & starts; a != 0; a &= a - 1) {
      const int i = std::countr_zero(a);
      const int len = ContractionLength(block + i, limit);
      if (len == 0) continue;
      // Its letters are inside it; the byte after it starts a token.
      const unsigned inner_end = static_cast<unsigned>(i + len);
      for (unsigned j = static_cast<unsigned>(i) + 1; j <= inner_end; ++j) {
        const bool is_end = j == inner_end;
        if (j < 64) {
          starts = is_end ? starts | (uint64_t{1} << j) : starts & ~(uint64_t{1} << j);
        } else if (is_end) {
          force_next |= uint64_t{1} << (j - 64);
        } else {
          clear_next |= uint64_t{1} << (j - 64);
        }
      }
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

#endif  // PRETOKDB_GPT2_ASCII_BLOCKS

}  // namespace gpt2_internal
}  // namespace pretokdb

#endif  // PRETOKDB_TEXT_GPT2_ASCII_BLOCKS_H_

// Copyright (c) pretok-db authors.
//
// The GPT-2 pretokenizer's fast path: it finds the token starts of 64 bytes
// at once, as bit masks, instead of following the pattern character by
// character, where each token's end waits on the last character's class
// and each token kind is a branch the CPU mispredicts.
//
// Where no character is a non-ASCII space, the pattern
// (text/gpt2_scanner.h) reduces to local rules. Every byte gets the class of
// its character: L (letters), N (numbers), W (whitespace: \t \n \v \f \r
// and space) or O (everything else); ASCII bytes from byte compares, the
// bytes of a multi-byte character from its decoded class (there are few in
// most text: an accented letter, a dash, a quote). With P the spaces
// (U+0020) followed by a non-space, a token starts at byte i if
//   - i is L, N or O, its class differs from byte i-1's, and byte i-1 is
//     not in P (a space in P begins the token of the run after it); so no
//     token starts inside a character;
//   - i is W and byte i-1 is not, or byte i+1 is L, N or O: a whitespace
//     run followed by a non-space gives up its last character (?!\S),
//     which is then its own token or, if a space, the next token's prefix;
//   - a contraction ('s 'd 'm 't 'll 've 're) ends at i: it is one token
//     when its apostrophe starts a token by the rules above, and the
//     letters after it start a new one.
// The rule for W needs byte i+1, so a block is only taken with the byte
// after it, and never at the end of the text, where a whitespace run keeps
// its last character: the scalar scanner does the end. A non-ASCII space
// (U+00A0, U+3000, ...) never prefixes a word, which these rules do not
// say: its block is left to the scalar scanner.

#ifndef PRETOKDB_TEXT_GPT2_BLOCKS_H_
#define PRETOKDB_TEXT_GPT2_BLOCKS_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "text/gpt2_classes.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#define PRETOKDB_GPT2_BLOCKS 1
#endif

namespace pretokdb {
namespace gpt2_internal {

#ifdef PRETOKDB_GPT2_BLOCKS

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

// A character that crosses from one block into the next: the bits of its
// bytes in the next block, and its class.
struct BlockCarry {
  uint64_t bits = 0;
  uint8_t cls = kOther;
};

// Gives the bytes of the block's multi-byte characters their classes in *c
// (an "other" character is in no mask, which is its class). *carry: in, the
// character that the previous block ends inside of; out, the one this block
// ends inside of. *last: the class of the last character decoded, which
// is the one ending at byte 63 if that byte is not ASCII. Returns
// false, leaving the block to the scalar scanner, at a non-ASCII space.
// Invalid UTF-8 (not the indexer's input) still tiles: a lead byte's
// character may then cover ASCII bytes that keep their own class bits too.
inline bool ClassifyMultiByte(const char* block, const char* limit,
                              BlockClasses* c, BlockCarry* carry,
                              uint8_t* last) {
  auto set_class = [c](uint64_t bits, uint8_t cls) {
    if (cls == kLetter) c->letter |= bits;
    if (cls == kNumber) c->digit |= bits;
  };
  uint64_t pending = c->non_ascii & ~carry->bits;  // lead bytes, mostly
  set_class(carry->bits, carry->cls);
  carry->bits = 0;
  while (pending != 0) {
    const int i = std::countr_zero(pending);
    int len;
    const uint8_t cls = DecodeClass(block + i, limit, &len);
    if (cls == kSpace) return false;
    const uint64_t bits = ((uint64_t{1} << len) - 1) << i;  // drops bits > 63
    set_class(bits, cls);
    pending &= ~bits;
    *last = cls;
    if (i + len > 64) *carry = BlockCarry{(uint64_t{1} << (i + len - 64)) - 1, cls};
  }
  return true;
}

// Scans whole 64-byte blocks from `token` (a token start) while one fits
// before `limit` with its lookahead. Calls sink() for every token that
// ends inside the blocks scanned, and returns the start of the token still
// open: where the scalar scanner goes on. *stop: the block it could not
// take (one with a non-ASCII space, or too near the end).
template <typename Sink>
const char* ScanBlocks(const char* token, const char* limit, Sink& sink,
                       const char** stop) {
  const char* block = token;
  // Starts forced or cleared in the next block by a contraction that
  // crosses into it.
  uint64_t force_next = 0, clear_next = 0;
  BlockCarry carry;
  // The class of the last multi-byte character of the previous block.
  uint8_t last_multi_byte = kOther;
  bool first = true;
  while (limit - block >= 64 + kBlockLookahead) {
    BlockClasses c = ClassifyBlock(block);
    // The class of the character ending at byte -1, kept before the call
    // below moves last_multi_byte on.
    uint8_t before_class = 0xFF;  // the first block may begin the text
    if (!first) {
      before_class = kByteClass[static_cast<unsigned char>(block[-1])];
      if (before_class == kNonAscii) before_class = last_multi_byte;
    }
    if ((c.non_ascii | carry.bits) != 0 &&
        !ClassifyMultiByte(block, limit, &c, &carry, &last_multi_byte)) {
      break;
    }
    const uint64_t other = ~(c.letter | c.digit | c.space_class);
    const uint64_t word = ~c.space_class;
    // The classes of the byte before the block, and of the byte after it,
    // at bit 0 and bit 63 of the shifted masks.
    const unsigned char before =
        first ? 0 : static_cast<unsigned char>(block[-1]);
    // Only whether it is a space matters. A byte that continues a character
    // is not one: DecodeClass() makes it a one-byte "other".
    uint8_t after_class = kByteClass[static_cast<unsigned char>(block[64])];
    if (after_class == kNonAscii) {
      int len;
      after_class = DecodeClass(block + 64, limit, &len);
    }
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

#endif  // PRETOKDB_GPT2_BLOCKS

}  // namespace gpt2_internal
}  // namespace pretokdb

#endif  // PRETOKDB_TEXT_GPT2_BLOCKS_H_

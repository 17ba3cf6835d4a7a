// Copyright (c) pretok-db authors.
//
// What the GPT-2 scanners (text/gpt2_scanner.h, text/gpt2_blocks.h)
// share: the classes of bytes and characters, and the runs and contractions
// of the pattern.

#ifndef PRETOKDB_TEXT_GPT2_CLASSES_H_
#define PRETOKDB_TEXT_GPT2_CLASSES_H_

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "text/char_class.h"

namespace pretokdb {
namespace gpt2_internal {

// Byte classes: the CharClass of an ASCII byte, or kNonAscii for a byte that
// starts (or continues) a multi-byte character, which is decoded.
inline constexpr uint8_t kOther = static_cast<uint8_t>(CharClass::kOther);
inline constexpr uint8_t kLetter = static_cast<uint8_t>(CharClass::kLetter);
inline constexpr uint8_t kNumber = static_cast<uint8_t>(CharClass::kNumber);
inline constexpr uint8_t kSpace = static_cast<uint8_t>(CharClass::kSpace);
inline constexpr uint8_t kNonAscii = 4;

constexpr std::array<uint8_t, 256> MakeByteClasses() {
  std::array<uint8_t, 256> t{};
  for (int b = 0; b < 256; b++) {
    uint8_t c = kOther;
    if (b >= 0x80) {
      c = kNonAscii;
    } else if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')) {
      c = kLetter;
    } else if (b >= '0' && b <= '9') {
      c = kNumber;
    } else if (b == ' ' || (b >= 0x09 && b <= 0x0D)) {
      c = kSpace;  // not 0x1C..0x1F: they are \s in `re` but not in `regex`
    }
    t[b] = c;
  }
  return t;
}
inline constexpr std::array<uint8_t, 256> kByteClass = MakeByteClasses();

// Class of the character at p, whose first byte is >= 0x80; sets *len to its
// length. The input is valid UTF-8 by contract; should it not be, a lead
// byte without room for its sequence, or a stray continuation byte, counts
// as a one-byte kOther character, so no byte past limit is ever read.
inline uint8_t DecodeClass(const char* p, const char* limit, int* len) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  const uint32_t b0 = u[0];
  const int n = b0 < 0xC0 ? 1 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
  if (n == 1 || limit - p < n) {
    *len = 1;
    return kOther;
  }
  *len = n;
  char32_t cp;
  if (n == 2) {
    cp = ((b0 & 0x1F) << 6) | (u[1] & 0x3F);
  } else if (n == 3) {
    cp = ((b0 & 0x0F) << 12) | ((u[1] & 0x3F) << 6) | (u[2] & 0x3F);
  } else {
    cp = ((b0 & 0x07) << 18) | ((u[1] & 0x3F) << 12) | ((u[2] & 0x3F) << 6) |
         (u[3] & 0x3F);
  }
  return static_cast<uint8_t>(ClassOf(cp));
}

// Class and length of the character at p < limit.
inline uint8_t ClassAt(const char* p, const char* limit, int* len) {
  const uint8_t c = kByteClass[static_cast<uint8_t>(*p)];
  if (c != kNonAscii) {
    *len = 1;
    return c;
  }
  return DecodeClass(p, limit, len);
}

// Skips ASCII letters 8 bytes at a time; returns the first byte that is not
// one (or where fewer than 8 bytes remain). Words are most of the input, and
// finding a word's end with one branch per 8 bytes instead of one per byte
// saves a mispredicted loop exit per word. Per byte, with b < 0x80:
// (b | 0x20) folds A-Z onto a-z and moves no other byte into a-z; then
// adding 0x1F (resp. 0x05) to the low 7 bits sets bit 7 iff it is >= 'a'
// (resp. >= '{'), with no carry into the next byte.
inline const char* SkipAsciiLetters(const char* p, const char* limit) {
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7Full;
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  if constexpr (std::endian::native != std::endian::little) return p;
  while (limit - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);  // unaligned load
    const uint64_t folded = (w | (0x20 * kOnes)) & kLow7;
    const uint64_t ge_a = folded + (0x80 - 'a') * kOnes;
    const uint64_t ge_brace = folded + (0x80 - '{') * kOnes;
    const uint64_t letters = ge_a & ~ge_brace & ~w & kHigh;
    const uint64_t others = letters ^ kHigh;
    if (others != 0) return p + (std::countr_zero(others) >> 3);
    p += 8;
  }
  return p;
}

// Returns the end of the run of class-K characters that starts at p. The
// class is a template parameter so the ASCII loop is one compare per byte.
template <uint8_t K>
inline const char* SkipRun(const char* p, const char* limit) {
  while (true) {
    if constexpr (K == kLetter) p = SkipAsciiLetters(p, limit);
    if (p >= limit) break;
    const uint8_t c = kByteClass[static_cast<uint8_t>(*p)];
    if (c == K) {
      p++;
      continue;
    }
    if (c != kNonAscii) break;
    // Non-ASCII characters come in runs (a word of Cyrillic, a CJK
    // sentence): stay in this loop until an ASCII byte comes.
    do {
      int len;
      if (DecodeClass(p, limit, &len) != K) return p;
      p += len;
    } while (p < limit && static_cast<uint8_t>(*p) >= 0x80);
  }
  return p;
}

inline const char* SkipRunOf(uint8_t cls, const char* p, const char* limit) {
  switch (cls) {
    case kLetter:
      return SkipRun<kLetter>(p, limit);
    case kNumber:
      return SkipRun<kNumber>(p, limit);
    default:
      return SkipRun<kOther>(p, limit);
  }
}

// Length of the contraction at p (which holds '\''), or 0.
inline int ContractionLength(const char* p, const char* limit) {
  const ptrdiff_t avail = limit - p;
  if (avail < 2) return 0;
  const char c1 = p[1];
  if (c1 == 's' || c1 == 'd' || c1 == 'm' || c1 == 't') return 2;
  if (avail < 3) return 0;
  const char c2 = p[2];
  if ((c1 == 'l' && c2 == 'l') || (c1 == 'v' && c2 == 'e') ||
      (c1 == 'r' && c2 == 'e')) {
    return 3;
  }
  return 0;
}

}  // namespace gpt2_internal
}  // namespace pretokdb

#endif  // PRETOKDB_TEXT_GPT2_CLASSES_H_

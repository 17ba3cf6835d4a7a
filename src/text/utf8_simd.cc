// Copyright (c) pretok-db authors.

#include "text/utf8_simd.h"

#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace pretokdb {

#if defined(__x86_64__)

namespace {

// The errors a pair of bytes (first, second) can show. A bit is set in the
// table entry of a nibble if some pair with that nibble has that error.
constexpr uint8_t kTooShort = 1 << 0;   // lead, then ASCII or a lead
constexpr uint8_t kTooLong = 1 << 1;    // ASCII, then a continuation
constexpr uint8_t kOverlong3 = 1 << 2;  // E0 80..9F
constexpr uint8_t kTooLarge = 1 << 3;   // F4 90..BF, F5..FF 90..BF
constexpr uint8_t kSurrogate = 1 << 4;  // ED A0..BF
constexpr uint8_t kOverlong2 = 1 << 5;  // C0..C1, then a continuation
// F0 80..8F and F5..FF 80..8F share a bit: the first is the only pair of
// lead F0 with 80..8F and the second of leads F5..FF with 80..8F.
constexpr uint8_t kOverlong4OrTooLarge1000 = 1 << 6;
constexpr uint8_t kTwoConts = 1 << 7;   // a continuation, then another
// Errors that depend on the first byte's high nibble only.
constexpr uint8_t kCarry = kTooShort | kTooLong | kTwoConts;

__attribute__((target("ssse3"))) inline __m128i Lookup(const uint8_t (&table)[16],
                                                        __m128i nibbles) {
  return _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(table)),
                          nibbles);
}

// By the first byte's high nibble.
alignas(16) constexpr uint8_t kFirstHigh[16] = {
    // 0_______: ASCII
    kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong,
    // 10______: a continuation
    kTwoConts, kTwoConts, kTwoConts, kTwoConts,
    // 1100____, 1101____: two-byte leads
    kTooShort | kOverlong2, kTooShort,
    // 1110____: three-byte leads
    kTooShort | kOverlong3 | kSurrogate,
    // 1111____: four-byte leads and F5..FF
    kTooShort | kTooLarge | kOverlong4OrTooLarge1000};

// By the first byte's low nibble.
alignas(16) constexpr uint8_t kFirstLow[16] = {
    kCarry | kOverlong3 | kOverlong2 | kOverlong4OrTooLarge1000,  // C0 E0 F0
    kCarry | kOverlong2,                                          // C1
    kCarry, kCarry,
    kCarry | kTooLarge,                                           // F4
    kCarry | kTooLarge | kOverlong4OrTooLarge1000,                // F5
    kCarry | kTooLarge | kOverlong4OrTooLarge1000,
    kCarry | kTooLarge | kOverlong4OrTooLarge1000,
    kCarry | kTooLarge | kOverlong4OrTooLarge1000,
    kCarry | kTooLarge | kOverlong4OrTooLarge1000,
    kCarry | kTooLarge | kOverlong4OrTooLarge1000,
    kCarry | kTooLarge | kOverlong4OrTooLarge1000,
    kCarry | kTooLarge | kOverlong4OrTooLarge1000,
    kCarry | kTooLarge | kOverlong4OrTooLarge1000 | kSurrogate,    // ED
    kCarry | kTooLarge | kOverlong4OrTooLarge1000,
    kCarry | kTooLarge | kOverlong4OrTooLarge1000};

// By the second byte's high nibble.
alignas(16) constexpr uint8_t kSecondHigh[16] = {
    // 0_______: ASCII
    kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort,
    // 1000____
    kTooLong | kOverlong2 | kTwoConts | kOverlong3 | kOverlong4OrTooLarge1000,
    // 1001____
    kTooLong | kOverlong2 | kTwoConts | kOverlong3 | kTooLarge,
    // 101_____
    kTooLong | kOverlong2 | kTwoConts | kSurrogate | kTooLarge,
    kTooLong | kOverlong2 | kTwoConts | kSurrogate | kTooLarge,
    // 11______: leads
    kTooShort, kTooShort, kTooShort, kTooShort};

// The state carried from one 16-byte vector to the next.
struct Checker {
  __m128i prev;        // the previous vector
  __m128i incomplete;  // non-zero if it ended inside a character
  __m128i error;       // non-zero once any error is seen
};

__attribute__((target("ssse3"))) inline void CheckVector(Checker* c,
                                                         __m128i input) {
  const __m128i low_nibble = _mm_set1_epi8(0x0F);
  // prevK: each byte's K-th predecessor, the first ones from c->prev.
  const __m128i prev1 = _mm_alignr_epi8(input, c->prev, 15);
  const __m128i prev2 = _mm_alignr_epi8(input, c->prev, 14);
  const __m128i prev3 = _mm_alignr_epi8(input, c->prev, 13);
  const __m128i pair_errors = _mm_and_si128(
      _mm_and_si128(
          Lookup(kFirstHigh, _mm_and_si128(_mm_srli_epi16(prev1, 4), low_nibble)),
          Lookup(kFirstLow, _mm_and_si128(prev1, low_nibble))),
      Lookup(kSecondHigh, _mm_and_si128(_mm_srli_epi16(input, 4), low_nibble)));
  // The bytes that must be the second continuation of a three-byte lead
  // (prev2 >= E0) or the third of a four-byte one (prev3 >= F0): exactly
  // where "two continuations" is no error. Saturating subtraction leaves
  // the high bit set iff the byte was at least the bound.
  const __m128i must_continue = _mm_and_si128(
      _mm_or_si128(_mm_subs_epu8(prev2, _mm_set1_epi8(static_cast<char>(0xE0 - 0x80))),
                   _mm_subs_epu8(prev3, _mm_set1_epi8(static_cast<char>(0xF0 - 0x80)))),
      _mm_set1_epi8(static_cast<char>(0x80)));
  c->error = _mm_or_si128(c->error, _mm_xor_si128(must_continue, pair_errors));
  // A lead in the last three bytes whose character goes past the vector.
  const __m128i max_complete = _mm_setr_epi8(
      -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
      static_cast<char>(0xF0 - 1), static_cast<char>(0xE0 - 1),
      static_cast<char>(0xC0 - 1));
  c->incomplete = _mm_subs_epu8(input, max_complete);
  c->prev = input;
}

__attribute__((target("ssse3"))) inline bool AnyBits(__m128i v) {
  return _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128())) != 0xFFFF;
}

// Whether the 64 bytes at p are all ASCII.
__attribute__((target("ssse3"))) inline bool AllAscii64(const char* p) {
  const auto* v = reinterpret_cast<const __m128i*>(p);
  const __m128i any =
      _mm_or_si128(_mm_or_si128(_mm_loadu_si128(v), _mm_loadu_si128(v + 1)),
                   _mm_or_si128(_mm_loadu_si128(v + 2), _mm_loadu_si128(v + 3)));
  return _mm_movemask_epi8(any) == 0;
}

}  // namespace

bool HaveUtf8Simd() { return __builtin_cpu_supports("ssse3"); }

__attribute__((target("ssse3"))) bool IsValidUtf8Simd(const char* p, size_t n) {
  Checker c{_mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128()};
  size_t i = 0;
  while (i + 64 <= n) {
    if (AllAscii64(p + i)) {
      // Only a character cut short before ASCII is an error, and as a
      // predecessor ASCII is as good as zeros. Then skip ASCII with the
      // least work per byte, as most text is.
      c.error = _mm_or_si128(c.error, c.incomplete);
      c.incomplete = _mm_setzero_si128();
      c.prev = _mm_setzero_si128();
      do {
        i += 64;
      } while (i + 64 <= n && AllAscii64(p + i));
      continue;
    }
    const auto* v = reinterpret_cast<const __m128i*>(p + i);
    for (int k = 0; k < 4; ++k) CheckVector(&c, _mm_loadu_si128(v + k));
    if (AnyBits(c.error)) return false;
    i += 64;
  }
  for (; i + 16 <= n; i += 16) {
    CheckVector(&c, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)));
  }
  if (i < n) {
    // The tail, padded with NULs (ASCII): a character cut short by the
    // end is then followed by ASCII, an error like any other.
    alignas(16) char tail[16] = {};
    std::memcpy(tail, p + i, n - i);
    CheckVector(&c, _mm_load_si128(reinterpret_cast<const __m128i*>(tail)));
  }
  c.error = _mm_or_si128(c.error, c.incomplete);
  return !AnyBits(c.error);
}

#else  // !__x86_64__

bool HaveUtf8Simd() { return false; }
bool IsValidUtf8Simd(const char*, size_t) { return false; }

#endif

}  // namespace pretokdb

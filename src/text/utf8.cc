// Copyright (c) pretok-db authors.

#include "text/utf8.h"

#include <cstdint>
#include <cstring>

#include "text/utf8_simd.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pretokdb {

namespace {

constexpr uint64_t kHighBits = 0x8080808080808080ull;

// Skips 8-byte words of [p, limit) while they are all ASCII; returns where it
// stopped. Corpora are mostly ASCII; this is the fast path of every loop.
inline const uint8_t* SkipAscii(const uint8_t* p, const uint8_t* limit) {
#if defined(__SSE2__)
  // 64 bytes per branch first: the sign bits of four 16-byte loads.
  while (limit - p >= 64) {
    const auto* v = reinterpret_cast<const __m128i*>(p);
    const __m128i any = _mm_or_si128(
        _mm_or_si128(_mm_loadu_si128(v), _mm_loadu_si128(v + 1)),
        _mm_or_si128(_mm_loadu_si128(v + 2), _mm_loadu_si128(v + 3)));
    if (_mm_movemask_epi8(any) != 0) break;
    p += 64;
  }
#endif
  while (limit - p >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);  // unaligned load
    if (word & kHighBits) break;
    p += 8;
  }
  return p;
}

// Examines the sequence that starts with the non-ASCII byte at p (p < limit).
// Returns its length (2..4) if it is one well-formed character, or else 0
// and sets *subpart to the length of its maximal subpart (1..3): the bytes
// that a decoder consumes before it sees the sequence cannot be completed.
// The ranges are Unicode table 3-7; the second byte carries every special
// case (overlongs after E0/F0, surrogates after ED, > U+10FFFF after F4).
inline int CheckSequence(const uint8_t* p, const uint8_t* limit, int* subpart) {
  const uint8_t b0 = p[0];
  int total;
  uint8_t lo = 0x80, hi = 0xBF;  // range of the second byte
  if (b0 < 0xC2) {  // stray continuation byte, or overlong lead C0/C1
    *subpart = 1;
    return 0;
  } else if (b0 < 0xE0) {
    total = 2;
  } else if (b0 < 0xF0) {
    total = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 < 0xF5) {
    total = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {  // F5..FF never occur in UTF-8
    *subpart = 1;
    return 0;
  }
  const ptrdiff_t avail = limit - p;
  if (avail < 2 || p[1] < lo || p[1] > hi) {
    *subpart = 1;
    return 0;
  }
  for (int i = 2; i < total; i++) {
    if (avail <= i || (p[i] & 0xC0) != 0x80) {
      *subpart = i;
      return 0;
    }
  }
  return total;
}

// What the loop behind Append*/Count does with an ill-formed subpart.
enum class Mode { kCount, kReplace, kSkip };

// The one loop behind Append*/Count: valid stretches are copied in bulk.
template <Mode kMode>
size_t ProcessInvalid(std::string_view in, std::string* out) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(in.data());
  const uint8_t* const limit = p + in.size();
  const uint8_t* run = p;  // start of the valid stretch not yet copied
  size_t invalid = 0;
  while (p < limit) {
    p = SkipAscii(p, limit);
    if (p == limit) break;
    if (*p < 0x80) {
      p++;
      continue;
    }
    int subpart;
    const int n = CheckSequence(p, limit, &subpart);
    if (n != 0) {
      p += n;
      continue;
    }
    if constexpr (kMode != Mode::kCount) {
      out->append(reinterpret_cast<const char*>(run), p - run);
    }
    if constexpr (kMode == Mode::kReplace) out->append(kUtf8Replacement);
    p += subpart;
    run = p;
    invalid++;
  }
  if constexpr (kMode != Mode::kCount) {
    out->append(reinterpret_cast<const char*>(run), limit - run);
  }
  return invalid;
}

// Returns where the first ill-formed sequence of [p, limit) starts, or limit.
// Unless kAtEnd, a subpart that runs into limit is only cut short, not
// ill-formed: CheckSequence gives up at a byte out of range before limit, or
// at limit itself, so the subpart reaching limit from a lead byte C2..F4
// means every byte of it was in range.
template <bool kAtEnd>
const uint8_t* FindInvalid(const uint8_t* p, const uint8_t* const limit) {
  while (p < limit) {
    p = SkipAscii(p, limit);
    if (p == limit) break;
    if (*p < 0x80) {
      p++;
      continue;
    }
    int subpart;
    const int len = CheckSequence(p, limit, &subpart);
    if (len != 0) {
      p += len;
      continue;
    }
    if constexpr (!kAtEnd) {
      if (p + subpart == limit && *p >= 0xC2 && *p <= 0xF4) return limit;
    }
    return p;
  }
  return limit;
}

}  // namespace

bool IsValidUtf8(const char* data, size_t n) {
  // Short strings (a pretoken, a special token) are not worth a vector.
  static const bool have_simd = HaveUtf8Simd();
  if (have_simd && n >= 64) return IsValidUtf8Simd(data, n);
  const uint8_t* p = reinterpret_cast<const uint8_t*>(data);
  return FindInvalid<true>(p, p + n) == p + n;
}

size_t FindFirstInvalidUtf8(const char* data, size_t n, bool at_end) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(data);
  const uint8_t* found =
      at_end ? FindInvalid<true>(p, p + n) : FindInvalid<false>(p, p + n);
  return static_cast<size_t>(found - p);
}

size_t AppendReplacingInvalidUtf8(std::string_view in, std::string* out) {
  return ProcessInvalid<Mode::kReplace>(in, out);
}

size_t AppendSkippingInvalidUtf8(std::string_view in, std::string* out) {
  return ProcessInvalid<Mode::kSkip>(in, out);
}

size_t CountInvalidUtf8(std::string_view in) {
  return ProcessInvalid<Mode::kCount>(in, nullptr);
}

}  // namespace pretokdb

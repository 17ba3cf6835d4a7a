// Copyright (c) pretok-db authors.

#include "util/find_bytes.h"

#include <string.h>  // memchr, memcmp, memmem (a GNU extension)

#include <bit>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pretokdb {

const char* FindBytes(const char* hay, size_t n, const char* needle,
                      size_t m) {
  if (m == 0) return hay;
  if (m > n) return nullptr;
  if (m == 1) return static_cast<const char*>(memchr(hay, needle[0], n));
  size_t i = 0;
#if defined(__SSE2__)
  // Wojciech Mula's "SIMD-friendly" search: 16 candidate starts at a time
  // must match both the needle's first and its last byte. Two bytes m - 1
  // apart rarely match by chance in text, even when each byte is common,
  // so memcmp runs on few false candidates.
  const __m128i first = _mm_set1_epi8(needle[0]);
  const __m128i last = _mm_set1_epi8(needle[m - 1]);
  // Only while the second load, hay[i + m - 1, i + m + 15), stays in hay.
  for (; i + m - 1 + 16 <= n; i += 16) {
    const __m128i a =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(hay + i));
    const __m128i b =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(hay + i + m - 1));
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(
        _mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last))));
    while (mask != 0) {
      const size_t at = i + std::countr_zero(mask);
      if (memcmp(hay + at + 1, needle + 1, m - 2) == 0) return hay + at;
      mask &= mask - 1;
    }
  }
#endif
  // Fewer than 16 starts are left (or no SSE2).
  return static_cast<const char*>(memmem(hay + i, n - i, needle, m));
}

size_t CountByte(const char* p, size_t n, char c) {
  // memchr is vectorized; lines (what is counted) are long next to a call.
  size_t count = 0;
  const char* const end = p + n;
  while (p < end) {
    p = static_cast<const char*>(memchr(p, c, static_cast<size_t>(end - p)));
    if (p == nullptr) break;
    ++count;
    ++p;
  }
  return count;
}

}  // namespace pretokdb

#include "text/utf8_edges.h"

#include <cstdint>

namespace pretokdb {

namespace {

// The length of the sequence a lead byte starts, 0 if it starts none.
int SequenceLength(uint8_t lead) {
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// True if b may follow lead as the byte at index i (1..3) of a well-formed
// sequence (Unicode table 3-7: the second byte's range depends on the lead).
bool FitsAt(uint8_t lead, int i, uint8_t b) {
  if (i == 1) {
    switch (lead) {
      case 0xE0: return b >= 0xA0 && b <= 0xBF;
      case 0xED: return b >= 0x80 && b <= 0x9F;
      case 0xF0: return b >= 0x90 && b <= 0xBF;
      case 0xF4: return b >= 0x80 && b <= 0x8F;
      default: break;
    }
  }
  return b >= 0x80 && b <= 0xBF;
}

// How many bytes of [p, p + n) are a prefix of a well-formed sequence.
size_t WellFormedPrefix(const uint8_t* p, size_t n) {
  const int len = SequenceLength(p[0]);
  if (len == 0) return 0;
  size_t k = 1;
  while (k < n && k < static_cast<size_t>(len) &&
         FitsAt(p[0], static_cast<int>(k), p[k])) {
    ++k;
  }
  return k;
}

}  // namespace

size_t InvalidSubpartLength(const char* p, size_t n) {
  const size_t k = WellFormedPrefix(reinterpret_cast<const uint8_t*>(p), n);
  return k == 0 ? 1 : k;
}

size_t IncompleteUtf8Tail(const char* p, size_t n) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    const uint8_t b = u[n - back];
    if (b < 0x80) return 0;
    if (b >= 0xC0) {  // a lead (or an invalid byte): decide here
      const int len = SequenceLength(b);
      if (len == 0 || static_cast<size_t>(len) <= back) return 0;
      return WellFormedPrefix(u + n - back, back) == back ? back : 0;
    }
  }
  return 0;
}

}  // namespace pretokdb

// Copyright (c) pretok-db authors.

#include "text/safe_cut.h"

#include <cstdint>

#include "text/char_class.h"
#include "text/o200k_classes.h"
#include "text/utf8.h"

namespace pretokdb {

namespace {

inline bool IsAsciiSpace(uint8_t b) {
  return b == ' ' || (b >= 0x09 && b <= 0x0D);
}

inline bool IsContinuation(uint8_t b) { return (b & 0xC0) == 0x80; }

// True if the character that ends at q (begin < q) is, or may be, \s. The
// non-ASCII spaces are two or three bytes:
//   U+0085 C2 85, U+00A0 C2 A0, U+1680 E1 9A 80, U+2000..200A E2 80 80..8A,
//   U+2028 E2 80 A8, U+2029 E2 80 A9, U+202F E2 80 AF, U+205F E2 81 9F,
//   U+3000 E3 80 80.
// Their lead bytes are never continuation bytes, so a decoder always starts
// a character at them: the bytes match one of these iff the text decodes to
// that space there, whatever precedes.
bool SpaceEndsAt(const uint8_t* begin, const uint8_t* q) {
  const uint8_t b1 = q[-1];
  if (b1 < 0x80) return IsAsciiSpace(b1);
  if (!IsContinuation(b1)) return false;  // lone lead byte: U+FFFD
  if (q - begin < 2) return true;         // its lead is not visible
  const uint8_t b2 = q[-2];
  if (b2 == 0xC2) return b1 == 0x85 || b1 == 0xA0;
  if (!IsContinuation(b2)) return false;  // another 2-byte char, or U+FFFD
  if (q - begin < 3) return true;
  const uint8_t b3 = q[-3];
  switch (b3) {
    case 0xE1:
      return b2 == 0x9A && b1 == 0x80;
    case 0xE2:
      if (b2 == 0x80) {
        return b1 <= 0x8A || b1 == 0xA8 || b1 == 0xA9 || b1 == 0xAF;
      }
      return b2 == 0x81 && b1 == 0x9F;
    case 0xE3:
      return b2 == 0x80 && b1 == 0x80;
    default:
      return false;
  }
}

// 0: other, 1: letter, 2: number (ASCII only; spaces never reach it).
inline int AsciiClass(uint8_t b) {
  if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') return 1;
  if (b >= '0' && b <= '9') return 2;
  return 0;
}

inline bool IsAsciiAlnum(uint8_t b) { return AsciiClass(b) != 0; }

// The code point of the well-formed character of n bytes at p, n in 1..4.
char32_t Decode(const uint8_t* p, int n) {
  if (n == 1) return p[0];
  char32_t cp = p[0] & (0x7F >> n);
  for (int i = 1; i < n; ++i) cp = (cp << 6) | (p[i] & 0x3F);
  return cp;
}

int LengthFromLead(uint8_t lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// The well-formed character that starts at q, within [q, end): true and
// its code point in *cp, or false.
bool CharAt(const uint8_t* q, const uint8_t* end, char32_t* cp) {
  const int n = LengthFromLead(*q);
  if (n == 0 || end - q < n ||
      !IsValidUtf8(reinterpret_cast<const char*>(q), n)) {
    return false;
  }
  *cp = Decode(q, n);
  return true;
}

// The well-formed character that ends just before q, within [begin, q):
// true and its code point in *cp, or false.
bool CharBefore(const uint8_t* begin, const uint8_t* q, char32_t* cp) {
  const uint8_t* a = q - 1;
  while (a > begin && q - a < 4 && (*a & 0xC0) == 0x80) --a;
  const int n = LengthFromLead(*a);
  if (n == 0 || a + n != q ||
      !IsValidUtf8(reinterpret_cast<const char*>(a), n)) {
    return false;
  }
  *cp = Decode(a, n);
  return true;
}

// (c) of the header: q is between two well-formed non-space characters of
// different classes, the first not an apostrophe. Reads [begin, end).
bool IsUnicodeClassChange(const uint8_t* begin, const uint8_t* q,
                          const uint8_t* end) {
  char32_t ca, cb;
  if (!CharAt(q, end, &cb) || !CharBefore(begin, q, &ca)) return false;
  if (ca == '\'') return false;
  const CharClass x = ClassOf(ca);
  const CharClass y = ClassOf(cb);
  return x != y && x != CharClass::kSpace && y != CharClass::kSpace;
}

inline bool IsSafeCutGpt2(const uint8_t* begin, const uint8_t* q,
                          const uint8_t* end) {
  if ((q[-1] | q[0]) >= 0x80) {
    if (IsAsciiSpace(q[0])) return !SpaceEndsAt(begin, q);
    return IsUnicodeClassChange(begin, q, end);
  }
  const uint8_t b = *q;
  if (IsAsciiSpace(b)) return !SpaceEndsAt(begin, q);
  // Between two ASCII non-spaces of different classes (letter, number,
  // other): no pretoken holds both, except a contraction, which starts at
  // an apostrophe, so an apostrophe on the left is never cut after.
  const uint8_t a = q[-1];
  if ((a | b) >= 0x80 || a == '\'' || IsAsciiSpace(a)) return false;
  return AsciiClass(a) != AsciiClass(b);
}

// The kTiktoken rule of the header, (a') then (b'), where a character is
// not ASCII: its classes are o200k's (text/o200k_classes.h), which tell a
// letter, a mark, a number, whitespace and "other" apart. Reads
// [begin, end).
bool IsSafeCutTiktokenBeyondAscii(const uint8_t* begin, const uint8_t* q,
                                  const uint8_t* end) {
  auto is_letter = [](uint8_t k) {
    return (k & kO200kWord) != 0 && (k & kO200kOther) == 0;
  };
  char32_t cb = *q;
  if (cb >= 0x80 && !CharAt(q, end, &cb)) return false;
  const uint8_t kb = O200kClassOf(cb);
  if ((kb & kO200kSpace) != 0 && cb != '\r' && cb != '\n') {
    return !SpaceEndsAt(begin, q);  // (a'), b not \r or \n
  }
  char32_t ca;
  if (!CharBefore(begin, q, &ca)) return false;
  const uint8_t ka = O200kClassOf(ca);
  if (kb & kO200kSpace) {
    return is_letter(ka) || (ka & kO200kNumber) != 0;  // (a'), \r or \n
  }
  if (ka & kO200kSpace) return false;
  // (b'): number -> letter or other, letter or other -> number, letter ->
  // other but a mark or an apostrophe.
  if (ka & kO200kNumber) return (kb & kO200kNumber) == 0;
  if (kb & kO200kNumber) return true;
  return is_letter(ka) && (kb & kO200kWord) == 0 && cb != '\'';
}

// The kTiktoken rule of the header, (a') then (b').
inline bool IsSafeCutTiktoken(const uint8_t* begin, const uint8_t* q,
                              const uint8_t* end) {
  const uint8_t b = *q;
  const uint8_t a = q[-1];
  if ((a | b) >= 0x80) return IsSafeCutTiktokenBeyondAscii(begin, q, end);
  if (b == '\r' || b == '\n') return IsAsciiAlnum(a);
  if (IsAsciiSpace(b)) return !IsAsciiSpace(a);
  if (IsAsciiSpace(a)) return false;
  const int ca = AsciiClass(a);
  const int cb = AsciiClass(b);
  if (ca == cb) return false;
  if (cb == 1) return ca == 2;               // only digit -> letter
  if (ca == 1 && cb == 0) return b != '\'';  // o200k's contractions
  return true;  // letter -> digit, digit -> other, other -> digit
}

template <CutRule kRule>
inline bool IsSafeCut(const uint8_t* begin, const uint8_t* q,
                      const uint8_t* end) {
  static_assert(kRule == CutRule::kGpt2 || kRule == CutRule::kTiktoken);
  if constexpr (kRule == CutRule::kGpt2) {
    return IsSafeCutGpt2(begin, q, end);
  } else {
    return IsSafeCutTiktoken(begin, q, end);
  }
}

template <CutRule kRule>
const char* FindLast(const char* begin, const char* end) {
  if (end - begin < 2) return nullptr;
  const auto* b = reinterpret_cast<const uint8_t*>(begin);
  const auto* e = reinterpret_cast<const uint8_t*>(end);
  for (const auto* q = e - 1; q > b; q--) {
    if (IsSafeCut<kRule>(b, q, e)) return reinterpret_cast<const char*>(q);
  }
  return nullptr;
}

template <CutRule kRule>
const char* FindFirst(const char* begin, const char* end) {
  const auto* b = reinterpret_cast<const uint8_t*>(begin);
  const auto* e = reinterpret_cast<const uint8_t*>(end);
  for (const auto* q = b + 1; q < e; q++) {
    if (IsSafeCut<kRule>(b, q, e)) return reinterpret_cast<const char*>(q);
  }
  return nullptr;
}

}  // namespace

const char* FindLastSafeCut(const char* begin, const char* end, CutRule rule) {
  switch (rule) {
    case CutRule::kGpt2:
      return FindLast<CutRule::kGpt2>(begin, end);
    case CutRule::kTiktoken:
      return FindLast<CutRule::kTiktoken>(begin, end);
    case CutRule::kNone:
      break;
  }
  return nullptr;
}

const char* FindFirstSafeCut(const char* begin, const char* end, CutRule rule) {
  switch (rule) {
    case CutRule::kGpt2:
      return FindFirst<CutRule::kGpt2>(begin, end);
    case CutRule::kTiktoken:
      return FindFirst<CutRule::kTiktoken>(begin, end);
    case CutRule::kNone:
      break;
  }
  return nullptr;
}

}  // namespace pretokdb

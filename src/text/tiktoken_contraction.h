// Copyright (c) pretok-db authors.
//
// The contractions of the cl100k and o200k patterns (text/pattern.h):
//   cl100k  '(?i:[sdmt]|ll|ve|re)           a token of its own
//   o200k   (?i:'s|'t|'re|'ve|'m|'ll|'d)?   the end of a word
// The same seven, case-insensitive. `regex` folds case simply in its
// default VERSION0 (full folding needs the f flag, and would add nothing
// here), and then a character matches one of these letters iff it is that
// letter in either case or, for s, U+017F LATIN SMALL LETTER LONG S
// (U+212A KELVIN SIGN folds to k, U+0130 and U+0131 to i: no contraction
// has them). tools/gen_unicode_tables.py checks this against `regex`
// itself for every code point.

#ifndef PRETOKDB_TEXT_TIKTOKEN_CONTRACTION_H_
#define PRETOKDB_TEXT_TIKTOKEN_CONTRACTION_H_

#include <cstddef>
#include <cstdint>

namespace pretokdb {

// Length in bytes of the contraction at p (which holds '\'') in
// [p, limit), or 0 if there is none.
inline int TiktokenContractionLength(const char* p, const char* limit) {
  const ptrdiff_t avail = limit - p;
  if (avail < 2) return 0;
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  // b | 0x20 maps an ASCII capital onto its small letter; the only bytes
  // it maps onto s, d, m, t, l, v, r or e are those letters in both cases.
  const uint8_t c1 = u[1] | 0x20;
  if (c1 == 's' || c1 == 'd' || c1 == 'm' || c1 == 't') return 2;
  if (avail < 3) return 0;
  if (u[1] == 0xC5 && u[2] == 0xBF) return 3;  // U+017F, long s
  const uint8_t c2 = u[2] | 0x20;
  if ((c1 == 'l' && c2 == 'l') || (c1 == 'v' && c2 == 'e') ||
      (c1 == 'r' && c2 == 'e')) {
    return 3;
  }
  return 0;
}

}  // namespace pretokdb

#endif  // PRETOKDB_TEXT_TIKTOKEN_CONTRACTION_H_

// Copyright (c) pretok-db authors.
//
// Safe cuts: byte positions where a chunk of raw input may be split without
// changing any pretoken, so that a file with no special token still splits
// across workers. Which positions are safe depends on the pattern
// (text/cut_rule.h).
//
// kGpt2. A position q is a safe cut if
//   (a) the byte at q is ASCII whitespace (0x09..0x0D or 0x20) and the
//       character that ends just before q is not whitespace, or
//   (b) the bytes at q-1 and q are ASCII non-spaces of different classes
//       (letter, number, other) and the one at q-1 is not an apostrophe.
//   (c) the bytes before q end with a well-formed character and the bytes
//       at q begin one, neither is whitespace, their classes (\p{L}, \p{N},
//       other, from text/char_class.h) differ, and the first is not an
//       apostrophe. (b) is the ASCII case of (c).
// (b) and (c) keep pieces short in long stretches without whitespace
// (minified code, tables, base64, CJK text without spaces): only a run of
// one class, i.e. one pretoken, is left without a cut.
// Why the pretokens of s are then those of s[:q] followed by those of s[q:]
// for (a); for (b) and (c), no branch of the pattern matches across a
// change of class except the contraction, whose apostrophe is excluded, and
// decoding is unaffected too:
//   - Bytes: an ASCII byte is never part of a multi-byte sequence, valid or
//     ill-formed, so decoding (with U+FFFD replacement) each side gives the
//     decoding of the whole; for (c), a well-formed character ends just
//     before q and another starts at q, so no maximal subpart of an
//     ill-formed sequence spans q either.
//   - Tokens: no pretoken contains a non-space followed by a space (each
//     branch is all spaces, or an optional leading space and no space
//     after), so in s a token ends at q and the next one starts there. A
//     match that starts before q is found the same way in s[:q]: every item
//     of the pattern that could read the character at q (a letter, number or
//     "other" class, a contraction letter, the one-character lookahead
//     (?!\S) after a space run, which cannot reach past the non-space before
//     q) fails both on a space and at the end of the text, and ` ?` only
//     starts a match. The pattern has no lookbehind and no anchor, so
//     matching s[q:] is unaffected by what precedes it.
//
// kTiktoken, one rule for cl100k and o200k (patterns in text/pattern.h).
// Let a be the character that ends just before q and b the one at q, both
// well-formed (decoded) where the rule asks for their class; "other" is
// neither \s, \p{L} nor \p{N} (punctuation, symbols, marks, ...), and a
// mark is \p{M}. A position q is a safe cut if
//   (a') b is whitespace but \r and \n, and a is not whitespace; or b is
//        \r or \n and a is a letter or a number (\p{L}, \p{N});
//   (b') a and b are not whitespace, and a -> b is letter -> number,
//        number -> letter, number -> other, other -> number, or
//        letter -> other with b neither a mark nor an apostrophe.
// On ASCII: (a') is a non-space before ' ', '\t', '\v' or '\f', or an
// ASCII letter or digit before '\r' or '\n'; (b') the changes of class
// between ASCII letters, digits and others but other -> letter and
// letter -> apostrophe. Beyond ASCII the same changes cut text with no
// ASCII in it: CJK (letters) before "\u3002" (other), "\u4E2D" before
// "\u00A0", digits of any script after letters.
// Not safe, unlike GPT-2: \r or \n after "other" (both patterns append
// [\r\n]* to a punctuation run; a mark there is "other" to cl100k);
// other -> letter (a non-letter, non-number may prefix a word: "(x" is one
// pretoken, " x", "\u201Cx" too); letter -> mark and mark -> letter (o200k
// puts marks in its word classes: "e\u0301t" is one pretoken);
// letter -> apostrophe (o200k appends contractions to words,
// case-insensitively: "DON'T").
// Why: bytes as for GPT-2's (c): where the rule reads a or b as classes, a
// well-formed character ends just before q and another starts at q, so no
// maximal subpart of an ill-formed sequence spans q; and an ASCII b (a
// space, \r, \n) is never part of a multi-byte sequence. Both patterns
// cover every character, and have no lookbehind and no anchor at the
// start, so matching s[q:] is unaffected by what precedes it. It then
// suffices that every attempt of the backtracking matcher at a position
// p < q goes the same way in s and in s[:q], which holds if no step reads
// position q, or each step that reads it fails on b as it fails at the end
// of s[:q]. In every case a is not whitespace, so no whitespace item
// (\s+, \s*, \s++$, \s*[\r\n]+, (?!\S) after a run) started before q
// reaches q: the run stops at a non-space at or before a, where `$` fails
// in both texts (Python's `$` holds only at the end or before a final
// "\n"). The other items read b only as continuing the pretoken that a
// ends:
//   cl100k
//     '(?i:[sdmt]|ll|ve|re)        b as a letter, after "'" or "'l" etc.
//     [^\r\n\p{L}\p{N}]?+\p{L}++   b as a letter, after a letter or after a
//                                  prefix a outside \p{L}, \p{N}, \r, \n
//     \p{N}{1,3}+                  b as a number, after a number
//      ?[^\s\p{L}\p{N}]++[\r\n]*+  b as "other", \r or \n, after "other"
//                                  (or after ' ', which a never is)
//   o200k
//     the two word branches        b as a letter or mark (\p{M}), after a
//                                  letter or mark or after a prefix a outside
//                                  \p{L}, \p{N}, \r, \n; b as "'" after a
//                                  letter or mark; b as a contraction
//                                  letter after "'" or "'l" etc.
//     \p{N}{1,3}                   b as a number, after a number
//      ?[^\s\p{L}\p{N}]+[\r\n/]*   b as "other", \r, \n or '/', after
//                                  "other" (or ' '); b as \r, \n or '/'
//                                  after \r or \n of that tail
// Against this table: in (a'), b is whitespace but not \r or \n, so every
// read fails; \r or \n is read only after "other", and a is a letter or a
// number. In (b'), b is read as a number only after a number, which a is
// not (letter -> number, other -> number); as a letter or mark only after
// a letter, a mark, "'" or a prefix, and a number is none of them
// (number -> letter, number -> other); as "other" only after "other"
// (or a mark, o200k, which is "other" to cl100k), and a is a letter or a
// number; as "'" only after a letter or mark, which letter -> other
// excludes (b not an apostrophe, a a letter, not a mark). A mark b after a
// number is read by no item: a number prefixes nothing. Possessive
// quantifiers only prune the matcher's steps, which are the same in both
// texts. tests/text/tiktoken_cut_test.cc checks the rule on random strings
// with both patterns, by their scanners and by RE2.
//
// kNone: no position is a safe cut.
//
// Only bytes in [begin, end) are read. The character before q counts as
// whitespace if it may be one given those bytes: a trailing part of a
// multi-byte space (e.g. "\xA0" whose C2 would be before begin) is taken as
// a space, so a cut is never reported next to a character that is cut off.
// Any other ill-formed bytes decode to U+FFFD, which is not a space.

#ifndef PRETOKDB_TEXT_SAFE_CUT_H_
#define PRETOKDB_TEXT_SAFE_CUT_H_

#include "text/cut_rule.h"

namespace pretokdb {

// Returns the largest safe cut q of `rule` with begin < q < end, or nullptr
// if none.
const char* FindLastSafeCut(const char* begin, const char* end,
                            CutRule rule = CutRule::kGpt2);

// Returns the smallest safe cut q of `rule` with begin < q < end, or nullptr
// if none.
const char* FindFirstSafeCut(const char* begin, const char* end,
                             CutRule rule = CutRule::kGpt2);

}  // namespace pretokdb

#endif  // PRETOKDB_TEXT_SAFE_CUT_H_

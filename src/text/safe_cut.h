// Copyright (c) pretok-db authors.
//
// Safe cuts for the GPT-2 pattern: byte positions where a chunk of raw input
// may be split without changing any pretoken, so that a file with no special
// token still splits across workers.
//
// A position q is a safe cut if
//   (a) the byte at q is ASCII whitespace (0x09..0x0D or 0x20) and the
//       character that ends just before q is not whitespace, or
//   (b) the bytes at q-1 and q are ASCII non-spaces of different classes
//       (letter, number, other) and the one at q-1 is not an apostrophe.
// (b) keeps pieces short in long stretches without whitespace (minified
// code, tables, base64): only a run of one class, i.e. one pretoken, is
// left without a cut.
// Why the pretokens of s are then those of s[:q] followed by those of s[q:]
// for (a); for (b), no branch of the pattern matches across a change of
// class except the contraction, whose apostrophe is excluded, and both
// bytes are ASCII, so decoding is unaffected too:
//   - Bytes: an ASCII byte is never part of a multi-byte sequence, valid or
//     ill-formed, so decoding (with U+FFFD replacement) each side gives the
//     decoding of the whole.
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
// tests/text/safe_cut_test.cc checks this on random strings.
//
// Only bytes in [begin, end) are read. The character before q counts as
// whitespace if it may be one given those bytes: a trailing part of a
// multi-byte space (e.g. "\xA0" whose C2 would be before begin) is taken as
// a space, so a cut is never reported next to a character that is cut off.
// Any other ill-formed bytes decode to U+FFFD, which is not a space.

#ifndef PRETOKDB_TEXT_SAFE_CUT_H_
#define PRETOKDB_TEXT_SAFE_CUT_H_

namespace pretokdb {

// Returns the largest safe cut q with begin < q < end, or nullptr if none.
const char* FindLastSafeCut(const char* begin, const char* end);

// Returns the smallest safe cut q with begin < q < end, or nullptr if none.
const char* FindFirstSafeCut(const char* begin, const char* end);

}  // namespace pretokdb

#endif  // PRETOKDB_TEXT_SAFE_CUT_H_

// Copyright (c) pretok-db authors.
//
// UTF-8 validation and the decoding policies of the reference program:
// Python's data.decode("utf-8", errors=...) with "replace", "ignore" (our
// "skip") or "strict". Strict UTF-8 (RFC 3629, Unicode table 3-7): no
// overlong forms, no surrogates, nothing above U+10FFFF. NUL is a valid
// character.
//
// An ill-formed sequence is always one maximal subpart: the longest prefix of
// a well-formed sequence, or else one byte. Python's decoder cuts its errors
// the same way whatever the handler, so "replace" writes one U+FFFD per
// subpart, "ignore" drops the subpart, and "strict" raises a
// UnicodeDecodeError whose `start` is the first subpart's offset.
//
// All functions are pure and thread-safe.

#ifndef PRETOKDB_TEXT_UTF8_H_
#define PRETOKDB_TEXT_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace pretokdb {

// The UTF-8 encoding of U+FFFD REPLACEMENT CHARACTER.
inline constexpr std::string_view kUtf8Replacement = "\xEF\xBF\xBD";

// Returns true iff [p, p + n) is well-formed UTF-8.
bool IsValidUtf8(const char* p, size_t n);

// Appends `in` to *out with every ill-formed part replaced by U+FFFD, exactly
// as Python's bytes.decode("utf-8", errors="replace") followed by
// str.encode("utf-8"): each maximal subpart of an ill-formed sequence (the
// longest prefix of a well-formed sequence, or else one byte) becomes one
// U+FFFD. For example "\xE2\x82" gives one U+FFFD, "\xED\xA0\x80" (a
// surrogate) three, "\xC0\xAF" (overlong) two. Returns the number of
// replacements. Valid input is appended unchanged.
//
// REQUIRES: `in` does not overlap *out.
size_t AppendReplacingInvalidUtf8(std::string_view in, std::string* out);

// Appends `in` to *out without its ill-formed sequences, exactly as Python's
// bytes.decode("utf-8", errors="ignore") followed by str.encode("utf-8"):
// the same maximal subparts AppendReplacingInvalidUtf8 replaces are dropped.
// For example "a\xE2\x82b" gives "ab". Returns the number of subparts
// dropped (the number of U+FFFD that replacing would write), not of bytes.
// Valid input is appended unchanged.
//
// Dropping bytes can join what was apart: "ab\xFFcd" gives one word "abcd",
// and "<|endo\xFFftext|>" becomes a special token. Callers that split or
// pretokenize must do it on the output, not on `in`.
//
// REQUIRES: `in` does not overlap *out.
size_t AppendSkippingInvalidUtf8(std::string_view in, std::string* out);

// Returns the number of replacements AppendReplacingInvalidUtf8(in, ...)
// would make; 0 iff `in` is valid UTF-8.
size_t CountInvalidUtf8(std::string_view in);

// Returns the offset in [p, p + n) of the first byte of the first ill-formed
// sequence, or n if there is none. With at_end, [p, p + n) ends the input and
// the result is the `start` of Python's UnicodeDecodeError for
// bytes(p[0:n]).decode("utf-8").
//
// Without at_end more bytes follow p + n: a sequence cut by p + n whose bytes
// so far are a prefix of a well-formed sequence (at most 3 bytes: a lead
// C2..F4 and continuation bytes in range) is not reported, and n is returned
// if nothing before it is ill-formed; the caller checks it again with the
// bytes that follow. A prefix that can never be completed ("\xE0\x80",
// "\xED\xA0", "\xF4\x90") is reported even there. (Python's incremental
// decoder holds back "\xED\xA0".."\xED\xBF" too, for "surrogatepass"; its
// final result is the same.)
//
// Valid ASCII is checked 8 bytes at a time.
size_t FindFirstInvalidUtf8(const char* p, size_t n, bool at_end);

}  // namespace pretokdb

#endif  // PRETOKDB_TEXT_UTF8_H_

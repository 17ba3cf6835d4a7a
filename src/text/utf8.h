// Copyright (c) pretok-db authors.
//
// UTF-8 validation and the decoding policy of the reference program:
// Python's data.decode("utf-8", errors="replace"). Strict UTF-8 (RFC 3629,
// Unicode table 3-7): no overlong forms, no surrogates, nothing above
// U+10FFFF. NUL is a valid character.
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

// Returns the number of replacements AppendReplacingInvalidUtf8(in, ...)
// would make; 0 iff `in` is valid UTF-8.
size_t CountInvalidUtf8(std::string_view in);

}  // namespace pretokdb

#endif  // PRETOKDB_TEXT_UTF8_H_

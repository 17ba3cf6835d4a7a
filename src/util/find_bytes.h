// Copyright (c) pretok-db authors.
//
// Substring search for short needles in long, mostly ASCII text: the
// special-token search (ingest/special_tokens.cc), where a token such as
// <|endoftext|> occurs once every few KB. glibc's memmem spends its time
// there on candidates that match the first byte only.

#ifndef PRETOKDB_UTIL_FIND_BYTES_H_
#define PRETOKDB_UTIL_FIND_BYTES_H_

#include <cstddef>

namespace pretokdb {

// Returns the first occurrence of needle[0, m) in hay[0, n), or nullptr.
// m == 0 returns hay.
const char* FindBytes(const char* hay, size_t n, const char* needle, size_t m);

// The number of bytes equal to c in p[0, n): line ends, say.
size_t CountByte(const char* p, size_t n, char c);

}  // namespace pretokdb

#endif  // PRETOKDB_UTIL_FIND_BYTES_H_

// Where ill-formed UTF-8 sequences end, and where input cut mid-character
// begins: what a decoder reading a stream in buffers needs (the chunk
// counter's --invalid-utf8 skip, and the strict check).

#ifndef PRETOKDB_TEXT_UTF8_EDGES_H_
#define PRETOKDB_TEXT_UTF8_EDGES_H_

#include <cstddef>

namespace pretokdb {

// REQUIRES: an ill-formed sequence begins at p (FindFirstInvalidUtf8 found
// it) and n >= 1. Returns the length of its maximal subpart: the longest
// prefix of a well-formed sequence there, or 1. Python's decoder drops or
// replaces exactly these bytes as one error.
size_t InvalidSubpartLength(const char* p, size_t n);

// The length (0 to 3) of the suffix of [p, p + n) that is a proper prefix
// of a well-formed sequence: a character the next bytes may complete.
size_t IncompleteUtf8Tail(const char* p, size_t n);

}  // namespace pretokdb

#endif  // PRETOKDB_TEXT_UTF8_EDGES_H_

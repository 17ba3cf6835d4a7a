// Copyright (c) pretok-db authors.
//
// UTF-8 validation 16 bytes at a time, for the indexer's check of every
// buffer it reads (text/utf8.h's IsValidUtf8 calls it where the CPU can run
// it). The scalar validator decodes one character at a time; on web text,
// whose non-ASCII characters come in clusters, that was 4-5% of a run.
//
// The method is Keiser and Lemire's ("Validating UTF-8 in less than one
// instruction per byte", 2021): every error of strict UTF-8 (table 3-7) is
// visible in some pair of adjacent bytes, given which bytes must be
// continuations. Three 16-entry tables, looked up with PSHUFB by the high
// nibble of the first byte of a pair, its low nibble and the high nibble of
// the second byte, each give the set of errors that the pair may be; their
// AND is the set it is. Only a continuation two or three bytes after a
// three- or four-byte lead byte is not a pair error, so those are marked
// separately and must be exactly the "two continuations in a row" errors.

#ifndef PRETOKDB_TEXT_UTF8_SIMD_H_
#define PRETOKDB_TEXT_UTF8_SIMD_H_

#include <cstddef>

namespace pretokdb {

// Whether this CPU runs IsValidUtf8Simd (x86-64 with SSSE3).
bool HaveUtf8Simd();

// Same result as IsValidUtf8(p, n).
// REQUIRES: HaveUtf8Simd().
bool IsValidUtf8Simd(const char* p, size_t n);

}  // namespace pretokdb

#endif  // PRETOKDB_TEXT_UTF8_SIMD_H_

// --invalid-utf8 strict: a file is refused before any of it is counted if
// it holds an ill-formed UTF-8 sequence, and the error names the offset.

#ifndef PRETOKDB_INGEST_UTF8_CHECK_H_
#define PRETOKDB_INGEST_UTF8_CHECK_H_

#include <cstdint>

#include "ingest/source_file.h"
#include "pretokdb/status.h"

namespace pretokdb {

// Reads [from, file.size()) (from: a character boundary) and returns
// InvalidArgument naming the file and the offset of the first ill-formed
// sequence, which is the `start` of Python's UnicodeDecodeError.
Status CheckUtf8(const SourceFile& file, uint64_t from);

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_UTF8_CHECK_H_

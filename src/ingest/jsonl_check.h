// --jsonl with --bad-records strict: a file is refused before any of it is
// counted if one of its lines is a bad record (ingest/jsonl_record.h), and
// the error names the line, as --invalid-utf8 strict refuses a file. A
// compressed file is decompressed for it (one more pass over its text). A
// stream cannot be checked before it is counted: its chunks number their
// lines as they are read (ingest/stream_chunker.h) and the first bad record
// stops the run; a named stream's reader checks each record before a
// worker counts it (ingest/jsonl_stream_check.h).

#ifndef PRETOKDB_INGEST_JSONL_CHECK_H_
#define PRETOKDB_INGEST_JSONL_CHECK_H_

#include <cstdint>
#include <string_view>

#include "ingest/compressed_file.h"
#include "ingest/source_file.h"
#include "pretokdb/status.h"

namespace pretokdb {

// Reads the lines of file from the line that holds offset `from` to the
// end and returns InvalidArgument naming the first bad record: its line
// number (counted from the file's start, 1 for the first line) and byte
// offset.
Status CheckJsonlRecords(const SourceFile& file, std::string_view field_path,
                         uint64_t from);

// The same for a compressed file (of `kind`), all of its decompressed
// text; the byte offset named is the text's. Corrupt input is the
// decompressor's error.
Status CheckCompressedJsonlRecords(const SourceFile& file, Compression kind,
                                   std::string_view field_path);

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_JSONL_CHECK_H_

// --jsonl with --bad-records strict, for a named stream: its reader checks
// every record before a worker is handed its bytes, so that the first bad
// record stops the run with nothing at or after it counted.
//
// A file is checked whole before any of it is counted (ingest/jsonl_check.h);
// a stream cannot be, and its workers alone would not do: a named stream's
// chunks commit as they are counted, so a worker could commit a chunk
// after the bad record before the worker counting the bad record's chunk
// met it. The stream fed again, fixed, would then differ from what was
// counted (and be refused). Checked by the reader, the stream is counted at
// most up to its first bad record, which a fixed stream goes on from.
//
// The bytes come in stream order, in pieces of any size; a line held across
// pieces is kept until its end (at most kMaxRecordBytes: a longer line is a
// bad record, found without being held).
//
// Not thread-safe: the reader's.

#ifndef PRETOKDB_INGEST_JSONL_STREAM_CHECK_H_
#define PRETOKDB_INGEST_JSONL_STREAM_CHECK_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/jsonl_record.h"
#include "pretokdb/status.h"

namespace pretokdb {

class JsonlStreamCheck {
 public:
  // name: the stream's, in errors. Lines that start before `from` (counted
  // by an earlier run, which checked them under its own policy) are not
  // checked, though their numbers count.
  JsonlStreamCheck(std::string name, std::string_view field_path,
                   uint64_t from);
  JsonlStreamCheck(const JsonlStreamCheck&) = delete;
  JsonlStreamCheck& operator=(const JsonlStreamCheck&) = delete;

  // Checks the lines that `bytes`, the stream's next ones, end. OK: all
  // are records, or blank. Otherwise InvalidArgument naming the first bad
  // record's line and byte (as a file's check names them), and *bad_begin
  // is that byte's offset; after an error, nothing more may be added.
  Status Add(std::string_view bytes, uint64_t* bad_begin);

  // The stream ended: checks its last line if it has no "\n".
  Status Finish(uint64_t* bad_begin);

 private:
  // Checks the line that started at line_begin_: text (without its "\n"),
  // or too long to be held.
  Status CheckLine(std::string_view text, bool too_long, uint64_t* bad_begin);

  const std::string name_;
  const std::string field_path_;
  const uint64_t from_;
  JsonlRecordParser parser_;
  uint64_t offset_ = 0;       // of the next byte
  uint64_t line_begin_ = 0;   // of the line being read
  uint64_t line_number_ = 1;  // its number
  std::string held_;          // its bytes so far, if it is checked
  bool too_long_ = false;     // it is longer than a record may be
};

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_JSONL_STREAM_CHECK_H_

// Splits bytes from a read function into lines, for JSON Lines: a line ends
// at "\n" (JSON strings cannot hold a raw newline, so every "\n" ends a
// record), and its "\r" before the "\n", if any, is not part of it. The last
// line needs no "\n". A line longer than max_line bytes is reported as too
// long without being held: the reader keeps at most max_line bytes plus one
// read.
//
// The read function is the layer below (a file's range, a stream's chunk, a
// decompressed stream), so lines compose with any of them.
//
// Not thread-safe.

#ifndef PRETOKDB_INGEST_LINE_READER_H_
#define PRETOKDB_INGEST_LINE_READER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "pretokdb/status.h"

namespace pretokdb {

class LineReader {
 public:
  // Reads *got <= n bytes into dst; fewer only at the end.
  using ReadFn = std::function<Status(char* dst, size_t n, size_t* got)>;

  struct Line {
    uint64_t begin = 0;  // offset of its first byte
    uint64_t end = 0;    // offset after its "\n" (or the end)
    std::string_view text;  // without "\n" / "\r\n"; empty if too_long
    bool too_long = false;  // text longer than max_line, not held
  };

  // The first byte read is at offset `from`.
  LineReader(ReadFn read, uint64_t from, size_t max_line, size_t read_bytes);

  // Sets *line to the next line (valid until the next call) and *got to
  // true, or *got to false at the end.
  Status Next(Line* line, bool* got);

 private:
  // Reads more at the end of buf_; false at the end of the input.
  Status Fill(bool* more);

  const ReadFn read_;
  const size_t max_line_;
  const size_t read_bytes_;
  std::string buf_;
  size_t pos_ = 0;     // first byte of buf_ not yet in a line
  uint64_t base_;      // offset of buf_[0]
  bool ended_ = false;
};

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_LINE_READER_H_

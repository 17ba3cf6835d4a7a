#include "ingest/jsonl_check.h"

#include <algorithm>
#include <string>

#include "ingest/decompressor.h"
#include "ingest/jsonl_record.h"
#include "ingest/line_reader.h"
#include "util/find_bytes.h"

namespace pretokdb {

namespace {

constexpr size_t kReadBytes = 1 << 20;

// The number of "\n" in [0, end) of file, and the offset after the last.
Status CountLines(const SourceFile& file, uint64_t end, uint64_t* lines,
                  uint64_t* last_start) {
  std::string buf;
  *lines = 0;
  *last_start = 0;
  for (uint64_t at = 0; at < end;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kReadBytes, end - at));
    buf.resize(n);
    PRETOKDB_RETURN_IF_ERROR(file.ReadAt(at, n, buf.data()));
    *lines += CountByte(buf.data(), n, '\n');
    const size_t last = buf.rfind('\n');
    if (last != std::string::npos) *last_start = at + last + 1;
    at += n;
  }
  return Status::OK();
}

// Checks the lines `read` gives, the first at offset `start`, which begins
// line lines_before + 1 of the input `name`.
Status CheckLines(const std::string& name, std::string_view field_path,
                  const LineReader::ReadFn& read, uint64_t start,
                  uint64_t lines_before, bool decompressed) {
  LineReader lines(read, start, kMaxRecordBytes, kReadBytes);
  JsonlRecordParser parser(field_path);
  uint64_t line_number = lines_before;
  for (;;) {
    LineReader::Line line;
    bool got = false;
    PRETOKDB_RETURN_IF_ERROR(lines.Next(&line, &got));
    if (!got) return Status::OK();
    ++line_number;
    const BadRecord why =
        line.too_long ? BadRecord::kTooLong : parser.Check(line.text);
    if (why == BadRecord::kNone) continue;
    return Status::InvalidArgument(
        name, StrictRecordError(line_number, line.begin, decompressed, why,
                                field_path));
  }
}

}  // namespace

Status CheckJsonlRecords(const SourceFile& file, std::string_view field_path,
                         uint64_t from) {
  uint64_t lines_before = 0, start = 0;
  PRETOKDB_RETURN_IF_ERROR(
      CountLines(file, std::min(from, file.size()), &lines_before, &start));
  uint64_t at = start;
  return CheckLines(
      file.path(), field_path,
      [&](char* dst, size_t n, size_t* got) {
        *got = static_cast<size_t>(std::min<uint64_t>(n, file.size() - at));
        Status s = file.ReadAt(at, *got, dst);
        at += *got;
        return s;
      },
      start, lines_before, /*decompressed=*/false);
}

Status CheckCompressedJsonlRecords(const SourceFile& file, Compression kind,
                                   std::string_view field_path) {
  Decompressor text(&file, kind, 0);
  return CheckLines(
      file.path(), field_path,
      [&](char* dst, size_t n, size_t* got) { return text.Read(dst, n, got); },
      0, 0, /*decompressed=*/true);
}

}  // namespace pretokdb

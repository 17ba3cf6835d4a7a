#include "ingest/jsonl_check.h"

#include <algorithm>
#include <string>

#include "ingest/jsonl_record.h"
#include "ingest/line_reader.h"

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
    for (size_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        ++*lines;
        *last_start = at + i + 1;
      }
    }
    at += n;
  }
  return Status::OK();
}

}  // namespace

Status CheckJsonlRecords(const SourceFile& file, std::string_view field_path,
                         uint64_t from) {
  uint64_t line_number = 0, start = 0;
  PRETOKDB_RETURN_IF_ERROR(
      CountLines(file, std::min(from, file.size()), &line_number, &start));
  uint64_t at = start;
  LineReader lines(
      [&](char* dst, size_t n, size_t* got) {
        *got = static_cast<size_t>(std::min<uint64_t>(n, file.size() - at));
        Status s = file.ReadAt(at, *got, dst);
        at += *got;
        return s;
      },
      start, kMaxRecordBytes, kReadBytes);
  JsonlRecordParser parser(field_path);
  for (;;) {
    LineReader::Line line;
    bool got = false;
    PRETOKDB_RETURN_IF_ERROR(lines.Next(&line, &got));
    if (!got) return Status::OK();
    ++line_number;
    BadRecord why = BadRecord::kTooLong;
    if (!line.too_long) {
      if (JsonlRecordParser::IsBlank(line.text)) continue;
      std::string_view text;
      why = parser.Parse(line.text, &text);
      if (why == BadRecord::kNone) continue;
    }
    return Status::InvalidArgument(
        file.path(), "line " + std::to_string(line_number) + " (byte " +
                         std::to_string(line.begin) + ") " +
                         DescribeBadRecord(why) + " (--jsonl " +
                         std::string(field_path) +
                         "); fix it, or index with --bad-records skip");
  }
}

}  // namespace pretokdb

// Copyright (c) pretok-db authors.
//
// jsonl_dump: prints what the JSON Lines reader makes of each line of a
// file, for tools/fuzz_jsonl_vs_python.py to compare with json.loads (the
// reference of tests/e2e/reference_count.py). One output line per input
// line:
//   R <hex>     a record: the field's string as lowercase hex of its UTF-8
//   B <reason>  a bad record: invalid_json, invalid_utf8, missing_field,
//               not_string or too_long
//   -           a blank line
//
//   jsonl_dump [--field PATH] [--read-bytes N] [--max-line N] FILE
//
// --field PATH    the dotted field path (default text)
// --read-bytes N  read the file N bytes at a time (default 65536)
// --max-line N    the longest record (default kMaxRecordBytes); longer
//                 lines are too_long

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "ingest/jsonl_record.h"
#include "ingest/line_reader.h"

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage: jsonl_dump [--field PATH] [--read-bytes N] [--max-line N] "
               "FILE\n");
  return 2;
}

const char* const kReasons[] = {"invalid_json", "invalid_utf8", "missing_field",
                                "not_string", "too_long"};

}  // namespace

int main(int argc, char** argv) {
  using pretokdb::BadRecord;
  std::string field = "text";
  size_t read_bytes = 65536;
  size_t max_line = pretokdb::kMaxRecordBytes;
  const char* path = nullptr;
  for (int i = 1; i < argc; i++) {
    if (std::strcmp(argv[i], "--field") == 0 && i + 1 < argc) {
      field = argv[++i];
    } else if (std::strcmp(argv[i], "--read-bytes") == 0 && i + 1 < argc) {
      read_bytes = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--max-line") == 0 && i + 1 < argc) {
      max_line = std::strtoull(argv[++i], nullptr, 10);
    } else if (argv[i][0] == '-' || path != nullptr) {
      return Usage();
    } else {
      path = argv[i];
    }
  }
  if (path == nullptr || pretokdb::SplitFieldPath(field).empty()) return Usage();
  std::FILE* in = std::fopen(path, "rb");
  if (in == nullptr) {
    std::perror(path);
    return 1;
  }
  pretokdb::LineReader lines(
      [in](char* dst, size_t n, size_t* got) {
        *got = std::fread(dst, 1, n, in);
        return std::ferror(in) ? pretokdb::Status::IOError("read failed")
                               : pretokdb::Status::OK();
      },
      0, max_line, read_bytes);
  pretokdb::JsonlRecordParser parser(field);
  std::string out;
  for (;;) {
    pretokdb::LineReader::Line line;
    bool got = false;
    pretokdb::Status s = lines.Next(&line, &got);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
    if (!got) break;
    BadRecord why = BadRecord::kTooLong;
    std::string_view text;
    if (!line.too_long) {
      if (pretokdb::JsonlRecordParser::IsBlank(line.text)) {
        out += "-\n";
        continue;
      }
      why = parser.Parse(line.text, &text);
    }
    if (why != BadRecord::kNone) {
      out += "B ";
      out += kReasons[static_cast<int>(why)];
      out += '\n';
      continue;
    }
    out += "R ";
    static const char kHex[] = "0123456789abcdef";
    for (unsigned char c : text) {
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
    out += '\n';
  }
  std::fclose(in);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

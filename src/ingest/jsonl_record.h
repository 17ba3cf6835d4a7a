// One line of a JSON Lines file as a document: the string at a field path
// of the JSON object the line holds, found and checked by simdjson's
// on-demand parser (one parse per line, so a bad line costs only itself).
//
// The reference is Python's json.loads(line.decode("utf-8")) with
// obj["a"]["b"] for the path "a.b" (README, "JSON Lines"):
//   - the whole line is checked, not only the path to the field: a line
//     json.loads refuses is a bad record even if its field is fine. JSON is
//     RFC 8259's: NaN and Infinity, which json.loads takes, are not JSON;
//     nesting deeper than kMaxDepth is refused (json.loads fails near 1000);
//   - where a key repeats, the last one counts, as in json.loads;
//   - an escaped lone surrogate (\ud800) becomes U+FFFD;
//   - bytes that are not UTF-8 make the line a bad record.
//
// Not thread-safe: one per worker.

#ifndef PRETOKDB_INGEST_JSONL_RECORD_H_
#define PRETOKDB_INGEST_JSONL_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pretokdb {

// Why a line is not counted. Numbered as the stats that count them
// (kBadRecordStats, store/records.h).
enum class BadRecord {
  kNone = -1,
  kInvalidJson = 0,  // json.loads would refuse it
  kInvalidUtf8,      // bytes that are not UTF-8
  kMissingField,     // no such field (or the line is no JSON object)
  kNotString,        // the field holds a number, object, null, ...
  kTooLong,          // longer than kMaxRecordBytes
};
inline constexpr int kBadRecordKinds = 5;

// What a bad record is called in messages: "not valid JSON", ...
const char* DescribeBadRecord(BadRecord why);

// What --bad-records strict says of a bad record (after the input's name):
// "line 4 (byte 34) holds no string in the field (--jsonl text); fix it,
// ...". line: its number from 1, or 0 where it is not known (then the
// byte alone names it); byte: the offset of its start, in the text the
// input gives (a compressed file's decompressed text: `decompressed`).
std::string StrictRecordError(uint64_t line, uint64_t byte, bool decompressed,
                              BadRecord why, std::string_view field_path);

// The longest line read as a record, without its line end; a longer one is
// a bad record, skipped without being held. Counting a record holds it
// about 7 times (the line, simdjson's index of it, the decoded string),
// per worker.
inline constexpr size_t kMaxRecordBytes = size_t{8} << 20;

class JsonlRecordParser {
 public:
  static constexpr int kMaxDepth = 1024;

  // field_path: dotted ("meta.text": the field "text" of the object in the
  // field "meta"). REQUIRES: non-empty, no empty component.
  explicit JsonlRecordParser(std::string_view field_path);
  ~JsonlRecordParser();
  JsonlRecordParser(const JsonlRecordParser&) = delete;
  JsonlRecordParser& operator=(const JsonlRecordParser&) = delete;

  // Parses one line (without its "\n" or "\r\n"; at most kMaxRecordBytes).
  // On success sets *text to the field's string as UTF-8, valid until the
  // next call, and returns BadRecord::kNone.
  BadRecord Parse(std::string_view line, std::string_view* text);

  // True if line holds only JSON whitespace (space, tab, CR): a blank line,
  // skipped without being a record.
  static bool IsBlank(std::string_view line);

  // What --bad-records strict asks of a line: kNone if it is blank or a
  // record (Parse), else why it is bad.
  BadRecord Check(std::string_view line);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The components of a dotted field path, or empty if one is empty ("",
// "a..b", ".a").
std::vector<std::string> SplitFieldPath(std::string_view field_path);

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_JSONL_RECORD_H_

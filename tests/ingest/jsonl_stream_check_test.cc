// JsonlStreamCheck: a stream's records checked as its bytes arrive, in
// pieces of any size, name the first bad record exactly as a file's check
// (CheckJsonlRecords) names it, with the same line, byte and reason.

#include "ingest/jsonl_stream_check.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "ingest/jsonl_check.h"
#include "ingest/source_file.h"
#include "ingest_test_util.h"

namespace pretokdb {
namespace {

using testing_util::TempDir;
using testing_util::WriteFile;

struct Verdict {
  std::string error;  // empty: every record is good
  uint64_t bad_begin = 0;
};

const std::string kName = "/tmp/t.jsonl";  // errors start with it

// Feeds text to a check in pieces of 1 to max_piece bytes.
Verdict CheckInPieces(const std::string& text, uint64_t from, size_t max_piece,
                      uint32_t seed) {
  JsonlStreamCheck check(kName, "text", from);
  std::mt19937 rnd(seed);
  Verdict v;
  for (size_t at = 0; at < text.size();) {
    const size_t n = std::min(text.size() - at, 1 + rnd() % max_piece);
    Status s = check.Add(std::string_view(text).substr(at, n), &v.bad_begin);
    if (!s.ok()) {
      v.error = s.message();
      return v;
    }
    at += n;
  }
  Status s = check.Finish(&v.bad_begin);
  if (!s.ok()) v.error = s.message();
  return v;
}

// The file check's verdict on the same bytes.
Verdict CheckAsFile(const TempDir& dir, const std::string& text, uint64_t from) {
  const std::string path = dir.path() + "/t.jsonl";
  WriteFile(path, text);
  std::unique_ptr<SourceFile> file;
  EXPECT_TRUE(SourceFile::Open(path, &file).ok());
  Status s = CheckJsonlRecords(*file, "text", from);
  Verdict v;
  if (!s.ok()) v.error = s.message();
  const size_t named = v.error.find(path);
  if (named != std::string::npos) v.error.replace(named, path.size(), kName);
  return v;
}

std::string GoodLine(std::mt19937* rnd) {
  std::string line = "{\"id\": 1, \"text\": \"" + std::string((*rnd)() % 40, 'x') + "\"}";
  switch ((*rnd)() % 6) {
    case 0: return line + "\r\n";
    case 1: return line + "\n\n";  // a blank line after it
    case 2: return line + "\n \t\r\n";
    default: return line + "\n";
  }
}

const char* const kBadLines[] = {
    "{\"text\": \"cut\n",  "{\"text\": NaN}\n",    "{\"text\": \"\xff\"}\r\n",
    "{\"id\": 5}\n",       "[1, 2]\n",             "{\"text\": null}\n",
    "{\"text\": [\"a\"]}", // the last line, without "\n"
};

TEST(JsonlStreamCheckTest, NamesTheFirstBadRecordAsAFileCheckDoes) {
  TempDir dir;
  std::mt19937 rnd(3);
  int refused = 0;
  for (int round = 0; round < 60; ++round) {
    std::string text;
    const int lines = 1 + static_cast<int>(rnd() % 30);
    const int bad_at = static_cast<int>(rnd() % (lines + 1));  // lines: none
    const std::string bad = kBadLines[rnd() % std::size(kBadLines)];
    for (int i = 0; i < lines; ++i) {
      if (i == bad_at) {
        text += bad;
        if (bad.back() != '\n') break;  // it can only be last
      }
      text += GoodLine(&rnd);
    }
    if (rnd() % 3 == 0 && !text.empty() && text.back() == '\n') text.pop_back();
    const Verdict want = CheckAsFile(dir, text, 0);
    refused += !want.error.empty();
    for (size_t max_piece : {1, 7, 100, 100000}) {
      SCOPED_TRACE(testing::Message() << "round " << round << " pieces " << max_piece);
      const Verdict got = CheckInPieces(text, 0, max_piece, round * 7 + max_piece);
      EXPECT_EQ(got.error, want.error);
      if (!want.error.empty()) {
        EXPECT_NE(got.error.find("(byte " + std::to_string(got.bad_begin) + ")"),
                  std::string::npos)
            << got.error;
      }
    }
  }
  EXPECT_GT(refused, 30) << "too few bad records to test anything";
}

// A line longer than a record may be is bad however it arrives, and is
// not held; one of kMaxRecordBytes before its "\r\n" is a record.
TEST(JsonlStreamCheckTest, LongLines) {
  TempDir dir;
  const std::string head = "{\"text\": \"";
  const std::string tail = "\"}";
  const std::string longest =
      head + std::string(kMaxRecordBytes - head.size() - tail.size(), 'a') + tail;
  for (const std::string& text :
       {"{\"text\": \"a\"}\n" + longest + "\r\n{\"text\": \"b\"}\n",
        "{\"text\": \"a\"}\n" + longest + "a\n{\"text\": \"b\"}\n",
        "{\"text\": \"a\"}\n" + longest + "a"}) {
    const Verdict want = CheckAsFile(dir, text, 0);
    for (size_t max_piece : {4096, 1 << 22}) {
      const Verdict got = CheckInPieces(text, 0, max_piece, 1);
      EXPECT_EQ(got.error, want.error);
    }
  }
  const std::string error = CheckInPieces("{\"text\": \"a\"}\n" + longest + "a\n", 0, 1 << 20, 2).error;
  EXPECT_NE(error.find("line 2 (byte 14) "), std::string::npos) << error;
  EXPECT_NE(error.find("record limit"), std::string::npos) << error;
}

// Lines that start before `from` were counted before, under their run's
// policy: not checked, but numbered.
TEST(JsonlStreamCheckTest, LinesBeforeFromAreNotChecked) {
  const std::string text = "{\"text\": 1}\n{\"text\": \"ok\"}\n{\"text\": 2}\n";
  EXPECT_NE(CheckInPieces(text, 0, 5, 1).error.find("line 1 (byte 0)"), std::string::npos);
  EXPECT_NE(CheckInPieces(text, 12, 5, 1).error.find("line 3 (byte 27)"), std::string::npos);
  EXPECT_NE(CheckInPieces(text, 27, 5, 1).error.find("line 3 (byte 27)"), std::string::npos);
  EXPECT_EQ(CheckInPieces(text, 28, 5, 1).error, "");
}

}  // namespace
}  // namespace pretokdb

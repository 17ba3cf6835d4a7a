// LineReader: lines at "\n" with "\r\n" ends, the last line without one,
// too-long lines skipped whole without being held, whatever the read size.

#include "ingest/line_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace pretokdb {
namespace {

// "begin-end:text" per line, or "begin-end:LONG".
std::vector<std::string> Lines(const std::string& in, size_t max_line, size_t read_bytes,
                               uint64_t from = 100) {
  size_t at = 0;
  LineReader reader(
      [&](char* dst, size_t n, size_t* got) {
        *got = std::min(n, in.size() - at);
        std::memcpy(dst, in.data() + at, *got);
        at += *got;
        return Status::OK();
      },
      from, max_line, read_bytes);
  std::vector<std::string> out;
  for (;;) {
    LineReader::Line line;
    bool got = false;
    Status s = reader.Next(&line, &got);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!got) break;
    out.push_back(std::to_string(line.begin) + "-" + std::to_string(line.end) + ":" +
                  (line.too_long ? "LONG" : std::string(line.text)));
  }
  return out;
}

TEST(LineReaderTest, LinesAndEnds) {
  for (size_t read : {1, 2, 3, 5, 64}) {
    EXPECT_EQ(Lines("ab\ncd\r\n\n\r\nlast", 10, read, 0),
              (std::vector<std::string>{"0-3:ab", "3-7:cd", "7-8:", "8-10:", "10-14:last"}))
        << read;
    EXPECT_EQ(Lines("ab\n", 10, read),
              (std::vector<std::string>{"100-103:ab"}));
    // A "\r" with no "\n" after it is part of the last line.
    EXPECT_EQ(Lines("ab\r", 10, read), (std::vector<std::string>{"100-103:ab\r"}));
    EXPECT_EQ(Lines("", 10, read), (std::vector<std::string>{}));
    EXPECT_EQ(Lines("\n", 10, read), (std::vector<std::string>{"100-101:"}));
  }
}

TEST(LineReaderTest, TooLongLinesAreSkippedWhole) {
  for (size_t read : {1, 3, 4, 7, 100}) {
    // max 4: "abcd" and "abcd\r\n" fit, "abcde" does not.
    EXPECT_EQ(Lines("abcd\nabcde\nabcd\r\nxyzxyzxyzxyz\r\nok", 4, read, 0),
              (std::vector<std::string>{"0-5:abcd", "5-11:LONG", "11-17:abcd",
                                        "17-31:LONG", "31-33:ok"}))
        << read;
    EXPECT_EQ(Lines("abcdefghij", 4, read, 0), (std::vector<std::string>{"0-10:LONG"}));
    EXPECT_EQ(Lines("abcde\r", 4, read, 0), (std::vector<std::string>{"0-6:LONG"}));
  }
}

TEST(LineReaderTest, ReadErrorsStopIt) {
  LineReader reader(
      [](char*, size_t, size_t* got) {
        *got = 0;
        return Status::IOError("x", "broken");
      },
      0, 10, 4);
  LineReader::Line line;
  bool got = true;
  EXPECT_TRUE(reader.Next(&line, &got).IsIOError());
}

}  // namespace
}  // namespace pretokdb

// Copyright (c) pretok-db authors.
//
// ChunkCounter against the reference (ingest_test_util.h): whatever the read
// buffer and piece sizes, the counts and stats of a byte range are those of
// the Python program, and every resume point it reports is one where
// counting can stop and start again with fresh state.

#include "ingest/chunk_counter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "count/count_table.h"
#include "ingest_test_util.h"

namespace pretokdb {
namespace {

using testing_util::AddCounts;
using testing_util::Counts;
using testing_util::Reference;
using testing_util::ReferenceCount;
using testing_util::TempDir;
using testing_util::WriteFile;

const std::string kEot = "<|endoftext|>";

const size_t kReadSizes[] = {1, 2, 3, 7, 64, 4096};
const size_t kPieceSizes[] = {16, 64, 65536};

struct Result {
  Status status;
  Counts counts;
  CounterStats stats;
  uint64_t progress = 0;               // sum of the progress callbacks
  std::vector<uint64_t> resume_points;
};

Counts TableContents(const CountTable& table) {
  Counts c;
  table.ForEach([&](std::string_view t, uint64_t n) { c[std::string(t)] += n; });
  return c;
}

class ChunkCounterTest : public testing::Test {
 protected:
  // Writes the input file; Count() reads it.
  void SetInput(const std::string& content) {
    content_ = content;
    path_ = dir_.File("input-" + std::to_string(files_++));
    WriteFile(path_, content);
    Status s = SourceFile::Open(path_, &file_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // Counts [from, end) of the input with fresh state. If `check_at` is set,
  // it is called at every resume point with the offset and the table's
  // contents and stats at that moment.
  Result Count(const std::vector<std::string>& tokens, size_t read_size,
               size_t piece, uint64_t from, uint64_t end,
               const std::function<void(uint64_t, const CountTable&,
                                        const CounterStats&)>& check_at = {}) {
    SpecialTokens specials(tokens);
    CountTable table(256 << 10, piece);
    Result r;
    ChunkCounter counter(&specials, read_size, piece, &table, &r.stats);
    r.status = counter.Count(
        *file_, from, end,
        [&](uint64_t offset) {
          r.resume_points.push_back(offset);
          if (check_at) check_at(offset, table, r.stats);
          return Status::OK();
        },
        [&](uint64_t bytes) { r.progress += bytes; });
    r.counts = TableContents(table);
    EXPECT_EQ(table.total(), [&] {
      uint64_t t = 0;
      for (const auto& [k, v] : r.counts) t += v;
      return t;
    }());
    return r;
  }

  // The whole check for one input and one set of special tokens.
  void CheckInput(const std::string& content,
                  const std::vector<std::string>& tokens) {
    SetInput(content);
    const Reference ref = ReferenceCount(content, tokens);
    const uint64_t size = content.size();
    for (size_t read_size : kReadSizes) {
      for (size_t piece : kPieceSizes) {
        SCOPED_TRACE("read " + std::to_string(read_size) + " piece " +
                     std::to_string(piece) + " tokens " +
                     std::to_string(tokens.size()));
        // Check the table at a few resume points against the reference of
        // the prefix counted so far.
        int calls = 0;
        auto check_at = [&](uint64_t offset, const CountTable& table,
                            const CounterStats& stats) {
          if (calls++ % 5 != 0) return;
          const Reference prefix = ReferenceCount(
              std::string_view(content).substr(0, offset), tokens);
          EXPECT_TRUE(TableContents(table) == prefix.counts)
              << "table at resume point " << offset;
          EXPECT_EQ(stats.separators, prefix.separators) << "at " << offset;
          EXPECT_EQ(stats.invalid_utf8, prefix.invalid_utf8) << "at " << offset;
        };
        Result whole = Count(tokens, read_size, piece, 0, size, check_at);
        ASSERT_TRUE(whole.status.ok()) << whole.status.ToString();
        EXPECT_TRUE(whole.counts == ref.counts) << Diff(whole.counts, ref.counts);
        EXPECT_EQ(whole.stats.separators, ref.separators);
        EXPECT_EQ(whole.stats.invalid_utf8, ref.invalid_utf8);
        EXPECT_EQ(whole.progress, size);
        // Resume points move forward within the range.
        for (size_t i = 0; i < whole.resume_points.size(); i++) {
          EXPECT_GT(whole.resume_points[i], 0u);
          EXPECT_LE(whole.resume_points[i], size);
          if (i > 0) {
            EXPECT_GT(whole.resume_points[i], whole.resume_points[i - 1]);
          }
        }
        if (HasFailure()) return;
        CheckResume(tokens, read_size, piece, whole);
        if (HasFailure()) return;
      }
    }
  }

  // Stopping at a resume point and starting again from it with fresh state
  // counts exactly what one run counts.
  void CheckResume(const std::vector<std::string>& tokens, size_t read_size,
                   size_t piece, const Result& whole) {
    const std::vector<uint64_t>& points = whole.resume_points;
    const size_t step = std::max<size_t>(1, points.size() / 4);
    for (size_t i = 0; i < points.size(); i += step) {
      const uint64_t off = points[i];
      Result head = Count(tokens, read_size, piece, 0, off);
      Result tail = Count(tokens, read_size, piece, off, content_.size());
      ASSERT_TRUE(head.status.ok() && tail.status.ok());
      Counts sum = head.counts;
      AddCounts(tail.counts, &sum);
      EXPECT_TRUE(sum == whole.counts)
          << "resumed at " << off << ": " << Diff(sum, whole.counts);
      EXPECT_EQ(head.stats.separators + tail.stats.separators,
                whole.stats.separators)
          << "resumed at " << off;
      EXPECT_EQ(head.stats.invalid_utf8 + tail.stats.invalid_utf8,
                whole.stats.invalid_utf8)
          << "resumed at " << off;
      EXPECT_EQ(tail.progress, content_.size() - off);
      for (uint64_t p : tail.resume_points) EXPECT_GT(p, off);
    }
  }

  static std::string Escape(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
      if (c >= 0x20 && c < 0x7F && c != '\\') {
        out.push_back(static_cast<char>(c));
      } else {
        char buf[8];
        snprintf(buf, sizeof(buf), "\\x%02X", c);
        out += buf;
      }
    }
    return out;
  }

  // The first few tokens whose counts differ.
  static std::string Diff(const Counts& got, const Counts& want) {
    std::string out;
    int n = 0;
    auto note = [&](const std::string& t, uint64_t g, uint64_t w) {
      if (n++ < 6) {
        out += "'" + Escape(t) + "': got " + std::to_string(g) + " want " +
               std::to_string(w) + "; ";
      }
    };
    for (const auto& [t, w] : want) {
      auto it = got.find(t);
      const uint64_t g = it == got.end() ? 0 : it->second;
      if (g != w) note(t, g, w);
    }
    for (const auto& [t, g] : got) {
      if (want.count(t) == 0) note(t, g, 0);
    }
    return out;
  }

  TempDir dir_;
  int files_ = 0;
  std::string path_;
  std::string content_;
  std::unique_ptr<SourceFile> file_;
};

// Hand-made edge cases; each runs with every read and piece size, so every
// byte of each falls on a buffer edge.
std::vector<std::string> EdgeCases() {
  std::vector<std::string> cases = {
      "",
      "hello world",
      "Hello, world!\n",
      "no trailing newline",
      "line one\r\nline two\r\n\r\nline three",
      kEot,
      "a" + kEot + "b",
      kEot + kEot,
      kEot + kEot + kEot + "x",
      "doc one." + kEot + "\n\ndoc two\n" + kEot,
      " leading space" + kEot + " leading again",
      "trailing space " + kEot + "trailing  " + kEot + "   ",
      "<|endoftext|",
      "<|endoftext<|endoftext|>|>",
      "<|endoftext|" + std::string(" x"),
      "< |endoftext|> <|endoftext |> <<||endoftext||>>",
      "h\xC3\xA9llo w\xC3\xB6rld \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E "
      "\xF0\x9F\x8E\x89\xF0\x9F\x8E\x89 party",
      "\xF0\x9F\x8E\x89" + kEot + "\xF0\x9F\x8E\x89",
      // Ill-formed sequences, alone and next to tokens and spaces.
      "bad \xE2\x82 sequence",
      "\xE2\x82" + kEot + "\x82\x82 after",
      "surrogate \xED\xA0\x80 overlong \xC0\xAF \xF0\x9F\x98 truncated",
      "\x80\x80\x80 \xFF\xFE \xC3",
      "\xF4\x90\x80\x80 above max; \xF0\x8F\xBF\xBF overlong 4",
      "x\xC3 \xC3\xA9 y",
      // Whitespace runs across edges.
      "a   b\t\t c\n\n\n  d  \n",
      "word" + std::string(300, ' ') + "word",
      std::string(200, '\n') + "x" + std::string(100, '\t'),
      "   ",
      " ",
      "x \n",
      // NUL bytes.
      std::string("a\0b \0 c\0\0", 9),
      std::string("\0", 1) + kEot + std::string("\0", 1),
      // Long stretches without any cut.
      std::string(500, 'a'),
      "start " + std::string(300, 'b') + " end",
      [] {
        std::string s;
        for (int i = 0; i < 60; i++) s += "ab12!?";
        return s;
      }(),
      // Contractions.
      "I'm sure they'll say we've done what you're told; it's Bob's 'd'",
      "''s 'S 'LL ' s",
  };
  // Every Unicode whitespace character, between words, doubled, before a
  // word and at the end; and U+001C..001F, which are not whitespace.
  const std::vector<std::string> spaces = {
      "\t", "\n", "\x0B", "\x0C", "\r", " ", "\xC2\x85", "\xC2\xA0",
      "\xE1\x9A\x80", "\xE2\x80\x80", "\xE2\x80\x81", "\xE2\x80\x82",
      "\xE2\x80\x83", "\xE2\x80\x84", "\xE2\x80\x85", "\xE2\x80\x86",
      "\xE2\x80\x87", "\xE2\x80\x88", "\xE2\x80\x89", "\xE2\x80\x8A",
      "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF", "\xE2\x81\x9F",
      "\xE3\x80\x80", "\x1C", "\x1D", "\x1E", "\x1F"};
  std::string all;
  for (const std::string& sp : spaces) {
    all += "x" + sp + "y" + sp + sp + "z " + sp + "w" + sp + " v " + sp;
  }
  cases.push_back(all);
  return cases;
}

TEST_F(ChunkCounterTest, EdgeCasesEndOfText) {
  for (const std::string& c : EdgeCases()) {
    SCOPED_TRACE("input '" + Escape(c) + "'");
    CheckInput(c, {kEot});
    if (HasFailure()) return;
  }
}

TEST_F(ChunkCounterTest, EdgeCasesNoSpecialTokens) {
  for (const std::string& c : EdgeCases()) {
    SCOPED_TRACE("input '" + Escape(c) + "'");
    CheckInput(c, {});
    if (HasFailure()) return;
  }
}

TEST_F(ChunkCounterTest, EdgeCasesManyTokens) {
  const std::vector<std::string> tokens = {kEot, "<|end|>", "<end doc>", "ab",
                                           "abc", "bc", "\xC3\xA9",
                                           "<|endoftext|>!"};
  std::vector<std::string> cases = EdgeCases();
  cases.push_back("abc ab bc abcbc <end doc> <end  doc> <|end|><|endoftext|>!");
  cases.push_back("x<end doc>y<end doc>\n<end doc> <end doc>");
  cases.push_back("\xC3\xC3\xA9\xA9 caf\xC3\xA9 \xE2\x82\xC3\xA9");
  for (const std::string& c : cases) {
    SCOPED_TRACE("input '" + Escape(c) + "'");
    CheckInput(c, tokens);
    if (HasFailure()) return;
  }
}

// Separators that are whitespace themselves, or start or end with it.
TEST_F(ChunkCounterTest, WhitespaceTokens) {
  for (const auto& tokens : std::vector<std::vector<std::string>>{
           {"\n\n"}, {" <s> "}, {"\n"}, {" "}}) {
    for (const std::string& c :
         {std::string("para one\n\npara two\n\n\npara three\n\n"),
          std::string("a <s> b  <s>  c <s><s> d\n <s> "),
          std::string("x y  z\n\n \n w")}) {
      SCOPED_TRACE("input '" + Escape(c) + "' token '" + Escape(tokens[0]) +
                   "'");
      CheckInput(c, tokens);
      if (HasFailure()) return;
    }
  }
}

TEST_F(ChunkCounterTest, RandomTrickyText) {
  std::mt19937 rnd(2024);
  const std::vector<std::vector<std::string>> token_sets = {
      {kEot},
      {},
      {kEot, "<|end|>", "<end doc>", "ab", "abc", "bc"},
  };
  for (int iter = 0; iter < 60; iter++) {
    const std::string text =
        testing_util::RandomTrickyText(&rnd, 20 + rnd() % 250);
    SCOPED_TRACE("iter " + std::to_string(iter) + " input '" + Escape(text) +
                 "'");
    CheckInput(text, token_sets[iter % token_sets.size()]);
    if (HasFailure()) return;
  }
}

// A range in the middle of a file, as a chunk from the planner is: bytes
// before `from` and after `end` are not counted.
TEST_F(ChunkCounterTest, CountsOnlyTheRange) {
  const std::string head = "skipped words" + kEot + "and more ";
  const std::string body = "counted text" + kEot + "second doc\n";
  const std::string tail = " not counted" + kEot + "either";
  SetInput(head + body + tail);
  const Reference ref = ReferenceCount(body, {kEot});
  for (size_t read_size : kReadSizes) {
    Result r = Count({kEot}, read_size, 16, head.size(),
                     head.size() + body.size());
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_TRUE(r.counts == ref.counts) << read_size;
    EXPECT_EQ(r.stats.separators, 1u);
    EXPECT_EQ(r.progress, body.size());
    for (uint64_t p : r.resume_points) {
      EXPECT_GT(p, head.size());
      EXPECT_LE(p, head.size() + body.size());
    }
  }
}

// Text with frequent whitespace is counted in pieces near the piece size,
// each followed by a resume point, so a worker can spill often.
TEST_F(ChunkCounterTest, ResumePointsComeEveryPiece) {
  std::string text;
  for (int i = 0; i < 400; i++) text += "some words here. ";
  SetInput(text);
  for (size_t piece : {size_t{16}, size_t{64}, size_t{1024}}) {
    Result r = Count({kEot}, 4096, piece, 0, text.size());
    ASSERT_TRUE(r.status.ok());
    uint64_t prev = 0;
    for (uint64_t p : r.resume_points) {
      EXPECT_LE(p - prev, piece) << "piece " << piece << " at " << p;
      prev = p;
    }
    EXPECT_GE(r.resume_points.size(), text.size() / piece);
  }
}

// A resume point callback's error stops counting and is returned.
TEST_F(ChunkCounterTest, ResumePointErrorStops) {
  std::string text;
  for (int i = 0; i < 100; i++) text += "w" + kEot;
  SetInput(text);
  SpecialTokens specials({kEot});
  CountTable table(1 << 20, 16);
  CounterStats stats;
  ChunkCounter counter(&specials, 7, 16, &table, &stats);
  int calls = 0;
  Status s = counter.Count(
      *file_, 0, text.size(),
      [&](uint64_t) {
        return ++calls == 3 ? Status::Aborted("stop here") : Status::OK();
      },
      [](uint64_t) {});
  EXPECT_TRUE(s.IsAborted()) << s.ToString();
  EXPECT_EQ(calls, 3);
}

// A file that shrank under the counter is an IOError naming it.
TEST_F(ChunkCounterTest, ShrunkFileIsIOError) {
  SetInput(std::string(1000, 'a') + " tail");
  WriteFile(path_, "short");
  Result r = Count({kEot}, 64, 16, 0, 1005);
  EXPECT_TRUE(r.status.IsIOError()) << r.status.ToString();
  EXPECT_NE(r.status.message().find(path_), std::string::npos)
      << r.status.ToString();
}

}  // namespace
}  // namespace pretokdb

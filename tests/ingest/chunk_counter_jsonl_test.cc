// ChunkCounter over JSON Lines: each record's field is counted as a document
// (special tokens still split it, documents never join across records),
// bad records are counted by reason, and resume points are line ends only,
// from which counting again gives the same as one run.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "count/count_table.h"
#include "ingest/chunk_counter.h"
#include "ingest/chunk_planner.h"
#include "ingest_test_util.h"

namespace pretokdb {
namespace {

using testing_util::AddCounts;
using testing_util::Counts;
using testing_util::Reference;
using testing_util::ReferenceCount;
using testing_util::TempDir;
using testing_util::WriteFile;

const std::vector<std::string> kTokens = {"<|endoftext|>"};

struct Counted {
  Status status;
  Counts counts;
  CounterStats stats;
  uint64_t progress = 0;
  std::vector<uint64_t> resume_points;
};

Counted CountJsonl(const SourceFile& file, const TextRules& rules, size_t read,
               uint64_t from, uint64_t end) {
  CountTable table(256 << 10, 64);
  Counted r;
  ChunkCounter counter(rules, read, 64, &table, &r.stats);
  r.status = counter.Count(
      file, from, end,
      [&](uint64_t offset) {
        r.resume_points.push_back(offset);
        return Status::OK();
      },
      [&](uint64_t bytes) { r.progress += bytes; });
  table.ForEach([&](std::string_view t, uint64_t n) { r.counts[std::string(t)] += n; });
  return r;
}

class ChunkCounterJsonlTest : public testing::Test {
 protected:
  void SetInput(const std::string& content) {
    content_ = content;
    WriteFile(dir_.File("in.jsonl"), content);
    Status s = SourceFile::Open(dir_.File("in.jsonl"), &file_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  TempDir dir_;
  std::string content_;
  std::unique_ptr<SourceFile> file_;
};

TEST_F(ChunkCounterJsonlTest, RecordsAreDocuments) {
  // Fields: "one two", "a<|endoftext|>b", "x\u00e9", "end" (without "\n").
  const std::string in =
      "{\"text\": \"one two\"}\n"
      "\n"
      "   \r\n"
      "{\"id\": 3, \"text\": \"a<|endoftext|>b\"}\r\n"
      "not json\n"
      "{\"text\": 7}\n"
      "{\"other\": \"zzz\"}\n"
      "{\"text\": \"x\\u00e9\"}\n"
      "{\"text\": \"\xFF\"}\n"
      "{\"text\": \"end\"}";
  SetInput(in);
  Reference ref;
  for (const char* field : {"one two", "a<|endoftext|>b", "x\xC3\xA9", "end"}) {
    Reference r = ReferenceCount(field, kTokens);
    AddCounts(r.counts, &ref.counts);
    ref.separators += r.separators;
  }
  SpecialTokens specials(kTokens);
  TextRules rules(&specials);
  rules.jsonl_field = "text";
  for (size_t read : {1, 2, 5, 64, 4096}) {
    SCOPED_TRACE("read " + std::to_string(read));
    Counted r = CountJsonl(*file_, rules, read, 0, in.size());
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_TRUE(r.counts == ref.counts);
    // "two" and " two" never join "a": separate documents.
    EXPECT_EQ(r.counts.count("end"), 1u);
    EXPECT_EQ(r.stats.records, 4u);
    EXPECT_EQ(r.stats.separators, ref.separators);
    EXPECT_EQ(r.stats.bad_records[static_cast<int>(BadRecord::kInvalidJson)], 1u);
    EXPECT_EQ(r.stats.bad_records[static_cast<int>(BadRecord::kNotString)], 1u);
    EXPECT_EQ(r.stats.bad_records[static_cast<int>(BadRecord::kMissingField)], 1u);
    EXPECT_EQ(r.stats.bad_records[static_cast<int>(BadRecord::kInvalidUtf8)], 1u);
    EXPECT_EQ(r.progress, in.size());
    // One resume point per line, at its end.
    std::vector<uint64_t> ends;
    for (size_t i = 0; i < in.size(); ++i) {
      if (in[i] == '\n') ends.push_back(i + 1);
    }
    ends.push_back(in.size());
    EXPECT_EQ(r.resume_points, ends);
    // Resumed at any of them: the rest counts what one run counts.
    for (uint64_t p : ends) {
      Counted head = CountJsonl(*file_, rules, read, 0, p);
      Counted tail = CountJsonl(*file_, rules, read, p, in.size());
      ASSERT_TRUE(head.status.ok() && tail.status.ok());
      Counts sum = head.counts;
      AddCounts(tail.counts, &sum);
      EXPECT_TRUE(sum == ref.counts) << "resumed at " << p;
      EXPECT_EQ(head.stats.records + tail.stats.records, 4u);
    }
  }
}

TEST_F(ChunkCounterJsonlTest, StrictStopsAtABadRecord) {
  SetInput("{\"text\": \"ok\"}\n{\"text\": \"cut\n{\"text\": \"after\"}\n");
  SpecialTokens specials(kTokens);
  TextRules rules(&specials);
  rules.jsonl_field = "text";
  rules.bad_records = BadRecords::kStrict;
  Counted r = CountJsonl(*file_, rules, 7, 0, content_.size());
  EXPECT_TRUE(r.status.IsInvalidArgument()) << r.status.ToString();
  EXPECT_NE(r.status.ToString().find("line at byte 15 not valid JSON"), std::string::npos)
      << r.status.ToString();
  EXPECT_EQ(r.resume_points, std::vector<uint64_t>{15});
}

TEST_F(ChunkCounterJsonlTest, TooLongLinesAreBadRecords) {
  const std::string big(kMaxRecordBytes, 'a');
  SetInput("{\"text\": \"" + big + "\"}\n{\"text\": \"fits\"}\n");
  SpecialTokens specials(kTokens);
  TextRules rules(&specials);
  rules.jsonl_field = "text";
  Counted r = CountJsonl(*file_, rules, 1 << 16, 0, content_.size());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.stats.bad_records[static_cast<int>(BadRecord::kTooLong)], 1u);
  EXPECT_EQ(r.stats.records, 1u);
  EXPECT_EQ(r.counts, (Counts{{"fits", 1}}));
}

TEST_F(ChunkCounterJsonlTest, AStretchTooLongInAFieldIsSkippedAtItsLine) {
  const std::string first = "{\"text\": \"ok\"}\n";
  SetInput(first + "{\"text\": \"a " + std::string(2 << 20, 'x') + " b\"}\n");
  SpecialTokens specials(kTokens);
  TextRules rules(&specials);
  rules.jsonl_field = "text";
  CountTable table(256 << 10, 64);
  CounterStats stats;
  ChunkCounter counter(rules, 4096, 64, &table, &stats);
  std::vector<std::pair<uint64_t, uint64_t>> skips;
  counter.set_skip_callback([&](uint64_t at, uint64_t n) { skips.emplace_back(at, n); });
  Status s = counter.Count(*file_, 0, content_.size(), [](uint64_t) { return Status::OK(); },
                           [](uint64_t) {});
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(skips.size(), 1u);
  EXPECT_EQ(skips[0].first, first.size());  // the line's offset
  EXPECT_EQ(stats.skipped_stretches, 1u);
  EXPECT_EQ(stats.records, 2u);
  Counts got;
  table.ForEach([&](std::string_view t, uint64_t n) { got[std::string(t)] += n; });
  EXPECT_EQ(got, (Counts{{"ok", 1}, {"a", 1}, {" b", 1}}));
}

TEST_F(ChunkCounterJsonlTest, ChunkEdgesAreLineStarts) {
  // A special token and safe cuts everywhere, but edges only after "\n".
  const std::string in = "{\"text\": \"a b<|endoftext|>c\"}\n{\"text\": \"d e\"}\n{}";
  SetInput(in);
  SpecialTokens specials(kTokens);
  TextRules rules(&specials);
  rules.jsonl_field = "text";
  const size_t first = in.find('\n') + 1, second = in.find('\n', first) + 1;
  uint64_t cut = 0;
  ASSERT_TRUE(FindFirstCutFrom(*file_, rules, 1, in.size(), in.size(), &cut).ok());
  EXPECT_EQ(cut, first);
  ASSERT_TRUE(FindFirstCutFrom(*file_, rules, first, in.size(), in.size(), &cut).ok());
  EXPECT_EQ(cut, first);
  ASSERT_TRUE(FindFirstCutFrom(*file_, rules, first + 1, in.size(), in.size(), &cut).ok());
  EXPECT_EQ(cut, second);
  ASSERT_TRUE(FindFirstCutFrom(*file_, rules, second + 1, in.size(), in.size(), &cut).ok());
  EXPECT_EQ(cut, in.size());
  ASSERT_TRUE(FindLastCutBefore(*file_, rules, 0, in.size(), &cut).ok());
  EXPECT_EQ(cut, second);
  ASSERT_TRUE(FindLastCutBefore(*file_, rules, 0, second, &cut).ok());
  EXPECT_EQ(cut, first);
  ASSERT_TRUE(FindLastCutBefore(*file_, rules, 0, first, &cut).ok());
  EXPECT_EQ(cut, 0u);
  ASSERT_TRUE(FindLastCutBefore(*file_, rules, first + 1, second, &cut).ok());
  EXPECT_EQ(cut, first + 1);  // none in the range: its start
  EXPECT_EQ(FindFirstChunkEdge(rules, in, 0, in.size()), first);
  EXPECT_EQ(FindFirstChunkEdge(rules, in, first, in.size()), first);
  EXPECT_EQ(FindFirstChunkEdge(rules, in, first + 1, in.size()), second);
  EXPECT_EQ(FindFirstChunkEdge(rules, in, first + 1, second), std::string_view::npos);
  std::vector<ChunkRange> chunks;
  ASSERT_TRUE(PlanChunks(*file_, rules, 1, &chunks).ok());
  for (const ChunkRange& c : chunks) {
    EXPECT_TRUE(c.begin == 0 || in[c.begin - 1] == '\n') << c.begin;
  }
}

}  // namespace
}  // namespace pretokdb

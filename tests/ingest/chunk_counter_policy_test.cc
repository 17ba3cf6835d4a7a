// Copyright (c) pretok-db authors.
//
// ChunkCounter under --invalid-utf8 skip (bytes dropped before splitting and
// pretokenizing, as Python's errors="ignore" does) and for stretches too
// long to count: the counts are those of the reference on the cleaned text,
// and every resume point is one where counting can start again.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "count/count_table.h"
#include "ingest/chunk_counter.h"
#include "ingest_test_util.h"
#include "text/utf8.h"

namespace pretokdb {
namespace {

using testing_util::AddCounts;
using testing_util::Counts;
using testing_util::Reference;
using testing_util::ReferenceCount;
using testing_util::TempDir;
using testing_util::WriteFile;

const std::string kEot = "<|endoftext|>";

Counts TableContents(const CountTable& table) {
  Counts c;
  table.ForEach([&](std::string_view t, uint64_t n) { c[std::string(t)] += n; });
  return c;
}

struct CountRun {
  Status status;
  Counts counts;
  CounterStats stats;
  uint64_t progress = 0;
  std::vector<uint64_t> resume_points;
  std::vector<Counts> counts_at;  // the table at each resume point
  std::vector<std::pair<uint64_t, uint64_t>> skipped;
};

CountRun CountRange(const SourceFile& file, const std::vector<std::string>& tokens,
               InvalidUtf8 policy, size_t read_size, uint64_t from,
               uint64_t end) {
  SpecialTokens specials(tokens);
  const TextRules rules(&specials, nullptr, CutRule::kGpt2, policy);
  CountTable table(64 << 20, 64);
  CountRun r;
  ChunkCounter counter(rules, read_size, 64, &table, &r.stats);
  counter.set_skip_callback(
      [&](uint64_t offset, uint64_t bytes) { r.skipped.emplace_back(offset, bytes); });
  r.status = counter.Count(
      file, from, end,
      [&](uint64_t offset) {
        r.resume_points.push_back(offset);
        r.counts_at.push_back(TableContents(table));
        return Status::OK();
      },
      [&](uint64_t bytes) { r.progress += bytes; });
  r.counts = TableContents(table);
  return r;
}

// Random text with ill-formed bytes everywhere, special tokens, and special
// tokens that only appear once the ill-formed bytes inside them are dropped.
std::string RandomDirtyText(std::mt19937* rnd) {
  static const char* const kPieces[] = {
      "hello", " world", "  ", "\n", "don't", "'s", "123", "x=1;", "\xC3\xA9t\xC3\xA9",
      "\xE2\x82\xAC", "<|endoftext|>", "<|endof\xFFtext|>", "<\xC0|endoftext|>",
      "\xFF", "\xC0\xAF", "\xED\xA0\x80", "\xE2\x82", "\xF0\x9F\x98", "\x80",
      "\xF4\x90\x80\x80", "" /* NUL, below */, "a\xFF" "b", " \xFF ",
  };
  std::string out;
  const int n = std::uniform_int_distribution<int>(0, 200)(*rnd);
  for (int i = 0; i < n; ++i) {
    const size_t k = std::uniform_int_distribution<size_t>(
        0, sizeof(kPieces) / sizeof(kPieces[0]) - 1)(*rnd);
    out += (k == 20) ? std::string(1, '\0') : std::string(kPieces[k]);
  }
  return out;
}

TEST(ChunkCounterPolicyTest, SkipDropsBytesBeforeSplitting) {
  TempDir dir;
  std::mt19937 rnd(7);
  for (int iter = 0; iter < 150; ++iter) {
    const std::string content = RandomDirtyText(&rnd);
    const std::string path = dir.File("in-" + std::to_string(iter));
    WriteFile(path, content);
    std::unique_ptr<SourceFile> file;
    ASSERT_TRUE(SourceFile::Open(path, &file).ok());
    std::string cleaned;
    const size_t dropped = AppendSkippingInvalidUtf8(content, &cleaned);
    const Reference ref = ReferenceCount(cleaned, {kEot});
    for (size_t read_size : {1, 2, 3, 5, 16, 4096}) {
      SCOPED_TRACE("iter " + std::to_string(iter) + " read " +
                   std::to_string(read_size));
      const CountRun r = CountRange(*file, {kEot}, InvalidUtf8::kSkip, read_size, 0,
                               content.size());
      ASSERT_TRUE(r.status.ok()) << r.status.ToString();
      EXPECT_TRUE(r.counts == ref.counts);
      EXPECT_EQ(r.stats.separators, ref.separators);
      EXPECT_EQ(r.stats.invalid_utf8, dropped);
      EXPECT_EQ(r.progress, content.size());
      // Restarting at a resume point counts exactly the rest.
      for (size_t i = 0; i < r.resume_points.size(); i += 7) {
        const CountRun rest = CountRange(*file, {kEot}, InvalidUtf8::kSkip, 64,
                                    r.resume_points[i], content.size());
        ASSERT_TRUE(rest.status.ok());
        Counts sum = r.counts_at[i];
        AddCounts(rest.counts, &sum);
        EXPECT_TRUE(sum == ref.counts) << "restart at " << r.resume_points[i];
      }
    }
  }
}

TEST(ChunkCounterPolicyTest, StretchLongerThanTheMaximumIsSkipped) {
  TempDir dir;
  const std::string long_run(kMaxPretokenBytes + 100, 'a');
  const std::string before = "hello there";
  const std::string after = " world<|endoftext|>x y";
  const std::string content = before + " " + long_run + after;
  const std::string path = dir.File("long");
  WriteFile(path, content);
  std::unique_ptr<SourceFile> file;
  ASSERT_TRUE(SourceFile::Open(path, &file).ok());
  Reference ref = ReferenceCount(content, {kEot});
  ref.counts.erase(" " + long_run);
  for (size_t read_size : {4096, 1 << 20}) {
    const CountRun r = CountRange(*file, {kEot}, InvalidUtf8::kReplace, read_size,
                             0, content.size());
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_TRUE(r.counts == ref.counts);
    EXPECT_EQ(r.stats.skipped_stretches, 1u);
    EXPECT_EQ(r.stats.skipped_bytes, long_run.size() + 1);
    ASSERT_EQ(r.skipped.size(), 1u);
    EXPECT_EQ(r.skipped[0].first, before.size());
    EXPECT_EQ(r.progress, content.size());
  }
}

TEST(ChunkCounterPolicyTest, LongStretchAtTheEndIsSkipped) {
  TempDir dir;
  const std::string content = "a b " + std::string(kMaxPretokenBytes + 1, '7');
  const std::string path = dir.File("tail");
  WriteFile(path, content);
  std::unique_ptr<SourceFile> file;
  ASSERT_TRUE(SourceFile::Open(path, &file).ok());
  const CountRun r = CountRange(*file, {kEot}, InvalidUtf8::kReplace, 1 << 16, 0,
                           content.size());
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.stats.skipped_stretches, 1u);
  EXPECT_TRUE(r.counts == (Counts{{"a", 1}, {" b", 1}}));
}

}  // namespace
}  // namespace pretokdb

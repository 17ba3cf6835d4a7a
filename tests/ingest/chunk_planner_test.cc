// Copyright (c) pretok-db authors.

#include "ingest/chunk_planner.h"

#include <cctype>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "ingest_test_util.h"
#include "text/char_class.h"
#include "text/utf8.h"

namespace pretokdb {
namespace {

using testing_util::AddCounts;
using testing_util::Counts;
using testing_util::Reference;
using testing_util::ReferenceCount;
using testing_util::TempDir;
using testing_util::WriteFile;

const std::vector<std::string> kEot = {"<|endoftext|>"};

// True if the last character of the decoded raw bytes is \s.
bool EndsWithSpace(std::string_view raw) {
  std::string text;
  AppendReplacingInvalidUtf8(raw, &text);
  if (text.empty()) return false;
  size_t start = text.size() - 1;
  while ((static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) start--;
  const auto* u = reinterpret_cast<const unsigned char*>(text.data() + start);
  const size_t n = text.size() - start;
  const char32_t cp =
      n == 1   ? u[0]
      : n == 2 ? ((u[0] & 0x1F) << 6) | (u[1] & 0x3F)
      : n == 3 ? ((u[0] & 0x0F) << 12) | ((u[1] & 0x3F) << 6) | (u[2] & 0x3F)
               : ((u[0] & 0x07) << 18) | ((u[1] & 0x3F) << 12) |
                     ((u[2] & 0x3F) << 6) | (u[3] & 0x3F);
  return ClassOf(cp) == CharClass::kSpace;
}

bool InsideOccurrence(const std::vector<std::string>& tokens,
                      std::string_view text, size_t q) {
  for (const std::string& t : tokens) {
    for (size_t at = text.find(t); at != std::string_view::npos;
         at = text.find(t, at + 1)) {
      if (at < q && at + t.size() > q) return true;
    }
  }
  return false;
}

class ChunkPlannerTest : public testing::Test {
 protected:
  // Plans `content` and checks every property a plan must have; returns it.
  std::vector<ChunkRange> PlanAndCheck(const std::string& content,
                                       const std::vector<std::string>& tokens,
                                       uint64_t target) {
    const std::string path = dir_.File("input.txt");
    WriteFile(path, content);
    std::unique_ptr<SourceFile> file;
    Status s = SourceFile::Open(path, &file);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok()) return {};
    SpecialTokens specials(tokens);
    std::vector<ChunkRange> chunks = {{5, 6}};  // replaced, not appended to
    s = PlanChunks(*file, TextRules(&specials), target, &chunks);
    EXPECT_TRUE(s.ok()) << s.ToString();
    Check(content, tokens, chunks);
    return chunks;
  }

  void Check(const std::string& content, const std::vector<std::string>& tokens,
             const std::vector<ChunkRange>& chunks) {
    if (content.empty()) {
      EXPECT_TRUE(chunks.empty());
      return;
    }
    // Contiguous, non-empty, covering [0, size).
    ASSERT_FALSE(chunks.empty());
    EXPECT_EQ(chunks.front().begin, 0u);
    EXPECT_EQ(chunks.back().end, content.size());
    for (size_t i = 0; i < chunks.size(); i++) {
      EXPECT_LT(chunks[i].begin, chunks[i].end) << "chunk " << i;
      if (i > 0) EXPECT_EQ(chunks[i].begin, chunks[i - 1].end) << "chunk " << i;
    }
    // Every inner cut is safe.
    for (size_t i = 1; i < chunks.size(); i++) {
      const size_t q = chunks[i].begin;
      const unsigned char b = content[q];
      const unsigned char a = content[q - 1];
      bool after_separator = false;
      for (const std::string& t : tokens) {
        after_separator |= !t.empty() && q >= t.size() &&
                           content.compare(q - t.size(), t.size(), t) == 0;
      }
      if (after_separator) {
        // A cut right after a special token: a document ends there.
      } else if (b == ' ' || (b >= 0x09 && b <= 0x0D)) {
        // Rule (a): whitespace after a non-space.
        EXPECT_FALSE(EndsWithSpace(std::string_view(content).substr(0, q)))
            << "cut " << q << " follows whitespace";
      } else {
        // Rule (b): a change of ASCII class, not after an apostrophe.
        auto cls = [](unsigned char c) {
          return std::isalpha(c) ? 1 : std::isdigit(c) ? 2 : 0;
        };
        const bool ascii_change = a < 0x80 && b < 0x80 && a != '\'' &&
                                  !(a == ' ' || (a >= 0x09 && a <= 0x0D)) &&
                                  cls(a) != cls(b);
        // Rule (c): non-ASCII class changes; the sum check below is what
        // proves them safe.
        const bool unicode_change = (a | b) >= 0x80;
        EXPECT_TRUE(ascii_change || unicode_change)
            << "cut " << q << " between bytes " << int(a) << " and " << int(b);
      }
      EXPECT_FALSE(InsideOccurrence(tokens, content, q))
          << "cut " << q << " is inside a special token";
    }
    // And so counting the chunks one by one gives the counts of the whole.
    Counts sum;
    uint64_t separators = 0, invalid = 0;
    for (const ChunkRange& c : chunks) {
      Reference r = ReferenceCount(
          std::string_view(content).substr(c.begin, c.end - c.begin), tokens);
      AddCounts(r.counts, &sum);
      separators += r.separators;
      invalid += r.invalid_utf8;
    }
    Reference whole = ReferenceCount(content, tokens);
    EXPECT_TRUE(sum == whole.counts) << "chunked counts differ";
    EXPECT_EQ(separators, whole.separators);
    EXPECT_EQ(invalid, whole.invalid_utf8);
  }

  TempDir dir_;
};

TEST_F(ChunkPlannerTest, EmptyFileHasNoChunks) {
  EXPECT_TRUE(PlanAndCheck("", kEot, 10).empty());
}

TEST_F(ChunkPlannerTest, SmallFileIsOneChunk) {
  const std::string text = "Hello world. This is a small file.\n";
  auto chunks = PlanAndCheck(text, kEot, 1 << 20);
  EXPECT_EQ(chunks.size(), 1u);
}

TEST_F(ChunkPlannerTest, NoWhitespaceIsOneChunk) {
  const std::string text(5000, 'x');
  EXPECT_EQ(PlanAndCheck(text, kEot, 100).size(), 1u);
  // Class changes next to non-ASCII characters are cut too (rule (c)), but
  // never after an apostrophe.
  std::string mixed;
  for (int i = 0; i < 1000; i++) mixed += "\xC3\xA9!\xC3\xA9'x";
  EXPECT_GT(PlanAndCheck(mixed, kEot, 100).size(), 10u);

  // ASCII class changes are cut.
  std::string ascii;
  for (int i = 0; i < 1000; i++) ascii += "ab,12";
  EXPECT_GT(PlanAndCheck(ascii, kEot, 100).size(), 10u);
  // Only whitespace after whitespace, or a non-ASCII space: no safe cut.
  EXPECT_EQ(PlanAndCheck(std::string(3000, ' '), kEot, 100).size(), 1u);
  std::string nbsp;
  for (int i = 0; i < 1000; i++) nbsp += "a\xC2\xA0";
  EXPECT_EQ(PlanAndCheck(nbsp, kEot, 100).size(), 1u);
}

TEST_F(ChunkPlannerTest, SplitsProse) {
  std::string text;
  for (int i = 0; i < 2000; i++) text += "The cat sat on the mat. ";
  auto chunks = PlanAndCheck(text, kEot, 1000);
  EXPECT_GT(chunks.size(), 20u);
  // About the target: a chunk ends at the first safe cut past it.
  for (size_t i = 0; i + 1 < chunks.size(); i++) {
    EXPECT_GE(chunks[i].end - chunks[i].begin, 1000u);
    EXPECT_LE(chunks[i].end - chunks[i].begin, 1010u);
  }
}

// "<end doc>" contains a space; the space inside it is a safe cut for the
// pattern, but not for the documents.
TEST_F(ChunkPlannerTest, NeverCutsInsideATokenWithASpace) {
  const std::vector<std::string> tokens = {"<end doc>"};
  std::string text;
  for (int i = 0; i < 3000; i++) text += "<end doc>";
  auto chunks = PlanAndCheck(text, tokens, 50);
  // The only spaces are inside tokens: cuts come only between tokens.
  EXPECT_GT(chunks.size(), 1u);
  for (const ChunkRange& c : chunks) EXPECT_EQ(c.begin % 9, 0u);
  std::string text2;
  for (int i = 0; i < 500; i++) text2 += "x<end doc>y<end doc>\n";
  PlanAndCheck(text2, tokens, 50);
  PlanAndCheck(text2, {"<end doc>", "doc>y<end"}, 37);
}

TEST_F(ChunkPlannerTest, RandomTrickyText) {
  std::mt19937 rnd(99);
  const std::vector<std::vector<std::string>> token_sets = {
      {}, kEot, {"<|endoftext|>", "<end doc>", "ab", "abc", "bc"},
      {"\n\n", " <s> "}};
  for (int iter = 0; iter < 40; iter++) {
    const std::string text = testing_util::RandomTrickyText(&rnd, 400);
    for (const auto& tokens : token_sets) {
      for (uint64_t target : {1, 7, 64, 500}) {
        SCOPED_TRACE("iter " + std::to_string(iter) + " target " +
                     std::to_string(target));
        PlanAndCheck(text, tokens, target);
        if (HasFailure()) return;
      }
    }
  }
}

// A file larger than the planner's 64 KiB read window, with whitespace so
// rare that cuts are found only near or across window edges, and special
// tokens with spaces placed on those edges.
TEST_F(ChunkPlannerTest, LargeFileWindowEdges) {
  const std::vector<std::string> tokens = {"<end doc>", "<|endoftext|>"};
  std::string text(400 << 10, 'x');
  std::mt19937 rnd(5);
  for (size_t edge = 1; edge <= 6; edge++) {
    const size_t at = edge * (64 << 10);
    for (int d = -40; d <= 40; d += 9) {
      const size_t p = at + d;
      if (rnd() % 2) {
        text.replace(p, 9, "<end doc>");
      } else {
        text[p] = rnd() % 2 ? ' ' : '\n';
      }
    }
  }
  for (uint64_t target : {uint64_t{1000}, uint64_t{64} << 10,
                          (uint64_t{64} << 10) - 20, uint64_t{100} << 10}) {
    SCOPED_TRACE("target " + std::to_string(target));
    auto chunks = PlanAndCheck(text, tokens, target);
    EXPECT_GT(chunks.size(), 1u);
  }
}

// The planner reads the file in windows of 64 KiB (plus a margin) from the
// target. A token with a space that straddles a window's end must still be
// seen whole: slide "<end doc>" across the first window's end, with no
// other whitespace around.
TEST_F(ChunkPlannerTest, TokenAcrossTheReadWindowEnd) {
  const std::vector<std::string> tokens = {"<end doc>", "<|endoftext|>"};
  constexpr uint64_t kTarget = 1000;
  for (size_t pos = kTarget + (64 << 10) - 8; pos < kTarget + (64 << 10) + 40;
       pos++) {
    SCOPED_TRACE("token at " + std::to_string(pos));
    std::string text(kTarget + (80 << 10), 'x');
    text.replace(pos, 9, "<end doc>");
    text[text.size() - 100] = ' ';  // a cut after it
    PlanAndCheck(text, tokens, kTarget);
    if (HasFailure()) return;
  }
}

TEST(ChunkTargetBytesTest, Bounds) {
  // Small inputs: one minimum-size target; large: capped; in between, several
  // chunks per worker.
  EXPECT_GE(ChunkTargetBytes(0, 4), 1u);
  const uint64_t t = ChunkTargetBytes(uint64_t{10} << 30, 8);
  EXPECT_GE((uint64_t{10} << 30) / t, 8u * 4);
  EXPECT_LE(ChunkTargetBytes(uint64_t{1} << 40, 1), uint64_t{1} << 30);
}

}  // namespace
}  // namespace pretokdb

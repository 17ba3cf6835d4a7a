// Copyright (c) pretok-db authors.
//
// TrainBpe on a real database (built by the Indexer, read through
// CountReader): the same model as TrainBpeOnWords on the counts it holds,
// the pattern taken from the database, min_count, the memory refusal, and
// the caller's DbStats used as given.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../ingest/ingest_test_util.h"
#include "bpe/training_memory.h"
#include "pretokdb/bpe.h"
#include "pretokdb/indexer.h"
#include "pretokdb/reader.h"

namespace pretokdb {
namespace {

using testing_util::TempDir;
using testing_util::WriteFile;

class BpeReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string text;
    for (int i = 0; i < 3000; ++i) {
      text += "the cat sat on the mat " + std::to_string(i % 97) + " times, aaaa aaa\n";
      if (i % 100 == 99) text += "<|endoftext|>";
    }
    WriteFile(dir_.File("in.txt"), text);
    IndexOptions options;
    options.workers = 2;
    options.memory_limit = 64 << 20;
    db_ = dir_.File("db");
    Indexer indexer(db_, options);
    ASSERT_TRUE(indexer.Run({dir_.File("in.txt")}).ok());
    ASSERT_TRUE(CountReader::Open(db_, &reader_).ok());
    std::unique_ptr<CountIterator> it = reader_->NewIterator();
    for (; it->Valid(); it->Next()) words_.emplace_back(std::string(it->token()), it->count());
    ASSERT_TRUE(it->status().ok());
  }

  BpeOptions Options() {
    BpeOptions o;
    o.vocab_size = 1 + 256 + 100;
    o.special_tokens = {"<|endoftext|>"};
    return o;
  }

  TempDir dir_;
  std::string db_;
  std::unique_ptr<CountReader> reader_;
  std::vector<std::pair<std::string, uint64_t>> words_;
};

TEST_F(BpeReaderTest, SameModelAsFromTheWordsInMemory) {
  BpeModel from_db, from_words;
  BpeStats stats;
  ASSERT_TRUE(TrainBpe(*reader_, Options(), &from_db, &stats).ok());
  ASSERT_TRUE(TrainBpeOnWords(words_, Options(), &from_words, nullptr).ok());
  EXPECT_EQ(from_db.merges, from_words.merges);
  EXPECT_EQ(from_db.vocab, from_words.vocab);
  EXPECT_EQ(from_db.pattern, "gpt2");
  EXPECT_FALSE(from_db.pattern_regex.empty());
  EXPECT_EQ(stats.words, words_.size());
  EXPECT_GT(stats.merges, 0u);
}

TEST_F(BpeReaderTest, MinCount) {
  BpeOptions options = Options();
  options.min_count = 200;
  BpeModel from_db, from_words;
  BpeStats stats;
  ASSERT_TRUE(TrainBpe(*reader_, options, &from_db, &stats).ok());
  ASSERT_TRUE(TrainBpeOnWords(words_, options, &from_words, nullptr).ok());
  EXPECT_EQ(from_db.merges, from_words.merges);
  uint64_t kept = 0;
  for (const auto& w : words_) kept += w.second >= 200;
  EXPECT_EQ(stats.words, kept);
  EXPECT_EQ(stats.words + stats.words_dropped, words_.size());
}

TEST_F(BpeReaderTest, MemoryLimitRefusesBeforeTraining) {
  BpeOptions options = Options();
  options.memory_limit = EstimateTrainingMemory(0, 0, 100, 2);  // nothing fits
  BpeModel model;
  Status s = TrainBpe(*reader_, options, &model, nullptr);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find(std::to_string(words_.size()) + " distinct pretokens"),
            std::string::npos)
      << s.message();
  // A limit smaller than the buffer of pretokens itself.
  options.memory_limit = 1000;
  s = TrainBpe(*reader_, options, &model, nullptr);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
}

TEST_F(BpeReaderTest, UsesTheCallersDbStats) {
  DbStats db;
  ASSERT_TRUE(reader_->GetStats(&db).ok());
  db.pattern = "marked";
  BpeOptions options = Options();
  options.db_stats = &db;
  BpeModel model;
  ASSERT_TRUE(TrainBpe(*reader_, options, &model, nullptr).ok());
  EXPECT_EQ(model.pattern, "marked");
}

}  // namespace
}  // namespace pretokdb

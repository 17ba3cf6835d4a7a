// Copyright (c) pretok-db authors.
//
// A pattern is a built-in name (IndexOptions::pattern) or a regex of your
// own (IndexOptions::regex), never guessed from one string; a database
// built with a regex before the split (its config holds the regex's text,
// as it still does) keeps working with the same regex.

#include "ingest/run_setup.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "ingest_test_util.h"
#include "pretokdb/indexer.h"
#include "pretokdb/reader.h"
#include "store/records.h"
#include "store/rocks_store.h"

namespace pretokdb {
namespace {

using testing_util::TempDir;
using testing_util::WriteFile;

constexpr char kWords[] = R"(\p{L}+|\s+)";

TEST(RunSetupTest, NamesAndRegexesAreNotGuessed) {
  RunSetup setup;
  IndexOptions options;
  options.pattern = "cl100k";
  ASSERT_TRUE(MakeRunSetup(options, &setup).ok());
  EXPECT_EQ(setup.config.pattern, "cl100k");
  for (const char* not_a_name : {"ok", "ok|bad", kWords}) {
    options.pattern = not_a_name;
    Status s = MakeRunSetup(options, &setup);
    EXPECT_TRUE(s.IsInvalidArgument()) << not_a_name;
    EXPECT_NE(s.ToString().find("regex"), std::string::npos) << s.ToString();
  }
  options.pattern = "gpt2";
  options.regex = "ok";  // a regex, though it looks like a word
  ASSERT_TRUE(MakeRunSetup(options, &setup).ok());
  EXPECT_EQ(setup.config.pattern, "ok");
  options.pattern = "o200k";  // both
  EXPECT_TRUE(MakeRunSetup(options, &setup).IsInvalidArgument());
  options.pattern = "gpt2";
  options.regex = "cl100k";  // a name would read back as the built-in
  EXPECT_TRUE(MakeRunSetup(options, &setup).IsInvalidArgument());
}

TEST(RunSetupTest, DatabaseOfAnOlderVersionWithARegexKeepsWorking) {
  TempDir dir;
  const std::string db = dir.File("db");
  {
    // What an older version wrote for --pattern '\p{L}+|\s+': the config
    // record with the regex's text as the pattern.
    StoreOptions so;
    so.create_if_missing = true;
    std::unique_ptr<RocksStore> store;
    ASSERT_TRUE(RocksStore::Open(db, so, &store).ok());
    DbConfig old;
    old.pattern = kWords;
    old.special_tokens = {"<|endoftext|>"};
    old.invalid_utf8 = "replace";
    MetaWrites meta;
    meta.puts.emplace_back(std::string(kConfigKey), EncodeConfig(old));
    ASSERT_TRUE(store->Commit(std::vector<CountEntry>{}, meta).ok());
  }
  const std::string text = dir.File("a.txt");
  WriteFile(text, "hello world hello");
  IndexOptions options;
  options.regex = kWords;
  options.workers = 1;
  Indexer indexer(db, options);
  Status s = indexer.Run({text});
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::unique_ptr<CountReader> reader;
  ASSERT_TRUE(CountReader::Open(db, &reader).ok());
  uint64_t n = 0;
  ASSERT_TRUE(reader->Get("hello", &n).ok());
  EXPECT_EQ(n, 2u);
  DbStats stats;
  ASSERT_TRUE(reader->GetStats(&stats).ok());
  EXPECT_EQ(stats.pattern, "custom");
  EXPECT_EQ(stats.pattern_regex, kWords);
  reader.reset();

  IndexOptions by_default;  // gpt2: refused, naming the regex
  s = Indexer(db, by_default).Run({text});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.ToString().find(std::string("regex '") + kWords + "'"), std::string::npos)
      << s.ToString();
}

}  // namespace
}  // namespace pretokdb

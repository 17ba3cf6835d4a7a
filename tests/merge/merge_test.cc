// Copyright (c) pretok-db authors.
//
// MergeDatabases (pretokdb/merge.h) through the public API: the merge of
// databases built by the Indexer holds exactly the counts and stats of one
// database indexing every input, however it is split, grown or nested; and
// each refusal names what is wrong and writes nothing.

#include "pretokdb/merge.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "../ingest/ingest_test_util.h"
#include "pretokdb/indexer.h"
#include "pretokdb/reader.h"
#include "store/coding.h"
#include "store/records.h"
#include "store/rocks_store.h"

namespace pretokdb {
namespace {

namespace fs = std::filesystem;
using testing_util::Counts;
using testing_util::TempDir;
using testing_util::WriteFile;

std::string Text(uint32_t seed, size_t bytes) {
  static const std::vector<std::string> words = {
      "the", "cat", "sat", " on", "a", "mat", "it's", "42", "caf\xC3\xA9",
      "\xE6\x97\xA5\xE6\x9C\xAC", "!!", "\n", "\xFF", "<|endoftext|>", "  "};
  std::mt19937 rnd(seed);
  std::string s;
  while (s.size() < bytes) {
    s += (rnd() % 4 == 0) ? "w" + std::to_string(rnd() % 5000) : words[rnd() % words.size()];
    s += rnd() % 3 ? " " : "";
  }
  return s;
}

struct Snapshot {
  Counts counts;
  DbStats stats;
};

Snapshot Read(const std::string& db) {
  Snapshot snap;
  std::unique_ptr<CountReader> reader;
  EXPECT_TRUE(CountReader::Open(db, &reader).ok()) << db;
  if (!reader) return snap;
  for (auto it = reader->NewIterator(); it->Valid(); it->Next()) {
    snap.counts[std::string(it->token())] = it->count();
  }
  EXPECT_TRUE(reader->GetStats(&snap.stats).ok());
  return snap;
}

std::set<std::pair<std::string, uint64_t>> Files(const DbStats& st) {
  std::set<std::pair<std::string, uint64_t>> out;
  for (const SourceInfo& f : st.files) {
    EXPECT_EQ(f.bytes_done, f.size) << f.path;
    out.emplace(f.path, f.size);
  }
  return out;
}

// Counts and the stats that do not depend on how the work was split.
void ExpectSame(const Snapshot& got, const Snapshot& want) {
  EXPECT_EQ(got.counts, want.counts);
  EXPECT_EQ(got.stats.documents, want.stats.documents);
  EXPECT_EQ(got.stats.pretokens, want.stats.pretokens);
  EXPECT_EQ(got.stats.distinct_pretokens, want.stats.distinct_pretokens);
  EXPECT_EQ(got.stats.invalid_utf8_replaced, want.stats.invalid_utf8_replaced);
  EXPECT_EQ(got.stats.skipped_stretches, want.stats.skipped_stretches);
  EXPECT_EQ(got.stats.skipped_bytes, want.stats.skipped_bytes);
  EXPECT_EQ(Files(got.stats), Files(want.stats));
}

class MergeTest : public testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 4; ++i) {
      files_.push_back(dir_.File("in" + std::to_string(i) + ".txt"));
      WriteFile(files_.back(), Text(100 + i, 20000 + 7000 * i));
    }
  }
  // Indexes `files` into dir/name with small tables (several spills).
  std::string Index(const std::string& name, const std::vector<std::string>& files,
                    const std::string& pattern = "gpt2") {
    IndexOptions options;
    options.memory_limit = 1 << 20;
    options.workers = 2;
    options.read_buffer_size = 4096;
    options.pattern = pattern;
    const std::string db = dir_.File(name);
    Indexer indexer(db, options);
    EXPECT_TRUE(indexer.Run(files).ok()) << name;
    return db;
  }
  Status Merge(const std::string& into, const std::vector<std::string>& sources,
               MergeResult* result = nullptr, uint64_t run_bytes = 0,
               int threads = 0) {
    MergeOptions options;
    options.memory_limit = 64 << 20;
    options.run_bytes = run_bytes;
    options.threads = threads;
    return MergeDatabases(into, sources, options, result);
  }

  TempDir dir_;
  std::vector<std::string> files_;
};

TEST_F(MergeTest, CountsAndStatsAreThoseOfOneDatabase) {
  const std::string a = Index("a", {files_[0]});
  const std::string b = Index("b", {files_[1], files_[2]});
  const std::string c = Index("c", {files_[3]});
  const std::string all = Index("all", files_);
  MergeResult result;
  // Tiny runs: many of them, committed together; by 1, 3 and 7 threads,
  // each merging a range of the keys.
  const Snapshot all_snap = Read(all);
  for (int threads : {1, 3, 7}) {
    const std::string m = dir_.File("m" + std::to_string(threads));
    ASSERT_TRUE(Merge(m, {a, b, c}, &result, 4096, threads).ok());
    EXPECT_FALSE(result.already_merged);
    EXPECT_GT(result.progress.runs, 10u);
    ExpectSame(Read(m), all_snap);
    EXPECT_EQ(result.progress.entries_written, all_snap.stats.distinct_pretokens);
  }
  ASSERT_TRUE(Merge(dir_.File("m"), {a, b, c}).ok());

  // Indexing an input covered already does nothing.
  Indexer again(dir_.File("m"), IndexOptions());
  ASSERT_TRUE(again.Run(files_).ok());
  EXPECT_TRUE(again.progress().up_to_date);
  ExpectSame(Read(dir_.File("m")), all_snap);
}

TEST_F(MergeTest, RerunIsANoOpAndPartialRerunIsRefused) {
  const std::string a = Index("a", {files_[0]});
  const std::string b = Index("b", {files_[1]});
  const std::string m = dir_.File("m");
  ASSERT_TRUE(Merge(m, {a}).ok());
  const Snapshot before = Read(m);
  MergeResult result;
  ASSERT_TRUE(Merge(m, {a}, &result).ok());
  EXPECT_TRUE(result.already_merged);
  Status s = Merge(m, {a, b});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("already holds " + a), std::string::npos) << s.message();
  EXPECT_EQ(Read(m).counts, before.counts);
  ASSERT_TRUE(Merge(m, {b}).ok());
  ExpectSame(Read(m), Read(Index("ab", {files_[0], files_[1]})));

  // Indexing what a holds again changes nothing: still merged.
  Index("a", {files_[0]});
  ASSERT_TRUE(Merge(m, {a}, &result).ok());
  EXPECT_TRUE(result.already_merged);
  // a grows after its merge: its new counts cannot be told from the old.
  Index("a", {files_[0], files_[2]});
  s = Merge(m, {a});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("changed since"), std::string::npos) << s.message();
}

TEST_F(MergeTest, GrowsAnExistingDatabaseAndMergesOfMergesAgree) {
  const std::string a = Index("a", {files_[0]});
  const std::string b = Index("b", {files_[1]});
  const std::string c = Index("c", {files_[2]});
  const std::string d = Index("d", {files_[3]});
  ASSERT_TRUE(Merge(dir_.File("ab"), {a, b}).ok());
  ASSERT_TRUE(Merge(d, {c}).ok());  // d grows: it holds files 2 and 3
  ASSERT_TRUE(Merge(dir_.File("abcd"), {dir_.File("ab"), d}).ok());
  ExpectSame(Read(dir_.File("abcd")), Read(Index("all", files_)));

  // abcd holds a (through ab): merging a again, directly, is refused.
  Status s = Merge(dir_.File("abcd"), {a, dir_.File("x")});
  EXPECT_FALSE(s.ok());
  s = Merge(dir_.File("abcd"), {Index("e", {files_[0]}), a});
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  // ab into a fresh target together with a: a would count twice.
  s = Merge(dir_.File("y"), {dir_.File("ab"), a});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("both hold"), std::string::npos) << s.message();
  EXPECT_FALSE(fs::exists(dir_.File("y")));
  // Merging abcd into a, which it holds.
  s = Merge(a, {dir_.File("abcd")});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("holds the target"), std::string::npos) << s.message();
}

TEST_F(MergeTest, Refusals) {
  const std::string a = Index("a", {files_[0]});
  const std::string b = Index("b", {files_[1]});
  const std::string m = dir_.File("m");

  Status s = Merge(m, {a, Index("k", {files_[2]}, "cl100k")});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("pattern 'cl100k'"), std::string::npos) << s.message();

  {
    // A database of JSON Lines records and one of text.
    const std::string jsonl = dir_.File("in.jsonl");
    WriteFile(jsonl, "{\"text\": \"a record\"}\n");
    IndexOptions options;
    options.jsonl_field = "text";
    Indexer indexer(dir_.File("j"), options);
    ASSERT_TRUE(indexer.Run({jsonl}).ok());
    s = Merge(m, {a, dir_.File("j")});
    EXPECT_TRUE(s.IsInvalidArgument());
    EXPECT_NE(s.message().find("was built with --jsonl text, " + a + " from text"),
              std::string::npos)
        << s.message();
  }

  s = Merge(m, {a, a});
  EXPECT_NE(s.message().find("same database as"), std::string::npos) << s.message();
  fs::copy(a, dir_.File("a-copy"), fs::copy_options::recursive);
  s = Merge(m, {a, dir_.File("a-copy")});
  EXPECT_NE(s.message().find("same database as"), std::string::npos) << s.message();

  // The same file in two databases.
  s = Merge(m, {a, Index("a2", {files_[0], files_[2]})});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find(files_[0]), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("two databases"), std::string::npos) << s.message();

  s = Merge(m, {a, dir_.File("missing")});
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  s = Merge(a, {a});
  EXPECT_NE(s.message().find("target of the merge"), std::string::npos) << s.message();
  EXPECT_FALSE(fs::exists(m));  // every refusal came before the target

  // A target of another configuration.
  s = Merge(dir_.File("k"), {b});
  EXPECT_NE(s.message().find("pattern"), std::string::npos) << s.message();
}

TEST_F(MergeTest, RefusesAnUnfinishedSourceNamingItsParts) {
  const std::string a = Index("a", {files_[0]});
  {
    // A run stopped after planning: a second file planned, not counted.
    std::unique_ptr<RocksStore> store;
    StoreOptions options;
    ASSERT_TRUE(RocksStore::Open(a, options, &store).ok());
    SourceRecord r;
    r.id = 99;
    r.path = "/data/half.txt";
    r.size = 300;
    r.split_size = 300;
    r.first_document = true;
    r.chunks = {{0, 100}, {100, 300}};
    MetaWrites meta;
    meta.puts.emplace_back(SourceKey(99), EncodeSource(r));
    std::string at;
    PutFixed64(&at, 100);
    meta.puts.emplace_back(CheckpointKey(99, 0), at);
    at.clear();
    PutFixed64(&at, 150);
    meta.puts.emplace_back(CheckpointKey(99, 1), at);
    ASSERT_TRUE(store->Commit(std::vector<CountEntry>{}, meta).ok());
  }
  Status s = Merge(dir_.File("m"), {a});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("did not finish"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("/data/half.txt bytes [150, 300)"), std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace pretokdb

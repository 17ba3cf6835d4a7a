// Copyright (c) pretok-db authors.

#include "store/rocks_store.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/coding.h"
#include "store/records.h"

namespace pretokdb {
namespace {

namespace fs = std::filesystem;

using Counts = std::map<std::string, uint64_t>;

// A size of spill large enough to span many SST blocks.
constexpr size_t kIngestEntries = 16384;

class RocksStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pretokdb_store_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/db";
  }
  void TearDown() override { fs::remove_all(dir_); }

  Status OpenWriter(std::unique_ptr<RocksStore>* store) {
    StoreOptions options;
    options.create_if_missing = true;
    options.memory_budget = 8 << 20;
    return RocksStore::Open(path_, options, store);
  }
  Status OpenReader(std::unique_ptr<RocksStore>* store) {
    StoreOptions options;
    options.read_only = true;
    return RocksStore::Open(path_, options, store);
  }

  // Commits `spill` (any order, unique tokens) with a checkpoint put and
  // stats, and adds it to expected_.
  void Commit(RocksStore* store, const Counts& spill, uint64_t checkpoint) {
    std::vector<CountEntry> entries;
    uint64_t total = 0;
    for (const auto& [token, count] : spill) {
      entries.push_back(MakeCountEntry(token, count));
      expected_[token] += count;
      total += count;
    }
    std::shuffle(entries.begin(), entries.end(), rnd_);
    SortCountEntries(&entries);
    MetaWrites meta;
    std::string offset;
    PutFixed64(&offset, checkpoint);
    meta.puts.emplace_back(CheckpointKey(1, spills_), offset);
    meta.stats.emplace_back(std::string(kStatPretokens), total);
    meta.stats.emplace_back(std::string(kStatSpills), 1);
    uint64_t bytes = 0;
    Status s = store->Commit(entries, meta, &bytes);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_GT(bytes, 0u);
    checkpoints_[CheckpointKey(1, spills_)] = checkpoint;
    pretokens_ += total;
    spills_++;
  }

  // A spill of n distinct tokens, overlapping earlier spills' tokens.
  Counts RandomSpill(size_t n) {
    Counts c;
    while (c.size() < n) {
      std::string t;
      const size_t len = rnd_() % 12 + 1;
      for (size_t i = 0; i < len; i++) {
        // Mostly a small alphabet (shared tokens), with NUL and high bytes.
        const char a[] = {'a', 'b', 'c', ' ', '\0', '\xC3', '\xFF'};
        t.push_back(a[rnd_() % (i < 2 ? 7 : 3)]);
      }
      c[t] = rnd_() % 100 + 1;
    }
    return c;
  }

  // Everything the store holds matches what was committed.
  void CheckStore(const RocksStore& store) {
    Counts got;
    std::unique_ptr<StoreIterator> it = store.NewCountIterator();
    std::string prev;
    bool first = true;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string key(it->key());
      if (!first) EXPECT_LT(prev, key) << "not in byte order";
      first = false;
      prev = key;
      uint64_t v;
      ASSERT_TRUE(DecodeFixed64Value(it->value(), &v));
      got[key] = v;
    }
    ASSERT_TRUE(it->status().ok()) << it->status().ToString();
    EXPECT_EQ(got.size(), expected_.size());
    EXPECT_TRUE(got == expected_) << "iterated counts differ";
    // Point lookups agree, and unknown tokens are 0.
    int checked = 0;
    for (const auto& [token, count] : expected_) {
      if (checked++ % 37 != 0) continue;
      uint64_t v = 0;
      ASSERT_TRUE(store.GetCount(token, &v).ok());
      EXPECT_EQ(v, count);
    }
    uint64_t v = 7;
    ASSERT_TRUE(store.GetCount("never seen \x01", &v).ok());
    EXPECT_EQ(v, 0u);
    for (const auto& [key, offset] : checkpoints_) {
      std::string raw;
      ASSERT_TRUE(store.GetMeta(key, &raw).ok());
      uint64_t got_offset;
      ASSERT_TRUE(DecodeFixed64Value(raw, &got_offset));
      EXPECT_EQ(got_offset, offset);
    }
    uint64_t stat = 0;
    ASSERT_TRUE(store.GetStat(kStatPretokens, &stat).ok());
    EXPECT_EQ(stat, pretokens_);
    ASSERT_TRUE(store.GetStat(kStatSpills, &stat).ok());
    EXPECT_EQ(stat, spills_);
    ASSERT_TRUE(store.GetStat(kStatDocuments, &stat).ok());
    EXPECT_EQ(stat, 0u);  // never added to
  }

  std::string dir_;
  std::string path_;
  std::mt19937 rnd_{1234};
  Counts expected_;
  std::map<std::string, uint64_t> checkpoints_;
  uint64_t pretokens_ = 0;
  uint64_t spills_ = 0;
};

TEST_F(RocksStoreTest, CreateThenReopen) {
  std::unique_ptr<RocksStore> store;
  Status s = OpenWriter(&store);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(store->path(), path_);
  std::string raw;
  EXPECT_TRUE(store->GetMeta(kConfigKey, &raw).IsNotFound());
  MetaWrites meta;
  meta.puts.emplace_back(kConfigKey, "cfg");
  meta.stats.emplace_back(kStatDocuments, 2);
  ASSERT_TRUE(store->Commit({MakeCountEntry("hello", 3)}, meta).ok());
  store.reset();

  StoreOptions options;  // create_if_missing = false
  s = RocksStore::Open(path_, options, &store);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(store->GetMeta(kConfigKey, &raw).ok());
  EXPECT_EQ(raw, "cfg");
  uint64_t v = 0;
  ASSERT_TRUE(store->GetCount("hello", &v).ok());
  EXPECT_EQ(v, 3u);
  ASSERT_TRUE(store->GetStat(kStatDocuments, &v).ok());
  EXPECT_EQ(v, 2u);
}

TEST_F(RocksStoreTest, MissingDirectoryIsNotFound) {
  std::unique_ptr<RocksStore> store;
  Status s = RocksStore::Open(path_, StoreOptions(), &store);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(s.message().find(path_), std::string::npos) << s.ToString();
  EXPECT_FALSE(fs::exists(path_)) << "created without create_if_missing";
  StoreOptions ro;
  ro.read_only = true;
  s = RocksStore::Open(path_, ro, &store);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_FALSE(fs::exists(path_));
}

TEST_F(RocksStoreTest, EmptyDirectoryIsCreated) {
  fs::create_directory(path_);
  std::unique_ptr<RocksStore> store;
  Status s = OpenWriter(&store);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_F(RocksStoreTest, NonEmptyDirectoryIsInvalidArgument) {
  fs::create_directory(path_);
  std::ofstream(path_ + "/notes.txt") << "my notes";
  std::unique_ptr<RocksStore> store;
  Status s = OpenWriter(&store);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find(path_), std::string::npos) << s.ToString();
  // Nothing was written into the user's directory.
  EXPECT_EQ(std::distance(fs::directory_iterator(path_),
                          fs::directory_iterator()),
            1);
}

TEST_F(RocksStoreTest, PlainFileIsInvalidArgument) {
  std::ofstream(path_) << "not a database";
  std::unique_ptr<RocksStore> store;
  Status s = OpenWriter(&store);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  StoreOptions ro;
  ro.read_only = true;
  s = RocksStore::Open(path_, ro, &store);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  std::ifstream in(path_);
  std::string content;
  std::getline(in, content);
  EXPECT_EQ(content, "not a database");
}

// A RocksDB database that is not a pretok-db one (no "counts" and "meta"
// column families) is refused, not modified.
TEST_F(RocksStoreTest, OtherRocksDbIsInvalidArgument) {
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, path_, &db).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "k", "v").ok());
    delete db;
  }
  std::unique_ptr<RocksStore> store;
  Status s = OpenWriter(&store);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  StoreOptions ro;
  ro.read_only = true;
  s = RocksStore::Open(path_, ro, &store);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  std::vector<std::string> families;
  ASSERT_TRUE(
      rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path_, &families)
          .ok());
  EXPECT_EQ(families, std::vector<std::string>{"default"});
}

TEST_F(RocksStoreTest, SecondWriterIsBusy) {
  std::unique_ptr<RocksStore> first;
  ASSERT_TRUE(OpenWriter(&first).ok());
  std::unique_ptr<RocksStore> second;
  Status s = OpenWriter(&second);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  EXPECT_NE(s.message().find(path_), std::string::npos) << s.ToString();
  EXPECT_EQ(second, nullptr);
  // The first writer is unaffected.
  Commit(first.get(), {{"a", 1}}, 10);
  CheckStore(*first);
  // Once it is closed, another may open.
  first.reset();
  s = OpenWriter(&second);
  EXPECT_TRUE(s.ok()) << s.ToString();
  CheckStore(*second);
}

// Runs that create the same new database at once take turns (an indexing
// run creates its database while it counts): one creates and opens it, the
// others find it made and in use. None damages it, and no staging
// directory is left.
TEST_F(RocksStoreTest, ConcurrentCreatorsOpenOneDatabase) {
  for (int round = 0; round < 5; ++round) {
    fs::remove_all(path_);
    constexpr int kCreators = 4;
    std::vector<std::unique_ptr<RocksStore>> stores(kCreators);
    std::vector<Status> status(kCreators);
    {
      std::vector<std::jthread> creators;
      for (int i = 0; i < kCreators; ++i) {
        creators.emplace_back([&, i] { status[i] = OpenWriter(&stores[i]); });
      }
    }
    int opened = -1;
    for (int i = 0; i < kCreators; ++i) {
      if (status[i].ok()) {
        EXPECT_EQ(opened, -1) << "two writers opened the database";
        opened = i;
      } else {
        EXPECT_TRUE(status[i].IsBusy()) << status[i].ToString();
      }
    }
    ASSERT_NE(opened, -1) << status[0].ToString();
    expected_.clear();
    checkpoints_.clear();
    pretokens_ = spills_ = 0;
    Commit(stores[opened].get(), {{"a", 1}}, 10);
    stores.clear();
    std::unique_ptr<RocksStore> store;
    ASSERT_TRUE(OpenWriter(&store).ok());
    CheckStore(*store);
    for (const fs::directory_entry& e : fs::directory_iterator(dir_)) {
      EXPECT_NE(e.path().filename().string(), ".db.creating");
    }
  }
}

// A creation killed half-way leaves its staging directory: the next one
// starts afresh in it.
TEST_F(RocksStoreTest, KilledCreationIsRedone) {
  const fs::path staging = fs::path(dir_) / ".db.creating";
  fs::create_directories(staging / "sub");
  std::ofstream(staging / "MANIFEST-000001") << "half written";
  std::ofstream(staging / "sub" / "x") << "x";
  std::unique_ptr<RocksStore> store;
  Status s = OpenWriter(&store);
  ASSERT_TRUE(s.ok()) << s.ToString();
  Commit(store.get(), {{"a", 1}}, 10);
  store.reset();
  ASSERT_TRUE(OpenWriter(&store).ok());
  CheckStore(*store);
  EXPECT_FALSE(fs::exists(staging));
}

TEST_F(RocksStoreTest, SmallSpillsAddUp) {
  std::unique_ptr<RocksStore> store;
  ASSERT_TRUE(OpenWriter(&store).ok());
  for (int i = 0; i < 5; i++) Commit(store.get(), RandomSpill(200), 100 * i);
  CheckStore(*store);
  store.reset();
  ASSERT_TRUE(OpenWriter(&store).ok());
  CheckStore(*store);
}

TEST_F(RocksStoreTest, IngestedSpillsAddUp) {
  std::unique_ptr<RocksStore> store;
  ASSERT_TRUE(OpenWriter(&store).ok());
  for (int i = 0; i < 3; i++) {
    Commit(store.get(), RandomSpill(kIngestEntries + 100 * i), 1000 + i);
  }
  CheckStore(*store);
  // No spill file is left behind.
  for (const auto& e : fs::recursive_directory_iterator(path_)) {
    EXPECT_EQ(e.path().string().find("spill-tmp/"), std::string::npos)
        << e.path();
  }
  store.reset();
  ASSERT_TRUE(OpenWriter(&store).ok());
  CheckStore(*store);
}

// Small and large commits interleave, over the same tokens, with a reopen
// between them.
TEST_F(RocksStoreTest, MixedSpillsAddUp) {
  std::unique_ptr<RocksStore> store;
  ASSERT_TRUE(OpenWriter(&store).ok());
  Commit(store.get(), RandomSpill(kIngestEntries - 1), 1);
  Commit(store.get(), RandomSpill(kIngestEntries), 2);
  Commit(store.get(), RandomSpill(50), 3);
  Commit(store.get(), RandomSpill(kIngestEntries + 5), 4);
  Commit(store.get(), RandomSpill(3), 5);
  CheckStore(*store);
  store.reset();
  ASSERT_TRUE(OpenWriter(&store).ok());
  Commit(store.get(), RandomSpill(kIngestEntries * 2), 6);
  Commit(store.get(), RandomSpill(10), 7);
  CheckStore(*store);
}

// A spill whose only change is its checkpoint (nothing was counted since
// the last one) commits the checkpoint.
TEST_F(RocksStoreTest, SpillWithoutCounts) {
  std::unique_ptr<RocksStore> store;
  ASSERT_TRUE(OpenWriter(&store).ok());
  Commit(store.get(), {}, 77);
  CheckStore(*store);
}

// The meta records of a large spill are optional, as for a small one.
TEST_F(RocksStoreTest, LargeSpillWithoutMeta) {
  std::unique_ptr<RocksStore> store;
  ASSERT_TRUE(OpenWriter(&store).ok());
  Counts spill = RandomSpill(kIngestEntries);
  std::vector<CountEntry> entries;
  for (const auto& [token, count] : spill) {
    entries.push_back(MakeCountEntry(token, count));
  }
  uint64_t bytes = 0;
  Status s = store->Commit(entries, MetaWrites(), &bytes);
  EXPECT_TRUE(s.ok()) << s.ToString();
  uint64_t v = 0;
  ASSERT_TRUE(store->GetCount(spill.begin()->first, &v).ok());
  EXPECT_EQ(v, s.ok() ? spill.begin()->second : 0);
}

TEST_F(RocksStoreTest, ReaderSeesCommittedSpillsWhileWriterIsOpen) {
  std::unique_ptr<RocksStore> writer;
  ASSERT_TRUE(OpenWriter(&writer).ok());
  Commit(writer.get(), RandomSpill(100), 1);
  Commit(writer.get(), RandomSpill(kIngestEntries), 2);
  Commit(writer.get(), RandomSpill(100), 3);
  {
    std::unique_ptr<RocksStore> reader;
    Status s = OpenReader(&reader);
    ASSERT_TRUE(s.ok()) << s.ToString();
    CheckStore(*reader);
  }
  // Two readers at once, and the writer goes on meanwhile.
  std::unique_ptr<RocksStore> r1, r2;
  ASSERT_TRUE(OpenReader(&r1).ok());
  ASSERT_TRUE(OpenReader(&r2).ok());
  Commit(writer.get(), {{"zz-late", 5}}, 4);
  CheckStore(*writer);
  std::unique_ptr<RocksStore> r3;
  ASSERT_TRUE(OpenReader(&r3).ok());
  CheckStore(*r3);
  // A reader sees what was committed when it was opened.
  uint64_t v = 9;
  ASSERT_TRUE(r1->GetCount("zz-late", &v).ok());
  EXPECT_EQ(v, 0u);
  ASSERT_TRUE(r3->GetCount("zz-late", &v).ok());
  EXPECT_EQ(v, 5u);
}

// Read-only opens while a writer commits spills of both kinds (an ingested
// spill flushes the memtable and retires the write-ahead log under the
// readers' feet) all succeed and see consistent data.
TEST_F(RocksStoreTest, ReadOnlyOpensWhileWriting) {
  std::unique_ptr<RocksStore> writer;
  ASSERT_TRUE(OpenWriter(&writer).ok());
  Commit(writer.get(), {{"anchor", 1}}, 0);
  std::atomic<bool> done{false};
  std::thread writing([&] {
    for (int i = 1; i <= 24; i++) {
      Commit(writer.get(), RandomSpill(i % 4 == 0 ? kIngestEntries : 100), i);
      Commit(writer.get(), {{"anchor", 1}}, i);
    }
    done = true;
  });
  int opens = 0, failures = 0;
  std::string first_failure;
  uint64_t last_anchor = 0;
  while (!done) {
    std::unique_ptr<RocksStore> reader;
    Status s = OpenReader(&reader);
    opens++;
    if (!s.ok()) {
      if (failures++ == 0) first_failure = s.ToString();
      continue;
    }
    uint64_t anchor = 0;
    ASSERT_TRUE(reader->GetCount("anchor", &anchor).ok());
    EXPECT_GE(anchor, last_anchor) << "a later reader saw less";
    last_anchor = anchor;
  }
  writing.join();
  EXPECT_EQ(failures, 0) << "of " << opens << " opens; first: "
                         << first_failure;
  EXPECT_GT(opens, 5);
  CheckStore(*writer);
}

// Each open for writing starts a write-ahead log that stays empty (every
// write is an ingestion). Many opens, as a multi-day run of short index
// runs makes, must not pile them up, nor any other file; readers opening
// meanwhile (while old logs are deleted) all succeed.
TEST_F(RocksStoreTest, ManyOpensKeepABoundedNumberOfFiles) {
  auto files = [&](const char* suffix) {
    size_t n = 0;
    for (const fs::directory_entry& e : fs::directory_iterator(path_)) {
      const std::string name = e.path().filename().string();
      if (suffix == nullptr ||
          (name.size() > 4 && name.compare(name.size() - 4, 4, suffix) == 0)) {
        n++;
      }
    }
    return n;
  };
  {
    std::unique_ptr<RocksStore> writer;
    ASSERT_TRUE(OpenWriter(&writer).ok());
    Commit(writer.get(), {{"anchor", 1}}, 0);
  }
  std::atomic<bool> done{false};
  std::atomic<int> opens{0}, failures{0};
  std::string first_failure;
  std::thread reading([&] {
    while (!done) {
      std::unique_ptr<RocksStore> reader;
      Status s = OpenReader(&reader);
      uint64_t anchor = 0;
      if (s.ok()) s = reader->GetCount("anchor", &anchor);
      if (s.ok() && anchor == 0) s = Status::Corruption("anchor", "count is 0");
      if (!s.ok() && failures++ == 0) first_failure = s.ToString();
      opens++;
    }
  });
  size_t first = 0, most = 0;
  for (int i = 1; i <= 40; i++) {
    std::unique_ptr<RocksStore> writer;
    Status s = OpenWriter(&writer);
    ASSERT_TRUE(s.ok()) << s.ToString();
    writer.reset();
    if (i == 1) first = files(nullptr);
    most = std::max(most, files(nullptr));
    EXPECT_LE(files(".log"), 1u) << "after open " << i;
  }
  done = true;
  reading.join();
  EXPECT_EQ(failures, 0) << "of " << opens << " read-only opens; first: " << first_failure;
  EXPECT_GT(opens, 5);
  // Beyond the first open's files: two old info logs (keep_log_file_num),
  // and the default family's table files (one per open, compacted every
  // four, and a compaction's output).
  EXPECT_LE(most, first + 2 + 5);
  std::unique_ptr<RocksStore> store;
  ASSERT_TRUE(OpenWriter(&store).ok());
  CheckStore(*store);
}

TEST_F(RocksStoreTest, CommitAddsRepeatedStatsAndKeepsLastPut) {
  std::unique_ptr<RocksStore> store;
  ASSERT_TRUE(OpenWriter(&store).ok());
  for (int i = 0; i < 3; i++) {
    MetaWrites meta;
    meta.stats.emplace_back(kStatDocuments, 5);
    meta.stats.emplace_back(kStatDocuments, 1);
    meta.puts.emplace_back(kConfigKey, "first");
    meta.puts.emplace_back(kConfigKey, "last");
    ASSERT_TRUE(store->Commit({MakeCountEntry("x", 2)}, meta).ok());
  }
  std::string raw;
  ASSERT_TRUE(store->GetMeta(kConfigKey, &raw).ok());
  EXPECT_EQ(raw, "last");
  uint64_t v = 0;
  ASSERT_TRUE(store->GetCount("x", &v).ok());
  EXPECT_EQ(v, 6u);
  ASSERT_TRUE(store->GetStat(kStatDocuments, &v).ok());
  EXPECT_EQ(v, 18u);
}

// Counts in a sorted vector, read through the CountSource interface with
// its default prefix().
class SortedSource : public CountSource {
 public:
  explicit SortedSource(const Counts& counts) : v_(counts.begin(), counts.end()) {}
  size_t size() const override { return v_.size(); }
  std::string_view token(size_t i) const override { return v_[i].first; }
  uint64_t count(size_t i) const override { return v_[i].second; }

 private:
  std::vector<std::pair<std::string, uint64_t>> v_;
};

// A run's last spill: several workers' tables, overlapping, merged and
// written as one run per key range, the runs committed at once with every
// worker's checkpoint (ingest/final_spill.h).
TEST_F(RocksStoreTest, MergedRunsOfKeyRangesCommitTogether) {
  std::unique_ptr<RocksStore> store;
  ASSERT_TRUE(OpenWriter(&store).ok());
  Commit(store.get(), RandomSpill(500), 1);  // counts to add to
  // RandomSpill's tokens often tie on their first 8 bytes.
  const Counts tables[] = {RandomSpill(kIngestEntries), RandomSpill(3000),
                           RandomSpill(kIngestEntries / 2)};
  std::vector<SortedSource> sources;
  for (const Counts& t : tables) sources.emplace_back(t);
  // Cut at a token of the first table; the others cut where it would sort.
  const std::string cut(sources[0].token(sources[0].size() / 3));
  std::vector<CountRange> low, high;
  for (const SortedSource& source : sources) {
    size_t at = 0;
    while (at < source.size() && source.token(at) < cut) at++;
    low.push_back(CountRange{&source, 0, at});
    high.push_back(CountRange{&source, at, source.size()});
  }
  std::vector<std::string> runs(2);
  uint64_t bytes = 0;
  ASSERT_TRUE(store->WriteMergedRun(high, &runs[0], &bytes).ok());
  EXPECT_GT(bytes, 0u);
  ASSERT_TRUE(store->WriteMergedRun(low, &runs[1], &bytes).ok());
  // Nothing is committed before CommitRuns().
  uint64_t v = 0;
  ASSERT_TRUE(store->GetStat(kStatSpills, &v).ok());
  EXPECT_EQ(v, 1u);

  MetaWrites meta;
  uint64_t total = 0;
  for (size_t w = 0; w < 3; w++) {
    for (const auto& [token, count] : tables[w]) {
      expected_[token] += count;
      total += count;
    }
    std::string offset;
    PutFixed64(&offset, 100 + w);
    meta.puts.emplace_back(CheckpointKey(2, w), offset);
    checkpoints_[CheckpointKey(2, w)] = 100 + w;
    meta.stats.emplace_back(std::string(kStatSpills), 1);
  }
  meta.stats.emplace_back(std::string(kStatPretokens), total);
  pretokens_ += total;
  spills_ += 3;
  Status s = store->CommitRuns(runs, meta);
  ASSERT_TRUE(s.ok()) << s.ToString();
  CheckStore(*store);
  for (const auto& e : fs::recursive_directory_iterator(path_)) {
    EXPECT_EQ(e.path().string().find("spill-tmp/"), std::string::npos) << e.path();
  }
  store.reset();
  ASSERT_TRUE(OpenWriter(&store).ok());
  CheckStore(*store);
}

// After a failed commit the store writes nothing more: a later commit
// fails with the first one's error, and the database holds what was
// committed before it. Opened anew, it takes commits again.
TEST_F(RocksStoreTest, AFailedCommitEndsWriting) {
  std::unique_ptr<RocksStore> store;
  ASSERT_TRUE(OpenWriter(&store).ok());
  Commit(store.get(), RandomSpill(300), 1);
  const Status failed =
      store->CommitRuns({dir_ + "/no-such-run.sst"}, MetaWrites());
  ASSERT_FALSE(failed.ok());
  std::vector<CountEntry> entries = {MakeCountEntry("after", 5)};
  uint64_t bytes = 0;
  Status s = store->Commit(entries, MetaWrites(), &bytes);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(), failed.ToString());
  uint64_t v = 7;
  ASSERT_TRUE(store->GetCount("after", &v).ok());
  EXPECT_EQ(v, 0u);
  CheckStore(*store);
  store.reset();
  ASSERT_TRUE(OpenWriter(&store).ok());
  Commit(store.get(), RandomSpill(300), 2);
  CheckStore(*store);
}

// SortCountEntries orders as RocksDB's bytewise comparator does: unsigned
// bytes, shorter first on a common prefix, whatever the first 8 bytes.
TEST(CountEntryTest, SortsLikeBytewiseComparator) {
  std::mt19937 rnd(9);
  std::vector<std::string> tokens = {"",          "a",
                                     std::string("a\0", 2),
                                     std::string("a\0\0", 3),
                                     "abcdefgh",  "abcdefghi",
                                     "abcdefgh\x01", "abcdefgh\xFF",
                                     "\x7F",      "\x80",
                                     "\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF"};
  for (int i = 0; i < 2000; i++) {
    std::string t;
    const size_t len = rnd() % 14;
    for (size_t j = 0; j < len; j++) {
      const char a[] = {'\0', '\x01', 'a', '\x7F', '\x80', '\xFF'};
      t.push_back(a[rnd() % 6]);
    }
    tokens.push_back(t);
  }
  std::sort(tokens.begin(), tokens.end());
  tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
  std::vector<std::string> shuffled = tokens;
  std::shuffle(shuffled.begin(), shuffled.end(), rnd);
  std::vector<CountEntry> entries;
  for (const std::string& t : shuffled) entries.push_back(MakeCountEntry(t, 1));
  SortCountEntries(&entries);
  ASSERT_EQ(entries.size(), tokens.size());
  const rocksdb::Comparator* cmp = rocksdb::BytewiseComparator();
  for (size_t i = 0; i < tokens.size(); i++) {
    EXPECT_EQ(entries[i].token, tokens[i]) << i;
    if (i > 0) {
      EXPECT_LT(cmp->Compare(rocksdb::Slice(tokens[i - 1]),
                             rocksdb::Slice(tokens[i])),
                0);
    }
  }
}

}  // namespace
}  // namespace pretokdb

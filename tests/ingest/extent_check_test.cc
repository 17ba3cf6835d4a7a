// Copyright (c) pretok-db authors.
//
// The hashes of counted bytes (store/checkpoint.h, ingest/extent_check.h),
// through the public API: every checkpoint a worker commits carries the
// XXH3 of the raw bytes it read, however the run was stopped and resumed;
// a file edited inside is refused unless quick_check; a database whose
// checkpoints have no hash gets them, counts unchanged.

#include <gtest/gtest.h>

#include <xxhash.h>

#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ingest/chunk_hash.h"
#include "ingest_test_util.h"
#include "pretokdb/indexer.h"
#include "pretokdb/reader.h"
#include "store/checkpoint.h"
#include "store/records.h"
#include "store/rocks_store.h"
#include "store/source_catalog.h"

namespace pretokdb {
namespace {

using testing_util::Counts;
using testing_util::RandomTrickyText;
using testing_util::ReferenceCount;
using testing_util::TempDir;
using testing_util::WriteFile;

class ExtentCheckTest : public testing::Test {
 protected:
  ExtentCheckTest() : db_(dir_.File("db")), path_(dir_.File("text.txt")) {
    std::mt19937 rnd(7);
    // Over 384 KiB: two chunks; tricky pieces (ill-formed UTF-8 among them).
    while (text_.size() < (420 << 10)) text_ += RandomTrickyText(&rnd, 50) + " w";
    WriteFile(path_, text_);
  }

  IndexOptions Small(int workers) {
    IndexOptions options;
    options.workers = workers;
    options.memory_limit = 64 << 10;  // the smallest tables: many spills
    options.read_buffer_size = 100;
    return options;
  }

  // Runs, stopped after `stop_after` spills if > 0.
  Status Run(IndexOptions options, int stop_after = 0) {
    Indexer* self = nullptr;
    std::atomic<int> spills{0};
    auto forward = options.on_event;
    options.on_event = [&](const IndexEvent& e) {
      if (forward) forward(e);
      if (stop_after > 0 && e.type == IndexEvent::Type::kSpill &&
          ++spills == stop_after) {
        self->RequestStop();
      }
    };
    Indexer indexer(db_, options);
    self = &indexer;
    return indexer.Run({path_});
  }

  std::unique_ptr<RocksStore> Open(bool read_only) {
    StoreOptions options;
    options.read_only = read_only;
    std::unique_ptr<RocksStore> store;
    Status s = RocksStore::Open(db_, options, &store);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return store;
  }

  // Every checkpoint is hashed: the XXH3 of the file's bytes from its
  // chunk's start to hashed_end, which is at least its offset. Returns how
  // many chunks have something counted.
  int CheckHashes(const std::string& content) {
    std::unique_ptr<RocksStore> store = Open(true);
    if (!store) return 0;
    std::vector<SourceRecord> sources;
    Checkpoints checkpoints;
    EXPECT_TRUE(ReadSources(*store, &sources).ok());
    EXPECT_TRUE(ReadCheckpoints(*store, &checkpoints).ok());
    int counted = 0;
    for (const SourceRecord& r : sources) {
      for (uint64_t c = 0; c < r.chunks.size(); ++c) {
        auto it = checkpoints.find({r.id, c});
        if (it == checkpoints.end()) continue;
        const Checkpoint& k = it->second;
        SCOPED_TRACE("chunk " + std::to_string(c) + " at " +
                     std::to_string(k.offset));
        EXPECT_TRUE(k.hashed);
        EXPECT_GE(k.hashed_end, k.offset);
        EXPECT_LE(k.hashed_end, content.size());
        const uint64_t begin = r.chunks[c].begin;
        EXPECT_EQ(k.digest,
                  XXH3_64bits(content.data() + begin, k.hashed_end - begin));
        if (k.offset > begin) ++counted;
      }
    }
    return counted;
  }

  void StripHashes() {
    std::unique_ptr<RocksStore> store = Open(false);
    Checkpoints checkpoints;
    ASSERT_TRUE(ReadCheckpoints(*store, &checkpoints).ok());
    MetaWrites meta;
    for (const auto& [key, k] : checkpoints) {
      meta.puts.emplace_back(CheckpointKey(key.first, key.second),
                             EncodeCheckpoint(Checkpoint::At(k.offset)));
    }
    ASSERT_TRUE(store->Commit({}, meta).ok());
  }

  Counts ReadCounts(uint64_t* pretokens) {
    Counts counts;
    std::unique_ptr<CountReader> reader;
    EXPECT_TRUE(CountReader::Open(db_, &reader).ok());
    if (!reader) return counts;
    for (auto it = reader->NewIterator(); it->Valid(); it->Next()) {
      counts[std::string(it->token())] = it->count();
    }
    DbStats stats;
    EXPECT_TRUE(reader->GetStats(&stats).ok());
    *pretokens = stats.pretokens;
    return counts;
  }

  void CheckCountsExact() {
    uint64_t pretokens = 0;
    const Counts got = ReadCounts(&pretokens);
    const testing_util::Reference ref = ReferenceCount(text_, {"<|endoftext|>"});
    EXPECT_EQ(pretokens, ref.pretokens);
    EXPECT_TRUE(got == ref.counts) << "counts differ from the reference";
  }

  TempDir dir_;
  std::string db_, path_, text_;
};

TEST(ChunkHashTest, IsXxh3OfTheBytesAndCopiesGoOn) {
  const std::string s = "hello, world: the bytes of a chunk";
  ChunkHash h;
  EXPECT_EQ(h.Digest(), EmptyDigest());
  h.Update(s.data(), 5);
  ChunkHash copy = h;
  h.Update(s.data() + 5, s.size() - 5);
  EXPECT_EQ(h.Digest(), XXH3_64bits(s.data(), s.size()));
  EXPECT_EQ(copy.Digest(), XXH3_64bits(s.data(), 5));
  copy.Update(s.data() + 5, s.size() - 5);
  EXPECT_EQ(copy.Digest(), h.Digest());
}

// Stopped again and again, each partial checkpoint's digest is that of the
// bytes read so far of its chunk, resumed chunks included (their hash goes
// on from the check's); the finished database's too. With --invalid-utf8 skip (the raw bytes are hashed, not the cleaned
// ones) and --jsonl (the lines', not the fields') too.
TEST_F(ExtentCheckTest, EveryCheckpointHashesTheBytesRead) {
  for (const char* mode : {"replace", "skip", "jsonl"}) {
    SCOPED_TRACE(mode);
    std::filesystem::remove_all(db_);
    if (std::string(mode) == "jsonl") {
      text_.clear();
      for (int i = 0; text_.size() < (420 << 10); ++i) {
        text_ += "{\"text\": \"w" + std::to_string(i) + " the cat sat\"}\n";
      }
      WriteFile(path_, text_);
    }
    int stops = 0;
    Status s;
    for (int run = 0; run < 100; ++run) {
      IndexOptions options = Small(2);
      if (std::string(mode) == "skip") options.invalid_utf8 = InvalidUtf8::kSkip;
      if (std::string(mode) == "jsonl") options.jsonl_field = "text";
      s = Run(options, /*stop_after=*/5);
      if (!s.IsAborted()) break;
      ++stops;
      EXPECT_GT(CheckHashes(text_), 0);
    }
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_GT(stops, 2);
    CheckHashes(text_);
  }
}

// An edit in the middle that keeps the size and both ends: refused by the
// hashes; let through by quick_check (which trusts the fingerprint).
TEST_F(ExtentCheckTest, EditInsideIsRefusedUnlessQuickCheck) {
  ASSERT_TRUE(Run(Small(2)).ok());
  std::string edited = text_;
  const size_t at = edited.size() / 2;
  edited[at] = edited[at] == 'x' ? 'y' : 'x';
  WriteFile(path_, edited);
  Status s = Run(Small(2));
  ASSERT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("changed since it was indexed"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("would be stale"), std::string::npos) << s.message();
  IndexOptions quick = Small(2);
  quick.quick_check = true;
  s = Run(quick);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

// Stopped mid-file, then an edit in what was counted: the resume refuses
// it, with quick_check too when the edit is in a chunk to resume (read
// anyway for its hash).
TEST_F(ExtentCheckTest, EditInCountedPartOfStoppedRunIsRefused) {
  ASSERT_TRUE(Run(Small(1), /*stop_after=*/5).IsAborted());
  std::unique_ptr<RocksStore> store = Open(true);
  Checkpoints checkpoints;
  ASSERT_TRUE(ReadCheckpoints(*store, &checkpoints).ok());
  store.reset();
  ASSERT_FALSE(checkpoints.empty());
  const uint64_t counted = checkpoints.begin()->second.offset;
  ASSERT_GT(counted, 10u);
  std::string edited = text_;
  edited[counted / 2] ^= 0x01;
  WriteFile(path_, edited);
  for (bool quick : {false, true}) {
    IndexOptions options = Small(1);
    options.quick_check = quick;
    Status s = Run(options);
    EXPECT_TRUE(s.IsInvalidArgument()) << quick << " " << s.ToString();
  }
}

// Checkpoints with no hash (a database made before hashes): the next run
// hashes what they cover once, in one commit, reports it, and changes no
// count; a stopped one resumes exactly.
TEST_F(ExtentCheckTest, OldCheckpointsGetHashesAndCountsStay) {
  for (bool finished : {true, false}) {
    SCOPED_TRACE(finished ? "finished" : "stopped");
    std::filesystem::remove_all(db_);
    Status s = Run(Small(2), finished ? 0 : 5);
    ASSERT_EQ(s.ok(), finished) << s.ToString();
    StripHashes();
    uint64_t recorded = 0, checked = 0;
    int check_events = 0;
    IndexOptions options = Small(2);
    options.on_event = [&](const IndexEvent& e) {
      if (e.type != IndexEvent::Type::kHashCheck) return;
      ++check_events;
      recorded += e.recorded_bytes;
      checked += e.bytes;
    };
    s = Run(options);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(check_events, 1);
    EXPECT_GT(recorded, 0u);
    EXPECT_EQ(checked, 0u);
    if (finished) EXPECT_EQ(recorded, text_.size());
    CheckHashes(text_);
    CheckCountsExact();
    // Recorded once: the next run checks them.
    recorded = checked = 0;
    ASSERT_TRUE(Run(options).ok());
    EXPECT_EQ(recorded, 0u);
    EXPECT_EQ(checked, text_.size());
  }
}

}  // namespace
}  // namespace pretokdb

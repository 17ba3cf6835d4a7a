// Copyright (c) pretok-db authors.
//
// End-to-end through the public API (pretokdb/indexer.h, pretokdb/reader.h):
// what a database holds after Run() is the reference count of its files,
// however the run was stopped and resumed, and a run that would change a
// database's meaning is refused before it touches anything.

#include "pretokdb/indexer.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ingest_test_util.h"
#include "pretokdb/reader.h"

namespace pretokdb {
namespace {

namespace fs = std::filesystem;
using testing_util::AddCounts;
using testing_util::Counts;
using testing_util::Reference;
using testing_util::ReferenceCount;
using testing_util::TempDir;
using testing_util::WriteFile;

const std::string kEot = "<|endoftext|>";

// Prose from a small vocabulary (so that a piece of input never holds more
// distinct pretokens than the smallest table), with the hard parts mixed
// in: separators, Unicode letters, digits and spaces, ill-formed UTF-8,
// NUL, CRLF, runs of whitespace.
std::string Prose(std::mt19937* rnd, size_t bytes) {
  static const std::vector<std::string> words = {
      "the", "cat", "sat", "on", "a", "mat", "and", "then", "it's", "we'll",
      "They", "don't", "42", "3.14", "caf\xC3\xA9", "\xE6\x97\xA5\xE6\x9C\xAC",
      "na\xC3\xAFve", "\xF0\x9F\x8E\x89", "!!", "?", "\"quoted\"", "(x)",
      "\xE2\x82", "\xFF", std::string("\0", 1), "\xD9\xA3\xD9\xA4",
      "<|endoftext", "|>", "e\xCC\x81"};
  static const std::vector<std::string> gaps = {
      " ", " ", " ", " ", " ", "  ", "\n", "\r\n", "\n\n", "\t",
      "\xC2\xA0", "\xE3\x80\x80", "   \n"};
  std::string s;
  while (s.size() < bytes) {
    if ((*rnd)() % 3 == 0) {
      // A rare word, so that the vocabulary outgrows small tables.
      s += "w" + std::to_string((*rnd)() % 20000);
    } else {
      s += words[(*rnd)() % words.size()];
    }
    if ((*rnd)() % 40 == 0) {
      s += kEot;
    } else {
      s += gaps[(*rnd)() % gaps.size()];
    }
  }
  return s;
}

class IndexerTest : public testing::Test {
 protected:
  IndexerTest() : db_(dir_.File("db")) {
    AddFile("medium.txt", Prose(&rnd_, 60 << 10));
    AddFile("small.txt", kEot + Prose(&rnd_, 20 << 10) + kEot);
    AddFile("empty.txt", "");
    AddFile("plain.txt", "no separator at all\nhere");
  }

  // Over 384 KiB: planned as two chunks, so two workers share one file.
  void AddBigFile() { AddFile("big.txt", Prose(&rnd_, 400 << 10)); }

  void AddFile(const std::string& name, const std::string& content) {
    paths_.push_back(dir_.File(name));
    contents_.push_back(content);
    WriteFile(paths_.back(), content);
  }

  IndexOptions SmallOptions(int workers) {
    IndexOptions options;
    options.workers = workers;
    options.memory_limit = 64 << 10;  // the smallest tables: many spills
    options.read_buffer_size = 100;
    return options;
  }

  // The reference for the files of paths_ (documents: separators + 1 per
  // file).
  struct Expected {
    Counts counts;
    uint64_t documents = 0, pretokens = 0, invalid = 0;
  };
  Expected ExpectedFor(const std::vector<std::string>& tokens) {
    Expected e;
    for (const std::string& c : contents_) {
      Reference r = ReferenceCount(c, tokens);
      AddCounts(r.counts, &e.counts);
      e.documents += r.separators + 1;
      e.pretokens += r.pretokens;
      e.invalid += r.invalid_utf8;
    }
    return e;
  }

  // Everything the database says.
  struct Snapshot {
    Counts counts;
    DbStats stats;
  };
  Snapshot Read() {
    Snapshot snap;
    std::unique_ptr<CountReader> reader;
    Status s = CountReader::Open(db_, &reader);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok()) return snap;
    std::unique_ptr<CountIterator> it = reader->NewIterator();
    std::string prev;
    for (; it->Valid(); it->Next()) {
      std::string token(it->token());
      EXPECT_TRUE(snap.counts.empty() || prev < token) << "out of order";
      prev = token;
      snap.counts[token] = it->count();
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    s = reader->GetStats(&snap.stats);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return snap;
  }

  // The database holds exactly the reference counts of every file.
  void CheckComplete(const std::vector<std::string>& tokens = {kEot}) {
    const Expected e = ExpectedFor(tokens);
    const Snapshot snap = Read();
    EXPECT_EQ(snap.counts.size(), e.counts.size());
    EXPECT_TRUE(snap.counts == e.counts) << "counts differ from the reference";
    if (!snap.counts.empty()) {
      uint64_t count = 0;
      std::unique_ptr<CountReader> reader;
      ASSERT_TRUE(CountReader::Open(db_, &reader).ok());
      const std::string& some = snap.counts.rbegin()->first;
      ASSERT_TRUE(reader->Get(some, &count).ok());
      EXPECT_EQ(count, e.counts.at(some));
      ASSERT_TRUE(reader->Get("never a pretoken \x01\x02", &count).ok());
      EXPECT_EQ(count, 0u);
    }
    const DbStats& st = snap.stats;
    EXPECT_EQ(st.documents, e.documents);
    EXPECT_EQ(st.pretokens, e.pretokens);
    EXPECT_EQ(st.distinct_pretokens, e.counts.size());
    EXPECT_EQ(st.invalid_utf8_replaced, e.invalid);
    EXPECT_EQ(st.pattern, "gpt2");
    EXPECT_EQ(st.invalid_utf8, "replace");
    ASSERT_EQ(st.files.size(), paths_.size());
    for (const SourceInfo& f : st.files) {
      auto it = std::find(paths_.begin(), paths_.end(), f.path);
      ASSERT_NE(it, paths_.end()) << f.path << " is not an absolute input path";
      const size_t i = it - paths_.begin();
      EXPECT_EQ(f.size, contents_[i].size()) << f.path;
      EXPECT_EQ(f.bytes_done, f.size) << f.path;
    }
  }

  std::mt19937 rnd_{11};
  TempDir dir_;
  const std::string db_;
  std::vector<std::string> paths_;
  std::vector<std::string> contents_;
};

TEST_F(IndexerTest, MatchesReference) {
  AddBigFile();
  for (int workers : {1, 2, 3}) {
    SCOPED_TRACE("workers " + std::to_string(workers));
    fs::remove_all(db_);
    std::atomic<int> spill_events{0};
    IndexOptions options = SmallOptions(workers);
    options.on_event = [&](const IndexEvent& e) {
      if (e.type == IndexEvent::Type::kSpill) spill_events++;
    };
    Indexer indexer(db_, options);
    Status s = indexer.Run(paths_);
    ASSERT_TRUE(s.ok()) << s.ToString();
    CheckComplete();
    const Snapshot snap = Read();
    // The small memory limit did force many spills.
    EXPECT_GT(snap.stats.spills, 10u);
    EXPECT_EQ(snap.stats.spills, static_cast<uint64_t>(spill_events.load()));
    EXPECT_EQ(snap.stats.special_tokens, std::vector<std::string>{kEot});
    const IndexProgress p = indexer.progress();
    uint64_t total = 0;
    for (const std::string& c : contents_) total += c.size();
    EXPECT_EQ(p.bytes_total, total);
    EXPECT_EQ(p.bytes_done, total);
    EXPECT_EQ(p.spills, snap.stats.spills);
  }
}

TEST_F(IndexerTest, DefaultOptions) {
  IndexOptions options;
  options.workers = 2;
  Indexer indexer(db_, options);
  Status s = indexer.Run(paths_);
  ASSERT_TRUE(s.ok()) << s.ToString();
  CheckComplete();
}

TEST_F(IndexerTest, NoSpecialTokens) {
  IndexOptions options = SmallOptions(2);
  options.special_tokens = {};
  Indexer indexer(db_, options);
  Status s = indexer.Run(paths_);
  ASSERT_TRUE(s.ok()) << s.ToString();
  CheckComplete({});
  EXPECT_TRUE(Read().stats.special_tokens.empty());
}

TEST_F(IndexerTest, StopBeforeRunThenResume) {
  {
    Indexer indexer(db_, SmallOptions(2));
    indexer.RequestStop();
    Status s = indexer.Run(paths_);
    EXPECT_TRUE(s.IsAborted()) << s.ToString();
  }
  Indexer indexer(db_, SmallOptions(2));
  Status s = indexer.Run(paths_);
  ASSERT_TRUE(s.ok()) << s.ToString();
  CheckComplete();
}

// A stop request is answered by the Run() it stopped; the next Run() on the
// same Indexer resumes ("the next Run() resumes", indexer.h).
TEST_F(IndexerTest, SameIndexerRunsAgainAfterStop) {
  Indexer indexer(db_, SmallOptions(2));
  indexer.RequestStop();
  Status s = indexer.Run(paths_);
  EXPECT_TRUE(s.IsAborted()) << s.ToString();
  s = indexer.Run(paths_);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (s.ok()) CheckComplete();
}

// Stopped after a few spills, again and again: the run that finally completes leaves exactly
// the counts of an uninterrupted one.
TEST_F(IndexerTest, StopDuringRunResumesExactly) {
  AddBigFile();
  for (int workers : {1, 3}) {
    SCOPED_TRACE("workers " + std::to_string(workers));
    fs::remove_all(db_);
    int aborted = 0;
    uint64_t last_done = 0;
    Status s;
    for (int run = 0; run < 200; run++) {
      IndexOptions options = SmallOptions(workers);
      Indexer* self = nullptr;
      std::atomic<int> spills{0};
      options.on_event = [&](const IndexEvent& e) {
        if (e.type == IndexEvent::Type::kSpill && ++spills == 3) {
          self->RequestStop();
        }
      };
      Indexer indexer(db_, options);
      self = &indexer;
      s = indexer.Run(paths_);
      if (!s.IsAborted()) break;
      aborted++;
      // Progress is committed and never goes back.
      const Snapshot snap = Read();
      uint64_t done = 0;
      for (const SourceInfo& f : snap.stats.files) done += f.bytes_done;
      EXPECT_GE(done, last_done);
      last_done = done;
      // Every committed count is at most its final value.
      const Expected e = ExpectedFor({kEot});
      for (const auto& [token, count] : snap.counts) {
        auto it = e.counts.find(token);
        ASSERT_NE(it, e.counts.end()) << "unexpected pretoken";
        ASSERT_LE(count, it->second);
      }
    }
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_GT(aborted, 3);
    CheckComplete();
  }
}

// With room for everything, the workers' tables are all spilled at the
// end, merged, in key ranges written side by side (ingest/final_spill.h):
// large tables of a vocabulary the workers partly share still give exactly
// the reference counts, and every worker's checkpoints are committed.
TEST_F(IndexerTest, LastSpillOfLargeTablesIsExact) {
  std::string text;
  while (text.size() < (3 << 20)) {
    // Words of 1 to 4 letters from a vocabulary of ~475K, most of them
    // rare, the short ones common.
    uint32_t n = rnd_() % 475254;
    text += ' ';
    do {
      text += static_cast<char>('a' + n % 26);
      n /= 26;
    } while (n > 0);
    if (rnd_() % 500 == 0) text += kEot;
  }
  AddFile("vocabulary.txt", text);
  for (int workers : {2, 3}) {
    SCOPED_TRACE("workers " + std::to_string(workers));
    fs::remove_all(db_);
    IndexOptions options;
    options.workers = workers;
    options.memory_limit = 512 << 20;
    Indexer indexer(db_, options);
    Status s = indexer.Run(paths_);
    ASSERT_TRUE(s.ok()) << s.ToString();
    CheckComplete();
    const Snapshot snap = Read();
    EXPECT_GT(snap.counts.size(), 200000u);
    EXPECT_GE(snap.stats.spills, 1u);
    EXPECT_LE(snap.stats.spills, static_cast<uint64_t>(workers));
  }
}

// Each run's time is recorded once, with its last spill or, when that
// commits nothing, after it: the stats hold the sum of the times the runs'
// kFinish events report (each truncated to whole milliseconds).
TEST_F(IndexerTest, ElapsedTimeIsRecordedOncePerRun) {
  AddBigFile();
  double reported = 0;
  for (int run = 0; run < 2; ++run) {  // the second finds nothing to do
    IndexOptions options = SmallOptions(2);
    options.memory_limit = 64 << 20;  // room for everything: one last spill
    options.on_event = [&](const IndexEvent& e) {
      if (e.type == IndexEvent::Type::kFinish) reported += e.elapsed_seconds;
    };
    Status s = Indexer(db_, options).Run(paths_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  const Snapshot snap = Read();
  EXPECT_GT(snap.stats.elapsed_seconds, 0);
  EXPECT_NEAR(snap.stats.elapsed_seconds, reported, 0.0021);
}

TEST_F(IndexerTest, RunningAgainAddsNothing) {
  {
    Indexer indexer(db_, SmallOptions(2));
    ASSERT_TRUE(indexer.Run(paths_).ok());
  }
  const Snapshot before = Read();
  std::vector<IndexEvent::Type> events;
  IndexOptions options = SmallOptions(3);
  options.on_event = [&](const IndexEvent& e) { events.push_back(e.type); };
  Indexer indexer(db_, options);
  // Also through another spelling of the same path.
  std::vector<std::string> paths = paths_;
  paths[0] = dir_.path() + "/./" + fs::path(paths_[0]).filename().string();
  Status s = indexer.Run(paths);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const Snapshot after = Read();
  EXPECT_TRUE(after.counts == before.counts);
  EXPECT_EQ(after.stats.documents, before.stats.documents);
  EXPECT_EQ(after.stats.pretokens, before.stats.pretokens);
  EXPECT_EQ(after.stats.spills, before.stats.spills);
  EXPECT_EQ(after.stats.files.size(), before.stats.files.size());
  EXPECT_EQ(std::count(events.begin(), events.end(), IndexEvent::Type::kSpill),
            0);
  CheckComplete();
}

TEST_F(IndexerTest, DuplicatePathsCountOnce) {
  std::vector<std::string> paths = paths_;
  paths.push_back(paths_[1]);
  paths.insert(paths.begin(), paths_[3]);
  Indexer indexer(db_, SmallOptions(2));
  ASSERT_TRUE(indexer.Run(paths).ok());
  CheckComplete();
}

TEST_F(IndexerTest, ChangedFileIsRefused) {
  {
    Indexer indexer(db_, SmallOptions(2));
    ASSERT_TRUE(indexer.Run(paths_).ok());
  }
  const Snapshot before = Read();
  // Same size, one byte changed near the start.
  std::string changed = contents_[1];
  changed[5] = changed[5] == 'x' ? 'y' : 'x';
  WriteFile(paths_[1], changed);
  Indexer indexer(db_, SmallOptions(2));
  Status s = indexer.Run(paths_);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find(paths_[1]), std::string::npos) << s.ToString();
  const Snapshot after = Read();
  EXPECT_TRUE(after.counts == before.counts);
  EXPECT_EQ(after.stats.documents, before.stats.documents);
  EXPECT_EQ(after.stats.pretokens, before.stats.pretokens);
  EXPECT_EQ(after.stats.files.size(), before.stats.files.size());
}

TEST_F(IndexerTest, OtherSpecialTokensAreRefused) {
  IndexOptions options = SmallOptions(1);
  options.special_tokens = {kEot, "<|pad|>"};
  {
    Indexer indexer(db_, options);
    ASSERT_TRUE(indexer.Run(paths_).ok());
  }
  const Snapshot before = Read();
  for (const std::vector<std::string>& other :
       std::vector<std::vector<std::string>>{
           {kEot}, {}, {"<|pad|>", kEot, "<|x|>"}, {"<|PAD|>", kEot}}) {
    IndexOptions o = SmallOptions(1);
    o.special_tokens = other;
    Indexer indexer(db_, o);
    Status s = indexer.Run({paths_[1]});
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_NE(s.message().find(db_), std::string::npos) << s.ToString();
  }
  const Snapshot after = Read();
  EXPECT_TRUE(after.counts == before.counts);
  EXPECT_EQ(after.stats.documents, before.stats.documents);
  EXPECT_EQ(after.stats.special_tokens, before.stats.special_tokens);
  // The same set, in another order and with a duplicate, is the same
  // configuration.
  IndexOptions same = SmallOptions(1);
  same.special_tokens = {"<|pad|>", kEot, "<|pad|>"};
  Indexer indexer(db_, same);
  Status s = indexer.Run(paths_);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_F(IndexerTest, MissingFileIsRefusedBeforeTheDatabaseIsCreated) {
  const std::string missing = dir_.File("no-such-file.txt");
  Indexer indexer(db_, SmallOptions(2));
  Status s = indexer.Run({paths_[0], missing});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(missing), std::string::npos) << s.ToString();
  EXPECT_FALSE(fs::exists(db_)) << "the database was created";

  s = Indexer(db_, SmallOptions(2)).Run({dir_.path()});
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find(dir_.path()), std::string::npos) << s.ToString();
  EXPECT_FALSE(fs::exists(db_)) << "the database was created";

  std::unique_ptr<CountReader> reader;
  s = CountReader::Open(db_, &reader);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
}

// A new database is created while the workers count: when that fails,
// the run reports it (and stops its workers), whatever they counted.
TEST_F(IndexerTest, DatabaseThatCannotBeCreatedStopsTheRun) {
  AddBigFile();
  const std::string db = paths_[0] + "/db";  // under a regular file
  for (int workers : {1, 2}) {
    Status s = Indexer(db, SmallOptions(workers)).Run(paths_);
    EXPECT_TRUE(s.IsIOError()) << s.ToString();
    EXPECT_NE(s.message().find(db), std::string::npos) << s.ToString();
    EXPECT_NE(s.message().find("cannot create the database"), std::string::npos)
        << s.ToString();
  }
}

// A run that fails stops its workers; the same Indexer then runs again as
// a new one would, instead of taking that stop for a request.
TEST_F(IndexerTest, SameIndexerRunsAgainAfterAnError) {
  AddBigFile();
  // A file where the new database's staging directory must go.
  const fs::path db = db_;
  const std::string blocker =
      (db.parent_path() / ("." + db.filename().string() + ".creating")).string();
  WriteFile(blocker, "in the way");
  Indexer indexer(db_, SmallOptions(2));
  Status s = indexer.Run(paths_);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.message().find("cannot create the database"), std::string::npos)
      << s.ToString();
  fs::remove(blocker);
  s = indexer.Run(paths_);
  ASSERT_TRUE(s.ok()) << s.ToString();
  CheckComplete();
}

// The same for streams. A stream stopped on request counts nothing, nor
// does one that cannot be read; the latter fails with its read error even
// though a stop was asked for, and that stop must not outlive its run (it
// did: the next stream was refused as Aborted).
TEST_F(IndexerTest, SameIndexerCountsAStreamAfterFailedOnes) {
  const std::string& text = contents_[0];
  bool stop_at_start = true;
  IndexOptions options = SmallOptions(1);
  Indexer* self = nullptr;
  options.on_event = [&](const IndexEvent& e) {
    if (e.type == IndexEvent::Type::kStart && stop_at_start) self->RequestStop();
  };
  Indexer indexer(db_, options);
  self = &indexer;

  int fd = open(paths_[0].c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  Status s = indexer.RunStream(fd);
  close(fd);
  EXPECT_TRUE(s.IsAborted()) << s.ToString();
  EXPECT_TRUE(Read().counts.empty());

  fd = open(dir_.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  s = indexer.RunStream(fd);  // read() fails: EISDIR
  close(fd);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();

  stop_at_start = false;
  fd = open(paths_[0].c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  s = indexer.RunStream(fd);
  close(fd);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const Reference r = ReferenceCount(text, {kEot});
  const Snapshot snap = Read();
  EXPECT_TRUE(snap.counts == r.counts) << "counts differ from the reference";
  EXPECT_EQ(snap.stats.pretokens, r.pretokens);
  ASSERT_EQ(snap.stats.files.size(), 1u);
  EXPECT_EQ(snap.stats.files[0].path, "-");
  EXPECT_EQ(snap.stats.files[0].size, text.size());
}

// A missing file added to an existing database leaves it as it was.
TEST_F(IndexerTest, MissingFileLeavesTheDatabaseAlone) {
  {
    Indexer indexer(db_, SmallOptions(1));
    ASSERT_TRUE(indexer.Run({paths_[1]}).ok());
  }
  const Snapshot before = Read();
  Status s = Indexer(db_, SmallOptions(1)).Run({paths_[0], dir_.File("gone")});
  EXPECT_FALSE(s.ok());
  const Snapshot after = Read();
  EXPECT_TRUE(after.counts == before.counts);
  EXPECT_EQ(after.stats.files.size(), 1u);
}

// Only one run writes a database at a time: a run started while another
// one runs is refused as busy. Into an existing database the first run is
// the one that writes. Into a new one, each run creates it on a thread of
// its own while it counts (ingest/opening_store.h), and either may win;
// the other is refused before it commits anything.
TEST_F(IndexerTest, SecondWriterIsBusy) {
  for (bool existing : {true, false}) {
    SCOPED_TRACE(existing ? "existing database" : "new database");
    fs::remove_all(db_);
    if (existing) ASSERT_TRUE(Indexer(db_, SmallOptions(1)).Run({paths_[2]}).ok());
    Status second;
    IndexOptions options = SmallOptions(1);
    bool started = false;
    options.on_event = [&](const IndexEvent& e) {
      if (e.type == IndexEvent::Type::kStart && !started) {
        started = true;
        second = Indexer(db_, SmallOptions(1)).Run({paths_[1]});
      }
    };
    Indexer indexer(db_, options);
    Status first = indexer.Run({paths_[1]});
    if (existing) EXPECT_TRUE(first.ok()) << first.ToString();
    EXPECT_NE(first.ok(), second.ok()) << first.ToString() << " / " << second.ToString();
    const Status& refused = first.ok() ? second : first;
    EXPECT_TRUE(refused.IsBusy()) << refused.ToString();
    EXPECT_NE(refused.message().find(db_), std::string::npos) << refused.ToString();
    // Nothing of the refused run was committed: completing the database
    // gives exactly the reference counts.
    ASSERT_TRUE(Indexer(db_, SmallOptions(2)).Run(paths_).ok());
    CheckComplete();
  }
}

// Readers opened again and again while a run writes ("Readers
// (CountReader) may open it meanwhile", indexer.h) all open, and never see
// more than the final counts.
TEST_F(IndexerTest, ReadersDuringRun) {
  AddBigFile();
  const Expected e = ExpectedFor({kEot});
  std::atomic<bool> started{false}, done{false};
  IndexOptions options = SmallOptions(2);
  options.on_event = [&](const IndexEvent& ev) {
    if (ev.type == IndexEvent::Type::kSpill) started = true;
  };
  Status run;
  std::thread indexing([&] {
    run = Indexer(db_, options).Run(paths_);
    done = true;
  });
  while (!started && !done) std::this_thread::yield();
  int opens = 0, failures = 0;
  std::string first_failure;
  while (!done) {
    std::unique_ptr<CountReader> reader;
    Status s = CountReader::Open(db_, &reader);
    opens++;
    if (!s.ok()) {
      if (failures++ == 0) first_failure = s.ToString();
      continue;
    }
    uint64_t count = 0;
    ASSERT_TRUE(reader->Get(" the", &count).ok());
    EXPECT_LE(count, e.counts.at(" the"));
  }
  indexing.join();
  ASSERT_TRUE(run.ok()) << run.ToString();
  EXPECT_EQ(failures, 0) << "of " << opens << " opens; first: "
                         << first_failure;
  EXPECT_GT(opens, 0);
  CheckComplete();
}

TEST_F(IndexerTest, ReaderOnMissingDatabase) {
  std::unique_ptr<CountReader> reader;
  Status s = CountReader::Open(dir_.File("nothing"), &reader);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
}

// A long stretch without whitespace (a minified file, a base64 blob) has
// no resume point inside it, so a worker cannot spill while counting it;
// its distinct pretokens must still not overflow the worker's table. Run
// in a child process with a deadline, since an overflowing table spins.
TEST(IndexerDeathTest, LongStretchWithoutWhitespace) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // The child re-runs this test from the start, so it does all the work
  // (and may be killed): in a directory the parent knows, to remove it.
  auto dir_of = [](pid_t parent) {
    return "/tmp/pretokdb_death_test_" + std::to_string(parent);
  };
  EXPECT_EXIT(
      {
        alarm(10);
        const std::string dir = dir_of(getppid());
        fs::create_directories(dir);
        std::string text;
        for (int i = 0; text.size() < (200 << 10); i++) {
          text += "k" + std::to_string(i) + "=";  // "k", "123", "=" ...
        }
        WriteFile(dir + "/minified.txt", text);
        IndexOptions options;
        options.workers = 1;
        options.memory_limit = 256 << 10;
        options.read_buffer_size = 4096;
        Status s = Indexer(dir + "/db", options).Run({dir + "/minified.txt"});
        _exit(s.ok() ? 0 : 1);
      },
      testing::ExitedWithCode(0), "");
  fs::remove_all(dir_of(getpid()));
}

}  // namespace
}  // namespace pretokdb

// Copyright (c) pretok-db authors.
//
// `index -` with several workers: the chunks a stream is cut into depend on
// its bytes alone (StreamChunker), and the counts and stats of a stream are
// those of the same bytes given as a file, for any number of workers, chunk
// size and spills (Indexer::RunStream).

#include "ingest/stream_chunker.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "count/count_table.h"
#include "ingest/chunk_counter.h"
#include "ingest/chunk_planner.h"
#include "ingest/run_setup.h"
#include "ingest/stream_input.h"
#include "ingest_test_util.h"
#include "pretokdb/indexer.h"
#include "pretokdb/reader.h"

namespace pretokdb {
namespace {

using testing_util::Counts;
using testing_util::RandomTrickyText;
using testing_util::TempDir;
using testing_util::WriteFile;

const std::string kEot = "<|endoftext|>";

// Writes `data` to a pipe from a thread, in pieces of random sizes (so that
// the reader sees short reads), and hands out the read end.
class Feeder {
 public:
  Feeder(std::string data, uint32_t seed) : data_(std::move(data)) {
    signal(SIGPIPE, SIG_IGN);  // a reader that stops early: EPIPE, not death
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    read_fd_ = fds[0];
    write_fd_ = fds[1];
    thread_ = std::thread([this, seed] {
      std::mt19937 rnd(seed);
      size_t at = 0;
      while (at < data_.size()) {
        const size_t n = std::min<size_t>(data_.size() - at, 1 + rnd() % 3000);
        const ssize_t w = write(write_fd_, data_.data() + at, n);
        if (w <= 0) break;
        at += static_cast<size_t>(w);
      }
      close(write_fd_);
    });
  }
  ~Feeder() {
    close(read_fd_);  // unblocks the writer if the stream was not read out
    thread_.join();
  }
  int fd() const { return read_fd_; }

 private:
  const std::string data_;
  int read_fd_ = -1;
  int write_fd_ = -1;
  std::thread thread_;
};

// The chunk begins of `text` cut as StreamChunker documents it, on the whole
// text at once: each chunk ends at the first edge at or after its start plus
// chunk_bytes.
std::vector<uint64_t> ExpectedBegins(const TextRules& rules,
                                     std::string_view text,
                                     size_t chunk_bytes) {
  std::vector<uint64_t> begins;
  if (text.empty()) return begins;
  uint64_t c = 0;
  for (;;) {
    begins.push_back(c);
    const size_t q =
        FindFirstChunkEdge(rules, text, c + chunk_bytes, text.size());
    if (q == std::string_view::npos) return begins;
    c = q;
  }
}

struct Cut {
  std::vector<uint64_t> begins;
  std::vector<uint64_t> first_lines;  // StreamChunker::Next's, per begin
  std::string bytes;  // the chunks, concatenated in the order of begins
};

// Cuts `text`, read from a pipe, with a chunker and `workers` threads
// reading its chunks.
Cut CutStream(const TextRules& rules, const std::string& text,
              size_t chunk_bytes, size_t buffers, int workers,
              const StreamLayout* layout = nullptr) {
  Feeder feeder(text, static_cast<uint32_t>(chunk_bytes * 31 + buffers));
  StreamInput in(feeder.fd(), "-");
  std::atomic<bool> stop{false};
  StreamChunker chunker(&in, rules, chunk_bytes, buffers, &stop, layout);
  std::mutex mu;
  std::vector<std::pair<std::pair<uint64_t, uint64_t>, std::string>> chunks;
  Status run;
  std::thread reader([&] { run = chunker.Run(); });
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      StreamChunker::Chunk* chunk;
      uint64_t begin, first_line;
      while (chunker.Next(&chunk, &begin, &first_line)) {
        std::string bytes;
        char buf[7];  // small reads: a chunk's segments are taken apart
        size_t got;
        do {
          EXPECT_TRUE(chunker.Read(chunk, buf, sizeof(buf), &got).ok());
          bytes.append(buf, got);
        } while (got == sizeof(buf));
        chunker.Release(chunk);
        std::lock_guard<std::mutex> lock(mu);
        chunks.emplace_back(std::make_pair(begin, first_line), std::move(bytes));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  reader.join();
  EXPECT_TRUE(run.ok()) << run.ToString();
  std::sort(chunks.begin(), chunks.end());
  Cut cut;
  for (auto& [start, bytes] : chunks) {
    const uint64_t begin = start.first;
    EXPECT_EQ(begin, cut.bytes.size()) << "chunks do not tile the stream";
    cut.begins.push_back(begin);
    cut.first_lines.push_back(start.second);
    cut.bytes += bytes;
  }
  return cut;
}

TEST(StreamChunkerTest, ChunksDependOnTheBytesAlone) {
  IndexOptions options;
  options.special_tokens = {kEot, "<|end|>", "ab"};
  options.invalid_utf8 = InvalidUtf8::kSkip;  // edges avoid ill-formed bytes
  RunSetup setup;
  ASSERT_TRUE(MakeRunSetup(options, &setup).ok());
  std::mt19937 rnd(5);
  const std::string text = RandomTrickyText(&rnd, 6000);
  for (size_t chunk_bytes : {1, 3, 16, 100, 5000}) {
    const std::vector<uint64_t> want =
        ExpectedBegins(*setup.rules, text, chunk_bytes);
    for (size_t buffers : {2, 5}) {
      for (int workers : {1, 3}) {
        SCOPED_TRACE(testing::Message() << "chunk_bytes " << chunk_bytes
                                        << " buffers " << buffers
                                        << " workers " << workers);
        const Cut cut =
            CutStream(*setup.rules, text, chunk_bytes, buffers, workers);
        EXPECT_EQ(cut.bytes, text);
        EXPECT_EQ(cut.begins, want);
      }
    }
  }
  if (ExpectedBegins(*setup.rules, text, 100).size() < 20) {
    ADD_FAILURE() << "the text has too few edges to test anything";
  }
}

// JSON Lines under --bad-records strict: each chunk knows the number of
// its first line, whatever the chunk size, pool or workers (an error names
// it); under skip, lines are not counted.
TEST(StreamChunkerTest, StrictRecordsNumberEachChunksFirstLine) {
  std::mt19937 rnd(11);
  std::string text;
  for (int i = 0; i < 400; ++i) {
    text += "{\"text\": \"" + std::string(rnd() % 90, 'a' + i % 26) + "\"}";
    text += rnd() % 4 == 0 ? "\r\n" : rnd() % 9 == 0 ? "\n\n" : "\n";
  }
  for (BadRecords policy : {BadRecords::kStrict, BadRecords::kSkip}) {
    IndexOptions options;
    options.jsonl_field = "text";
    options.bad_records = policy;
    RunSetup setup;
    ASSERT_TRUE(MakeRunSetup(options, &setup).ok());
    for (size_t chunk_bytes : {1, 50, 700}) {
      for (int workers : {1, 3}) {
        SCOPED_TRACE(testing::Message() << "chunk_bytes " << chunk_bytes
                                        << " workers " << workers);
        const Cut cut = CutStream(*setup.rules, text, chunk_bytes, 3, workers);
        ASSERT_EQ(cut.bytes, text);
        ASSERT_GT(cut.begins.size(), 3u);
        for (size_t i = 0; i < cut.begins.size(); ++i) {
          const uint64_t want =
              policy == BadRecords::kSkip
                  ? 0
                  : 1 + std::count(text.begin(), text.begin() + cut.begins[i], '\n');
          EXPECT_EQ(cut.first_lines[i], want) << "chunk at " << cut.begins[i];
        }
      }
    }
  }
}

// A named stream under --bad-records strict: with a check, its reader hands
// out no line at or after the first bad record whole, however the stream is cut
// (without one, workers get chunks past it, and could commit them before
// the bad record's chunk fails), and Run() names the record.
TEST(StreamChunkerTest, ACheckStopsTheStreamAtItsFirstBadRecord) {
  IndexOptions options;
  options.jsonl_field = "text";
  options.bad_records = BadRecords::kStrict;
  RunSetup setup;
  ASSERT_TRUE(MakeRunSetup(options, &setup).ok());
  std::string text;
  for (int i = 0; i < 300; ++i) {
    text += "{\"text\": \"" + std::string(1 + i % 50, 'a' + i % 26) + "\"}\n";
  }
  const uint64_t bad_begin = text.size();
  text += "{\"text\": 12}\n";
  const uint64_t bad_line_end = text.size() - 1;  // its "\n"
  for (int i = 0; i < 300; ++i) text += "{\"text\": \"after\"}\n";
  for (bool checked : {true, false}) {
    for (size_t chunk_bytes : {1, 64, 1000}) {
      SCOPED_TRACE(testing::Message() << "checked " << checked << " chunk_bytes "
                                      << chunk_bytes);
      Feeder feeder(text, static_cast<uint32_t>(chunk_bytes));
      StreamInput in(feeder.fd(), "-");
      std::atomic<bool> stop{false};
      JsonlStreamCheck check("shards", "text", 0);
      StreamChunker chunker(&in, *setup.rules, chunk_bytes, 3, &stop, nullptr,
                            checked ? &check : nullptr);
      Status run;
      std::thread reader([&] { run = chunker.Run(); });
      uint64_t handed_end = 0;  // the end of the bytes handed out
      uint64_t last_begin = 0;
      StreamChunker::Chunk* chunk;
      uint64_t begin;
      while (chunker.Next(&chunk, &begin)) {
        std::string bytes(text.size(), '\0');
        size_t got = 0;
        // Aborted if the reading stopped in the chunk.
        (void)chunker.Read(chunk, bytes.data(), bytes.size(), &got);
        chunker.Release(chunk);
        last_begin = std::max(last_begin, begin);
        EXPECT_EQ(bytes.substr(0, got), text.substr(begin, got));
        handed_end = std::max<uint64_t>(handed_end, begin + got);
      }
      reader.join();
      if (checked) {
        // Of the bad record's line, a part may have been handed out (read
        // before its end was), never its end: no worker counts it.
        EXPECT_LE(last_begin, bad_begin);
        EXPECT_LE(handed_end, bad_line_end);
        EXPECT_TRUE(run.IsInvalidArgument());
        EXPECT_EQ(run.message(),
                  "shards: line 301 (byte " + std::to_string(bad_begin) +
                      ") holds no string in the field (--jsonl text); fix it, "
                      "or index with --bad-records skip");
      } else {
        EXPECT_EQ(handed_end, text.size());
        EXPECT_TRUE(run.ok()) << run.ToString();
      }
    }
  }
}

StreamChunk Recorded(uint64_t begin, uint64_t offset, bool complete,
                     uint64_t hashed_end) {
  StreamChunk c;
  c.begin = begin;
  c.complete = complete;
  c.checkpoint.offset = offset;
  c.checkpoint.hashed = true;
  c.checkpoint.hashed_end = hashed_end;
  return c;
}

// A named stream fed again with another chunk size: its recorded chunks
// keep their edges, the others are cut by the rule within the gaps, and a
// partial chunk reaches at least what its record hashed.
TEST(StreamChunkerTest, RecordedEdgesAreKept) {
  IndexOptions options;
  options.special_tokens = {kEot, "ab"};
  RunSetup setup;
  ASSERT_TRUE(MakeRunSetup(options, &setup).ok());
  std::mt19937 rnd(9);
  const std::string text = RandomTrickyText(&rnd, 8000);
  const Cut first = CutStream(*setup.rules, text, 300, 3, 2);
  ASSERT_GE(first.begins.size(), 8u);
  std::vector<uint64_t> ends(first.begins.begin() + 1, first.begins.end());
  ends.push_back(text.size());
  // Chunks 0 and 2 complete, 4 partial (next recorded: 6), 6 complete, the
  // last partial; 1, 3, 5 and the rest never recorded.
  StreamChunks records;
  for (size_t i : {0, 2, 6}) {
    records[first.begins[i]] =
        Recorded(first.begins[i], ends[i], true, ends[i]);
  }
  const uint64_t b4 = first.begins[4];
  records[b4] = Recorded(b4, b4 + 10, false, b4 + 40);
  const size_t last = first.begins.size() - 1;
  const uint64_t bl = first.begins[last];
  records[bl] = Recorded(bl, bl + 1, false, ends[last]);
  const StreamLayout layout(records, false, 0);
  ASSERT_TRUE(layout.Check("db", "s").ok());
  for (size_t chunk_bytes : {7, 5000}) {
    SCOPED_TRACE(testing::Message() << "chunk_bytes " << chunk_bytes);
    const Cut cut = CutStream(*setup.rules, text, chunk_bytes, 3, 2, &layout);
    EXPECT_EQ(cut.bytes, text);
    std::vector<uint64_t> cut_ends(cut.begins.begin() + 1, cut.begins.end());
    cut_ends.push_back(text.size());
    auto end_of = [&](uint64_t begin) {
      auto it = std::find(cut.begins.begin(), cut.begins.end(), begin);
      EXPECT_NE(it, cut.begins.end()) << "no chunk begins at " << begin;
      return it == cut.begins.end() ? 0 : cut_ends[it - cut.begins.begin()];
    };
    for (size_t i : {0, 2, 6}) EXPECT_EQ(end_of(first.begins[i]), ends[i]);
    EXPECT_EQ(end_of(b4), first.begins[6]);  // the next recorded begin
    EXPECT_EQ(end_of(bl), text.size());      // at least its hashed bytes
    // Chunks never cross a recorded begin, and each begins at an edge.
    for (uint64_t b : cut.begins) {
      EXPECT_TRUE(b == 0 || FindFirstChunkEdge(*setup.rules, text, b, b + 1) == b)
          << b << " is no edge";
    }
  }
}

// The run that counted a stream's last chunk died before recording the
// stream's end: fed a longer stream, the chunk's end (counted as an end)
// must be an edge of it, or the stream is refused.
TEST(StreamChunkerTest, AnOldEndThatIsNoEdgeIsRefused) {
  IndexOptions options;
  RunSetup setup;
  ASSERT_TRUE(MakeRunSetup(options, &setup).ok());
  StreamChunks records;
  records[0] = Recorded(0, 3, true, 3);  // "hel"
  const StreamLayout layout(records, false, 0);
  for (const auto& [text, ok] : {std::pair<std::string, bool>{"hello world", false},
                                 {"hel lo world", true},
                                 {"hel", true}}) {
    SCOPED_TRACE(text);
    Feeder feeder(text, 3);
    StreamInput in(feeder.fd(), "-");
    std::atomic<bool> stop{false};
    StreamChunker chunker(&in, *setup.rules, 4, 3, &stop, &layout);
    Status run;
    std::thread reader([&] { run = chunker.Run(); });
    StreamChunker::Chunk* chunk;
    uint64_t begin;
    std::vector<uint64_t> begins;
    while (chunker.Next(&chunk, &begin)) {
      char buf[64];
      size_t got;
      do {
        if (!chunker.Read(chunk, buf, sizeof(buf), &got).ok()) break;
      } while (got == sizeof(buf));
      chunker.Release(chunk);
      begins.push_back(begin);
    }
    reader.join();
    EXPECT_EQ(run.ok(), ok) << run.ToString();
    if (!ok) EXPECT_TRUE(run.IsInvalidArgument()) << run.ToString();
    if (ok && text.size() > 3) EXPECT_EQ(begins[1], 3u);
  }
}

TEST(StreamChunkerTest, EmptyStreamHasNoChunk) {
  IndexOptions options;
  RunSetup setup;
  ASSERT_TRUE(MakeRunSetup(options, &setup).ok());
  const Cut cut = CutStream(*setup.rules, "", 10, 2, 2);
  EXPECT_TRUE(cut.begins.empty());
}

// A worker that fails cancels the chunker: the reader stops waiting for
// buffers that nobody will free, and Run() returns Aborted.
TEST(StreamChunkerTest, CancelStopsTheReader) {
  IndexOptions options;
  RunSetup setup;
  ASSERT_TRUE(MakeRunSetup(options, &setup).ok());
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "word ";
  Feeder feeder(text, 1);
  StreamInput in(feeder.fd(), "-");
  std::atomic<bool> stop{false};
  StreamChunker chunker(&in, *setup.rules, 64, 2, &stop);
  Status run;
  std::thread reader([&] { run = chunker.Run(); });
  StreamChunker::Chunk* chunk;
  uint64_t begin;
  ASSERT_TRUE(chunker.Next(&chunk, &begin));  // then never read: pool runs dry
  chunker.Cancel();
  reader.join();
  EXPECT_TRUE(run.IsAborted()) << run.ToString();
  char buf[1 << 16];
  size_t got;
  Status s = Status::OK();
  while (s.ok()) {
    s = chunker.Read(chunk, buf, sizeof(buf), &got);
    if (s.ok() && got < sizeof(buf)) break;
  }
  chunker.Release(chunk);
  EXPECT_FALSE(chunker.Next(&chunk, &begin));
}

struct Snapshot {
  Counts counts;
  DbStats stats;
};

Snapshot ReadDb(const std::string& db) {
  Snapshot snap;
  std::unique_ptr<CountReader> reader;
  Status s = CountReader::Open(db, &reader);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return snap;
  for (auto it = reader->NewIterator(); it->Valid(); it->Next()) {
    snap.counts[std::string(it->token())] = it->count();
  }
  EXPECT_TRUE(reader->GetStats(&snap.stats).ok());
  return snap;
}

// How a stream is indexed: workers, IndexOptions::read_buffer_size (which
// sets the chunk size too: 7 bytes puts every edge case on a chunk
// boundary) and memory limit (64K: many spills).
struct StreamRun {
  int workers;
  size_t read_buffer_size;
  uint64_t memory_limit;
};

const std::vector<StreamRun> kRuns = {{1, 300, 64 << 10},
                                      {2, 7, 64 << 10},
                                      {2, 0, 1 << 30},
                                      {3, 300, 64 << 10},
                                      {3, 0, 64 << 10}};

class StreamIndexTest : public testing::Test {
 protected:
  // Indexes `text` as a file (one worker, the default buffers), then as a
  // stream in each of `runs`, and checks that the counts and stats agree.
  void CheckLikeAFile(const std::string& text, const IndexOptions& options,
                      const std::vector<StreamRun>& runs = kRuns) {
    const std::string path = dir_.File("text" + std::to_string(++n_));
    WriteFile(path, text);
    const std::string file_db = dir_.File("file" + std::to_string(n_));
    IndexOptions file_options = options;
    file_options.workers = 1;
    {
      Indexer indexer(file_db, file_options);
      ASSERT_TRUE(indexer.Run({path}).ok());
    }
    const Snapshot want = ReadDb(file_db);
    for (const StreamRun& run : runs) {
      SCOPED_TRACE(testing::Message()
                   << "workers " << run.workers << " read_buffer_size "
                   << run.read_buffer_size << " memory_limit "
                   << run.memory_limit);
      IndexOptions o = options;
      o.workers = run.workers;
      o.read_buffer_size = run.read_buffer_size;
      o.memory_limit = run.memory_limit;
      const std::string db = dir_.File("stream" + std::to_string(++n_));
      Feeder feeder(text, static_cast<uint32_t>(n_));
      Indexer indexer(db, o);
      Status s = indexer.RunStream(feeder.fd());
      ASSERT_TRUE(s.ok()) << s.ToString();
      const Snapshot got = ReadDb(db);
      EXPECT_TRUE(got.counts == want.counts) << "counts differ";
      EXPECT_EQ(got.stats.documents, want.stats.documents);
      EXPECT_EQ(got.stats.pretokens, want.stats.pretokens);
      EXPECT_EQ(got.stats.distinct_pretokens, want.stats.distinct_pretokens);
      EXPECT_EQ(got.stats.invalid_utf8_replaced,
                want.stats.invalid_utf8_replaced);
      EXPECT_EQ(got.stats.skipped_stretches, want.stats.skipped_stretches);
      EXPECT_EQ(got.stats.skipped_bytes, want.stats.skipped_bytes);
      ASSERT_EQ(got.stats.files.size(), 1u);
      EXPECT_EQ(got.stats.files[0].path, "-");
      EXPECT_EQ(got.stats.files[0].size, text.size());
      if (run.memory_limit == (64 << 10) && text.size() > (100 << 10)) {
        EXPECT_GT(got.stats.spills, 1u) << "meant to spill";
      }
    }
  }

  TempDir dir_;
  int n_ = 0;
};

// Text from words, with the parts that make cuts hard: special tokens and
// their prefixes, multi-byte and ill-formed UTF-8, \r\n, runs of spaces.
std::string Mixed(std::mt19937* rnd, size_t bytes) {
  static const std::vector<std::string> words = {
      "the", "cat", "it's", "we'll", "42", "3.14", "caf\xC3\xA9",
      "\xE6\x97\xA5\xE6\x9C\xAC", "\xF0\x9F\x8E\x89", "!!", "(x)", "\xE2\x82",
      "\xFF", "<|endoftext", "|>", "<|end", "e\xCC\x81", "\xD9\xA3"};
  static const std::vector<std::string> gaps = {
      " ", " ", " ", "  ", "\n", "\r\n", "\r\n\r\n", "\t", "\xC2\xA0",
      "   \n", kEot, "<|end|>", kEot + kEot, " " + kEot + "\r\n"};
  std::string s;
  while (s.size() < bytes) {
    s += (*rnd)() % 3 == 0 ? "w" + std::to_string((*rnd)() % 30000)
                           : words[(*rnd)() % words.size()];
    s += gaps[(*rnd)() % gaps.size()];
  }
  return s;
}

TEST_F(StreamIndexTest, MixedTextUnderEachPolicy) {
  std::mt19937 rnd(3);
  const std::string text = Mixed(&rnd, 150 << 10);
  IndexOptions options;
  options.special_tokens = {kEot, "<|end|>"};
  for (InvalidUtf8 policy : {InvalidUtf8::kReplace, InvalidUtf8::kSkip}) {
    SCOPED_TRACE(policy == InvalidUtf8::kSkip ? "skip" : "replace");
    options.invalid_utf8 = policy;
    CheckLikeAFile(text, options);
  }
}

TEST_F(StreamIndexTest, TrickyPiecesUnderEachPattern) {
  std::mt19937 rnd(4);
  const std::string text = RandomTrickyText(&rnd, 8000);
  for (const char* pattern : {"gpt2", "cl100k", "o200k"}) {
    SCOPED_TRACE(pattern);
    IndexOptions options;
    options.pattern = pattern;
    CheckLikeAFile(text, options);
  }
}

TEST_F(StreamIndexTest, EdgeCases) {
  IndexOptions options;
  for (const std::string& text : std::vector<std::string>{
           std::string(), kEot, kEot + kEot, "a" + kEot, "tail <|endoftext|",
        "tail <|endof", "<", "x\r\n", "\r\n\r\n", "\xE6\x97",
        "\xF0\x9F\x8E\x89\xF0\x9F\x8E", std::string(5000, ' ') + "x"}) {
    SCOPED_TRACE(testing::Message() << "text of " << text.size() << " bytes");
    CheckLikeAFile(text, options, {{1, 7, 1 << 30}, {2, 7, 64 << 10}});
  }
}

// One short text chunked at every size up to its length, each chunk
// counted on its own (as a worker does) and the counts added: each chunk
// edge lands on each byte near the tokens, the CRLFs and the multi-byte and
// ill-formed characters in turn, and the sum is the Python program's
// (ReferenceCount) under replace, and the whole text's under skip.
TEST(StreamChunkerTest, ChunkEdgesAtEveryPosition) {
  const std::string text =
      "ab <|endoftext|>caf\xC3\xA9\r\n\xE6\x97\xA5 x<|endoftext|>"
      "<|endoftext|>  \xF0\x9F\x8E\x89\xFF y\xE2\x82\r\n\r\n<|endof";
  for (InvalidUtf8 policy : {InvalidUtf8::kReplace, InvalidUtf8::kSkip}) {
    IndexOptions options;
    options.invalid_utf8 = policy;
    RunSetup setup;
    ASSERT_TRUE(MakeRunSetup(options, &setup).ok());
    // Counts [begins[i], begins[i + 1]) one after the other.
    auto count = [&](const std::vector<uint64_t>& begins, Counts* counts,
                     CounterStats* stats) {
      CountTable table(256 << 10, 16);
      ChunkCounter counter(*setup.rules, 5, 16, &table, stats);
      for (size_t i = 0; i < begins.size(); ++i) {
        const uint64_t end = i + 1 < begins.size() ? begins[i + 1] : text.size();
        uint64_t at = begins[i];
        ASSERT_TRUE(counter.CountStream(
            at,
            [&](char* dst, size_t n, size_t* got) {
              *got = std::min<uint64_t>(n, end - at);
              std::memcpy(dst, text.data() + at, *got);
              at += *got;
              return Status::OK();
            },
            [](uint64_t) { return Status::OK(); }, [](uint64_t) {}).ok());
      }
      table.ForEach([&](std::string_view t, uint64_t n) {
        (*counts)[std::string(t)] += n;
      });
    };
    Counts whole;
    CounterStats whole_stats;
    count({0}, &whole, &whole_stats);
    if (policy == InvalidUtf8::kReplace) {
      const testing_util::Reference ref =
          testing_util::ReferenceCount(text, {kEot});
      ASSERT_TRUE(whole == ref.counts) << "the whole text counts wrong";
      ASSERT_EQ(whole_stats.invalid_utf8, ref.invalid_utf8);
    }
    std::set<uint64_t> used;  // the chunk edges some chunking cut at
    for (size_t chunk = 1; chunk <= text.size(); ++chunk) {
      SCOPED_TRACE(testing::Message() << "policy " << static_cast<int>(policy)
                                      << " chunk " << chunk);
      const Cut cut = CutStream(*setup.rules, text, chunk, 2, 2);
      ASSERT_EQ(cut.bytes, text);
      used.insert(cut.begins.begin() + 1, cut.begins.end());
      Counts counts;
      CounterStats stats;
      count(cut.begins, &counts, &stats);
      EXPECT_TRUE(counts == whole) << "counts differ";
      EXPECT_EQ(stats.separators, whole_stats.separators);
      EXPECT_EQ(stats.invalid_utf8, whole_stats.invalid_utf8);
    }
    // Every edge of the text was a chunk's end in some chunking.
    std::set<uint64_t> edges;
    for (size_t q = 1; q < text.size(); ++q) {
      if (FindFirstChunkEdge(*setup.rules, text, q, q + 1) == q) edges.insert(q);
    }
    EXPECT_EQ(used, edges);
    // (Under skip, no edge is near an ill-formed byte.)
    EXPECT_GE(edges.size(), policy == InvalidUtf8::kSkip ? 4u : 10u)
        << "too few chunk edges to test anything";
  }
}

// Stretches over kMaxPretokenBytes with no cut are skipped as in a file,
// wherever the chunk targets fall in or around them.
TEST_F(StreamIndexTest, LongStretchesAreSkippedAsInAFile) {
  const std::string stretch(kMaxPretokenBytes + 10, 'a');
  const std::string text = "start " + stretch + " middle\xFF " + kEot +
                           std::string(kMaxPretokenBytes - 1, '7') + kEot +
                           "x" + stretch;
  IndexOptions options;
  CheckLikeAFile(text, options, {{1, 4096, 64 << 10}, {2, 0, 64 << 10},
                                 {3, 4096, 1 << 30}});
}

}  // namespace
}  // namespace pretokdb

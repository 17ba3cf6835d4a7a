// Copyright (c) pretok-db authors.
//
// A named stream's chunk records (store/stream_chunk.h) and where its
// chunks end when it is fed again (ingest/stream_layout.h).

#include "ingest/stream_layout.h"

#include <gtest/gtest.h>

#include "store/stream_chunk.h"

namespace pretokdb {
namespace {

constexpr uint64_t kNo = StreamLayout::kNoBound;

std::pair<uint64_t, uint64_t> Pair(uint64_t a, uint64_t b) { return {a, b}; }

StreamChunk Chunk(uint64_t begin, uint64_t offset, bool complete,
                  uint64_t hashed_end, uint64_t digest = 7) {
  StreamChunk c;
  c.begin = begin;
  c.complete = complete;
  c.checkpoint.offset = offset;
  c.checkpoint.hashed = true;
  c.checkpoint.hashed_end = hashed_end;
  c.checkpoint.digest = digest;
  return c;
}

TEST(StreamChunkTest, RoundTrips) {
  for (const StreamChunk& c :
       {Chunk(0, 100, true, 100, 0x1234567890abcdefULL), Chunk(5, 5, false, 5),
        Chunk(1 << 20, (1 << 20) + 7, false, (1 << 20) + 4000)}) {
    StreamChunk back;
    ASSERT_TRUE(DecodeStreamChunk(c.begin, EncodeStreamChunk(c), &back));
    EXPECT_EQ(back, c);
  }
}

TEST(StreamChunkTest, RefusesWhatItCannotRead) {
  StreamChunk back;
  // Complete, but its hash stops short of its end.
  std::string v = EncodeStreamChunk(Chunk(0, 100, true, 100));
  EXPECT_TRUE(DecodeStreamChunk(0, v, &back));
  EXPECT_FALSE(DecodeStreamChunk(
      0, EncodeStreamChunk(Chunk(0, 100, true, 150)), &back));
  // An offset before the chunk's begin (the key's).
  EXPECT_FALSE(DecodeStreamChunk(200, EncodeStreamChunk(Chunk(200, 100, false, 300)),
                                 &back));
  // A later version, or a value cut short.
  std::string later = v;
  later[0] = 2;
  EXPECT_FALSE(DecodeStreamChunk(0, later, &back));
  EXPECT_FALSE(DecodeStreamChunk(0, v.substr(0, v.size() - 1), &back));
  // A checkpoint without a hash.
  StreamChunk unhashed = Chunk(0, 10, false, 10);
  unhashed.checkpoint.hashed = false;
  EXPECT_FALSE(DecodeStreamChunk(0, EncodeStreamChunk(unhashed), &back));
}

TEST(StreamLayoutTest, NewStreamIsCutByTheRule) {
  const StreamLayout layout({}, false, 0);
  const auto b = layout.ChunkBounds(1000, 64);
  EXPECT_EQ(b.min_end, 1064u);
  EXPECT_EQ(b.max_end, kNo);
  EXPECT_EQ(layout.Recorded(0), nullptr);
  EXPECT_EQ(layout.tail_begin(), kNo);
}

TEST(StreamLayoutTest, RecordedChunksKeepTheirEdges) {
  StreamChunks chunks;
  chunks[0] = Chunk(0, 100, true, 100);      // complete
  chunks[100] = Chunk(100, 120, false, 150);  // partial, a record follows
  chunks[400] = Chunk(400, 450, true, 450);  // complete, after a gap
  chunks[900] = Chunk(900, 905, false, 980);  // partial, the last
  const StreamLayout layout(chunks, false, 0);
  ASSERT_TRUE(layout.Check("db", "s").ok());
  auto bounds = [&](uint64_t begin, uint64_t chunk_bytes) {
    const auto b = layout.ChunkBounds(begin, chunk_bytes);
    return std::pair<uint64_t, uint64_t>(b.min_end, b.max_end);
  };
  // Whatever the chunk size now.
  for (uint64_t chunk_bytes : {1, 1000}) {
    EXPECT_EQ(bounds(0, chunk_bytes), Pair(100, 100));
    EXPECT_EQ(bounds(100, chunk_bytes), Pair(400, 400));
    EXPECT_EQ(bounds(400, chunk_bytes), Pair(450, 450));
  }
  // In the gap after a complete chunk: by the rule, never past the next.
  EXPECT_EQ(bounds(450, 100), Pair(550, 900));
  EXPECT_EQ(bounds(450, 1000), Pair(900, 900));
  // The last partial chunk reaches at least what it hashed.
  EXPECT_EQ(bounds(900, 10), Pair(980, kNo));
  EXPECT_EQ(bounds(900, 500), Pair(1400, kNo));
  EXPECT_EQ(bounds(2000, 64), Pair(2064, kNo));
  ASSERT_NE(layout.Recorded(100), nullptr);
  EXPECT_EQ(layout.Recorded(100)->checkpoint.offset, 120u);
  EXPECT_EQ(layout.Recorded(101), nullptr);
}

TEST(StreamLayoutTest, EndedStreamTail) {
  StreamChunks chunks;
  chunks[0] = Chunk(0, 100, true, 100);
  chunks[100] = Chunk(100, 250, true, 250);
  const StreamLayout layout(chunks, true, 250);
  ASSERT_TRUE(layout.Check("db", "s").ok());
  EXPECT_EQ(layout.tail_begin(), 100u);
  EXPECT_EQ(layout.ChunkBounds(0, 10).max_end, 100u);
  // The last chunk ends at the first edge at or after the old end: there
  // if the stream ends there, further if it grew.
  EXPECT_EQ(layout.ChunkBounds(100, 10).min_end, 250u);
  EXPECT_EQ(layout.ChunkBounds(100, 10).max_end, kNo);
  // An empty ended stream has no tail.
  EXPECT_EQ(StreamLayout({}, true, 0).tail_begin(), kNo);
  EXPECT_TRUE(StreamLayout({}, true, 0).Check("db", "s").ok());
}

// The last chunk of a stream whose run died between counting it and
// recording the stream's end was cut at that end: if the stream now goes
// on, that must be an edge of it (the chunker refuses the stream if not).
TEST(StreamLayoutTest, LastCompleteChunkOfAnUnendedStream) {
  StreamChunks chunks;
  chunks[0] = Chunk(0, 100, true, 100);
  chunks[100] = Chunk(100, 250, true, 250);
  const StreamLayout layout(chunks, false, 0);
  EXPECT_FALSE(layout.ChunkBounds(0, 10).must_be_edge);
  const auto b = layout.ChunkBounds(100, 10);
  EXPECT_TRUE(b.must_be_edge);
  EXPECT_EQ(b.max_end, 250u);
  EXPECT_EQ(layout.tail_begin(), kNo);  // not ended: no tail to count again
}

// What a run does not count again, so a strict reader need not check it:
// the complete chunks from the start up to the first gap or partial chunk,
// not an ended stream's tail (counted again if the stream grew).
TEST(StreamLayoutTest, CountedPrefix) {
  StreamChunks chunks;
  chunks[0] = Chunk(0, 100, true, 100);
  chunks[100] = Chunk(100, 250, true, 250);
  EXPECT_EQ(StreamLayout(chunks, false, 0).counted_prefix(), 250u);
  EXPECT_EQ(StreamLayout(chunks, true, 250).counted_prefix(), 100u);
  chunks[250] = Chunk(250, 300, false, 300);  // partial
  chunks[400] = Chunk(400, 500, true, 500);
  EXPECT_EQ(StreamLayout(chunks, false, 0).counted_prefix(), 250u);
  chunks.erase(0);  // a gap at the start
  EXPECT_EQ(StreamLayout(chunks, false, 0).counted_prefix(), 0u);
  EXPECT_EQ(StreamLayout({}, false, 0).counted_prefix(), 0u);
  EXPECT_EQ(StreamLayout({}, true, 0).counted_prefix(), 0u);
}

TEST(StreamLayoutTest, RecordsThatDoNotFitAreCorrupt) {
  StreamChunks overlap;
  overlap[0] = Chunk(0, 100, false, 160);
  overlap[150] = Chunk(150, 200, true, 200);
  EXPECT_TRUE(StreamLayout(overlap, false, 0).Check("db", "s").IsCorruption());
  StreamChunks gap;
  gap[0] = Chunk(0, 100, true, 100);
  gap[200] = Chunk(200, 300, true, 300);
  EXPECT_TRUE(StreamLayout(gap, false, 0).Check("db", "s").ok());
  EXPECT_TRUE(StreamLayout(gap, true, 300).Check("db", "s").IsCorruption());
  StreamChunks partial;
  partial[0] = Chunk(0, 50, false, 60);
  EXPECT_TRUE(StreamLayout(partial, true, 50).Check("db", "s").IsCorruption());
  StreamChunks whole;
  whole[0] = Chunk(0, 100, true, 100);
  EXPECT_TRUE(StreamLayout(whole, true, 120).Check("db", "s").IsCorruption());
  EXPECT_TRUE(StreamLayout(whole, true, 100).Check("db", "s").ok());
}

}  // namespace
}  // namespace pretokdb

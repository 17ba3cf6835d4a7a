// Cuts a stream (standard input) into chunks that several workers count at
// once, as PlanChunks cuts a file.
//
// A reader thread (Run()) fills buffers of a fixed pool from the stream and
// cuts it at chunk edges (FindFirstChunkEdge, ingest/chunk_planner.h): a
// chunk starting at c ends at the first edge at or after c + chunk_bytes.
// The edges, and so the chunks, depend on the bytes alone, and since an edge
// is a chunk edge of a file too, the counts and stats of a stream are those
// of the same bytes in a file, whatever the chunk size or the number of
// workers.
//
// A chunk is queued as soon as its first bytes are read, as segments of the
// pool's buffers that the worker counting it copies out (ChunkCounter
// counts them as it counts a file's bytes). A stretch with no edge (a
// megabyte of one letter, or no special token under a user's pattern) thus
// never has to be held whole: its chunk keeps growing by segments, and its
// worker skips what is too long to count exactly as for a file. A buffer
// goes back to the pool when the last segment in it is copied out; the
// reader waits for one when the pool is empty, so the stream's memory is
// the pool's (PlanStreamPool, ingest/memory_plan.h).
//
// JSON Lines with --bad-records strict: the reader counts the line ends it
// reads, so that an input whose first byte starts its first line
// (ByteInput::starts_at_line_one) tells each chunk the number of its first
// line, and an error can name the line of a bad record. The workers cannot
// know it: what comes before their chunk is counted elsewhere. A named
// stream's reader instead checks each record before a worker is handed it
// (ingest/jsonl_stream_check.h), so no worker meets a bad one: at the
// first bad record the reading stops; the lines before it are handed out,
// and of it at most a part without its end, which no worker counts.
//
// Thread-safe: Run() in one thread, the rest from the workers'.

#ifndef PRETOKDB_INGEST_STREAM_CHUNKER_H_
#define PRETOKDB_INGEST_STREAM_CHUNKER_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "ingest/jsonl_stream_check.h"
#include "ingest/stream_input.h"
#include "ingest/stream_layout.h"
#include "ingest/text_rules.h"
#include "pretokdb/status.h"

namespace pretokdb {

class StreamChunker {
 public:
  class Chunk;

  // Reads `in` in `buffers` (at least 2) buffers of chunk_bytes plus the
  // context an edge needs; stops when *stop is set. With a layout (a named
  // stream fed again, ingest/stream_layout.h) the chunks end where it says,
  // and every edge is found with the context after it, even at the end.
  // With a check, the records are checked as they are read, and Run()
  // returns its error. What in, rules, stop, layout and check point to
  // must outlive the chunker.
  StreamChunker(ByteInput* in, const TextRules& rules, size_t chunk_bytes,
                size_t buffers, const std::atomic<bool>* stop,
                const StreamLayout* layout = nullptr,
                JsonlStreamCheck* check = nullptr);
  ~StreamChunker();
  StreamChunker(const StreamChunker&) = delete;
  StreamChunker& operator=(const StreamChunker&) = delete;

  // Reads the stream to its end, queueing its chunks. Returns the read
  // error, the check's, or Aborted if stopped or cancelled (then no further chunk is
  // handed out, and the one being read ends in Aborted).
  Status Run();

  // Waits for the next chunk, which starts at stream offset *begin; false
  // when there are no more (the stream ended, or the reading stopped).
  // *first_line (if not null): the number (from 1) of the line the chunk
  // starts, or 0 where lines are not counted (see above).
  bool Next(Chunk** chunk, uint64_t* begin, uint64_t* first_line = nullptr);

  // Copies the chunk's next bytes to dst, as ChunkCounter::StreamReadFn:
  // *got < n only at the chunk's end. Aborted if the reading stopped first.
  Status Read(Chunk* chunk, char* dst, size_t n, size_t* got);

  // Ends the use of a chunk from Next(), read to its end or not.
  void Release(Chunk* chunk);

  // Stops Run() and every wait (a worker failed: nobody reads on).
  void Cancel();

 private:
  struct Buffer {
    std::unique_ptr<char[]> data;
    int refs = 0;  // the reader's, and one per segment in it
  };

  Status ReadAll();
  // Waits for a free buffer; null if cancelled.
  Buffer* Acquire();
  void UnrefLocked(Buffer* b);
  // Adds stream bytes [begin, end) of b, which holds offset w0 at its
  // start, to the current chunk (a new one if none); `last`: the chunk
  // ends at `end`.
  void Emit(Buffer* b, uint64_t w0, uint64_t begin, uint64_t end, bool last);

  ByteInput* const in_;
  const TextRules& rules_;
  const size_t chunk_bytes_;
  const size_t context_;   // ChunkEdgeContext(rules)
  const size_t capacity_;  // of each buffer
  const std::atomic<bool>* const stop_;
  const StreamLayout* const layout_;
  JsonlStreamCheck* const check_;
  const bool count_lines_;
  uint64_t line_ends_ = 0;  // "\n" in the chunks so far; the reader's only

  std::mutex mu_;
  std::condition_variable changed_;  // any of the below
  std::vector<Buffer> buffers_;
  std::vector<Buffer*> free_;
  std::vector<std::unique_ptr<Chunk>> live_;  // queued or being read
  std::deque<Chunk*> queued_;
  Chunk* current_ = nullptr;  // the chunk the reader adds to
  bool ended_ = false;        // Run() returned
  bool failed_ = false;       // ... without reaching the stream's end
  bool cancelled_ = false;
};

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_STREAM_CHUNKER_H_

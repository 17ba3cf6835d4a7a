// Where the chunks of a named stream (index - --stream-name) end when the
// stream is fed again: the chunks it has records of keep their edges,
// whatever --workers and --memory-limit are now; the others are cut by the
// rule (ingest/stream_chunker.h), but never across a recorded chunk.
//
//   a complete chunk        ends at its recorded end;
//   a partial chunk         ends at the next recorded chunk's begin, or, if
//                           none follows, at the first edge at or after both
//                           begin + chunk_bytes and the end of its hashed
//                           bytes (which its worker checks);
//   a chunk with no record  ends at the first edge at or after begin +
//                           chunk_bytes, or at the next recorded begin if
//                           that comes first;
//   an ended stream's last  ends at the first edge at or after the old end:
//   chunk (its tail)        there if the stream ends there (or if the old
//                           end is an edge of the longer stream), beyond if
//                           it grew (its worker takes back the old counts
//                           and counts it again, source_growth.h's rule).
//
// Every recorded begin and end is an edge of the stream as recorded: a
// named stream's edges are found with the context after them even at its
// end, so that each is an edge of any longer stream too.
//
// Immutable; thread-safe.

#ifndef PRETOKDB_INGEST_STREAM_LAYOUT_H_
#define PRETOKDB_INGEST_STREAM_LAYOUT_H_

#include <cstdint>
#include <string>

#include "pretokdb/status.h"
#include "store/source_catalog.h"

namespace pretokdb {

class StreamLayout {
 public:
  static constexpr uint64_t kNoBound = UINT64_MAX;

  // A chunk ends at the first chunk edge q with min_end <= q < max_end, or
  // at max_end (an edge) if there is none; min_end >= max_end: at max_end.
  // must_be_edge: max_end, the end of the last chunk of a stream that did
  // not end (a run stopped or killed between counting its last chunk and
  // recording its end), was its end when counted: if the stream goes on,
  // it must be an edge of it, or the stream cannot be counted on (refused).
  struct Bounds {
    uint64_t min_end;
    uint64_t max_end;
    bool must_be_edge = false;
  };

  // chunks: the stream's records; ended: its record says it was read to
  // its end, `size` bytes.
  StreamLayout(StreamChunks chunks, bool ended, uint64_t size);

  // OK if the records fit together (ascending and disjoint; an ended
  // stream's complete and tiling [0, size)); Corruption otherwise.
  Status Check(const std::string& db, const std::string& name) const;

  Bounds ChunkBounds(uint64_t begin, uint64_t chunk_bytes) const;

  // The record of the chunk starting at begin, or null.
  const StreamChunk* Recorded(uint64_t begin) const;

  bool ended() const { return ended_; }
  uint64_t size() const { return size_; }
  // An ended stream's last chunk's begin; kNoBound if it has none.
  uint64_t tail_begin() const;
  // The end of the chunks recorded complete from the stream's start, with
  // no gap, that a run does not count again (an ended stream's tail is
  // counted again if the stream grew): what comes before is not read as
  // new.
  uint64_t counted_prefix() const;
  const StreamChunks& chunks() const { return chunks_; }

 private:
  const StreamChunks chunks_;
  const bool ended_;
  const uint64_t size_;
};

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_STREAM_LAYOUT_H_

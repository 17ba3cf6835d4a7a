// The text of a run of frames of a compressed file, cut where its
// neighbours cut it, and checked before it ends.
//
// A frame boundary is not a cut in the text (a word may straddle it), so a
// run of frames [begin, end) (compressed_file.h: GroupFrames) gives the text
// from E(its first text byte) to E(the first text byte of the next run),
// where E(t) is the first chunk edge (chunk_planner.h: FindFirstChunkEdge)
// at or after t + ChunkEdgeContext: both neighbours compute the same edge
// from the same bytes, so every byte of the file is given by exactly one
// run, and each run starts and ends at an edge, as a file's chunks do. The
// first run starts at 0, the last ends at the end of the text. A run with
// no edge in it gives nothing (its text goes to the run before); a file
// with no edge at all is the first run's. To find its end edge, a run reads
// on into the frames after it; it goes on to the end of the frame holding
// that edge, so every byte it gave is checked (a frame's or member's
// checksum, Decompressor::verified) before Read() reports the end. An error
// comes before the end, never after bytes that were not checked were
// reported complete.
//
// Memory: the decompressor's and a window of max(256 KiB, 8 x the context).
//
// Not thread-safe.

#ifndef PRETOKDB_INGEST_COMPRESSED_TEXT_H_
#define PRETOKDB_INGEST_COMPRESSED_TEXT_H_

#include <cstdint>
#include <memory>

#include "ingest/compressed_file.h"
#include "ingest/decompressor.h"
#include "ingest/stream_input.h"
#include "ingest/text_rules.h"

namespace pretokdb {

class CompressedText : public ByteInput {
 public:
  // The run `range` of file; first: it starts the file; last: it ends it.
  // What file and rules point to must outlive this.
  CompressedText(const SourceFile* file, Compression kind,
                 const TextRules& rules, CompressedRange range, bool first,
                 bool last);

  Status Read(char* dst, size_t n, size_t* got) override;
  // The first run's text is the file's from its start.
  bool starts_at_line_one() const override { return first_; }

  // Text offsets from the run's first text byte, once Read() has ended.
  uint64_t text_begin() const { return start_; }
  uint64_t text_end() const { return end_; }

  // XXH3-64 of the run's compressed bytes, once Read() has ended.
  uint64_t RawDigest() const { return dec_.raw_hash().Digest(); }

  static uint64_t WindowBytes(const TextRules& rules);

 private:
  // Finds the start or end edge, or moves the safe point on; false when
  // more text is needed.
  void Search();
  Status Fill();
  Status Drain();

  Decompressor dec_;
  const TextRules& rules_;
  const size_t context_;
  const bool first_;
  const bool last_;
  const size_t capacity_;
  std::unique_ptr<char[]> win_;
  uint64_t wbase_ = 0;  // text offset of win_[0]
  size_t wlen_ = 0;
  bool eof_ = false;    // the decompressor has ended
  bool have_start_;
  uint64_t start_ = 0;
  bool have_end_ = false;
  uint64_t end_ = 0;
  uint64_t searched_ = 0;  // no edge wanted lies in [lo, searched_)
  uint64_t safe_ = 0;      // bytes before it may be given
  uint64_t out_ = 0;       // next byte to give
  bool done_ = false;
};

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_COMPRESSED_TEXT_H_

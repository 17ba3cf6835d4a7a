// Counts the pretokens of a byte range of a file into a CountTable, reading
// it in buffers of constant size.
//
// A buffer is counted up to its last cut where resuming gives the same
// pretokens (after a special token, or a safe cut of text/safe_cut.h that no
// special token crosses); the tail is carried into the next buffer. Within a
// document, counting goes in pieces of at most ~piece_bytes ending at safe
// cuts, and after each piece (and each document) the caller's callback is
// told the file offset up to which everything is counted: a valid resume
// point, where it may spill and checkpoint.
//
// Memory: the buffer holds one read plus the carried tail. A stretch with no
// cut at all (e.g. megabytes without whitespace) is carried whole.
//
// Not thread-safe: one per worker.

#ifndef PRETOKDB_INGEST_CHUNK_COUNTER_H_
#define PRETOKDB_INGEST_CHUNK_COUNTER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "count/count_table.h"
#include "ingest/source_file.h"
#include "ingest/special_tokens.h"
#include "pretokdb/status.h"

namespace pretokdb {

// Totals since the last Reset(), committed with the table's counts.
struct CounterStats {
  uint64_t separators = 0;    // special tokens found
  uint64_t invalid_utf8 = 0;  // ill-formed sequences replaced by U+FFFD
  void Reset() { *this = CounterStats(); }
};

class ChunkCounter {
 public:
  // Called with an absolute offset; everything before it is in the table
  // and the stats. A non-OK status stops Count() and is returned by it.
  using ResumePointFn = std::function<Status(uint64_t offset)>;
  // Called with the number of bytes just counted, for progress.
  using ProgressFn = std::function<void(uint64_t bytes)>;

  // specials and table must outlive the counter.
  ChunkCounter(const SpecialTokens* specials, size_t read_buffer_bytes,
               size_t piece_bytes, CountTable* table, CounterStats* stats);

  // Counts [from, end) of file. REQUIRES: from is a chunk start or an offset
  // once passed to a ResumePointFn for this chunk.
  Status Count(const SourceFile& file, uint64_t from, uint64_t end,
               const ResumePointFn& resume_point, const ProgressFn& progress);

 private:
  // The largest resume cut in buf_[0, size_), or 0 if none.
  size_t FindCarryCut() const;
  Status CountSegment(size_t cut, uint64_t base,
                      const ResumePointFn& resume_point);
  Status CountDocument(size_t begin, size_t end, uint64_t base, bool valid,
                       const ResumePointFn& resume_point);
  void CountPiece(const char* p, size_t n, bool valid);
  void Reserve(size_t n);

  const SpecialTokens* const specials_;
  const size_t read_buffer_bytes_;
  const size_t piece_bytes_;
  CountTable* const table_;
  CounterStats* const stats_;

  std::unique_ptr<char[]> buf_;
  size_t capacity_ = 0;
  size_t size_ = 0;
  std::vector<SpecialTokens::Match> separators_;
  std::string scratch_;  // a piece with ill-formed UTF-8, replaced
};

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_CHUNK_COUNTER_H_

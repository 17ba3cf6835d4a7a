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
// cut at all longer than rules.max_stretch_bytes() (e.g. a megabyte of one
// letter: a single pretoken) is skipped whole, not counted, and reported
// through the skip callback and CounterStats, so the buffer stays bounded.
//
// With --invalid-utf8 skip the bytes are cleaned as they are read (Python
// decodes before it splits: dropping bytes can join a special token or a
// word), and positions in the cleaned buffer are mapped back to file
// offsets for the resume points.
//
// With JSON Lines (rules.jsonl()) the bytes are lines, each a record whose
// field is counted as a document (CountRecords): documents never join
// across records, and only record boundaries are resume points.
//
// Not thread-safe: one per worker.

#ifndef PRETOKDB_INGEST_CHUNK_COUNTER_H_
#define PRETOKDB_INGEST_CHUNK_COUNTER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "count/count_table.h"
#include "ingest/jsonl_record.h"
#include "ingest/source_file.h"
#include "ingest/special_tokens.h"
#include "ingest/text_rules.h"
#include "pretokdb/status.h"

namespace pretokdb {

// Totals since the last Reset(), committed with the table's counts.
struct CounterStats {
  uint64_t separators = 0;    // special tokens found
  uint64_t invalid_utf8 = 0;  // ill-formed sequences replaced or dropped
  uint64_t skipped_stretches = 0;  // stretches too long to count
  uint64_t skipped_bytes = 0;      // their file bytes
  // JSON Lines: records counted (each a document) and bad records skipped,
  // by BadRecord.
  uint64_t records = 0;
  uint64_t bad_records[kBadRecordKinds] = {};
  void Reset() { *this = CounterStats(); }
};

class ChunkCounter {
 public:
  // Called with an absolute offset; everything before it is in the table
  // and the stats. A non-OK status stops Count() and is returned by it.
  using ResumePointFn = std::function<Status(uint64_t offset)>;
  // Called with the number of bytes just counted, for progress.
  using ProgressFn = std::function<void(uint64_t bytes)>;
  // Called with the file offset and length of a skipped stretch.
  using SkipFn = std::function<void(uint64_t offset, uint64_t bytes)>;
  // Called with every read's bytes as read (before --invalid-utf8 skip
  // cleans them), in order, at their file offset.
  using RawBytesFn =
      std::function<void(uint64_t offset, const char* data, size_t n)>;

  // What rules points to, and table, must outlive the counter.
  ChunkCounter(const TextRules& rules, size_t read_buffer_bytes,
               size_t piece_bytes, CountTable* table, CounterStats* stats);

  void set_skip_callback(SkipFn fn) { on_skip_ = std::move(fn); }
  void set_raw_bytes_callback(RawBytesFn fn) { on_raw_bytes_ = std::move(fn); }
  // Counting again what a run committed, to take it back (a grown input's
  // old tail): its bad records were skipped (a strict run commits none), so
  // they are skipped again, whatever the policy, and counted in the stats
  // that are taken back.
  void set_taking_back(bool on) { taking_back_ = on; }

  // Counts [from, end) of file. REQUIRES: from is a chunk start or an offset
  // once passed to a ResumePointFn for this chunk.
  Status Count(const SourceFile& file, uint64_t from, uint64_t end,
               const ResumePointFn& resume_point, const ProgressFn& progress);

  // Reads *got <= n bytes into dst; fewer only at the end.
  using StreamReadFn = std::function<Status(char* dst, size_t n, size_t* got)>;

  // Counts what read gives until it ends, as the bytes of a stream from
  // offset `from` on. REQUIRES: from is 0 or a chunk edge of the stream
  // (ingest/stream_chunker.h), as for a chunk of a file.
  // name: the stream's, for errors. first_line: with JSON Lines, the
  // number (from 1) of the line at `from`, so that --bad-records strict
  // names a bad record's line; 0 if not known (then its byte alone).
  Status CountStream(uint64_t from, const StreamReadFn& read,
                     const ResumePointFn& resume_point,
                     const ProgressFn& progress, std::string_view name = "-",
                     uint64_t first_line = 0);

 private:
  // A cleaned-buffer position where --invalid-utf8 skip dropped bytes:
  // buf_[pos] is at file offset `raw`; `dropped` ill-formed sequences
  // were removed just before it.
  struct Shift {
    size_t pos;
    uint64_t raw;
    uint64_t dropped;
  };

  // Reads *got <= n bytes at offset into dst; fewer only at the end.
  using ReadFn =
      std::function<Status(uint64_t offset, size_t n, char* dst, size_t* got)>;
  Status CountFrom(const ReadFn& read, uint64_t from, uint64_t end,
                   const ResumePointFn& resume_point,
                   const ProgressFn& progress);
  // Counts [from, end) as text.
  Status CountText(const ReadFn& read, uint64_t from, uint64_t end,
                   const ResumePointFn& resume_point,
                   const ProgressFn& progress);
  // Counts [from, end) as JSON Lines: each record's field as text, with
  // resume points at line ends only. `name` for errors.
  Status CountRecords(const ReadFn& read, uint64_t from, uint64_t end,
                      const ResumePointFn& resume_point,
                      const ProgressFn& progress);
  // Counts or skips what the buffer holds; reads nothing.
  Status Drain(bool at_end, const ResumePointFn& resume_point,
               const ProgressFn& progress);
  // The largest resume cut in buf_[0, ready), or 0 if none. at_end: no
  // byte follows buf_[ready - 1] in the range.
  size_t FindCarryCut(size_t ready, bool at_end) const;
  // The first resume cut in buf_[0, ready) (a separator's start counts),
  // or npos if none.
  size_t FindFirstCut(size_t ready, bool at_end) const;
  Status CountSegment(size_t cut, const ResumePointFn& resume_point);
  Status CountDocument(size_t begin, size_t end, bool valid,
                       const ResumePointFn& resume_point);
  void CountPiece(const char* p, size_t n, bool valid);
  Status ResumeAt(size_t pos, const ResumePointFn& resume_point);
  // Removes ill-formed sequences from buf_[from, size_) in place.
  void CleanNewBytes(size_t from, bool at_end);
  uint64_t RawOffset(size_t pos) const;
  // Drops buf_[0, n); returns the dropped sequences not yet accounted.
  uint64_t Consume(size_t n);
  void Reserve(size_t n);

  const TextRules rules_;
  const SpecialTokens* const specials_;
  const size_t read_buffer_bytes_;
  const size_t piece_bytes_;
  CountTable* const table_;
  CounterStats* const stats_;

  std::unique_ptr<char[]> buf_;
  size_t capacity_ = 0;
  size_t size_ = 0;
  uint64_t base_ = 0;  // file offset of buf_[0]
  size_t held_ = 0;    // bytes at the end not yet cleaned (an incomplete char)
  std::vector<Shift> shifts_;
  size_t shifts_accounted_ = 0;  // shifts_[0, this) are in stats_
  bool skipping_ = false;        // inside a stretch too long to count
  uint64_t skip_start_ = 0;
  uint64_t skip_invalid_ = 0;
  SkipFn on_skip_;
  RawBytesFn on_raw_bytes_;
  std::vector<SpecialTokens::Match> separators_;
  std::string scratch_;  // a piece with ill-formed UTF-8, replaced
  std::unique_ptr<JsonlRecordParser> records_;  // JSON Lines only
  std::string name_;  // of the input, for errors
  uint64_t first_line_ = 0;  // CountStream's
  bool taking_back_ = false;
};

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_CHUNK_COUNTER_H_

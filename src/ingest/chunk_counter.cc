#include "ingest/chunk_counter.h"

#include <algorithm>
#include <cstring>

#include "count/token_batch.h"
#include "text/gpt2_scanner.h"
#include "text/safe_cut.h"
#include "text/utf8.h"

namespace pretokdb {

ChunkCounter::ChunkCounter(const SpecialTokens* specials,
                           size_t read_buffer_bytes, size_t piece_bytes,
                           CountTable* table, CounterStats* stats)
    : specials_(specials),
      read_buffer_bytes_(std::max<size_t>(read_buffer_bytes, 1)),
      piece_bytes_(std::max<size_t>(piece_bytes, 16)),
      table_(table),
      stats_(stats) {}

void ChunkCounter::Reserve(size_t n) {
  if (n <= capacity_) return;
  size_t cap = std::max(n, capacity_ * 2);
  std::unique_ptr<char[]> bigger(new char[cap]);
  if (size_ > 0) std::memcpy(bigger.get(), buf_.get(), size_);
  buf_ = std::move(bigger);
  capacity_ = cap;
}

Status ChunkCounter::Count(const SourceFile& file, uint64_t from,
                           uint64_t end, const ResumePointFn& resume_point,
                           const ProgressFn& progress) {
  size_ = 0;
  uint64_t base = from;      // file offset of buf_[0]
  uint64_t read_at = from;   // next byte to read
  while (base < end) {
    const size_t n =
        static_cast<size_t>(std::min<uint64_t>(read_buffer_bytes_, end - read_at));
    Reserve(size_ + n);
    PRETOKDB_RETURN_IF_ERROR(file.ReadAt(read_at, n, buf_.get() + size_));
    size_ += n;
    read_at += n;

    separators_.clear();
    specials_->FindAll(std::string_view(buf_.get(), size_), &separators_);
    const size_t cut = read_at == end ? size_ : FindCarryCut();
    if (cut == 0) continue;  // no resume point yet: read on

    PRETOKDB_RETURN_IF_ERROR(CountSegment(cut, base, resume_point));
    progress(cut);
    std::memmove(buf_.get(), buf_.get() + cut, size_ - cut);
    size_ -= cut;
    base += cut;
  }
  return Status::OK();
}

size_t ChunkCounter::FindCarryCut() const {
  const size_t m = specials_->max_length();
  std::string_view text(buf_.get(), size_);
  // After the last separator whose every longer alternative was visible.
  size_t best = 0;
  for (auto it = separators_.rbegin(); it != separators_.rend(); ++it) {
    if (it->pos + m <= size_) {
      best = it->pos + it->len;
      break;
    }
  }
  // A whitespace cut that no special token crosses (the bytes a crossing
  // token would need are all in the buffer).
  const char* begin = buf_.get();
  const char* limit = begin + (m > 1 ? (size_ > m - 1 ? size_ - (m - 1) : 0)
                                     : size_);
  if (limit <= begin + best) return best;
  const char* q = FindLastSafeCut(begin + best, limit);
  while (q != nullptr && specials_->Spans(text, q - begin)) {
    q = FindLastSafeCut(begin + best, q);
  }
  return q != nullptr ? static_cast<size_t>(q - begin) : best;
}

Status ChunkCounter::CountSegment(size_t cut, uint64_t base,
                                  const ResumePointFn& resume_point) {
  const bool valid = IsValidUtf8(buf_.get(), cut);
  size_t doc = 0;
  for (const SpecialTokens::Match& m : separators_) {
    if (m.pos + m.len > cut) break;
    PRETOKDB_RETURN_IF_ERROR(
        CountDocument(doc, m.pos, base, valid, resume_point));
    ++stats_->separators;
    doc = m.pos + m.len;
  }
  return CountDocument(doc, cut, base, valid, resume_point);
}

Status ChunkCounter::CountDocument(size_t begin, size_t end, uint64_t base,
                                   bool valid,
                                   const ResumePointFn& resume_point) {
  const char* buf = buf_.get();
  size_t q = begin;
  while (q < end) {
    size_t r = end;
    if (end - q > piece_bytes_) {
      // Any safe cut inside a document is a resume point: special tokens
      // were all found by the scan from the segment's start.
      const char* c = FindLastSafeCut(buf + q, buf + q + piece_bytes_);
      if (c == nullptr) c = FindFirstSafeCut(buf + q + piece_bytes_ - 1, buf + end);
      if (c != nullptr) r = c - buf;
    }
    CountPiece(buf + q, r - q, valid);
    q = r;
    PRETOKDB_RETURN_IF_ERROR(resume_point(base + q));
  }
  return Status::OK();
}

void ChunkCounter::CountPiece(const char* p, size_t n, bool valid) {
  TokenBatch batch(table_);
  auto add = [&batch](std::string_view token) { batch.Add(token); };
  if (valid || IsValidUtf8(p, n)) {
    ScanGpt2(p, p + n, add);
  } else {
    scratch_.clear();
    stats_->invalid_utf8 +=
        AppendReplacingInvalidUtf8(std::string_view(p, n), &scratch_);
    ScanGpt2(scratch_.data(), scratch_.data() + scratch_.size(), add);
  }
  batch.Flush();
}

}  // namespace pretokdb

#include "ingest/compressed_text.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "ingest/chunk_planner.h"

namespace pretokdb {

uint64_t CompressedText::WindowBytes(const TextRules& rules) {
  return std::max<uint64_t>(256 << 10, 8 * ChunkEdgeContext(rules));
}

CompressedText::CompressedText(const SourceFile* file, Compression kind,
                               const TextRules& rules, CompressedRange range,
                               bool first, bool last)
    : dec_(file, kind, range.begin),
      rules_(rules),
      context_(ChunkEdgeContext(rules)),
      first_(first),
      last_(last),
      capacity_(static_cast<size_t>(WindowBytes(rules))),
      win_(new char[capacity_]),
      have_start_(first) {
  if (!last_) dec_.set_boundary(range.end);
}

void CompressedText::Search() {
  const uint64_t decoded = wbase_ + wlen_;
  // The edge wanted: the first at or after `from`.
  uint64_t from;
  if (!have_start_) {
    from = context_;
  } else if (have_end_) {
    safe_ = end_;
    return;
  } else if (last_) {
    safe_ = decoded;
    if (eof_) {
      have_end_ = true;
      end_ = decoded;
    }
    return;
  } else if (!dec_.boundary_known()) {
    safe_ = decoded;  // all before the next run's first byte
    if (eof_) {       // (cannot be: the boundary is a frame start)
      have_end_ = true;
      end_ = decoded;
    }
    return;
  } else {
    from = std::max(dec_.boundary_text() + context_, start_);
  }
  const uint64_t lo = std::max(from, searched_);
  const uint64_t hi = eof_ ? decoded : (decoded > context_ ? decoded - context_ : 0);
  uint64_t q = UINT64_MAX;
  if (lo < hi) {
    const size_t at = FindFirstChunkEdge(
        rules_, std::string_view(win_.get(), wlen_), lo - wbase_, hi - wbase_);
    if (at != std::string_view::npos) q = wbase_ + at;
  }
  if (q == UINT64_MAX && eof_) q = decoded;  // no edge: the text's end
  if (q != UINT64_MAX) {
    if (!have_start_) {
      have_start_ = true;
      start_ = out_ = q;
      searched_ = q;
      Search();
    } else {
      have_end_ = true;
      end_ = safe_ = q;
    }
    return;
  }
  if (hi > lo) searched_ = hi;
  if (have_start_) safe_ = std::max(out_, std::min(std::max(lo, searched_), decoded));
}

Status CompressedText::Fill() {
  // Keep what is not given yet and the context the next search needs.
  const uint64_t decoded = wbase_ + wlen_;
  uint64_t keep = decoded > 2 * context_ ? decoded - 2 * context_ : 0;
  if (have_start_) keep = std::min(keep, out_);
  keep = std::max(keep, wbase_);
  const size_t drop = static_cast<size_t>(keep - wbase_);
  std::memmove(win_.get(), win_.get() + drop, wlen_ - drop);
  wlen_ -= drop;
  wbase_ = keep;
  const size_t want = capacity_ - wlen_;
  size_t got = 0;
  PRETOKDB_RETURN_IF_ERROR(dec_.Read(win_.get() + wlen_, want, &got));
  wlen_ += got;
  if (got < want) eof_ = true;
  return Status::OK();
}

Status CompressedText::Drain() {
  // Read on to the end of the frame holding the last byte given.
  while (!eof_ && dec_.verified() < end_) {
    size_t got = 0;
    PRETOKDB_RETURN_IF_ERROR(dec_.Read(win_.get(), capacity_, &got));
    if (got < capacity_) eof_ = true;
  }
  return Status::OK();
}

Status CompressedText::Read(char* dst, size_t n, size_t* got) {
  *got = 0;
  while (*got < n && !done_) {
    Search();
    if (have_start_ && out_ < safe_) {
      const size_t take = static_cast<size_t>(std::min<uint64_t>(n - *got, safe_ - out_));
      std::memcpy(dst + *got, win_.get() + (out_ - wbase_), take);
      *got += take;
      out_ += take;
      continue;
    }
    if (have_end_ && out_ >= end_) {
      PRETOKDB_RETURN_IF_ERROR(Drain());
      done_ = true;
      break;
    }
    PRETOKDB_RETURN_IF_ERROR(Fill());
  }
  return Status::OK();
}

}  // namespace pretokdb

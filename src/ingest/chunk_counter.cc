#include "ingest/chunk_counter.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "count/batched_add.h"
#include "ingest/line_reader.h"
#include "text/pattern.h"
#include "text/safe_cut.h"
#include "text/utf8.h"
#include "text/utf8_edges.h"

namespace pretokdb {

namespace {
constexpr size_t kNone = static_cast<size_t>(-1);
// Bytes kept while skipping a stretch, to recognise the cut that ends it:
// the longest UTF-8 character before a cut.
constexpr size_t kCutContext = 4;
}  // namespace

ChunkCounter::ChunkCounter(const TextRules& rules, size_t read_buffer_bytes,
                           size_t piece_bytes, CountTable* table,
                           CounterStats* stats)
    : rules_(rules),
      specials_(rules.specials),
      read_buffer_bytes_(std::max<size_t>(read_buffer_bytes, 1)),
      piece_bytes_(std::max<size_t>(piece_bytes, 16)),
      table_(table),
      stats_(stats) {
  if (rules.jsonl()) {
    records_ = std::make_unique<JsonlRecordParser>(rules.jsonl_field);
  }
}

void ChunkCounter::Reserve(size_t n) {
  if (n <= capacity_) return;
  size_t cap = std::max(n, capacity_ * 2);
  // Padded for CountTable::AddBatch().
  std::unique_ptr<char[]> bigger(new char[cap + CountTable::kTokenReadBytes]());
  if (size_ > 0) std::memcpy(bigger.get(), buf_.get(), size_);
  buf_ = std::move(bigger);
  capacity_ = cap;
}

Status ChunkCounter::Count(const SourceFile& file, uint64_t from,
                           uint64_t end, const ResumePointFn& resume_point,
                           const ProgressFn& progress) {
  name_ = file.path();
  first_line_ = 0;  // a file's strict records are checked before (jsonl_check.h)
  return CountFrom(
      [&file](uint64_t offset, size_t n, char* dst, size_t* got) {
        *got = n;  // a regular file that shrank is an error, not an end
        return file.ReadAt(offset, n, dst);
      },
      from, end, resume_point, progress);
}

Status ChunkCounter::CountStream(uint64_t from, const StreamReadFn& read,
                                 const ResumePointFn& resume_point,
                                 const ProgressFn& progress,
                                 std::string_view name, uint64_t first_line) {
  name_ = name;
  first_line_ = first_line;
  return CountFrom(
      [&read](uint64_t, size_t n, char* dst, size_t* got) {
        return read(dst, n, got);
      },
      from, UINT64_MAX, resume_point, progress);
}

Status ChunkCounter::CountFrom(const ReadFn& read, uint64_t from,
                               uint64_t end, const ResumePointFn& resume_point,
                               const ProgressFn& progress) {
  // The input's own bytes, as read (a JSONL field's text is not).
  const ReadFn raw = [&](uint64_t offset, size_t n, char* dst, size_t* got) {
    Status s = read(offset, n, dst, got);
    if (s.ok()) on_raw_bytes_(offset, dst, *got);
    return s;
  };
  const ReadFn& source = on_raw_bytes_ ? raw : read;
  if (records_ != nullptr) {
    return CountRecords(source, from, end, resume_point, progress);
  }
  return CountText(source, from, end, resume_point, progress);
}

Status ChunkCounter::CountRecords(const ReadFn& read, uint64_t from,
                                  uint64_t end,
                                  const ResumePointFn& resume_point,
                                  const ProgressFn& progress) {
  uint64_t at = from;
  LineReader lines(
      [&](char* dst, size_t n, size_t* got) {
        n = static_cast<size_t>(std::min<uint64_t>(n, end - at));
        Status s = read(at, n, dst, got);
        at += *got;
        return s;
      },
      from, kMaxRecordBytes, read_buffer_bytes_);
  const ResumePointFn inside = [](uint64_t) { return Status::OK(); };
  const ProgressFn quiet = [](uint64_t) {};
  // A stretch skipped in a field is reported at its line's offset: the
  // decoded text has no file offsets of its own.
  uint64_t line_begin = from;
  struct Restore {
    SkipFn* fn;
    SkipFn saved;
    ~Restore() { *fn = std::move(saved); }
  } restore{&on_skip_, on_skip_};
  if (restore.saved) {
    on_skip_ = [&](uint64_t, uint64_t bytes) { restore.saved(line_begin, bytes); };
  }
  uint64_t next_line = first_line_;  // 0: not known
  for (;;) {
    LineReader::Line line;
    bool got = false;
    PRETOKDB_RETURN_IF_ERROR(lines.Next(&line, &got));
    if (!got) break;
    line_begin = line.begin;
    const uint64_t line_number = next_line;
    if (next_line != 0) ++next_line;
    BadRecord why = BadRecord::kTooLong;
    std::string_view text;
    if (!line.too_long) {
      if (JsonlRecordParser::IsBlank(line.text)) {
        why = BadRecord::kNone;
      } else {
        why = records_->Parse(line.text, &text);
        if (why == BadRecord::kNone) {
          ++stats_->records;
          // The field, counted as the text of a file, with no resume point
          // inside: a checkpoint is a line end.
          PRETOKDB_RETURN_IF_ERROR(CountText(
              [text, base = line.begin](uint64_t offset, size_t n, char* dst,
                                        size_t* got) {
                const uint64_t rel =
                    std::min<uint64_t>(offset - base, text.size());
                *got = std::min<uint64_t>(n, text.size() - rel);
                std::memcpy(dst, text.data() + rel, *got);
                return Status::OK();
              },
              line.begin, UINT64_MAX, inside, quiet));
        }
      }
    }
    if (why != BadRecord::kNone) {
      if (rules_.strict_records() && !taking_back_) {
        return Status::InvalidArgument(
            name_, StrictRecordError(line_number, line.begin, false, why,
                                     rules_.jsonl_field));
      }
      ++stats_->bad_records[static_cast<int>(why)];
    }
    progress(line.end - line.begin);
    PRETOKDB_RETURN_IF_ERROR(resume_point(line.end));
  }
  return Status::OK();
}

Status ChunkCounter::CountText(const ReadFn& read, uint64_t from,
                               uint64_t end, const ResumePointFn& resume_point,
                               const ProgressFn& progress) {
  size_ = 0;
  held_ = 0;
  shifts_.clear();
  shifts_accounted_ = 0;
  skipping_ = false;
  skip_invalid_ = 0;
  base_ = from;
  uint64_t read_at = from;  // next byte to read
  while (base_ < end) {
    const size_t n = static_cast<size_t>(
        std::min<uint64_t>(read_buffer_bytes_, end - read_at));
    Reserve(size_ + n);
    const size_t fresh = size_ - held_;
    size_t got = 0;
    PRETOKDB_RETURN_IF_ERROR(read(read_at, n, buf_.get() + size_, &got));
    size_ += got;
    read_at += got;
    if (got < n) end = read_at;  // the stream ended
    if (rules_.invalid_utf8 == InvalidUtf8::kSkip) {
      CleanNewBytes(fresh, read_at == end);
    }
    PRETOKDB_RETURN_IF_ERROR(Drain(read_at == end, resume_point, progress));
  }
  return Status::OK();
}

Status ChunkCounter::Drain(bool at_end, const ResumePointFn& resume_point,
                           const ProgressFn& progress) {
  for (;;) {
    const size_t ready = size_ - held_;
    separators_.clear();
    specials_->FindAll(std::string_view(buf_.get(), ready), &separators_);
    if (skipping_) {
      size_t f = FindFirstCut(ready, at_end);
      if (f == kNone && !at_end) {
        // Keep only what the cut that ends the stretch may need to be seen.
        const size_t keep = kCutContext + specials_->max_length();
        if (ready > keep) skip_invalid_ += Consume(ready - keep);
        return Status::OK();
      }
      if (f == kNone) f = ready;
      const uint64_t start = skip_start_;
      skip_invalid_ += Consume(f);
      skipping_ = false;
      stats_->invalid_utf8 += skip_invalid_;
      skip_invalid_ = 0;
      ++stats_->skipped_stretches;
      stats_->skipped_bytes += base_ - start;
      progress(base_ - start);
      if (on_skip_) on_skip_(start, base_ - start);
      continue;  // count what follows the stretch
    }
    size_t cut = FindCarryCut(ready, at_end);
    // At the end, all is counted unless what follows the last cut is a
    // stretch to skip (then the loop comes back for it).
    if (at_end && ready - cut <= rules_.max_stretch_bytes()) cut = ready;
    if (cut == 0) {
      if (ready > rules_.max_stretch_bytes()) {
        skipping_ = true;
        skip_start_ = base_;
        continue;
      }
      // At the end, nothing is left to count, but dropped bytes may end the
      // range: step over them.
      if (at_end) {
        const uint64_t before = base_;
        stats_->invalid_utf8 += Consume(0);
        progress(base_ - before);
      }
      return Status::OK();  // no resume point yet: read on
    }
    const uint64_t before = base_;
    PRETOKDB_RETURN_IF_ERROR(CountSegment(cut, resume_point));
    stats_->invalid_utf8 += Consume(cut);  // 0: ResumeAt(cut) took them
    progress(base_ - before);
    if (!at_end) return Status::OK();
  }
}

size_t ChunkCounter::FindCarryCut(size_t ready, bool at_end) const {
  // At the end no later byte can complete a special token.
  const size_t m = at_end ? 0 : specials_->max_length();
  std::string_view text(buf_.get(), ready);
  // After the last separator whose every longer alternative was visible.
  size_t best = 0;
  for (auto it = separators_.rbegin(); it != separators_.rend(); ++it) {
    if (it->pos + m <= ready) {
      best = it->pos + it->len;
      break;
    }
  }
  // A safe cut that no special token crosses (the bytes a crossing token
  // would need are all in the buffer).
  const char* begin = buf_.get();
  const char* limit =
      begin + (m > 1 ? (ready > m - 1 ? ready - (m - 1) : 0) : ready);
  if (limit <= begin + best) return best;
  const char* q = FindLastSafeCut(begin + best, limit, rules_.cut_rule);
  while (q != nullptr && specials_->Spans(text, q - begin)) {
    q = FindLastSafeCut(begin + best, q, rules_.cut_rule);
  }
  return q != nullptr ? static_cast<size_t>(q - begin) : best;
}

size_t ChunkCounter::FindFirstCut(size_t ready, bool at_end) const {
  const size_t m = at_end ? 0 : specials_->max_length();
  std::string_view text(buf_.get(), ready);
  size_t first = separators_.empty() ? kNone : separators_.front().pos;
  const char* begin = buf_.get();
  const size_t search_end = std::min(
      first == kNone ? ready : first + 1,
      m > 1 ? (ready > m - 1 ? ready - (m - 1) : 0) : ready);
  const char* limit = begin + search_end;
  const char* q = FindFirstSafeCut(begin, limit, rules_.cut_rule);
  while (q != nullptr && specials_->Spans(text, q - begin)) {
    q = FindFirstSafeCut(q, limit, rules_.cut_rule);
  }
  if (q != nullptr) first = std::min(first, static_cast<size_t>(q - begin));
  return first;
}

Status ChunkCounter::CountSegment(size_t cut,
                                  const ResumePointFn& resume_point) {
  const bool valid = IsValidUtf8(buf_.get(), cut);
  size_t doc = 0;
  for (const SpecialTokens::Match& m : separators_) {
    if (m.pos + m.len > cut) break;
    PRETOKDB_RETURN_IF_ERROR(CountDocument(doc, m.pos, valid, resume_point));
    ++stats_->separators;
    doc = m.pos + m.len;
  }
  // After a separator that ends the segment, cut is a resume point too.
  if (doc == cut && cut > 0) return ResumeAt(cut, resume_point);
  return CountDocument(doc, cut, valid, resume_point);
}

Status ChunkCounter::CountDocument(size_t begin, size_t end, bool valid,
                                   const ResumePointFn& resume_point) {
  const char* buf = buf_.get();
  size_t q = begin;
  while (q < end) {
    size_t r = end;
    if (end - q > piece_bytes_) {
      // Any safe cut inside a document is a resume point: special tokens
      // were all found by the scan from the segment's start.
      const char* c =
          FindLastSafeCut(buf + q, buf + q + piece_bytes_, rules_.cut_rule);
      if (c == nullptr) {
        c = FindFirstSafeCut(buf + q + piece_bytes_ - 1, buf + end,
                             rules_.cut_rule);
      }
      if (c != nullptr) r = c - buf;
    }
    if (r - q > rules_.max_stretch_bytes()) {
      // No cut in [q, r) (the search above found none within piece_bytes_
      // of q): a stretch too long to count, which arrived whole.
      if (!valid) stats_->invalid_utf8 += CountInvalidUtf8({buf + q, r - q});
      const uint64_t offset = RawOffset(q);
      const uint64_t bytes = RawOffset(r) - offset;
      ++stats_->skipped_stretches;
      stats_->skipped_bytes += bytes;
      if (on_skip_) on_skip_(offset, bytes);
    } else {
      CountPiece(buf + q, r - q, valid);
    }
    q = r;
    PRETOKDB_RETURN_IF_ERROR(ResumeAt(q, resume_point));
  }
  return Status::OK();
}

void ChunkCounter::CountPiece(const char* p, size_t n, bool valid) {
  const char* begin = p;
  const char* end = p + n;
  if (!valid && !IsValidUtf8(p, n)) {
    scratch_.clear();
    stats_->invalid_utf8 +=
        AppendReplacingInvalidUtf8(std::string_view(p, n), &scratch_);
    const size_t size = scratch_.size();
    scratch_.append(CountTable::kTokenReadBytes, '\0');  // AddBatch's padding
    begin = scratch_.data();
    end = begin + size;
  }
  AddInBatches(table_, [&](auto& add) [[gnu::always_inline]] {
    RunScanner(rules_.scanner, rules_.re2, begin, end, add);
  });
}

Status ChunkCounter::ResumeAt(size_t pos, const ResumePointFn& resume_point) {
  // Sequences dropped before pos are behind this resume point: they are
  // committed with it, and a resumed run starts after them.
  while (shifts_accounted_ < shifts_.size() &&
         shifts_[shifts_accounted_].pos <= pos) {
    stats_->invalid_utf8 += shifts_[shifts_accounted_++].dropped;
  }
  return resume_point(RawOffset(pos));
}

void ChunkCounter::CleanNewBytes(size_t from, bool at_end) {
  char* buf = buf_.get();
  size_t r = from;  // next byte to examine
  size_t w = from;  // next byte of cleaned output
  // File offset of buf[r], before any of this call's removals.
  uint64_t raw = RawOffset(from);
  held_ = 0;
  while (r < size_) {
    const size_t n = size_ - r;
    const size_t bad = FindFirstInvalidUtf8(buf + r, n, at_end);
    std::memmove(buf + w, buf + r, bad);
    w += bad;
    r += bad;
    raw += bad;
    if (bad == n) break;
    const size_t len = InvalidSubpartLength(buf + r, size_ - r);
    r += len;
    raw += len;
    if (!shifts_.empty() && shifts_.back().pos == w) {
      shifts_.back().raw = raw;
      ++shifts_.back().dropped;
    } else {
      shifts_.push_back(Shift{w, raw, 1});
    }
  }
  if (!at_end) {
    // FindFirstInvalidUtf8 let an incomplete character at the end pass:
    // keep it uncleaned until the next read completes or condemns it.
    held_ = IncompleteUtf8Tail(buf + from, w - from);
  }
  size_ = w;
}

uint64_t ChunkCounter::RawOffset(size_t pos) const {
  auto it = std::upper_bound(
      shifts_.begin(), shifts_.end(), pos,
      [](size_t p, const Shift& s) { return p < s.pos; });
  if (it == shifts_.begin()) return base_ + pos;
  --it;
  return it->raw + (pos - it->pos);
}

uint64_t ChunkCounter::Consume(size_t n) {
  const uint64_t new_base = RawOffset(n);
  uint64_t unaccounted = 0;
  size_t drop = 0;
  while (drop < shifts_.size() && shifts_[drop].pos <= n) {
    if (drop >= shifts_accounted_) unaccounted += shifts_[drop].dropped;
    ++drop;
  }
  shifts_.erase(shifts_.begin(), shifts_.begin() + drop);
  shifts_accounted_ = shifts_accounted_ > drop ? shifts_accounted_ - drop : 0;
  for (Shift& s : shifts_) s.pos -= n;
  std::memmove(buf_.get(), buf_.get() + n, size_ - n);
  size_ -= n;
  base_ = new_base;
  return unaccounted;
}

}  // namespace pretokdb

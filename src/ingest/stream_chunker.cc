#include "ingest/stream_chunker.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "ingest/chunk_planner.h"
#include "util/find_bytes.h"

namespace pretokdb {

class StreamChunker::Chunk {
 public:
  // Bytes [from, to) of a buffer.
  struct Segment {
    Buffer* buffer;
    size_t from;
    size_t to;
  };

  Chunk(uint64_t b, uint64_t line) : begin(b), first_line(line) {}

  const uint64_t begin;       // stream offset
  const uint64_t first_line;  // 0: not counted
  // Guarded by the chunker's mu_.
  std::deque<Segment> segments;
  bool complete = false;  // no segment is added after these
};

StreamChunker::StreamChunker(ByteInput* in, const TextRules& rules,
                             size_t chunk_bytes, size_t buffers,
                             const std::atomic<bool>* stop,
                             const StreamLayout* layout,
                             JsonlStreamCheck* check)
    : in_(in),
      rules_(rules),
      chunk_bytes_(std::max<size_t>(chunk_bytes, 1)),
      context_(ChunkEdgeContext(rules)),
      // After the carried context and the bytes an edge needs after it,
      // each read brings at least chunk_bytes_ new bytes.
      capacity_(chunk_bytes_ + 2 * context_ + 1),
      stop_(stop),
      layout_(layout),
      check_(check),
      // A check numbers the lines itself, and no worker meets a bad one.
      count_lines_(check == nullptr && rules.strict_records() &&
                   in->starts_at_line_one()),
      buffers_(std::max<size_t>(buffers, 2)) {
  for (Buffer& b : buffers_) {
    // Not zeroed: memory is touched only as the stream fills it.
    b.data.reset(new char[capacity_]);
    free_.push_back(&b);
  }
}

StreamChunker::~StreamChunker() = default;

Status StreamChunker::Run() {
  Status s = ReadAll();
  std::lock_guard<std::mutex> lock(mu_);
  ended_ = true;
  failed_ = !s.ok();
  changed_.notify_all();
  return s;
}

Status StreamChunker::ReadAll() {
  Buffer* buf = Acquire();
  if (buf == nullptr) return Status::Aborted("-", "cancelled");
  auto drop = [&]() {
    std::lock_guard<std::mutex> lock(mu_);
    UnrefLocked(buf);
  };
  // buf holds stream bytes [w0, w0 + len). Bytes before `seg` are in
  // chunks already; the current chunk starts at c; the edges before `limit`
  // have been looked for. The bytes kept before seg in buf are context.
  uint64_t w0 = 0;
  size_t len = 0;
  uint64_t c = 0;
  uint64_t seg = 0;
  for (;;) {
    const size_t want = capacity_ - len;
    size_t got = 0;
    Status s = in_->Read(buf->data.get() + len, want, &got);
    if (!s.ok()) {
      drop();
      return s;
    }
    if (stop_->load(std::memory_order_relaxed)) {
      drop();
      return Status::Aborted("-", "stopped on request");
    }
    const bool read_out = got < want;
    // A bad record: this read is handed out up to the record's start, and
    // the reading stops. (If the record began in an earlier read, none of
    // this one is; what was handed out of it then is a line without its
    // end, which no worker counts.)
    Status bad;
    if (check_ != nullptr) {
      uint64_t bad_begin = 0;
      bad = check_->Add(std::string_view(buf->data.get() + len, got), &bad_begin);
      if (bad.ok() && read_out) bad = check_->Finish(&bad_begin);
      if (!bad.ok()) {
        got = bad_begin > w0 + len ? static_cast<size_t>(bad_begin - (w0 + len)) : 0;
      }
    }
    len += got;
    const bool at_end = read_out && bad.ok();
    const uint64_t w1 = w0 + len;
    // An edge needs context_ bytes after it unless the stream ends there
    // (a named stream's even then: it may be fed again longer).
    const uint64_t limit = at_end && layout_ == nullptr
                               ? w1
                               : (len > context_ ? w1 - context_ : w0);
    const std::string_view view(buf->data.get(), len);
    for (;;) {
      const StreamLayout::Bounds bounds =
          layout_ != nullptr
              ? layout_->ChunkBounds(c, chunk_bytes_)
              : StreamLayout::Bounds{c + chunk_bytes_, StreamLayout::kNoBound};
      // ... and context_ bytes before it unless buf starts the stream.
      const uint64_t lo =
          std::max(bounds.min_end, w0 == 0 ? 0 : w0 + context_);
      const uint64_t hi = std::min(limit, bounds.max_end);
      size_t q = std::string_view::npos;
      if (bounds.min_end < bounds.max_end && lo < hi) {
        q = FindFirstChunkEdge(rules_, view, lo - w0, hi - w0);
      }
      uint64_t edge;
      if (bounds.must_be_edge && (!at_end || w1 > bounds.max_end)) {
        // Known once the context after it is read (or the stream ends).
        if (bounds.max_end > limit && !at_end) break;
        const uint64_t e = bounds.max_end;
        if (FindFirstChunkEdge(rules_, view, e - w0, e - w0 + 1) !=
                          e - w0) {
          Emit(buf, w0, seg, w1, /*last=*/true);
          drop();
          return Status::InvalidArgument(
              "-", "goes on past byte " + std::to_string(e) +
                       ", where it ended when last counted (that run stopped "
                       "before recording its end), and that is no cut of it: "
                       "feed the stream as it was, or give another --stream-name");
        }
        edge = e;
      } else if (q != std::string_view::npos) {
        edge = w0 + q;
      } else if (bounds.max_end <= (bounds.min_end >= bounds.max_end || at_end
                                        ? w1
                                        : limit)) {
        // A recorded edge: no context needed to know it is one.
        edge = bounds.max_end;
      } else {
        break;
      }
      Emit(buf, w0, seg, edge, /*last=*/true);
      c = seg = edge;
    }
    if (!bad.ok()) {
      if (w1 > seg) Emit(buf, w0, seg, w1, /*last=*/false);
      drop();
      return bad;
    }
    if (at_end) {
      Emit(buf, w0, seg, w1, /*last=*/true);
      drop();
      return Status::OK();
    }
    // No edge before limit: up to there, everything is the current chunk's.
    if (limit > seg) {
      Emit(buf, w0, seg, limit, /*last=*/false);
      seg = limit;
    }
    const uint64_t keep = std::max(w0, seg > context_ ? seg - context_ : 0);
    Buffer* next = Acquire();
    if (next == nullptr) {
      drop();
      return Status::Aborted("-", "cancelled");
    }
    std::memcpy(next->data.get(), buf->data.get() + (keep - w0), w1 - keep);
    drop();
    buf = next;
    len = static_cast<size_t>(w1 - keep);
    w0 = keep;
  }
}

StreamChunker::Buffer* StreamChunker::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [this] { return !free_.empty() || cancelled_; });
  if (cancelled_) return nullptr;
  Buffer* b = free_.back();
  free_.pop_back();
  b->refs = 1;
  return b;
}

void StreamChunker::UnrefLocked(Buffer* b) {
  if (--b->refs > 0) return;
  free_.push_back(b);
  changed_.notify_all();
}

void StreamChunker::Emit(Buffer* b, uint64_t w0, uint64_t begin, uint64_t end,
                         bool last) {
  // The chunk's first line is numbered by the line ends before it.
  const uint64_t first_line = count_lines_ ? line_ends_ + 1 : 0;
  if (count_lines_) {
    line_ends_ += CountByte(b->data.get() + (begin - w0),
                            static_cast<size_t>(end - begin), '\n');
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (current_ == nullptr) {
    if (begin == end) return;  // a stream of 0 bytes has no chunk
    live_.push_back(std::make_unique<Chunk>(begin, first_line));
    current_ = live_.back().get();
    queued_.push_back(current_);
  }
  if (end > begin) {
    ++b->refs;
    current_->segments.push_back(Chunk::Segment{
        b, static_cast<size_t>(begin - w0), static_cast<size_t>(end - w0)});
  }
  if (last) {
    current_->complete = true;
    current_ = nullptr;
  }
  changed_.notify_all();
}

bool StreamChunker::Next(Chunk** chunk, uint64_t* begin, uint64_t* first_line) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock,
                [this] { return !queued_.empty() || ended_ || cancelled_; });
  if (queued_.empty() || failed_ || cancelled_) return false;
  *chunk = queued_.front();
  queued_.pop_front();
  *begin = (*chunk)->begin;
  if (first_line != nullptr) *first_line = (*chunk)->first_line;
  return true;
}

Status StreamChunker::Read(Chunk* chunk, char* dst, size_t n, size_t* got) {
  *got = 0;
  std::unique_lock<std::mutex> lock(mu_);
  while (*got < n) {
    if (!chunk->segments.empty()) {
      const Chunk::Segment s = chunk->segments.front();
      const size_t take = std::min(n - *got, s.to - s.from);
      // Only this reader takes from the front; the buffer stays while the
      // segment holds it.
      lock.unlock();
      std::memcpy(dst + *got, s.buffer->data.get() + s.from, take);
      lock.lock();
      *got += take;
      Chunk::Segment& front = chunk->segments.front();
      front.from += take;
      if (front.from == front.to) {
        UnrefLocked(front.buffer);
        chunk->segments.pop_front();
      }
      continue;
    }
    if (chunk->complete) break;
    if (failed_ || cancelled_) {
      return Status::Aborted("-", "the stream stopped before this chunk's end");
    }
    changed_.wait(lock);
  }
  return Status::OK();
}

void StreamChunker::Release(Chunk* chunk) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Chunk::Segment& s : chunk->segments) UnrefLocked(s.buffer);
  chunk->segments.clear();
  auto it = std::find_if(live_.begin(), live_.end(),
                         [chunk](const auto& p) { return p.get() == chunk; });
  if (it != live_.end()) live_.erase(it);
}

void StreamChunker::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  changed_.notify_all();
}

}  // namespace pretokdb

#include "ingest/stream_layout.h"

#include <algorithm>

namespace pretokdb {

StreamLayout::StreamLayout(StreamChunks chunks, bool ended, uint64_t size)
    : chunks_(std::move(chunks)), ended_(ended), size_(size) {}

Status StreamLayout::Check(const std::string& db, const std::string& name) const {
  auto bad = [&](const std::string& what) {
    return Status::Corruption(db, "the records of stream '" + name + "' " + what);
  };
  uint64_t prev_end = 0;
  for (const auto& [begin, c] : chunks_) {
    if (begin < prev_end) return bad("overlap");
    const Checkpoint& k = c.checkpoint;
    prev_end = std::max(k.offset, k.hashed_end);
  }
  if (!ended_) return Status::OK();
  uint64_t at = 0;
  for (const auto& [begin, c] : chunks_) {
    if (begin != at || !c.complete) return bad("do not cover it, though it ended");
    at = c.end();
  }
  if (at != size_) return bad("do not end where it ended");
  return Status::OK();
}

StreamLayout::Bounds StreamLayout::ChunkBounds(uint64_t begin,
                                               uint64_t chunk_bytes) const {
  const uint64_t rule =
      begin > kNoBound - chunk_bytes ? kNoBound : begin + chunk_bytes;
  auto next = chunks_.upper_bound(begin);
  const uint64_t next_begin = next == chunks_.end() ? kNoBound : next->first;
  auto it = chunks_.find(begin);
  if (it == chunks_.end()) return Bounds{std::min(rule, next_begin), next_begin};
  const StreamChunk& c = it->second;
  if (ended_ && next == chunks_.end()) return Bounds{size_, kNoBound};  // tail
  if (c.complete) {
    return Bounds{c.end(), c.end(), !ended_ && next == chunks_.end()};
  }
  if (next_begin != kNoBound) return Bounds{next_begin, next_begin};
  return Bounds{std::max(rule, c.checkpoint.hashed_end), kNoBound};
}

const StreamChunk* StreamLayout::Recorded(uint64_t begin) const {
  auto it = chunks_.find(begin);
  return it == chunks_.end() ? nullptr : &it->second;
}

uint64_t StreamLayout::tail_begin() const {
  if (!ended_ || chunks_.empty()) return kNoBound;
  return chunks_.rbegin()->first;
}

uint64_t StreamLayout::counted_prefix() const {
  const uint64_t tail = tail_begin();
  uint64_t at = 0;
  for (const auto& [begin, c] : chunks_) {
    if (begin != at || !c.complete || begin == tail) break;
    at = c.end();
  }
  return at;
}

}  // namespace pretokdb

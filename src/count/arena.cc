#include "count/arena.h"

#include <cassert>

namespace pretokdb {

void Arena::Reset() {
  // Oversized blocks (one very long pretoken each) are freed: keeping them
  // would make the table look full forever after.
  for (const Block& b : large_) held_ -= b.size;
  large_.clear();
  next_block_ = 0;
  used_ = 0;
  ptr_ = nullptr;
  remaining_ = 0;
}

void Arena::Trim(size_t max_held) {
  assert(next_block_ == 0 && large_.empty());
  while (held_ > max_held && !blocks_.empty()) {
    held_ -= blocks_.back().size;
    blocks_.pop_back();
  }
}

char* Arena::AllocateSlow(size_t n) {
  if (n > block_size_ / 4) {
    // Large requests get a block of their own, so that the rest of the
    // current block is not wasted. Kept blocks this cycle has not reached
    // are freed to make room, so memory_held() stays near the most one
    // cycle needs rather than the sum of two different cycles.
    for (size_t freed = 0; freed < n && blocks_.size() > next_block_;) {
      freed += blocks_.back().size;
      held_ -= blocks_.back().size;
      blocks_.pop_back();
    }
    large_.push_back(Block{std::unique_ptr<char[]>(new char[n]), n});
    held_ += n;
    used_ += n;
    return large_.back().data.get();
  }
  if (next_block_ == blocks_.size()) {
    blocks_.push_back(
        Block{std::unique_ptr<char[]>(new char[block_size_]), block_size_});
    held_ += block_size_;
  }
  Block& b = blocks_[next_block_++];
  used_ += b.size;
  ptr_ = b.data.get() + n;
  remaining_ = b.size - n;
  return b.data.get();
}

}  // namespace pretokdb

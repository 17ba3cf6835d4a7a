// A bump allocator for pretoken bytes, after leveldb util/arena.h. Blocks are
// kept across Reset() so a table that is filled and spilled again and again
// does not return memory to the allocator and ask for it back.
//
// Not thread-safe.

#ifndef PRETOKDB_COUNT_ARENA_H_
#define PRETOKDB_COUNT_ARENA_H_

#include <cstddef>
#include <memory>
#include <vector>

namespace pretokdb {

class Arena {
 public:
  explicit Arena(size_t block_size) : block_size_(block_size) {}

  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Returns n bytes that stay valid until Reset() or destruction.
  char* Allocate(size_t n) {
    if (n <= remaining_) {
      char* p = ptr_;
      ptr_ += n;
      remaining_ -= n;
      return p;
    }
    return AllocateSlow(n);
  }

  // Forgets every allocation; keeps the blocks.
  void Reset();
  // Frees kept blocks until memory_held() <= max_held (or none is left).
  // Only right after Reset().
  void Trim(size_t max_held);

  // Bytes held from the allocator (every block, used or not).
  size_t memory_held() const { return held_; }
  // Bytes of the blocks handed out since Reset(); what a new block would
  // add to memory_held() is at most the block size or the request.
  size_t memory_used() const { return used_; }

 private:
  struct Block {
    std::unique_ptr<char[]> data;
    size_t size;
  };
  char* AllocateSlow(size_t n);

  const size_t block_size_;
  std::vector<Block> blocks_;  // block_size_ each, kept across Reset()
  std::vector<Block> large_;   // one oversized request each
  size_t next_block_ = 0;  // first block not yet handed out since Reset()
  char* ptr_ = nullptr;
  size_t remaining_ = 0;
  size_t held_ = 0;
  size_t used_ = 0;
};

}  // namespace pretokdb

#endif  // PRETOKDB_COUNT_ARENA_H_

// A bounded in-memory table of pretoken counts: open addressing with linear
// probing, keyed by XXH3-64 of the token, keys copied into an arena of large
// blocks. Nothing is allocated per pretoken in steady state.
//
// The slot array is allocated once, sized from the byte budget, and never
// grows; keys go to an arena whose blocks are counted too. memory_used() is
// what the table holds from the allocator. A worker calls Add() for each
// pretoken and, between pieces of input of at most `max_piece_bytes`, asks
// NeedsSpill(); when true it writes the table to the database and calls
// Clear(), which keeps the memory for reuse (so RSS stays flat).
//
// Not thread-safe: one table per worker.

#ifndef PRETOKDB_COUNT_COUNT_TABLE_H_
#define PRETOKDB_COUNT_COUNT_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "count/arena.h"

namespace pretokdb {

class CountTable {
 public:
  // byte_budget: the most the table may hold (slots and keys).
  // max_piece_bytes: the most input counted between two NeedsSpill() calls;
  // a piece of n bytes adds at most n new entries and n key bytes, and
  // NeedsSpill() keeps that much free.
  CountTable(size_t byte_budget, size_t max_piece_bytes);
  ~CountTable();

  CountTable(const CountTable&) = delete;
  CountTable& operator=(const CountTable&) = delete;

  // Adds n (> 0) to the count of token. Stays within the budget if
  // NeedsSpill() was false before the current piece began and the piece is
  // at most max_piece_bytes; a longer piece may grow the table past its
  // budget (it never fails) until the next Clear().
  void Add(std::string_view token, uint64_t n = 1);

  // True when the table must be spilled before another piece is counted.
  bool NeedsSpill() const;

  // Removes every entry; keeps the memory for reuse.
  void Clear();

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Sum of the counts added since the last Clear().
  uint64_t total() const { return total_; }
  size_t capacity() const { return capacity_; }
  size_t memory_used() const;

  // Calls fn(std::string_view token, uint64_t count) for every entry, in no
  // particular order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (size_t i = 0; i < capacity_; ++i) {
      const Slot& s = slots_[i];
      if (s.count != 0) fn(std::string_view(s.key, s.key_size), s.count);
    }
  }

 private:
  struct Slot {
    uint64_t hash;
    uint64_t count;  // 0 marks an empty slot
    const char* key;
    uint64_t key_size;
  };

  // Maps a hash onto [0, capacity_) without a power-of-two capacity
  // (Lemire's multiply-shift), so the whole slot share of the budget is used.
  size_t Home(uint64_t hash) const {
    return static_cast<size_t>(
        (static_cast<unsigned __int128>(hash) * capacity_) >> 64);
  }

  void Grow();

  size_t capacity_;
  size_t base_capacity_;     // capacity_ within the budget
  size_t overflow_entries_;  // Add() grows past this size
  size_t max_entries_;  // load-factor limit, less one piece of headroom
  size_t arena_limit_;  // arena bytes allowed, less one piece of headroom
  size_t size_ = 0;
  uint64_t total_ = 0;
  Slot* slots_;
  Arena arena_;
};

}  // namespace pretokdb

#endif  // PRETOKDB_COUNT_COUNT_TABLE_H_

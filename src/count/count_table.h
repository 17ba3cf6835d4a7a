// A bounded in-memory table of pretoken counts: open addressing with linear
// probing over 16-byte slots. Most pretokens are at most 8 bytes; those are
// stored in the slot itself, so finding one touches one cache line and
// hashing it is a multiply. Longer ones are hashed with XXH3 and their bytes
// kept in an arena of large blocks. Nothing is allocated per pretoken in
// steady state.
//
// AddBatch() hashes a batch of pretokens and prefetches their slots before
// probing any, so that the cache misses of a large table overlap instead of
// following one another.
//
// The slot array starts small and doubles while the old and the new array
// both fit the budget's slot share (a small vocabulary stays in cache);
// after a spill for want of slots it restarts at the full share. Keys go to
// the arena, whose blocks are counted too. memory_used() is what the table
// holds from the allocator. A worker counts pieces of at most
// `max_piece_bytes` and asks NeedsSpill() between them; when true it writes
// the table to the database and calls Clear(), which keeps the memory for
// reuse (so RSS stays flat).
//
// Not thread-safe: one table per worker.

#ifndef PRETOKDB_COUNT_COUNT_TABLE_H_
#define PRETOKDB_COUNT_COUNT_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "count/arena.h"

namespace pretokdb {

class CountTable {
 public:
  // The most pretokens AddBatch() takes at once.
  static constexpr size_t kMaxBatch = 32;

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

  // Adds 1 to the count of each of tokens[0, n), n <= kMaxBatch, as n calls
  // of Add() would.
  void AddBatch(const std::string_view* tokens, size_t n);

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

  // An entry's place in key order, for spills: the first 8 bytes of its
  // pretoken, big-endian and zero-padded (so integer order is byte order
  // on them), and its slot. 16 bytes, a copy of no key.
  struct SortKey {
    uint64_t prefix;
    uint32_t slot;
  };

  // Replaces *keys with one SortKey per entry, sorted by pretoken bytes
  // (unsigned, lexicographic). Read them with KeyAt() and CountAt() until
  // the next Add() or Clear().
  void SortedKeys(std::vector<SortKey>* keys) const;
  std::string_view KeyAt(uint32_t slot) const { return KeyOf(slots_[slot]); }
  uint64_t CountAt(uint32_t slot) const { return slots_[slot].count; }
  // Reading the entries in key order jumps around the slot array; a spill
  // prefetches a few entries ahead.
  void PrefetchSlot(uint32_t slot) const { __builtin_prefetch(&slots_[slot]); }

  // Calls fn(std::string_view token, uint64_t count) for every entry, in no
  // particular order. The views stay valid until Clear() or Add().
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (size_t i = 0; i < capacity_; ++i) {
      const Slot& s = slots_[i];
      if (s.count != 0) fn(KeyOf(s), s.count);
    }
  }

 private:
  // A slot is empty iff count == 0. A key of at most 8 bytes is in `word`
  // (its bytes in order, zero-padded); a longer one is in the arena and
  // `word` holds its address.
  struct Slot {
    uint64_t word;
    uint64_t count : 40;  // 1.1e12; NeedsSpill() keeps totals below
    uint64_t tag : 8;     // hash bits, to skip most long-key compares
    uint64_t size : 16;   // key bytes; kLongSize: the arena has the size
  };
  static_assert(sizeof(Slot) == 16);
  static constexpr uint32_t kLongSize = 0xFFFF;

  static uint64_t HashShort(uint64_t word, size_t size);
  static uint64_t Hash(std::string_view token, uint64_t* word);

  static std::string_view KeyOf(const Slot& s) {
    if (s.size <= 8) return std::string_view(reinterpret_cast<const char*>(&s.word), s.size);
    const char* p = reinterpret_cast<const char*>(s.word);
    if (s.size != kLongSize) return std::string_view(p, s.size);
    uint64_t n;
    std::memcpy(&n, p, 8);
    return std::string_view(p + 8, n);
  }

  // Maps a hash onto [0, capacity_) without a power-of-two capacity
  // (Lemire's multiply-shift), so the whole slot share of the budget is used.
  size_t Home(uint64_t hash) const {
    return static_cast<size_t>(
        (static_cast<unsigned __int128>(hash) * capacity_) >> 64);
  }

  void Insert(std::string_view token, uint64_t hash, uint64_t word,
              uint64_t n);
  void Grow();
  // Moves every entry into a new array of `capacity` slots.
  void Reallocate(size_t capacity);

  const size_t max_piece_bytes_;
  size_t max_capacity_;  // the slot share of the budget
  size_t capacity_ = 0;
  bool grows_in_budget_ = false;  // old + doubled array fit the slot share
  size_t grow_at_ = 0;            // Add() grows when size_ reaches it
  size_t max_entries_ = 0;  // load limit at the reachable capacity, less a piece
  size_t arena_limit_;      // arena bytes allowed, less one piece of headroom
  size_t size_ = 0;
  uint64_t total_ = 0;
  Slot* slots_ = nullptr;
  Arena arena_;
};

}  // namespace pretokdb

#endif  // PRETOKDB_COUNT_COUNT_TABLE_H_

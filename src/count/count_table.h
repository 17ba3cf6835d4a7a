// A bounded in-memory table of pretoken counts: open addressing with linear
// probing over 24-byte slots. Most pretokens are at most 16 bytes; those
// are stored in the slot itself, so finding one touches the slot's cache
// line(s) and nothing else. Longer ones keep their bytes in an arena of
// large blocks. Nothing is allocated per pretoken in steady state.
//
// AddBatch() hashes a batch of pretokens and prefetches their slots before
// probing any, so that the cache misses of a large table overlap instead of
// following one another.
//
// The slot array starts small (a small vocabulary stays in cache) and
// grows in place, within address space reserved for the whole slot share of
// the budget, up to that share; after a spill for want of room it restarts
// at the full share. Keys over
// 16 bytes go to the arena, whose blocks are counted too. How the budget is
// split between slots and arena follows what the last full round used, so
// that both run out together whether most keys are short (stories) or long.
// memory_used() is what the table holds from the allocator. A worker counts
// pieces of at most `max_piece_bytes` and asks NeedsSpill() between them;
// when true it writes the table to the database and calls Clear(), which
// keeps the memory for reuse (so RSS stays flat).
//
// Not thread-safe: one table per worker.

#ifndef PRETOKDB_COUNT_COUNT_TABLE_H_
#define PRETOKDB_COUNT_COUNT_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "count/arena.h"
#include "count/slot_memory.h"

namespace pretokdb {

class CountTable {
 public:
  // The most pretokens AddBatch() takes at once.
  static constexpr size_t kMaxBatch = 64;

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

  // Bytes AddBatch() may read from the start of each token, whatever its
  // size: loading an inline key whole, then masking it, is cheaper than
  // assembling it from loads of its exact size.
  static constexpr size_t kTokenReadBytes = 16;

  // Adds 1 to the count of each of tokens[0, n), n <= kMaxBatch, as n calls
  // of Add() would.
  // REQUIRES: kTokenReadBytes bytes are readable at each token's start
  // (a buffer the tokens come from has that much padding past its end).
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

  // Spilling. SortForSpill() rearranges the table, in place, into its
  // entries sorted by pretoken bytes (unsigned, lexicographic): a spill
  // needs no memory beside the table's (but for 640 KiB of bucket tables
  // when it holds 256Ki entries or more), so the table can have the whole
  // worker's share. Read them with SortedToken(i) and SortedCount(i),
  // i < size(), then Clear(); nothing else may be called in between, but
  // SortForSpill() again (a failed spill tried again) is harmless.
  void SortForSpill();
  std::string_view SortedToken(size_t i) const;
  uint64_t SortedCount(size_t i) const;
  // The token's first 8 bytes, big-endian, zero-padded.
  uint64_t SortedPrefix(size_t i) const;
  // A spill reads the entries in order; a long pretoken's bytes are
  // elsewhere, so it prefetches a few entries ahead.
  void PrefetchSorted(size_t i) const;

  // Calls fn(std::string_view token, uint64_t count) for every entry, in no
  // particular order. The views stay valid until Clear() or Add().
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (size_t i = 0; i < capacity_; ++i) {
      const Slot& s = slots_[i];
      if (s.meta != 0) fn(KeyOf(s), CountOf(s));
    }
  }

 private:
  // A slot is three words. `lo` holds a key's first 8 bytes in order,
  // zero-padded. A key of at most 16 bytes (kInlineBytes) is all in the
  // slot: `hi` holds its bytes 8 to 15, zero-padded; a longer key is in the
  // arena and `hi` holds its address. `meta` holds the key's size in its
  // low 16 bits (kLongSize: the arena has the size), 8 hash bits (the tag,
  // to skip most long-key compares) above them and the count in the top
  // 40 bits (1.1e12; NeedsSpill() keeps totals below), so a slot is empty
  // iff meta == 0 and adding to a count is one add. As `lo` is the key's
  // prefix for every size, sorting the slots needs the arena only for the
  // ties of long keys.
  struct Slot {
    uint64_t lo;
    uint64_t hi;
    uint64_t meta;
  };
  static_assert(sizeof(Slot) == 24);
  static constexpr size_t kInlineBytes = 16;
  static constexpr uint32_t kLongSize = 0xFFFF;
  static constexpr int kTagShift = 16;
  static constexpr int kCountShift = 24;
  static constexpr uint64_t kSizeMask = 0xFFFF;
  static constexpr uint64_t kTagSizeMask = (uint64_t{1} << kCountShift) - 1;

  static size_t SizeOf(const Slot& s) { return s.meta & kSizeMask; }
  static uint64_t CountOf(const Slot& s) { return s.meta >> kCountShift; }

  // The hash of a key of at most 16 bytes, from its slot words.
  static uint64_t HashInline(uint64_t lo, uint64_t hi, size_t size);
  // Any key's hash; sets *lo and *hi to its slot words (*hi is 0 for a
  // long key, whose address is not known yet).
  static uint64_t Hash(std::string_view token, uint64_t* lo, uint64_t* hi);
  // The size field and tag of a key's slot.
  static uint64_t TagSize(uint64_t hash, size_t size) {
    return ((hash & 0xFF) << kTagShift) | (size < kLongSize ? size : kLongSize);
  }

  // The key of a slot; an inline key is a view into the slot itself.
  static std::string_view KeyOf(const Slot& s) {
    const size_t size = SizeOf(s);
    if (size <= kInlineBytes) {
      static_assert(offsetof(Slot, lo) == 0 && offsetof(Slot, hi) == 8);
      return std::string_view(reinterpret_cast<const char*>(&s), size);
    }
    return LongKeyAt(reinterpret_cast<const char*>(s.hi), size);
  }
  // The key stored at p by InsertLong(); size is the slot's size field.
  static std::string_view LongKeyAt(const char* p, size_t size) {
    if (size != kLongSize) return std::string_view(p, size);
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

  // Add n to the count of a key, given its hash and slot words: one of at
  // most 16 bytes by its words alone, a longer one with its bytes.
  void InsertInline(uint64_t tag_size, uint64_t hash, uint64_t lo, uint64_t hi,
                    uint64_t n);
  void InsertLong(std::string_view token, uint64_t hash, uint64_t lo,
                  uint64_t n);
  // Key order of two slots, and the in-place sort (slots [0, n) agree on
  // the key bytes before `byte`).
  static bool SortedBefore(const Slot& a, const Slot& b);
  static void SortSlots(Slot* a, size_t n, int byte);
  // The first pass of SortSlotsOnTwoBytes() goes by this digit; `counts`
  // holds how many of a[0, n) have each value.
  static uint32_t TwoByteDigit(const Slot& s) {
    return static_cast<uint32_t>(((s.lo & 0xFF) << 8) | ((s.lo >> 8) & 0xFF));
  }
  static void SortSlotsOnTwoBytes(Slot* a, size_t n,
                                  std::vector<uint32_t> counts);
  static void SortLeaf(Slot* a, size_t n);
  // Address space for a slot array of up to `bytes`, or more.
  static std::unique_ptr<SlotMemory> ReserveSlots(size_t bytes);
  // The hash a slot's key was placed by.
  static uint64_t HashOf(const Slot& s);
  void Grow();
  size_t StepTowardShare(size_t capacity) const;
  // Rehashes every entry into `capacity` (> capacity_) slots of the same
  // memory, which must have room for them.
  void GrowInPlace(size_t capacity);
  // Rehashes every entry into `capacity` slots of new memory.
  void MoveTo(size_t capacity);
  // Puts an entry whose key is not in the table into its place.
  void Place(const Slot& entry, uint64_t hash);
  // Sets the capacity of an empty table.
  void ResizeEmpty(size_t capacity);
  // Gives `capacity` slots (clamped) to the array and the rest of the
  // budget, less the reserve, to the arena.
  void SetSlotShare(size_t capacity);
  // Sets when Add() grows the array and when NeedsSpill() says so, from
  // the capacity and the slot share.
  void SetLimits();

  const size_t max_piece_bytes_;
  const size_t budget_;
  const size_t reserve_;   // headroom for one piece
  size_t max_capacity_;  // the slot share of the budget
  size_t capacity_ = 0;
  size_t grow_at_ = 0;      // Add() grows when size_ reaches it
  size_t max_entries_ = 0;  // load limit at the slot share, less a piece
  size_t arena_limit_;      // arena bytes allowed, less one piece of headroom
  size_t size_ = 0;
  uint64_t total_ = 0;
  bool sorted_ = false;  // SortForSpill() ran; only Clear() undoes it
  std::unique_ptr<SlotMemory> slot_memory_;
  Slot* slots_ = nullptr;  // in slot_memory_
  Arena arena_;
};

}  // namespace pretokdb

#endif  // PRETOKDB_COUNT_COUNT_TABLE_H_

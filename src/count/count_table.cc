#include "count/count_table.h"

#include "count/slot_memory.h"

// Inlined: long pretokens are mostly 17 to 32 bytes, where XXH3 is a few
// instructions and the call through the PLT costs as much.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <new>

namespace pretokdb {

namespace {

// Linear probing stays short below this load.
constexpr double kMaxLoad = 0.7;
// Past this load Add() grows the array rather than risk a full table.
constexpr double kOverflowLoad = 0.9;
// Share of the budget given to the slot array until a first full round
// shows how many arena bytes an entry takes; the rest holds the bytes of
// pretokens longer than 16 bytes: a sixth of web text's distinct
// pretokens, almost none of a story's.
constexpr double kFirstSlotShare = 0.8;
// Bounds on the slot array's share, whatever the last round's keys: text
// can change from short keys to long ones (or back) from one round to the
// next, and the table must stay useful then too.
constexpr double kMinSlotShare = 0.3;
constexpr double kMaxSlotShare = 0.85;
constexpr size_t kMinCapacity = 64;
constexpr size_t kInitialCapacity = 16384;  // 384 KiB
// Entries from which a spill's sort starts with a pass by two key bytes
// (CountTable::SortSlotsOnTwoBytes()).
constexpr size_t kTwoByteSortFrom = size_t{1} << 18;
// Counts are 40 bits: spill long before any could overflow.
constexpr uint64_t kMaxTotal = uint64_t{1} << 39;

// Slots enough for a piece of distinct pretokens (NeedsSpill() keeps that
// many free) and as much again, at the load limit.
size_t SlotsForTwoPieces(size_t max_piece_bytes) {
  return static_cast<size_t>(2 * max_piece_bytes / kMaxLoad);
}

// The most slots of `slot_bytes` the array may have within the budget.
size_t MostSlots(size_t budget, size_t slot_bytes) {
  return std::max(static_cast<size_t>(budget * kMaxSlotShare) / slot_bytes,
                  kMinCapacity);
}

// n elements of T: on the stack up to N (the common case, no allocation),
// on the heap beyond.
template <typename T, size_t N>
class ScratchArray {
 public:
  explicit ScratchArray(size_t n) {
    if (n > N) {
      heap_.resize(n);
      data_ = heap_.data();
    }
  }
  T* data() { return data_; }

 private:
  T stack_[N];
  std::vector<T> heap_;
  T* data_ = stack_;
};

// The permutation of a radix pass: moves every element of a[] into its
// bucket, digit(x). Bucket d is [next[d], end[d]), filled up to next[d];
// unfinished[0, n) lists the buckets not yet filled (and is overwritten).
// In rounds: each element in the unfilled part of a bucket is swapped to
// the next free place of its own bucket, and the element it displaces is
// left for the next round. Unlike following each displaced element at once
// (the classic cycle), the swaps of one round do not wait on each other,
// so the CPU overlaps their cache misses; a pass over 40 MB of slots is
// bound by those. Every swap fills a place, so the rounds end; the last
// unfinished bucket holds only its own elements.
template <typename T, typename Index, typename Bucket, typename Digit>
void FillBuckets(T* a, Index* next, const Index* end, Bucket* unfinished,
                 size_t n, const Digit& digit) {
  while (n > 1) {
    size_t still = 0;
    for (size_t u = 0; u < n; ++u) {
      const Bucket d = unfinished[u];
      for (size_t i = next[d], stop = end[d]; i < stop; ++i) {
        std::swap(a[i], a[next[digit(a[i])]++]);
      }
      if (next[d] != end[d]) unfinished[still++] = d;
    }
    n = still;
  }
}

size_t ArenaBlockSize(size_t budget) {
  return std::clamp<size_t>(budget / 32, 256, size_t{1} << 20);
}

}  // namespace

// Two multiplies, one per slot word, and their sum: the top bits, which
// pick the home slot (Home() keeps the high bits of hash * capacity), depend
// on every key bit. Most pretokens are counted from a table that stays in
// cache, where this hash is a fair share of the work: an XXH3-style
// 128-bit fold and avalanche measured 5% slower on stories. The tag, from
// the low bits, is only needed for long keys, which XXH3 hashes.
uint64_t CountTable::HashInline(uint64_t lo, uint64_t hi, size_t size) {
  const uint64_t h = (lo ^ 0x1cad21f72c81017cull) * 0x9E3779B97F4A7C15ull +
                     (hi ^ (size * 0xdb979083e96dd4deull)) * 0xC2B2AE3D27D4EB4Full;
  return h ^ (h >> 29);
}

// The bytes of a token of at most 8 bytes as a little-endian word, zero
// padded: what memcpy into a zeroed word gives, without a call to memcpy
// for a variable size (and the store-to-load stall after it). Two fixed-size
// loads overlap in the middle; OR-ing the overlap is harmless because both
// loads put the same bytes at the same places.
static inline uint64_t LoadShort(const char* p, size_t n) {
  static_assert(std::endian::native == std::endian::little);
  if (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  }
  if (n >= 4) {
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    return lo | (uint64_t{hi} << (8 * (n - 4)));
  }
  if (n >= 2) {
    uint16_t lo, hi;
    std::memcpy(&lo, p, 2);
    std::memcpy(&hi, p + n - 2, 2);
    return lo | (uint64_t{hi} << (8 * (n - 2)));
  }
  return n == 1 ? static_cast<unsigned char>(p[0]) : 0;
}

// Whether n > 8 bytes at a and b are equal. Most long pretokens are 17 to
// 24 bytes, whose bytes after the first 8 two overlapping 8-byte loads
// compare without a call.
static inline bool EqualLong(const char* a, const char* b, size_t n) {
  if (n <= 16) {
    uint64_t a0, b0, a1, b1;
    std::memcpy(&a0, a, 8);
    std::memcpy(&b0, b, 8);
    std::memcpy(&a1, a + n - 8, 8);
    std::memcpy(&b1, b + n - 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  return std::memcmp(a, b, n) == 0;
}

uint64_t CountTable::Hash(std::string_view token, uint64_t* lo, uint64_t* hi) {
  const char* p = token.data();
  const size_t n = token.size();
  if (n <= 8) {
    *lo = LoadShort(p, n);
    *hi = 0;
    return HashInline(*lo, 0, n);
  }
  std::memcpy(lo, p, 8);
  if (n <= kInlineBytes) {
    // Bytes n-8 to n-1, shifted down past the ones `lo` holds.
    uint64_t last;
    std::memcpy(&last, p + n - 8, 8);
    *hi = last >> (8 * (kInlineBytes - n));
    return HashInline(*lo, *hi, n);
  }
  *hi = 0;
  return XXH3_64bits(p, n);
}

CountTable::CountTable(size_t byte_budget, size_t max_piece_bytes)
    : max_piece_bytes_(max_piece_bytes),
      budget_(byte_budget),
      // A piece of n bytes adds at most n key bytes to the arena, and
      // 8 bytes of size for each key of 64 KiB or more; the arena may also
      // start a new block.
      reserve_(2 * max_piece_bytes + ArenaBlockSize(byte_budget)),
      arena_(ArenaBlockSize(byte_budget)) {
  SetSlotShare(static_cast<size_t>(byte_budget * kFirstSlotShare) /
               sizeof(Slot));
  // Room for the largest slot share, and for doubling past it once (a
  // piece with no resume point, Grow()) before the array has to move.
  slot_memory_ =
      ReserveSlots(MostSlots(byte_budget, sizeof(Slot)) * sizeof(Slot));
  slots_ = static_cast<Slot*>(slot_memory_->data());
  // Start small: a small vocabulary then lives in a few hundred KiB that
  // stay in cache, instead of being scattered over the whole budget.
  ResizeEmpty(StepTowardShare(kInitialCapacity));
}

CountTable::~CountTable() = default;

// Twice what is needed, so that the array can double in place once. The
// reservation is address space only, unless the system does not
// overcommit (vm.overcommit_memory=2), where it counts against the commit
// limit as memory would: then what is needed is enough.
std::unique_ptr<SlotMemory> CountTable::ReserveSlots(size_t bytes) {
  try {
    return std::make_unique<SlotMemory>(2 * bytes);
  } catch (const std::bad_alloc&) {
    return std::make_unique<SlotMemory>(bytes);
  }
}

uint64_t CountTable::HashOf(const Slot& s) {
  const size_t size = SizeOf(s);
  if (size <= kInlineBytes) return HashInline(s.lo, s.hi, size);
  const std::string_view key = KeyOf(s);
  return XXH3_64bits(key.data(), key.size());
}

void CountTable::Place(const Slot& entry, uint64_t hash) {
  size_t i = Home(hash);
  while (slots_[i].meta != 0) {
    if (++i == capacity_) i = 0;
  }
  slots_[i] = entry;
}

void CountTable::ResizeEmpty(size_t capacity) {
  assert(size_ == 0);
  std::memset(static_cast<void*>(slots_), 0,
              std::min(capacity_, capacity) * sizeof(Slot));
  slot_memory_->Resize(capacity * sizeof(Slot));
  capacity_ = capacity;
  SetLimits();
}

// Home() scales a hash by the capacity, so growing never moves a home
// down: an entry's new home is at or above its old one (about twice as far
// from slot 0 when the capacity doubles). Going from the last old slot to
// the first, each entry is taken out of its slot and probed for from its
// new home, over slots that hold only entries already moved; none of them
// reaches a slot not yet visited unless its new home lies below the
// current slot or its probe wraps around the end. Those few (entries
// displaced far, near the start) are placed at the end, as any insert is.
// Reads and writes both sweep the array downwards: no random access.
void CountTable::GrowInPlace(size_t capacity) {
  assert(capacity > capacity_);
  const size_t old_capacity = capacity_;
  slot_memory_->Resize(capacity * sizeof(Slot));  // the new slots are zeros
  capacity_ = capacity;
  std::vector<std::pair<Slot, uint64_t>> later;
  constexpr size_t kKeyAhead = 16;  // a long key's bytes are read to rehash
  constexpr size_t kHomeAhead = 64;
  const uint64_t ratio = (uint64_t{capacity} << 16) / old_capacity;  // 16.16
  for (size_t i = old_capacity; i-- > 0;) {
    if (i >= kKeyAhead && SizeOf(slots_[i - kKeyAhead]) > kInlineBytes) {
      __builtin_prefetch(reinterpret_cast<const char*>(slots_[i - kKeyAhead].hi));
    }
    // Where the entries a little further down will go: the new homes of
    // slots near i lie near i * capacity / old_capacity.
    if (i >= kHomeAhead) {
      __builtin_prefetch(&slots_[static_cast<size_t>(
          (static_cast<unsigned __int128>(i - kHomeAhead) * ratio) >> 16)], 1);
    }
    const Slot s = slots_[i];
    if (s.meta == 0) continue;
    slots_[i] = Slot{};
    const uint64_t hash = HashOf(s);
    const size_t j = Home(hash);
    if (j < i) {
      later.emplace_back(s, hash);
      continue;
    }
    size_t end = j;  // the first empty slot from j on
    while (end < capacity_ && slots_[end].meta != 0) ++end;
    if (end == capacity_) {  // the run would wrap around, below i
      later.emplace_back(s, hash);
      continue;
    }
    // Within the run from its home on, the entry goes ahead of the first
    // one with a smaller count; those after it move up one slot, which
    // keeps them findable. So the most frequent pretokens sit nearest
    // their homes. Placed at the first empty slot instead, they would be
    // displaced most, because this sweep places the entries of a run in
    // the reverse of the order they came in, in which the frequent ones
    // mostly came first (measured on web text: 0.35 probes per lookup
    // more).
    const uint64_t count = CountOf(s);
    size_t p = j;
    while (p < end && CountOf(slots_[p]) >= count) ++p;
    if (p != end) {
      std::memmove(static_cast<void*>(&slots_[p + 1]), &slots_[p],
                   (end - p) * sizeof(Slot));
    }
    slots_[p] = s;
  }
  for (const auto& [s, hash] : later) Place(s, hash);
  SetLimits();
}

void CountTable::MoveTo(size_t capacity) {
  std::unique_ptr<SlotMemory> memory = ReserveSlots(capacity * sizeof(Slot));
  memory->Resize(capacity * sizeof(Slot));
  std::unique_ptr<SlotMemory> old_memory = std::move(slot_memory_);
  const Slot* const old = slots_;
  const size_t old_capacity = capacity_;
  slot_memory_ = std::move(memory);
  slots_ = static_cast<Slot*>(slot_memory_->data());
  capacity_ = capacity;
  // In groups, as AddBatch() does: the homes of a group are prefetched
  // before any is probed, and a long key's bytes a little before it is
  // hashed, so that the misses of the new array and of the arena overlap.
  constexpr size_t kGroup = 32;
  constexpr size_t kKeyAhead = 16;
  uint64_t hashes[kGroup];
  const Slot* from[kGroup];
  for (size_t j = 0; j < old_capacity;) {
    size_t n = 0;
    for (; j < old_capacity && n < kGroup; ++j) {
      if (j + kKeyAhead < old_capacity &&
          SizeOf(old[j + kKeyAhead]) > kInlineBytes) {
        __builtin_prefetch(reinterpret_cast<const char*>(old[j + kKeyAhead].hi));
      }
      const Slot& s = old[j];
      if (s.meta == 0) continue;
      hashes[n] = HashOf(s);
      const char* home = reinterpret_cast<const char*>(&slots_[Home(hashes[n])]);
      __builtin_prefetch(home, 1);
      __builtin_prefetch(home + sizeof(Slot) - 1, 1);
      from[n++] = &s;
    }
    for (size_t k = 0; k < n; ++k) Place(*from[k], hashes[k]);
  }
  SetLimits();
}

void CountTable::SetLimits() {
  grow_at_ = static_cast<size_t>(
      capacity_ * (capacity_ < max_capacity_ ? kMaxLoad : kOverflowLoad));
  const size_t load_limit = static_cast<size_t>(max_capacity_ * kMaxLoad);
  // A tiny budget still accepts one piece; it just spills after each.
  max_entries_ =
      load_limit > max_piece_bytes_ ? load_limit - max_piece_bytes_ : 0;
}

void CountTable::Add(std::string_view token, uint64_t n) {
  assert(n > 0 && !sorted_);
  if (size_ >= grow_at_) Grow();
  uint64_t lo, hi;
  const uint64_t hash = Hash(token, &lo, &hi);
  if (token.size() <= kInlineBytes) {
    InsertInline(TagSize(hash, token.size()), hash, lo, hi, n);
  } else {
    InsertLong(token, hash, lo, n);
  }
  total_ += n;
}

void CountTable::AddBatch(const std::string_view* tokens, size_t n) {
  assert(n <= kMaxBatch && !sorted_);
  // Masks keeping a key's bytes in the 16 loaded from its start, by size:
  // the low min(size, 8) bytes of the first word and the low size - 8 of
  // the second.
  static constexpr uint64_t kKeep[9] = {
      0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF, 0xFFFFFFFFFFull,
      0xFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFull, ~uint64_t{0}};
  static constexpr auto kKeepLo = [] {
    std::array<uint64_t, kInlineBytes + 1> m{};
    for (size_t i = 0; i <= kInlineBytes; ++i) m[i] = kKeep[i < 8 ? i : 8];
    return m;
  }();
  static constexpr auto kKeepHi = [] {
    std::array<uint64_t, kInlineBytes + 1> m{};
    for (size_t i = 0; i <= kInlineBytes; ++i) m[i] = kKeep[i < 8 ? 0 : i - 8];
    return m;
  }();
  static_assert(std::endian::native == std::endian::little);
  static_assert(kTokenReadBytes == 2 * 8);
  if (size_ + n > grow_at_) Grow();
  uint64_t hashes[kMaxBatch];
  uint64_t los[kMaxBatch];
  uint64_t his[kMaxBatch];
  // First every hash and a prefetch of every home slot, then the probes:
  // the misses of the batch are in flight together.
  for (size_t i = 0; i < n; ++i) {
    const char* p = tokens[i].data();
    const size_t size = tokens[i].size();
    uint64_t lo, hi;
    std::memcpy(&lo, p, 8);  // kTokenReadBytes
    std::memcpy(&hi, p + 8, 8);
    if (size <= kInlineBytes) {
      los[i] = lo & kKeepLo[size];
      his[i] = hi & kKeepHi[size];
      hashes[i] = HashInline(los[i], his[i], size);
    } else {
      los[i] = lo;
      hashes[i] = XXH3_64bits(p, size);
    }
    // Both ends of the home slot: a quarter of the slots cross a cache
    // line, and the probe compares the key words as well as the meta word.
    // (Measured on 1 GB of web text: prefetching the meta word's line only
    // left the probe stalled on the key words; both lines: 7% faster.)
    const Slot* home = &slots_[Home(hashes[i])];
    __builtin_prefetch(&home->lo, 1);
    __builtin_prefetch(&home->meta, 1);
  }
  for (size_t i = 0; i < n; ++i) {
    const size_t size = tokens[i].size();
    if (size <= kInlineBytes) {
      InsertInline(TagSize(hashes[i], size), hashes[i], los[i], his[i], 1);
    } else {
      InsertLong(tokens[i], hashes[i], los[i], 1);
    }
  }
  total_ += n;
}

inline void CountTable::InsertInline(uint64_t tag_size, uint64_t hash,
                                     uint64_t lo, uint64_t hi, uint64_t n) {
  // The key is the two words and the size: no compare of key bytes.
  size_t i = Home(hash);
  for (;;) {
    Slot& s = slots_[i];
    if (s.meta == 0) {
      s.lo = lo;
      s.hi = hi;
      s.meta = (n << kCountShift) | tag_size;
      ++size_;
      return;
    }
    if (((s.lo ^ lo) | (s.hi ^ hi) | ((s.meta & kTagSizeMask) ^ tag_size)) == 0) {
      s.meta += n << kCountShift;
      return;
    }
    if (++i == capacity_) i = 0;
  }
}

void CountTable::InsertLong(std::string_view token, uint64_t hash, uint64_t lo,
                            uint64_t n) {
  const size_t size = token.size();
  const uint64_t tag_size = TagSize(hash, size);
  size_t i = Home(hash);
  for (;;) {
    Slot& s = slots_[i];
    if (s.meta == 0) {
      char* key;
      if (size < kLongSize) {
        key = arena_.Allocate(size);
        std::memcpy(key, token.data(), size);
      } else {
        key = arena_.Allocate(8 + size);
        const uint64_t n64 = size;
        std::memcpy(key, &n64, 8);
        std::memcpy(key + 8, token.data(), size);
      }
      s.lo = lo;
      s.hi = reinterpret_cast<uintptr_t>(key);
      s.meta = (n << kCountShift) | tag_size;
      ++size_;
      return;
    }
    // The first 8 bytes and the tag in the slot spare most arena reads.
    if ((s.meta & kTagSizeMask) == tag_size && s.lo == lo &&
        (size < kLongSize
             ? EqualLong(reinterpret_cast<const char*>(s.hi) + 8,
                         token.data() + 8, size - 8)
             : KeyOf(s) == token)) {
      s.meta += n << kCountShift;
      return;
    }
    if (++i == capacity_) i = 0;
  }
}

// A capacity of about `capacity`, but the slot share itself when that is
// within a quarter of it: a small last step would leave GrowInPlace() many
// entries to place last.
size_t CountTable::StepTowardShare(size_t capacity) const {
  return capacity + capacity / 4 > max_capacity_ ? max_capacity_ : capacity;
}

void CountTable::Grow() {
  size_t capacity = 2 * capacity_;
  if (capacity_ < max_capacity_) capacity = StepTowardShare(capacity);
  // Else only a piece far larger than max_piece_bytes gets here: a stretch
  // of input with no resume point in it (e.g. megabytes of CJK text without
  // a newline). Correctness first: double, over budget, until the next
  // resume point spills and Clear() shrinks back.
  if (capacity * sizeof(Slot) <= slot_memory_->reserved()) {
    GrowInPlace(capacity);
  } else {
    MoveTo(capacity);
  }
}

void CountTable::SortForSpill() {
  // Already sorted: a spill that failed is being tried again.
  if (sorted_) return;
  sorted_ = true;
  // Pack the entries at the front, then sort them there. A large sort's
  // first pass counts its digits as the entries are packed, which saves
  // reading them all once more.
  size_t n = 0;
  if (size_ >= kTwoByteSortFrom && size_ <= UINT32_MAX) {
    std::vector<uint32_t> counts(size_t{1} << 16, 0);
    for (size_t i = 0; i < capacity_; ++i) {
      if (slots_[i].meta == 0) continue;
      ++counts[TwoByteDigit(slots_[i])];
      slots_[n++] = slots_[i];
    }
    assert(n == size_);
    SortSlotsOnTwoBytes(slots_, n, std::move(counts));
    return;
  }
  for (size_t i = 0; i < capacity_; ++i) {
    if (slots_[i].meta != 0) slots_[n++] = slots_[i];
  }
  assert(n == size_);
  SortSlots(slots_, n, 0);
}

// `lo` holds a key's first 8 bytes in order, zero-padded: byte-swapped,
// integer order is key order on them. Likewise `hi` for bytes 8 to 15 of
// inline keys. When two inline keys tie on both, one is a prefix of the
// other followed by NULs (or they are equal), so the sizes decide; only a
// long key tying with another key on 8 bytes needs the arena.
bool CountTable::SortedBefore(const Slot& a, const Slot& b) {
  const uint64_t pa = __builtin_bswap64(a.lo);
  const uint64_t pb = __builtin_bswap64(b.lo);
  if (pa != pb) return pa < pb;
  const size_t sa = SizeOf(a), sb = SizeOf(b);
  if (sa <= kInlineBytes && sb <= kInlineBytes) {
    const uint64_t qa = __builtin_bswap64(a.hi);
    const uint64_t qb = __builtin_bswap64(b.hi);
    if (qa != qb) return qa < qb;
    return sa < sb;
  }
  return KeyOf(a) < KeyOf(b);
}

// The slots that the radix passes leave together: a comparison sort on
// each key's first 16 bytes, read once. A long key's bytes 8 to 15 are in
// the arena, in no useful order; fetched once per key here, instead of once
// per comparison, they cost one cache miss each, all of them overlapped.
// (Measured: comparisons through the arena were half of a spill's sort of
// web text.) Keys that tie on 16 bytes are rare and compared in full.
void CountTable::SortLeaf(Slot* a, size_t n) {
  if (n < 2) return;
  struct Key {
    uint64_t first;   // bytes 0-7, big-endian: integer order is byte order
    uint64_t second;  // bytes 8-15, zero-padded, big-endian
    const Slot* slot;
  };
  ScratchArray<Key, 64> key_array(n);
  Key* const keys = key_array.data();
  for (size_t i = 0; i < n; ++i) {
    const Slot& s = a[i];
    uint64_t second = s.hi;
    if (SizeOf(s) > kInlineBytes) std::memcpy(&second, KeyOf(s).data() + 8, 8);
    keys[i] = Key{__builtin_bswap64(s.lo), __builtin_bswap64(second), &s};
  }
  std::sort(keys, keys + n, [](const Key& x, const Key& y) {
    if (x.first != y.first) return x.first < y.first;
    if (x.second != y.second) return x.second < y.second;
    return SortedBefore(*x.slot, *y.slot);
  });
  ScratchArray<Slot, 64> sorted_array(n);
  Slot* const sorted = sorted_array.data();
  for (size_t i = 0; i < n; ++i) sorted[i] = *keys[i].slot;
  std::memcpy(static_cast<void*>(a), sorted, n * sizeof(Slot));
}

// The first pass of a large sort goes by the first two key bytes at once.
// Byte by byte, most slots go through three or four passes over arrays
// larger than the caches (a word's first bytes split it into few buckets:
// a space, then letters), each one missing on most lines; after a pass by
// two bytes, buckets average a few hundred slots and the passes below stay
// in cache. Its bucket tables (2 x 256 KiB) are what a spill allocates
// beside the table.
void CountTable::SortSlotsOnTwoBytes(Slot* a, [[maybe_unused]] size_t n,
                                     std::vector<uint32_t> counts) {
  constexpr size_t kBuckets = 1 << 16;
  assert(counts.size() == kBuckets);
  std::vector<uint32_t>& next = counts;  // becomes the bucket frontiers
  std::vector<uint32_t> end(kBuckets);
  std::vector<uint16_t> unfinished;
  uint32_t sum = 0;
  for (size_t d = 0; d < kBuckets; ++d) {
    const uint32_t count = next[d];
    next[d] = sum;
    sum += count;
    end[d] = sum;
    if (count != 0) unfinished.push_back(static_cast<uint16_t>(d));
  }
  assert(sum == n);
  FillBuckets(a, next.data(), end.data(), unfinished.data(), unfinished.size(),
              TwoByteDigit);
  uint32_t begin = 0;
  for (size_t d = 0; d < kBuckets; ++d) {
    if (end[d] - begin > 1) SortSlots(a + begin, end[d] - begin, 2);
    begin = end[d];
  }
}

// An in-place MSD radix sort on the first 8 key bytes (American flag sort:
// each pass counts a byte's values, then swaps every slot into its bucket),
// down to buckets small enough for std::sort with the full comparison. A
// pass touches 256 bucket frontiers that stay in cache, where a comparison
// sort of millions of slots jumps across the whole array ~22 times.
void CountTable::SortSlots(Slot* a, size_t n, int byte) {
  constexpr size_t kSmall = 64;
  if (n <= kSmall || byte == 8) {
    SortLeaf(a, n);
    return;
  }
  const int shift = 8 * byte;  // little-endian: key byte i is bits 8i..8i+7
  auto digit = [shift](const Slot& s) { return (s.lo >> shift) & 0xFF; };
  size_t count[256] = {};
  for (size_t i = 0; i < n; ++i) ++count[digit(a[i])];
  if (count[digit(a[0])] == n) {  // one bucket: on to the next byte
    SortSlots(a, n, byte + 1);
    return;
  }
  size_t next[256], end[256];
  uint8_t unfinished[256];  // buckets not yet filled
  size_t num_unfinished = 0;
  size_t sum = 0;
  for (int d = 0; d < 256; ++d) {
    next[d] = sum;
    sum += count[d];
    end[d] = sum;
    if (count[d] != 0) unfinished[num_unfinished++] = static_cast<uint8_t>(d);
  }
  FillBuckets(a, next, end, unfinished, num_unfinished, digit);
  size_t begin = 0;
  for (int d = 0; d < 256; ++d) {
    if (count[d] > 1) SortSlots(a + begin, count[d], byte + 1);
    begin += count[d];
  }
}

std::string_view CountTable::SortedToken(size_t i) const {
  assert(sorted_ && i < size_);
  return KeyOf(slots_[i]);
}

uint64_t CountTable::SortedCount(size_t i) const {
  assert(sorted_ && i < size_);
  return CountOf(slots_[i]);
}

uint64_t CountTable::SortedPrefix(size_t i) const {
  assert(sorted_ && i < size_);
  return __builtin_bswap64(slots_[i].lo);
}

void CountTable::PrefetchSorted(size_t i) const {
  // The slot itself first, further on: reading its size to find a long key
  // would otherwise wait for it at each new page, where the hardware
  // prefetcher starts over.
  constexpr size_t kSlotAhead = 16;
  if (i + kSlotAhead < size_) __builtin_prefetch(&slots_[i + kSlotAhead]);
  if (i < size_ && SizeOf(slots_[i]) > kInlineBytes) {
    __builtin_prefetch(reinterpret_cast<const char*>(slots_[i].hi));
  }
}

void CountTable::SetSlotShare(size_t capacity) {
  const size_t least = std::max(
      static_cast<size_t>(budget_ * kMinSlotShare) / sizeof(Slot),
      SlotsForTwoPieces(max_piece_bytes_));
  max_capacity_ = std::min(std::max({capacity, least, kMinCapacity}),
                           MostSlots(budget_, sizeof(Slot)));
  const size_t slot_bytes = max_capacity_ * sizeof(Slot);
  arena_limit_ = budget_ > slot_bytes + reserve_ ? budget_ - slot_bytes - reserve_ : 0;
}

bool CountTable::NeedsSpill() const {
  return size_ > max_entries_ || arena_.memory_used() > arena_limit_ ||
         total_ > kMaxTotal;
}

void CountTable::Clear() {
  const bool filled = size_ > max_entries_ || capacity_ > max_capacity_ ||
                      arena_.memory_used() > arena_limit_;
  if (filled && size_ > 0) {
    // Split the budget as this round used it: per entry, its slots at the
    // load limit and its arena bytes, so that slots and keys run out
    // together next time. The text of one file changes slowly.
    const double arena_per_entry =
        static_cast<double>(arena_.memory_used()) / static_cast<double>(size_);
    const double usable = budget_ > reserve_ ? double(budget_ - reserve_) : 0;
    const auto fit = static_cast<size_t>(
        usable / (sizeof(Slot) + kMaxLoad * arena_per_entry));
    // Within 10% below the fit, the array is kept: resizing it costs page
    // faults.
    SetSlotShare(capacity_ <= fit && capacity_ >= fit / 10 * 9 ? capacity_ : fit);
  }
  arena_.Reset();
  // A piece with no resume point may have filled the arena past its share;
  // what it kept beyond that goes back.
  const size_t slot_bytes = max_capacity_ * sizeof(Slot);
  arena_.Trim(budget_ > slot_bytes ? budget_ - slot_bytes : 0);
  size_ = 0;
  total_ = 0;
  sorted_ = false;
  // Spilled when full: the next round starts at the full size.
  ResizeEmpty(filled ? max_capacity_ : capacity_);
}

size_t CountTable::memory_used() const {
  return capacity_ * sizeof(Slot) + arena_.memory_held();
}

}  // namespace pretokdb

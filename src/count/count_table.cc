#include "count/count_table.h"

#include "count/slot_memory.h"

#include <xxhash.h>

#include <algorithm>
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
// Share of the budget given to the slot array. The rest holds the bytes of
// pretokens longer than 8 bytes (about a fifth of the distinct pretokens of
// web text, ~12 bytes each).
constexpr double kSlotShare = 0.8;
constexpr size_t kMinCapacity = 64;
constexpr size_t kInitialCapacity = 16384;  // 256 KiB
// Counts are 40 bits: spill long before any could overflow.
constexpr uint64_t kMaxTotal = uint64_t{1} << 39;

size_t ArenaBlockSize(size_t budget) {
  return std::clamp<size_t>(budget / 32, 256, size_t{1} << 20);
}

}  // namespace

uint64_t CountTable::HashShort(uint64_t word, size_t size) {
  // MurmurHash3's 64-bit finalizer: every input bit reaches every output
  // bit, which linear probing and the tag need; XXH3 would cost more for a
  // key that fits in a register.
  uint64_t h = word ^ (size * 0x9E3779B97F4A7C15ull);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

// The bytes of a token of at most 8 bytes as a little-endian word, zero
// padded: what memcpy into a zeroed word gives, without a call to memcpy
// for a variable size (and the store-to-load stall after it). Two fixed-size
// loads overlap in the middle; OR-ing the overlap is harmless because both
// loads put the same bytes at the same places.
static inline uint64_t LoadShort(const char* p, size_t n) {
  static_assert(std::endian::native == std::endian::little);
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

// Whether n > 8 bytes at a and b are equal. Most long pretokens are 9 to 16
// bytes: two overlapping 8-byte loads each decide without a call.
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

uint64_t CountTable::Hash(std::string_view token, uint64_t* word) {
  if (token.size() <= 8) {
    const uint64_t w = LoadShort(token.data(), token.size());
    *word = w;
    return HashShort(w, token.size());
  }
  *word = 0;
  return XXH3_64bits(token.data(), token.size());
}

CountTable::CountTable(size_t byte_budget, size_t max_piece_bytes)
    : max_piece_bytes_(max_piece_bytes), arena_(ArenaBlockSize(byte_budget)) {
  max_capacity_ = std::max(kMinCapacity,
                           static_cast<size_t>(byte_budget * kSlotShare) /
                               sizeof(Slot));
  const size_t arena_share =
      byte_budget - std::min(byte_budget, max_capacity_ * sizeof(Slot));
  const size_t reserve = max_piece_bytes + ArenaBlockSize(byte_budget);
  arena_limit_ = arena_share > reserve ? arena_share - reserve : 0;
  // Start small: a small vocabulary then lives in a few hundred KiB that
  // stay in cache, instead of being scattered over the whole budget.
  Reallocate(std::min(max_capacity_, kInitialCapacity));
}

void CountTable::Reallocate(size_t capacity) {
  // Zeroed by the kernel, page by page as touched; Clear() re-zeroes.
  Slot* slots = static_cast<Slot*>(AllocateZeroed(capacity * sizeof(Slot)));
  if (slots == nullptr) throw std::bad_alloc();
  Slot* old = slots_;
  const size_t old_capacity = capacity_;
  slots_ = slots;
  capacity_ = capacity;
  for (size_t j = 0; j < old_capacity; ++j) {
    if (old[j].count == 0) continue;
    uint64_t word;
    size_t i = Home(Hash(KeyOf(old[j]), &word));
    while (slots_[i].count != 0) {
      if (++i == capacity_) i = 0;
    }
    slots_[i] = old[j];
  }
  FreeZeroed(old, old_capacity * sizeof(Slot));

  // The largest capacity reachable by growing within the budget, which
  // holds the old and the new array at once while it rehashes.
  size_t reachable = capacity_;
  while (reachable < max_capacity_) {
    const size_t next = std::min(2 * reachable, max_capacity_);
    if (reachable + next > max_capacity_) break;
    reachable = next;
  }
  grows_in_budget_ = reachable > capacity_;
  grow_at_ = static_cast<size_t>(
      capacity_ * (grows_in_budget_ ? kMaxLoad : kOverflowLoad));
  const size_t load_limit = static_cast<size_t>(reachable * kMaxLoad);
  // A tiny budget still accepts one piece; it just spills after each.
  max_entries_ =
      load_limit > max_piece_bytes_ ? load_limit - max_piece_bytes_ : 0;
}

CountTable::~CountTable() { FreeZeroed(slots_, capacity_ * sizeof(Slot)); }

void CountTable::Add(std::string_view token, uint64_t n) {
  assert(n > 0);
  if (size_ >= grow_at_) Grow();
  uint64_t word;
  const uint64_t hash = Hash(token, &word);
  Insert(token, hash, word, n);
}

void CountTable::AddBatch(const std::string_view* tokens, size_t n) {
  assert(n <= kMaxBatch);
  if (size_ + n > grow_at_) Grow();
  uint64_t hashes[kMaxBatch];
  uint64_t words[kMaxBatch];
  // First every hash and a prefetch of every home slot, then the probes:
  // the misses of the batch are in flight together.
  for (size_t i = 0; i < n; ++i) {
    hashes[i] = Hash(tokens[i], &words[i]);
    __builtin_prefetch(&slots_[Home(hashes[i])], 1);
  }
  for (size_t i = 0; i < n; ++i) Insert(tokens[i], hashes[i], words[i], 1);
}

void CountTable::Insert(std::string_view token, uint64_t hash, uint64_t word,
                        uint64_t n) {
  const uint64_t tag = hash >> 56;
  const size_t size = token.size();
  size_t i = Home(hash);
  if (size <= 8) {
    // Fast path: the key is the word; one compare decides.
    for (;;) {
      Slot& s = slots_[i];
      if (s.count == 0) {
        s.word = word;
        s.count = n;
        s.tag = tag;
        s.size = size;
        ++size_;
        break;
      }
      if (s.word == word && s.size == size) {
        s.count += n;
        break;
      }
      if (++i == capacity_) i = 0;
    }
  } else {
    for (;;) {
      Slot& s = slots_[i];
      if (s.count == 0) {
        char* key;
        if (size < kLongSize) {
          key = arena_.Allocate(size);
          std::memcpy(key, token.data(), size);
          s.size = size;
        } else {
          key = arena_.Allocate(8 + size);
          const uint64_t n64 = size;
          std::memcpy(key, &n64, 8);
          std::memcpy(key + 8, token.data(), size);
          s.size = kLongSize;
        }
        s.word = reinterpret_cast<uintptr_t>(key);
        s.count = n;
        s.tag = tag;
        ++size_;
        break;
      }
      if (s.tag == tag && s.size == size && size < kLongSize &&
          EqualLong(reinterpret_cast<const char*>(s.word), token.data(), size)) {
        s.count += n;
        break;
      }
      if (s.tag == tag && s.size == kLongSize && KeyOf(s) == token) {
        s.count += n;
        break;
      }
      if (++i == capacity_) i = 0;
    }
  }
  total_ += n;
}

void CountTable::Grow() {
  if (grows_in_budget_) {
    Reallocate(std::min(2 * capacity_, max_capacity_));
    return;
  }
  // Only a piece far larger than max_piece_bytes gets here: a stretch of
  // input with no resume point in it (e.g. megabytes of CJK text without a
  // newline). Correctness first: double, over budget, until the next
  // resume point spills and Clear() shrinks back.
  Reallocate(2 * capacity_);
}

void CountTable::SortedKeys(std::vector<SortKey>* keys) const {
  keys->clear();
  keys->reserve(size_);
  for (size_t i = 0; i < capacity_; ++i) {
    const Slot& s = slots_[i];
    if (s.count == 0) continue;
    const std::string_view key = KeyOf(s);
    const uint64_t word =
        s.size <= 8 ? s.word : LoadShort(key.data(), 8);
    keys->push_back(SortKey{__builtin_bswap64(word), static_cast<uint32_t>(i)});
  }
  std::sort(keys->begin(), keys->end(),
            [this](const SortKey& a, const SortKey& b) {
              if (a.prefix != b.prefix) return a.prefix < b.prefix;
              // Equal first 8 bytes (zero-padded): the full keys decide;
              // string_view compares bytes as unsigned.
              return KeyAt(a.slot) < KeyAt(b.slot);
            });
}

bool CountTable::NeedsSpill() const {
  return size_ > max_entries_ || arena_.memory_used() > arena_limit_ ||
         total_ > kMaxTotal;
}

void CountTable::Clear() {
  const bool filled = size_ > max_entries_ || capacity_ > max_capacity_;
  arena_.Reset();
  size_ = 0;
  total_ = 0;
  if (filled && capacity_ != max_capacity_) {
    // Spilled for want of slots: the next round starts at the full size.
    // Freed first, so old and new never coexist.
    FreeZeroed(slots_, capacity_ * sizeof(Slot));
    slots_ = nullptr;
    capacity_ = 0;
    Reallocate(max_capacity_);
  } else {
    std::memset(static_cast<void*>(slots_), 0, capacity_ * sizeof(Slot));
  }
}

size_t CountTable::memory_used() const {
  return capacity_ * sizeof(Slot) + arena_.memory_held();
}

}  // namespace pretokdb

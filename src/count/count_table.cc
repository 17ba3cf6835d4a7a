#include "count/count_table.h"

#include <xxhash.h>

#include <algorithm>
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

uint64_t CountTable::Hash(std::string_view token, uint64_t* word) {
  if (token.size() <= 8) {
    uint64_t w = 0;
    if (!token.empty()) std::memcpy(&w, token.data(), token.size());
    *word = w;
    return HashShort(w, token.size());
  }
  *word = 0;
  return XXH3_64bits(token.data(), token.size());
}

CountTable::CountTable(size_t byte_budget, size_t max_piece_bytes)
    : arena_(ArenaBlockSize(byte_budget)) {
  capacity_ = std::max(kMinCapacity,
                       static_cast<size_t>(byte_budget * kSlotShare) /
                           sizeof(Slot));
  base_capacity_ = capacity_;
  overflow_entries_ = static_cast<size_t>(capacity_ * kOverflowLoad);
  const size_t load_limit = static_cast<size_t>(capacity_ * kMaxLoad);
  // A tiny budget still accepts one piece; it just spills after each.
  max_entries_ =
      load_limit > max_piece_bytes ? load_limit - max_piece_bytes : 0;
  const size_t arena_share =
      byte_budget - std::min(byte_budget, capacity_ * sizeof(Slot));
  const size_t reserve = max_piece_bytes + ArenaBlockSize(byte_budget);
  arena_limit_ = arena_share > reserve ? arena_share - reserve : 0;
  // calloc: the kernel hands out zeroed pages, and Clear() re-zeroes.
  slots_ = static_cast<Slot*>(std::calloc(capacity_, sizeof(Slot)));
  if (slots_ == nullptr) throw std::bad_alloc();
}

CountTable::~CountTable() { std::free(slots_); }

void CountTable::Add(std::string_view token, uint64_t n) {
  assert(n > 0);
  if (size_ >= overflow_entries_) Grow();
  uint64_t word;
  const uint64_t hash = Hash(token, &word);
  Insert(token, hash, word, n);
}

void CountTable::AddBatch(const std::string_view* tokens, size_t n) {
  assert(n <= kMaxBatch);
  if (size_ + n > overflow_entries_) Grow();
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
      if (s.tag == tag && s.size > 8 && KeyOf(s) == token) {
        s.count += n;
        break;
      }
      if (++i == capacity_) i = 0;
    }
  }
  total_ += n;
}

void CountTable::Grow() {
  // Only a piece far larger than max_piece_bytes gets here: a stretch of
  // input with no resume point in it (e.g. megabytes of CJK text without a
  // newline). Correctness first: double, over budget, until the next
  // resume point spills and Clear() shrinks back.
  Slot* old = slots_;
  const size_t old_capacity = capacity_;
  capacity_ *= 2;
  overflow_entries_ = static_cast<size_t>(capacity_ * kOverflowLoad);
  slots_ = static_cast<Slot*>(std::calloc(capacity_, sizeof(Slot)));
  if (slots_ == nullptr) throw std::bad_alloc();
  for (size_t j = 0; j < old_capacity; ++j) {
    if (old[j].count == 0) continue;
    uint64_t word;
    size_t i = Home(Hash(KeyOf(old[j]), &word));
    while (slots_[i].count != 0) {
      if (++i == capacity_) i = 0;
    }
    slots_[i] = old[j];
  }
  std::free(old);
}

bool CountTable::NeedsSpill() const {
  return size_ > max_entries_ || arena_.memory_used() > arena_limit_ ||
         total_ > kMaxTotal;
}

void CountTable::Clear() {
  if (capacity_ != base_capacity_) {
    std::free(slots_);
    capacity_ = base_capacity_;
    overflow_entries_ = static_cast<size_t>(capacity_ * kOverflowLoad);
    slots_ = static_cast<Slot*>(std::calloc(capacity_, sizeof(Slot)));
    if (slots_ == nullptr) throw std::bad_alloc();
  } else if (size_ != 0) {
    std::memset(static_cast<void*>(slots_), 0, capacity_ * sizeof(Slot));
  }
  size_ = 0;
  total_ = 0;
  arena_.Reset();
}

size_t CountTable::memory_used() const {
  return capacity_ * sizeof(Slot) + arena_.memory_held();
}

}  // namespace pretokdb

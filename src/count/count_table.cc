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
// Share of the budget given to the slot array; the rest holds key bytes.
// Typical pretokens are ~8 bytes against 32 bytes a slot / kMaxLoad.
constexpr double kSlotShare = 0.7;
constexpr size_t kMinCapacity = 64;
// Past this load Add() grows the array rather than risk a full table.
constexpr double kOverflowLoad = 0.9;

size_t ArenaBlockSize(size_t budget) {
  return std::clamp<size_t>(budget / 16, 4096, size_t{1} << 20);
}

}  // namespace

CountTable::CountTable(size_t byte_budget, size_t max_piece_bytes)
    : arena_(ArenaBlockSize(byte_budget)) {
  capacity_ = std::max(kMinCapacity,
                       static_cast<size_t>(byte_budget * kSlotShare) /
                           sizeof(Slot));
  size_t load_limit = static_cast<size_t>(capacity_ * kMaxLoad);
  // A tiny budget still accepts one piece; it just spills after each.
  max_entries_ =
      load_limit > max_piece_bytes ? load_limit - max_piece_bytes : 0;
  size_t arena_share = byte_budget - std::min(byte_budget,
                                              capacity_ * sizeof(Slot));
  size_t reserve = max_piece_bytes + ArenaBlockSize(byte_budget);
  arena_limit_ = arena_share > reserve ? arena_share - reserve : 0;
  base_capacity_ = capacity_;
  overflow_entries_ = static_cast<size_t>(capacity_ * kOverflowLoad);
  // calloc: the kernel hands out zeroed pages, and Clear() re-zeroes.
  slots_ = static_cast<Slot*>(std::calloc(capacity_, sizeof(Slot)));
  if (slots_ == nullptr) throw std::bad_alloc();
}

CountTable::~CountTable() { std::free(slots_); }

void CountTable::Add(std::string_view token, uint64_t n) {
  assert(n > 0);
  if (size_ >= overflow_entries_) Grow();
  const uint64_t hash = XXH3_64bits(token.data(), token.size());
  size_t i = Home(hash);
  for (;;) {
    Slot& s = slots_[i];
    if (s.count == 0) {
      char* key = arena_.Allocate(token.size());
      if (!token.empty()) std::memcpy(key, token.data(), token.size());
      s.hash = hash;
      s.count = n;
      s.key = key;
      s.key_size = token.size();
      ++size_;
      break;
    }
    if (s.hash == hash && s.key_size == token.size() &&
        (token.empty() || std::memcmp(s.key, token.data(), token.size()) == 0)) {
      s.count += n;
      break;
    }
    if (++i == capacity_) i = 0;
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
    size_t i = Home(old[j].hash);
    while (slots_[i].count != 0) {
      if (++i == capacity_) i = 0;
    }
    slots_[i] = old[j];
  }
  std::free(old);
}

bool CountTable::NeedsSpill() const {
  return size_ > max_entries_ || arena_.memory_used() > arena_limit_;
}

void CountTable::Clear() {
  if (capacity_ != base_capacity_) {
    std::free(slots_);
    capacity_ = base_capacity_;
    overflow_entries_ = static_cast<size_t>(capacity_ * kOverflowLoad);
    slots_ = static_cast<Slot*>(std::calloc(capacity_, sizeof(Slot)));
    if (slots_ == nullptr) throw std::bad_alloc();
  } else if (size_ != 0) {
    std::memset(slots_, 0, capacity_ * sizeof(Slot));
  }
  size_ = 0;
  total_ = 0;
  arena_.Reset();
}

size_t CountTable::memory_used() const {
  return capacity_ * sizeof(Slot) + arena_.memory_held();
}

}  // namespace pretokdb

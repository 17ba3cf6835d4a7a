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
  // calloc: the kernel hands out zeroed pages, and Clear() re-zeroes.
  slots_ = static_cast<Slot*>(std::calloc(capacity_, sizeof(Slot)));
  if (slots_ == nullptr) throw std::bad_alloc();
}

CountTable::~CountTable() { std::free(slots_); }

void CountTable::Add(std::string_view token, uint64_t n) {
  assert(n > 0);
  const uint64_t hash = XXH3_64bits(token.data(), token.size());
  size_t i = Home(hash);
  for (;;) {
    Slot& s = slots_[i];
    if (s.count == 0) {
      assert(size_ < capacity_);
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
        std::memcmp(s.key, token.data(), token.size()) == 0) {
      s.count += n;
      break;
    }
    if (++i == capacity_) i = 0;
  }
  total_ += n;
}

bool CountTable::NeedsSpill() const {
  return size_ > max_entries_ || arena_.memory_used() > arena_limit_;
}

void CountTable::Clear() {
  if (size_ != 0) std::memset(slots_, 0, capacity_ * sizeof(Slot));
  size_ = 0;
  total_ = 0;
  arena_.Reset();
}

size_t CountTable::memory_used() const {
  return capacity_ * sizeof(Slot) + arena_.memory_held();
}

}  // namespace pretokdb

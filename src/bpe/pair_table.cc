#include "bpe/pair_table.h"

namespace pretokdb {

namespace {
constexpr int kInitialSlotsLog2 = 16;  // the pairs of bytes fit without growing
}  // namespace

PairTable::PairTable()
    : slots_(size_t{1} << kInitialSlotsLog2, Slot{kNone, 0}),
      shift_(64 - kInitialSlotsLog2) {}

size_t PairTable::Probe(TokenId left, TokenId right, uint64_t hash) const {
  const uint32_t tag = static_cast<uint32_t>(hash);
  const size_t mask = slots_.size() - 1;
  for (size_t i = Home(hash);; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.pair == kNone) return i;
    if (s.tag == tag && pairs_[s.pair].left == left && pairs_[s.pair].right == right) {
      return i;
    }
  }
}

PairId PairTable::Find(TokenId left, TokenId right) const {
  return slots_[Probe(left, right, Hash(left, right))].pair;
}

PairId PairTable::FindOrAdd(TokenId left, TokenId right) {
  const uint64_t hash = Hash(left, right);
  const size_t i = Probe(left, right, hash);
  if (slots_[i].pair != kNone) return slots_[i].pair;
  const PairId p = static_cast<PairId>(pairs_.size());
  pairs_.push_back(Pair{left, right, 0, WordList()});
  slots_[i] = Slot{p, static_cast<uint32_t>(hash)};
  if (2 * pairs_.size() > slots_.size()) Grow();
  return p;
}

void PairTable::Grow() {
  std::vector<Slot> old(slots_.size() * 2, Slot{kNone, 0});
  old.swap(slots_);
  --shift_;
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.pair == kNone) continue;
    size_t i = Home(Hash(pairs_[s.pair].left, pairs_[s.pair].right));
    while (slots_[i].pair != kNone) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

uint64_t PairTable::MemoryPerPair() { return sizeof(Pair) + 4 * sizeof(Slot); }

uint64_t PairTable::memory_bytes() const {
  uint64_t bytes = pairs_.capacity() * sizeof(Pair) + slots_.capacity() * sizeof(Slot);
  for (const Pair& p : pairs_) bytes += p.words.heap_bytes();
  return bytes;
}

}  // namespace pretokdb

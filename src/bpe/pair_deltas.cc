#include "bpe/pair_deltas.h"

namespace pretokdb {

namespace {
constexpr int kInitialSlotsLog2 = 10;
}  // namespace

PairDeltas::PairDeltas()
    : slots_(size_t{1} << kInitialSlotsLog2, kEmpty), shift_(64 - kInitialSlotsLog2) {}

PairDeltas::Entry& PairDeltas::Insert(TokenId left, TokenId right, uint32_t slot) {
  const uint32_t index = static_cast<uint32_t>(entries_.size());
  entries_.push_back(Entry{left, right, 0, WordList(), slot});
  slots_[slot] = index;
  if (2 * entries_.size() > slots_.size()) Grow();
  return entries_[index];
}

void PairDeltas::Grow() {
  slots_.assign(slots_.size() * 2, kEmpty);
  --shift_;
  const size_t mask = slots_.size() - 1;
  for (uint32_t index = 0; index < entries_.size(); ++index) {
    Entry& e = entries_[index];
    size_t i = Hash(e.left, e.right) >> shift_;
    while (slots_[i] != kEmpty) i = (i + 1) & mask;
    slots_[i] = index;
    e.slot = static_cast<uint32_t>(i);
  }
}

void PairDeltas::Absorb(PairDeltas* other) {
  for (Entry& theirs : other->entries_) {
    Entry& mine = Touch(theirs.left, theirs.right);
    mine.delta += theirs.delta;
    if (mine.words.empty()) {
      mine.words = std::move(theirs.words);
    } else {
      for (WordId w : theirs.words) mine.words.push_back(w);
    }
  }
  other->Clear();
}

void PairDeltas::Clear() {
  for (const Entry& e : entries_) slots_[e.slot] = kEmpty;
  entries_.clear();
}

}  // namespace pretokdb

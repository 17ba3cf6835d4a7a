// What one merge changes in the pair counts, gathered before any of it is
// applied: per pair touched, the sum of its changes and, for the pairs the
// merge creates, the words they appear in.
//
// A merge of a frequent pair reports millions of changes, but to few
// distinct pairs (those next to the merged one: at most four per distinct
// neighbour token). Summing them here, in a small table that stays in the
// cache, and applying each sum once to the big PairTable afterwards,
// replaces millions of random accesses into that table by thousands.
//
// Open addressing (linear probing, load at most 1/2) over entries kept in
// order of first touch; Clear() costs the entries used, not the capacity.

#ifndef PRETOKDB_BPE_PAIR_DELTAS_H_
#define PRETOKDB_BPE_PAIR_DELTAS_H_

#include <cstdint>
#include <vector>

#include "bpe/word_list.h"
#include "bpe/word_table.h"

namespace pretokdb {

class PairDeltas {
 public:
  struct Entry {
    TokenId left;
    TokenId right;
    int64_t delta;
    WordList words;  // where the pair appeared (only for pairs added to)
    uint32_t slot;   // its index slot, for Clear()
  };

  PairDeltas();

  // Adds delta to (left, right).
  void Add(TokenId left, TokenId right, int64_t delta) {
    Touch(left, right).delta += delta;
  }
  // Adds delta to (left, right), which appeared in word w.
  void AddIn(TokenId left, TokenId right, int64_t delta, WordId w) {
    Entry& e = Touch(left, right);
    e.delta += delta;
    if (e.words.empty() || e.words.back() != w) e.words.push_back(w);
  }

  // Every pair touched since the last Clear(), in the order first touched.
  std::vector<Entry>& entries() { return entries_; }

  // Moves the entries of `other` into this one (summing where both have a
  // pair; word lists appended), and clears `other`.
  void Absorb(PairDeltas* other);

  void Clear();

 private:
  static uint64_t Hash(TokenId left, TokenId right) {
    return ((uint64_t{left} << 32) | right) * 0x9E3779B97F4A7C15ull;
  }
  Entry& Touch(TokenId left, TokenId right) {
    const size_t mask = slots_.size() - 1;
    for (size_t i = Hash(left, right) >> shift_;; i = (i + 1) & mask) {
      const uint32_t e = slots_[i];
      if (e == kEmpty) return Insert(left, right, static_cast<uint32_t>(i));
      if (entries_[e].left == left && entries_[e].right == right) return entries_[e];
    }
  }
  Entry& Insert(TokenId left, TokenId right, uint32_t slot);
  void Grow();

  static constexpr uint32_t kEmpty = ~uint32_t{0};
  std::vector<Entry> entries_;
  std::vector<uint32_t> slots_;  // entry index or kEmpty
  int shift_;                    // 64 - log2(slots_.size())
};

}  // namespace pretokdb

#endif  // PRETOKDB_BPE_PAIR_DELTAS_H_

// Every adjacent pair of tokens that the words of a BPE trainer hold: its
// count (occurrences weighted by the words' counts) and the words it occurs
// in, so that a merge visits those words and no others.
//
// A pair's word list is filled once: when the pair first appears (the
// initial count, or the merge that made one of its tokens). A new pair
// always contains the token its merge made, so no pair appears in two
// merges and a list never holds a word twice. Merges elsewhere may take a
// pair out of a word without taking the word off its list (it is cheaper
// to find nothing in that word later); a list is freed when its pair is
// merged, since a merged pair never occurs again.
//
// Pairs are found by an open-addressing hash index (linear probing, load at
// most 1/2) on the two token ids. A slot holds the pair's id and 32 bits of
// its hash, and a match is confirmed on the pair's record: 8 bytes a slot
// instead of 16 with the key in it; the record is read next anyway.
//
// A pair takes 32 bytes (tokens, count, word list with two ids inline) and
// 16-32 bytes of index.

#ifndef PRETOKDB_BPE_PAIR_TABLE_H_
#define PRETOKDB_BPE_PAIR_TABLE_H_

#include <cstdint>
#include <vector>

#include "bpe/word_list.h"
#include "bpe/word_table.h"

namespace pretokdb {

using PairId = uint32_t;

class PairTable {
 public:
  static constexpr PairId kNone = ~PairId{0};

  PairTable();

  // The pair (left, right), or kNone.
  PairId Find(TokenId left, TokenId right) const;
  // The pair (left, right), added with count 0 and no words if new.
  PairId FindOrAdd(TokenId left, TokenId right);

  uint32_t size() const { return static_cast<uint32_t>(pairs_.size()); }
  TokenId left(PairId p) const { return pairs_[p].left; }
  TokenId right(PairId p) const { return pairs_[p].right; }
  int64_t count(PairId p) const { return pairs_[p].count; }
  void AddCount(PairId p, int64_t delta) { pairs_[p].count += delta; }
  void SetCount(PairId p, int64_t count) { pairs_[p].count = count; }

  WordList& words(PairId p) { return pairs_[p].words; }
  // Gives p (which has none) its word list.
  void SetWords(PairId p, WordList words) { pairs_[p].words = std::move(words); }
  // Moves p's word list out, leaving p with none.
  WordList TakeWords(PairId p) { return std::move(pairs_[p].words); }
  // Frees p's word list.
  void ReleaseWords(PairId p) { pairs_[p].words.Clear(); }

  // Bytes held by the pairs, their index and their word lists.
  uint64_t memory_bytes() const;
  // The most bytes a pair takes, not counting its word list beyond two
  // words: its record and up to four index slots (the load falls to 1/4
  // when the index doubles).
  static uint64_t MemoryPerPair();

 private:
  struct Pair {
    TokenId left;
    TokenId right;
    int64_t count;
    WordList words;
  };
  // An index slot: the pair's id (kNone: empty) and the low half of its
  // hash, whose high bits chose the home slot.
  struct Slot {
    PairId pair;
    uint32_t tag;
  };

  static uint64_t Hash(TokenId left, TokenId right) {
    return ((uint64_t{left} << 32) | right) * 0x9E3779B97F4A7C15ull;
  }
  size_t Home(uint64_t hash) const { return static_cast<size_t>(hash >> shift_); }
  // The slot of (left, right), or the empty slot where it would go.
  size_t Probe(TokenId left, TokenId right, uint64_t hash) const;
  void Grow();

  std::vector<Pair> pairs_;
  std::vector<Slot> slots_;
  int shift_;  // 64 - log2(slots_.size())
};

}  // namespace pretokdb

#endif  // PRETOKDB_BPE_PAIR_TABLE_H_

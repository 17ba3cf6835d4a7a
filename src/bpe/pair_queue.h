// Which pair a BPE trainer merges next: the pair of highest count; among
// equal counts the greater pair, comparing the first tokens' bytes, then
// the second tokens' (Python's max over (count, (bytes, bytes))).
//
// A lazy max-heap with one entry per live pair, whose key is an upper bound
// of the pair's count. That bound holds because a merge lowers only the
// counts of pairs that existed before it (it takes occurrences away) and
// raises only the counts of the pairs it creates (each contains the new
// token), which the trainer pushes once the merge is done. So lowering a
// count costs nothing here; when an entry reaches the top with a key that
// is no longer its pair's count, Pop() puts it back with the count (or
// drops it at 0) and looks again. An entry on top whose key is its pair's
// count beats every pair: its key is at least every other key, and every
// key at least its own pair's count.
//
// Why not an indexed heap (a position per pair, every change sifted at
// once): a merge lowers the counts of many pairs that never come near the
// top (merging " t" "h" touches the pairs around it in every word holding
// it); here those cost nothing until they surface, if ever, and there is no
// position array to keep.

#ifndef PRETOKDB_BPE_PAIR_QUEUE_H_
#define PRETOKDB_BPE_PAIR_QUEUE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "bpe/pair_table.h"

namespace pretokdb {

class PairQueue {
 public:
  // Neither is owned. token_bytes[t] is the bytes of token t; both may grow
  // while the queue is used.
  PairQueue(const PairTable* pairs, const std::vector<std::string>* token_bytes);

  // Adds p with its current count (> 0). p must not be in the queue.
  void Push(PairId p);
  // Adds every pair of count > 0, at once (faster than one Push each).
  void PushAll();

  // Takes out the best pair; false if no pair of count > 0 is left.
  bool Pop(PairId* p);

  size_t size() const { return heap_.size(); }
  uint64_t memory_bytes() const { return heap_.capacity() * sizeof(Entry); }
  static constexpr uint64_t kMemoryPerPair = 16;

 private:
  struct Entry {
    uint64_t count;
    PairId pair;
  };
  // The heap's order: true if a ranks below b.
  struct Below {
    const PairQueue* q;
    bool operator()(const Entry& a, const Entry& b) const;
  };

  const PairTable* const pairs_;
  const std::vector<std::string>* const token_bytes_;
  std::vector<Entry> heap_;
};

}  // namespace pretokdb

#endif  // PRETOKDB_BPE_PAIR_QUEUE_H_

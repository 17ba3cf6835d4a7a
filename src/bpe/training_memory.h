// How much memory BPE training takes, known before anything is built, and
// the refusal when a limit is too small.
//
// The trainer's memory is proportional to the distinct pretokens it keeps:
// per word its count, place and length; per byte one token id and, at
// first, one entry in the word list of the pair that starts there; then
// what merges add: new pairs (each with an index entry and a heap entry)
// and the word lists of those pairs. The last part depends on the text and
// grows with the merges; its bounds were measured on the make-corpus web
// and stories kinds (see training_memory.cc) and are rounded up.
//
// A WordCensus sees every pretoken kept (count >= min_count) before the
// trainer builds anything, so that a refusal can say how many there are and
// which min_count would fit.

#ifndef PRETOKDB_BPE_TRAINING_MEMORY_H_
#define PRETOKDB_BPE_TRAINING_MEMORY_H_

#include <cstdint>
#include <map>
#include <vector>

#include "pretokdb/status.h"

namespace pretokdb {

// The trainer's estimated peak for `words` words of `bytes` bytes in all,
// counted by `threads` threads, for `merges` merges.
uint64_t EstimateTrainingMemory(uint64_t words, uint64_t bytes,
                                uint64_t merges, int threads);

class WordCensus {
 public:
  void Add(uint64_t bytes, uint64_t count);

  uint64_t words() const { return words_; }
  uint64_t bytes() const { return bytes_; }
  uint64_t longest() const { return longest_; }

  // OK if EstimateTrainingMemory of the words fits in limit (0: no limit);
  // otherwise InvalidArgument naming the words kept, the memory they need,
  // and the smallest min_count whose words would fit.
  Status CheckLimit(uint64_t limit, uint64_t merges, int threads) const;

 private:
  struct Tally {
    uint64_t words = 0;
    uint64_t bytes = 0;
  };
  uint64_t words_ = 0;
  uint64_t bytes_ = 0;
  uint64_t longest_ = 0;
  // Words and bytes per count: small counts in an array, the rarer large
  // ones in a map (distinct large counts are few).
  std::vector<Tally> dense_;
  std::map<uint64_t, Tally> sparse_;
};

}  // namespace pretokdb

#endif  // PRETOKDB_BPE_TRAINING_MEMORY_H_

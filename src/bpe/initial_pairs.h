// The first pair count of BPE training: every adjacent pair of bytes in
// every word, weighted by the words' counts, with the words it occurs in.
//
// Parallel over words: each thread counts a slice of the words (split by
// their tokens, so slices take about the same time) into dense per-thread
// arrays (256 x 256 byte pairs: no hashing), and notes how many of its
// words hold each pair. Then each pair's word list is allocated once at
// its final size and the threads fill it, each at its own offset, in a
// second pass over their slice: no list is built twice or grown, and every
// list is sorted by word.

#ifndef PRETOKDB_BPE_INITIAL_PAIRS_H_
#define PRETOKDB_BPE_INITIAL_PAIRS_H_

#include "bpe/pair_table.h"
#include "bpe/word_table.h"

namespace pretokdb {

// `pairs` must be empty and every word must be still unmerged (its tokens
// are its bytes). threads >= 1. Adds every pair of count > 0. Table is
// WordTable16 or WordTable32.
template <typename Table>
void CountInitialPairs(const Table& words, int threads, PairTable* pairs);

// Bytes CountInitialPairs takes for itself while it runs.
uint64_t InitialPairsScratchBytes(int threads);

}  // namespace pretokdb

#endif  // PRETOKDB_BPE_INITIAL_PAIRS_H_

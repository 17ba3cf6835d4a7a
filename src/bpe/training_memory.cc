#include "bpe/training_memory.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "bpe/initial_pairs.h"
#include "bpe/pair_queue.h"
#include "bpe/pair_table.h"
#include "bpe/word_table.h"

namespace pretokdb {

namespace {

// The pairs the merges create. Each needs a site, so there are fewer than
// bytes; measured, 0.06 (web) to 0.22 (stories) per byte: a quarter is the
// bound used. Per merge, about as many as the merged pair has distinct
// neighbours in the words, which grows with the words: 94 per merge on
// 3.25M words (make-corpus web 1 GiB, 32,000 merges), 37 on 868K (web
// 100 MiB), 5 on 25K (stories 500 MiB); the bound used is the larger of
// 100 and one per 32,000 words.
constexpr uint64_t kPairsPerByteDivisor = 4;
constexpr uint64_t kMinPairsPerMerge = 100;
constexpr uint64_t kWordsPerPairPerMerge = 32000;
// What a pair made by a merge costs: its record, index slots and heap
// entry (PairTable::MemoryPerPair, PairQueue::kMemoryPerPair), vector
// capacity growing by doubling, and its word list (an allocation of a few
// ids): 120-150 bytes measured from the structures' sizes and RSS.
constexpr uint64_t kBytesPerNewPair = 160;
// Below this the estimate is not worth refining: the process's own
// footprint (code, the database reader's caches) is of this order.
constexpr uint64_t kFixedBytes = 16 << 20;
// Counts below this are tallied in an array, the rarer large ones in a map.
constexpr uint64_t kDenseCounts = 4096;

std::string Mib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f MiB", bytes / 1048576.0);
  return buf;
}

}  // namespace

uint64_t EstimateTrainingMemory(uint64_t words, uint64_t bytes,
                                uint64_t merges, int threads) {
  // The first pair count: a word list entry per pair per word, at most one
  // per byte; at most one pair per byte pair, and per byte.
  const uint64_t initial_lists = bytes * sizeof(WordId);
  const uint64_t initial_pairs = std::min<uint64_t>(256 * 256, bytes) *
                                 (PairTable::MemoryPerPair() + PairQueue::kMemoryPerPair);
  const uint64_t per_merge =
      std::max(kMinPairsPerMerge, words / kWordsPerPairPerMerge);
  const uint64_t new_pairs = std::min(bytes / kPairsPerByteDivisor,
                                      merges * per_merge);
  return kFixedBytes + WordTable::MemoryFor(words, bytes) + initial_lists +
         initial_pairs + new_pairs * kBytesPerNewPair +
         InitialPairsScratchBytes(threads);
}

void WordCensus::Add(uint64_t bytes, uint64_t count) {
  ++words_;
  bytes_ += bytes;
  longest_ = std::max(longest_, bytes);
  if (count < kDenseCounts) {
    if (dense_.empty()) dense_.resize(kDenseCounts);
    Tally& t = dense_[count];
    ++t.words;
    t.bytes += bytes;
  } else {
    Tally& t = sparse_[count];
    ++t.words;
    t.bytes += bytes;
  }
}

Status WordCensus::CheckLimit(uint64_t limit, uint64_t merges, int threads) const {
  const uint64_t need = EstimateTrainingMemory(words_, bytes_, merges, threads);
  if (limit == 0 || need <= limit) return Status::OK();
  std::string message = "the " + std::to_string(words_) +
                        " distinct pretokens kept need about " + Mib(need) +
                        " to train on";
  // The smallest min_count that fits is one above the largest count whose
  // words, with all more frequent ones, do not fit: walk the counts from
  // the largest down, adding their words, until they overflow.
  uint64_t words = 0;
  uint64_t bytes = 0;
  uint64_t overflow = 0;  // the count at which the words stop fitting
  auto visit = [&](uint64_t count, const Tally& t) {
    if (t.words == 0) return true;
    if (EstimateTrainingMemory(words + t.words, bytes + t.bytes, merges, threads) > limit) {
      overflow = count;
      return false;
    }
    words += t.words;
    bytes += t.bytes;
    return true;
  };
  bool going = true;
  for (auto it = sparse_.rbegin(); going && it != sparse_.rend(); ++it) {
    going = visit(it->first, it->second);
  }
  for (uint64_t c = dense_.size(); going && c-- > 0;) {
    going = visit(c, dense_[c]);
  }
  if (words == 0) {
    message += "; not even the most frequent pretoken fits";
  } else {
    message += "; --min-count " + std::to_string(overflow + 1) +
               " would keep " + std::to_string(words) + " (about " +
               Mib(EstimateTrainingMemory(words, bytes, merges, threads)) + ")";
  }
  return Status::InvalidArgument("memory limit (" + Mib(limit) + ")", message);
}

}  // namespace pretokdb

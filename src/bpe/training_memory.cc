#include "bpe/training_memory.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "bpe/initial_pairs.h"
#include "bpe/pair_queue.h"
#include "bpe/pair_table.h"
#include "bpe/word_table.h"

namespace pretokdb {

namespace {

// What the merges add: the pairs they create (a 32-byte record, index
// slots, a heap entry, vectors growing by doubling) and those pairs' word
// lists. It grows with the words (more distinct neighbours per merged pair)
// and with the merges, both less than linearly (merged pairs' lists are
// freed). Measured, as peak RSS minus the rest of this estimate, on
// make-corpus web (868K-4.3M distinct pretokens, gpt2 and cl100k) and
// stories (25K) at 8,000 to 100,000 merges: between 4,800 and 8,500 times
// sqrt(words) * merges^0.3 bytes, and at most 46 bytes per byte of the
// words (stories, whose few words run out of pairs). The factors used are
// those maxima, rounded up.
constexpr double kMergeGrowthFactor = 9000;
constexpr double kMergeGrowthWordsExponent = 0.5;
constexpr double kMergeGrowthMergesExponent = 0.3;
constexpr uint64_t kMergeGrowthPerByte = 48;
// The process's own footprint (code, the database reader, threads): a
// train-bpe run on a handful of words peaks at about 20 MiB.
constexpr uint64_t kFixedBytes = 20 << 20;
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
  const uint64_t word_table = 256 + merges <= WordTable16::kMaxTokens
                                  ? WordTable16::MemoryFor(words, bytes)
                                  : WordTable32::MemoryFor(words, bytes);
  // The first pair count: an entry in a pair's word list per pair a word
  // starts with a byte (at most bytes - words); at most one pair per byte
  // pair and per byte.
  const uint64_t initial_lists = (bytes - std::min(bytes, words)) * sizeof(WordId);
  const uint64_t initial_pairs = std::min<uint64_t>(256 * 256, bytes) *
                                 (PairTable::MemoryPerPair() + PairQueue::kMemoryPerPair);
  const double growth =
      std::min<double>(kMergeGrowthPerByte * bytes,
                       kMergeGrowthFactor * std::pow(words, kMergeGrowthWordsExponent) *
                           std::pow(merges, kMergeGrowthMergesExponent));
  return kFixedBytes + word_table + initial_lists + initial_pairs +
         static_cast<uint64_t>(growth) + InitialPairsScratchBytes(threads);
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

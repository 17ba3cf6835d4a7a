#include "bpe/initial_pairs.h"

#include <algorithm>
#include <vector>

#include "bpe/run_in_threads.h"

namespace pretokdb {

namespace {

constexpr size_t kBytePairs = 256 * 256;
constexpr WordId kNoWord = ~WordId{0};

// A thread's share of the words and what it found in them, per byte pair
// (index first << 8 | second).
struct Slice {
  WordId begin = 0;
  WordId end = 0;
  std::vector<uint64_t> counts;  // occurrences weighted by word counts
  std::vector<uint32_t> holders; // words holding the pair
  std::vector<uint32_t> next;    // where the slice writes its next word, per pair
};

// Calls fn(code, w) for each pair code the word w holds, once per word.
template <typename Table, typename Fn>
void ForEachDistinctPair(const Table& words, const Slice& s,
                         std::vector<WordId>* last, Fn&& fn) {
  std::fill(last->begin(), last->end(), kNoWord);
  for (WordId w = s.begin; w < s.end; ++w) {
    const auto t = words.tokens(w);
    for (size_t i = 1; i < t.size(); ++i) {
      const uint32_t code = (t[i - 1] << 8) | t[i];
      fn(code, w, (*last)[code] != w);
      (*last)[code] = w;
    }
  }
}

template <typename Table>
void CountSlice(const Table& words, Slice* s) {
  s->counts.assign(kBytePairs, 0);
  s->holders.assign(kBytePairs, 0);
  std::vector<WordId> last(kBytePairs);
  ForEachDistinctPair(words, *s, &last, [&](uint32_t code, WordId w, bool first) {
    s->counts[code] += words.count(w);
    s->holders[code] += first;
  });
}

template <typename Table>
void FillSlice(const Table& words, const std::vector<WordId*>& lists, Slice* s) {
  std::vector<WordId> last(kBytePairs);
  ForEachDistinctPair(words, *s, &last, [&](uint32_t code, WordId w, bool first) {
    if (first) lists[code][s->next[code]++] = w;
  });
}

}  // namespace

uint64_t InitialPairsScratchBytes(int threads) {
  const uint64_t per_thread =
      kBytePairs * (sizeof(uint64_t) + 2 * sizeof(uint32_t) + sizeof(WordId));
  return static_cast<uint64_t>(threads) * per_thread +
         kBytePairs * (sizeof(WordId*) + sizeof(PairId) + sizeof(uint32_t));
}

template <typename Table>
void CountInitialPairs(const Table& words, int threads, PairTable* pairs) {
  // Slices of about equal tokens; a slice of fewer than ~64K tokens is not
  // worth a thread.
  const uint64_t total = words.total_tokens();
  const uint64_t useful = std::max<uint64_t>(1, total / 65536);
  const int n = static_cast<int>(std::min<uint64_t>(std::max(threads, 1), useful));
  std::vector<Slice> slices(n);
  WordId w = 0;
  uint64_t tokens = 0;
  for (int i = 0; i < n; ++i) {
    slices[i].begin = w;
    const uint64_t goal = total * (i + 1) / n;
    while (w < words.size() && (tokens < goal || i == n - 1)) {
      tokens += words.tokens(w).size();
      ++w;
    }
    slices[i].end = w;
  }

  RunInThreads(n, [&](int i) { CountSlice(words, &slices[i]); });

  // Pairs in the order of their bytes; each list sized once, each slice
  // given its offset in it. The lists' places are taken once every pair
  // exists: a list of two or fewer words lives in its pair's record, which
  // moves while pairs are added.
  std::vector<PairId> pair_of(kBytePairs, PairTable::kNone);
  std::vector<uint32_t> holders(kBytePairs, 0);
  for (Slice& s : slices) s.next.assign(kBytePairs, 0);
  for (uint32_t code = 0; code < kBytePairs; ++code) {
    uint64_t count = 0;
    for (Slice& s : slices) {
      count += s.counts[code];
      s.next[code] = holders[code];
      holders[code] += s.holders[code];
    }
    if (count == 0) continue;
    pair_of[code] = pairs->FindOrAdd(code >> 8, code & 0xFF);
    pairs->SetCount(pair_of[code], static_cast<int64_t>(count));
  }
  std::vector<WordId*> lists(kBytePairs, nullptr);
  for (uint32_t code = 0; code < kBytePairs; ++code) {
    if (pair_of[code] == PairTable::kNone) continue;
    WordList& list = pairs->words(pair_of[code]);
    list.Resize(holders[code]);
    lists[code] = list.data();
  }
  for (Slice& s : slices) {
    std::vector<uint64_t>().swap(s.counts);
    std::vector<uint32_t>().swap(s.holders);
  }

  RunInThreads(n, [&](int i) { FillSlice(words, lists, &slices[i]); });
}

template void CountInitialPairs(const WordTable16&, int, PairTable*);
template void CountInitialPairs(const WordTable32&, int, PairTable*);

}  // namespace pretokdb

// The words a BPE trainer merges: every distinct pretoken kept, stored once
// with its count, as a run of token ids in one flat array.
//
// A word starts as its bytes (token id = byte value) and only shrinks as
// merges replace two ids by one, so each word keeps the place it was given
// in the array. Per word 16 bytes: its count, and its start and length
// packed in one 64-bit field, so that visiting a word reads one cache line
// of it besides its tokens; per byte one id, stored in 16 bits when every
// id the training can make fits (256 + merges <= 65536: vocabularies up to
// 64K), else in 32. Half the bytes to keep and to read for the usual
// vocabulary sizes; outside the table ids are always 32-bit TokenIds.
//
// Not thread-safe for writing; merging distinct words at once is fine.

#ifndef PRETOKDB_BPE_WORD_TABLE_H_
#define PRETOKDB_BPE_WORD_TABLE_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace pretokdb {

using TokenId = uint32_t;
using WordId = uint32_t;

template <typename StoredId>
class WordTableOf {
 public:
  // The most token ids the table can hold.
  static constexpr uint64_t kMaxTokens = uint64_t{1} << (8 * sizeof(StoredId));

  // Sizes the arrays for exactly `words` words of `bytes` bytes in all, so
  // that Add() never reallocates (more is allowed, at a reallocation's cost).
  void Reserve(uint64_t words, uint64_t bytes) {
    tokens_.reserve(bytes);
    words_.reserve(words);
  }
  // The longest word and the most bytes in all that the table takes.
  static constexpr uint64_t kMaxWordBytes = (uint64_t{1} << 24) - 1;
  static constexpr uint64_t kMaxBytes = uint64_t{1} << 40;
  // Adds a word of at most kMaxWordBytes bytes.
  void Add(std::string_view bytes, uint64_t count) {
    words_.push_back(Word{count, tokens_.size(), bytes.size()});
    for (unsigned char c : bytes) tokens_.push_back(c);
  }

  uint32_t size() const { return static_cast<uint32_t>(words_.size()); }
  uint64_t count(WordId w) const { return words_[w].count; }
  std::span<const StoredId> tokens(WordId w) const {
    return {tokens_.data() + words_[w].start, words_[w].length};
  }
  uint64_t total_tokens() const { return tokens_.size(); }

  // Asks for w's record, then (once it is there) its tokens, to be brought
  // into the cache: a merge knows the words it will visit in advance.
  void PrefetchWord(WordId w) const { __builtin_prefetch(&words_[w]); }
  void PrefetchTokens(WordId w) const {
    __builtin_prefetch(tokens_.data() + words_[w].start, 1);
  }

  // Replaces every occurrence of the pair (left, right) in word w by
  // `merged`, scanning left to right, so that overlapping occurrences are
  // merged as Python's reference does ("aaa" -> "aa" "a"). For each
  // occurrence it reports the pairs that disappear and appear next to it,
  // through on_change(first, second, +1 or -1), in words' units (the caller
  // weighs them by count(w)):
  //   x a b y  ->  x M y   reports (x,a) -1, (x,M) +1, (b,y) -1, (M,y) +1
  // where x is the token now to the left (already merged, if the previous
  // occurrence was adjacent) and y the old token to the right. A pair
  // (x,M) or (M,y) that a later occurrence in the word takes away again is
  // reported both ways. The pair (left, right) itself is reported too,
  // where an overlapping occurrence disappears; its count is 0 after the
  // merge anyway. Reports nothing if w does not hold the pair.
  template <typename OnChange>
  void Merge(WordId w, TokenId left, TokenId right, TokenId merged,
             OnChange&& on_change) {
    Word& word = words_[w];
    StoredId* t = tokens_.data() + word.start;
    const uint32_t n = word.length;
    // Up to the first occurrence nothing moves. Many words visited no
    // longer hold the pair (pair_table.h): they end here, without a write.
    uint32_t in = 0;
    while (in + 1 < n && !(t[in] == left && t[in + 1] == right)) ++in;
    if (in + 1 >= n) return;
    uint32_t out = in;
    while (in < n) {
      if (in + 1 < n && t[in] == left && t[in + 1] == right) {
        if (out > 0) {
          on_change(t[out - 1], left, -1);
          on_change(t[out - 1], merged, +1);
        }
        if (in + 2 < n) {
          on_change(right, t[in + 2], -1);
          on_change(merged, t[in + 2], +1);
        }
        t[out++] = static_cast<StoredId>(merged);
        in += 2;
      } else {
        t[out++] = t[in++];
      }
    }
    word.length = out;
  }

  // Bytes held by the arrays (their capacity).
  uint64_t memory_bytes() const {
    return tokens_.capacity() * sizeof(StoredId) + words_.capacity() * sizeof(Word);
  }
  // What Reserve(words, bytes) takes.
  static uint64_t MemoryFor(uint64_t words, uint64_t bytes) {
    return bytes * sizeof(StoredId) + words * sizeof(Word);
  }

 private:
  struct Word {
    uint64_t count;
    uint64_t start : 40;
    uint64_t length : 24;
  };
  static_assert(sizeof(Word) == 16);

  std::vector<StoredId> tokens_;
  std::vector<Word> words_;
};

using WordTable16 = WordTableOf<uint16_t>;
using WordTable32 = WordTableOf<uint32_t>;

}  // namespace pretokdb

#endif  // PRETOKDB_BPE_WORD_TABLE_H_

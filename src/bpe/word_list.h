// The words a pair occurs in: a growable array of word ids in 16 bytes,
// holding up to two ids in itself.
//
// A BPE trainer keeps one per pair, and most pairs that merges create occur
// in one or two words: there std::vector would cost 24 bytes plus an
// allocation of 32 (malloc's smallest chunk), millions of times over.

#ifndef PRETOKDB_BPE_WORD_LIST_H_
#define PRETOKDB_BPE_WORD_LIST_H_

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "bpe/word_table.h"

namespace pretokdb {

class WordList {
 public:
  WordList() = default;
  ~WordList() { Free(); }
  WordList(WordList&& other) noexcept { Steal(&other); }
  WordList& operator=(WordList&& other) noexcept {
    if (this != &other) {
      Free();
      Steal(&other);
    }
    return *this;
  }
  WordList(const WordList&) = delete;
  WordList& operator=(const WordList&) = delete;

  uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const WordId* begin() const { return data(); }
  const WordId* end() const { return data() + size_; }
  WordId back() const { return data()[size_ - 1]; }
  WordId* data() { return capacity_ > kInline ? heap_ : inline_; }
  const WordId* data() const { return capacity_ > kInline ? heap_ : inline_; }

  void push_back(WordId w) {
    if (size_ == capacity_) Reserve(capacity_ * 2);
    data()[size_++] = w;
  }
  // Makes room for n ids (uninitialized beyond the current size) and sets
  // the size to n.
  void Resize(uint32_t n) {
    if (n > capacity_) Reserve(n);
    size_ = n;
  }
  // Frees everything; the list is empty again.
  void Clear() {
    Free();
    size_ = 0;
    capacity_ = kInline;
  }

  // Bytes allocated beyond the object itself.
  uint64_t heap_bytes() const {
    return capacity_ > kInline ? uint64_t{capacity_} * sizeof(WordId) : 0;
  }

 private:
  static constexpr uint32_t kInline = 2;

  void Reserve(uint32_t n) {
    WordId* p = static_cast<WordId*>(std::malloc(uint64_t{n} * sizeof(WordId)));
    if (p == nullptr) throw std::bad_alloc();
    std::memcpy(p, data(), uint64_t{size_} * sizeof(WordId));
    Free();
    heap_ = p;
    capacity_ = n;
  }
  void Free() {
    if (capacity_ > kInline) std::free(heap_);
  }
  void Steal(WordList* other) {
    size_ = other->size_;
    capacity_ = other->capacity_;
    std::memcpy(inline_, other->inline_, sizeof(inline_));  // or heap_
    other->size_ = 0;
    other->capacity_ = kInline;
  }

  uint32_t size_ = 0;
  uint32_t capacity_ = kInline;
  union {
    WordId* heap_;
    WordId inline_[kInline];
  };
};

static_assert(sizeof(WordList) == 16);

}  // namespace pretokdb

#endif  // PRETOKDB_BPE_WORD_LIST_H_

#include "bpe/pair_queue.h"

#include <algorithm>
#include <string_view>

namespace pretokdb {

static_assert(sizeof(uint64_t) + sizeof(PairId) <= PairQueue::kMemoryPerPair);

PairQueue::PairQueue(const PairTable* pairs,
                     const std::vector<std::string>* token_bytes)
    : pairs_(pairs), token_bytes_(token_bytes) {}

bool PairQueue::Below::operator()(const Entry& a, const Entry& b) const {
  if (a.count != b.count) return a.count < b.count;
  const std::vector<std::string>& bytes = *q->token_bytes_;
  // std::string_view compares bytes as unsigned char, as Python compares bytes.
  std::string_view a1 = bytes[q->pairs_->left(a.pair)];
  std::string_view b1 = bytes[q->pairs_->left(b.pair)];
  if (int c = a1.compare(b1); c != 0) return c < 0;
  return std::string_view(bytes[q->pairs_->right(a.pair)]) <
         std::string_view(bytes[q->pairs_->right(b.pair)]);
}

void PairQueue::Push(PairId p) {
  heap_.push_back(Entry{static_cast<uint64_t>(pairs_->count(p)), p});
  std::push_heap(heap_.begin(), heap_.end(), Below{this});
}

void PairQueue::PushAll() {
  for (PairId p = 0; p < pairs_->size(); ++p) {
    if (pairs_->count(p) > 0) {
      heap_.push_back(Entry{static_cast<uint64_t>(pairs_->count(p)), p});
    }
  }
  std::make_heap(heap_.begin(), heap_.end(), Below{this});
}

bool PairQueue::Pop(PairId* p) {
  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), Below{this});
    Entry& top = heap_.back();
    const int64_t count = pairs_->count(top.pair);
    if (count > 0 && static_cast<uint64_t>(count) == top.count) {
      *p = top.pair;
      heap_.pop_back();
      return true;
    }
    if (count <= 0) {
      heap_.pop_back();
      continue;
    }
    // The count fell since the entry was pushed: back with the true count.
    top.count = static_cast<uint64_t>(count);
    std::push_heap(heap_.begin(), heap_.end(), Below{this});
  }
  return false;
}

}  // namespace pretokdb

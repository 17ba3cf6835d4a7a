// Hands pretokens to a CountTable kMaxBatch at a time, so that it can
// prefetch their slots (count_table.h). The views must stay valid until
// Flush(): a batch never outlives the text it comes from, which must have
// CountTable::kTokenReadBytes bytes of padding past its end.

#ifndef PRETOKDB_COUNT_TOKEN_BATCH_H_
#define PRETOKDB_COUNT_TOKEN_BATCH_H_

#include <cstddef>
#include <string_view>

#include "count/count_table.h"

namespace pretokdb {

class TokenBatch {
 public:
  explicit TokenBatch(CountTable* table) : table_(table) {}
  void Add(std::string_view token) {
    tokens_[n_++] = token;
    if (n_ == CountTable::kMaxBatch) Flush();
  }
  void Flush() {
    if (n_ != 0) table_->AddBatch(tokens_, n_);
    n_ = 0;
  }

 private:
  CountTable* const table_;
  std::string_view tokens_[CountTable::kMaxBatch];
  size_t n_ = 0;
};

}  // namespace pretokdb

#endif  // PRETOKDB_COUNT_TOKEN_BATCH_H_

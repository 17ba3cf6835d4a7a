// Hands pretokens to a CountTable kMaxBatch at a time, so that it can
// prefetch their slots (count_table.h).
//
// AddInBatches(table, scan) calls scan(add); each add(token) joins the
// batch, which goes to table->AddBatch() when full and at the end. The
// views must stay valid until then: the text they come from must have
// CountTable::kTokenReadBytes bytes of padding past its end.
//
// The batch and its size are locals of this function, which is inlined
// with `scan` and the scanner it calls (text/gpt2_scanner.h is always
// inlined): the size stays in a register. Kept in an object whose address
// reaches AddBatch(), it was stored and loaded again for every pretoken.

#ifndef PRETOKDB_COUNT_BATCHED_ADD_H_
#define PRETOKDB_COUNT_BATCHED_ADD_H_

#include <cstddef>
#include <string_view>

#include "count/count_table.h"

namespace pretokdb {

template <typename Scan>
[[gnu::always_inline]] inline void AddInBatches(CountTable* table,
                                                Scan&& scan) {
  std::string_view batch[CountTable::kMaxBatch];
  size_t batched = 0;
  auto add = [&](std::string_view token) {
    batch[batched++] = token;
    if (batched == CountTable::kMaxBatch) {
      table->AddBatch(batch, batched);
      batched = 0;
    }
  };
  scan(add);
  if (batched != 0) table->AddBatch(batch, batched);
}

}  // namespace pretokdb

#endif  // PRETOKDB_COUNT_BATCHED_ADD_H_

// A count table's entries in key order, read in place (no copy of the
// table), as the counts a commit or a staged run takes: what every spill
// hands to the store.

#ifndef PRETOKDB_INGEST_TABLE_COUNT_SOURCE_H_
#define PRETOKDB_INGEST_TABLE_COUNT_SOURCE_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "count/count_table.h"
#include "store/rocks_store.h"

namespace pretokdb {

class TableCountSource : public CountSource {
 public:
  // keys: from table.SortedKeys(). negated: counts are 2^64 - n, which the
  // additive merge operator turns into a subtraction of n.
  TableCountSource(const CountTable& table,
                   const std::vector<CountTable::SortKey>& keys,
                   bool negated = false)
      : table_(table), keys_(keys), negated_(negated) {}

  size_t size() const override { return keys_.size(); }
  std::string_view token(size_t i) const override {
    return table_.KeyAt(keys_[i].slot);
  }
  uint64_t count(size_t i) const override {
    const uint64_t n = table_.CountAt(keys_[i].slot);
    return negated_ ? 0 - n : n;
  }
  void Prefetch(size_t i) const override { table_.PrefetchSlot(keys_[i].slot); }

 private:
  const CountTable& table_;
  const std::vector<CountTable::SortKey>& keys_;
  const bool negated_;
};

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_TABLE_COUNT_SOURCE_H_

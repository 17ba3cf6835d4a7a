// A count table's entries in key order, read in place (no copy of the
// table), as the counts a commit or a staged run takes: what every spill
// hands to the store.

#ifndef PRETOKDB_INGEST_TABLE_COUNT_SOURCE_H_
#define PRETOKDB_INGEST_TABLE_COUNT_SOURCE_H_

#include <cstdint>
#include <string_view>

#include "count/count_table.h"
#include "store/rocks_store.h"

namespace pretokdb {

class TableCountSource : public CountSource {
 public:
  // table: after SortForSpill(). negated: counts are 2^64 - n, which the
  // additive merge operator turns into a subtraction of n.
  explicit TableCountSource(const CountTable& table, bool negated = false)
      : table_(table), negated_(negated) {}

  size_t size() const override { return table_.size(); }
  std::string_view token(size_t i) const override {
    return table_.SortedToken(i);
  }
  uint64_t count(size_t i) const override {
    const uint64_t n = table_.SortedCount(i);
    return negated_ ? 0 - n : n;
  }
  uint64_t prefix(size_t i) const override { return table_.SortedPrefix(i); }
  void Prefetch(size_t i) const override { table_.PrefetchSorted(i); }

 private:
  const CountTable& table_;
  const bool negated_;
};

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_TABLE_COUNT_SOURCE_H_

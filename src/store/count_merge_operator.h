// The merge operator of both column families: values and operands are
// fixed64 little-endian unsigned integers, and merging adds them. A spill
// writes Merge(token, count) for every entry of a worker's table, so counts
// from many spills and many workers add up without a read.
//
// Unlike rocksdb's uint64add, an operand or value that is not exactly eight
// bytes makes the merge fail, so RocksDB reports corruption instead of a
// silently wrong count.

#ifndef PRETOKDB_STORE_COUNT_MERGE_OPERATOR_H_
#define PRETOKDB_STORE_COUNT_MERGE_OPERATOR_H_

#include <memory>

#include <rocksdb/merge_operator.h>

namespace pretokdb {

std::shared_ptr<rocksdb::MergeOperator> NewCountMergeOperator();

}  // namespace pretokdb

#endif  // PRETOKDB_STORE_COUNT_MERGE_OPERATOR_H_

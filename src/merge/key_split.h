// Cutting the key space of a merge's sources into ranges of about equal
// size, merged by one thread each (merge/count_merge.h).

#ifndef PRETOKDB_MERGE_KEY_SPLIT_H_
#define PRETOKDB_MERGE_KEY_SPLIT_H_

#include <cstddef>
#include <string>
#include <vector>

#include "store/rocks_store.h"

namespace pretokdb {

// At most parts - 1 keys, strictly increasing and not empty: the ranges
// [""] .. k1, k1 .. k2, ..., k_last .. (end) hold about as many table bytes
// of the sources each. The keys are one- or two-byte prefixes, placed by
// RocksDB's size estimates (index blocks only): one level of first bytes,
// then the second bytes within the first byte where a cut falls, since
// pretokens crowd under a few first bytes (a space).
std::vector<std::string> SplitKeySpace(const std::vector<const RocksStore*>& sources,
                                       size_t parts);

}  // namespace pretokdb

#endif  // PRETOKDB_MERGE_KEY_SPLIT_H_

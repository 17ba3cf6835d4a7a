// Sets of byte ranges of a file: what a database holds of it (the union of
// its chunks), what a run wants of it (a shard's units), what is left to
// plan (wanted minus held), and what two databases share (a merge must find
// none). A set is a vector of ChunkRange, ascending, disjoint, with no empty
// range and no two ranges touching ("normal").

#ifndef PRETOKDB_STORE_BYTE_RANGES_H_
#define PRETOKDB_STORE_BYTE_RANGES_H_

#include <cstdint>
#include <vector>

#include "store/records.h"

namespace pretokdb {

// The normal set of the bytes any of `ranges` covers (any order, overlaps
// and empty ranges allowed).
std::vector<ChunkRange> UnionOfRanges(std::vector<ChunkRange> ranges);

// The bytes of a that b does not cover; a and b normal, and so the result.
std::vector<ChunkRange> SubtractRanges(const std::vector<ChunkRange>& a,
                                       const std::vector<ChunkRange>& b);

// The bytes both cover; a and b normal, and so the result.
std::vector<ChunkRange> IntersectRanges(const std::vector<ChunkRange>& a,
                                        const std::vector<ChunkRange>& b);

// Bytes covered by a normal set (or by any disjoint ranges).
uint64_t RangeBytes(const std::vector<ChunkRange>& ranges);

// What a database holds of a source: the normal union of its chunks.
std::vector<ChunkRange> HeldRanges(const SourceRecord& source);

}  // namespace pretokdb

#endif  // PRETOKDB_STORE_BYTE_RANGES_H_

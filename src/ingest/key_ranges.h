// Cutting the merge of several sorted count sources into key ranges that
// can be written in parallel, one run file each (ingest/final_spill.h).

#ifndef PRETOKDB_INGEST_KEY_RANGES_H_
#define PRETOKDB_INGEST_KEY_RANGES_H_

#include <cstddef>
#include <vector>

#include "store/rocks_store.h"

namespace pretokdb {

// Cuts the key space of `sources` (each sorted and unique, as CountSource
// requires; a token may be in several) into at most `parts` ranges, in key
// order, and returns each range's part of every source, empty parts left
// out. Every entry of every source is in exactly one range, and a token's
// entries all in the same one.
//
// The ranges aim at equal writing work, not at equal entries: a token
// found in several sources is written once, and the shared ones do not
// spread evenly (the common words, which every worker meets, sort
// together: on web text, the first half of two workers' entries merged
// into 15% fewer entries than the second half). So the cuts come from a
// sample of every source, where an entry weighs only if no earlier source
// holds its token, and weighs more for a longer token.
std::vector<std::vector<CountRange>> SplitKeySpace(
    const std::vector<const CountSource*>& sources, size_t parts);

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_KEY_RANGES_H_

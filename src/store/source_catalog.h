// Reading the records of the "meta" column family in bulk.

#ifndef PRETOKDB_STORE_SOURCE_CATALOG_H_
#define PRETOKDB_STORE_SOURCE_CATALOG_H_

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "pretokdb/status.h"
#include "store/checkpoint.h"
#include "store/records.h"
#include "store/rocks_store.h"
#include "store/stream_chunk.h"

namespace pretokdb {

// Every source record, in id order.
Status ReadSources(const RocksStore& store, std::vector<SourceRecord>* out);

// (source id, chunk index) -> its committed checkpoint (store/checkpoint.h).
using Checkpoints = std::map<std::pair<uint64_t, uint64_t>, Checkpoint>;

Status ReadCheckpoints(const RocksStore& store, Checkpoints* out);

// A named stream's chunk records by begin, and every stream's by id.
using StreamChunks = std::map<uint64_t, StreamChunk>;
Status ReadStreamChunks(const RocksStore& store,
                        std::map<uint64_t, StreamChunks>* out);

// Bytes of a named stream whose counts are committed.
uint64_t StreamBytesDone(const StreamChunks& chunks);

// Bytes of a source whose counts are committed.
uint64_t BytesDone(const SourceRecord& source, const Checkpoints& checkpoints);

}  // namespace pretokdb

#endif  // PRETOKDB_STORE_SOURCE_CATALOG_H_

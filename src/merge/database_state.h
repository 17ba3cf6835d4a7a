// What a merge reads of each database before it writes anything: its
// configuration, identity, records and stats. Sources are opened
// read-only (no lock taken, nothing written); the target for writing.

#ifndef PRETOKDB_MERGE_DATABASE_STATE_H_
#define PRETOKDB_MERGE_DATABASE_STATE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pretokdb/status.h"
#include "store/records.h"
#include "store/rocks_store.h"
#include "store/source_catalog.h"

namespace pretokdb {

// What a target records of a database merged into it: the value of its
// "merged/<identity>" key, "<digest>\t<path>".
struct MergedRecord {
  std::string digest;  // DatabaseState::digest, when it was merged
  std::string path;    // absolute, as it was then (for messages)
};
std::string EncodeMerged(const MergedRecord& m);
MergedRecord DecodeMerged(std::string_view value);

struct DatabaseState {
  std::string path;  // as given, for messages
  std::unique_ptr<RocksStore> store;
  bool has_config = false;  // false: an empty database (nothing committed)
  DbConfig config;
  std::string identity;
  // A digest of everything the meta column family holds (records,
  // checkpoints, stats but the elapsed time, merges): it changes whenever
  // the database's counts do
  // (every commit writes meta records), so a database merged before can be
  // told from the same database grown since.
  std::string digest;
  // Identities of the databases merged into this one (transitively) ->
  // what was recorded of each (MergedRecord).
  std::map<std::string, MergedRecord> merged;
  std::vector<SourceRecord> records;
  Checkpoints checkpoints;
  std::map<uint64_t, StreamChunks> stream_chunks;  // a named stream's, by id
  std::map<std::string, uint64_t> stats;  // "stat/..." -> value
};

// Busy if a process holds the lock of the database at path, i.e. an index
// run (or a merge into it) is writing it. Looked at with fcntl(F_GETLK) on
// its LOCK file opened read-only: nothing is written and no lock is taken.
// A run could start writing just after this; see docs/internals.md.
Status CheckNotBeingWritten(const std::string& path);

// Opens the database at path read-only with a budget of `memory_budget`
// bytes for RocksDB and reads its state. NotFound if there is none.
Status OpenSourceDatabase(const std::string& path, uint64_t memory_budget,
                          DatabaseState* state);

// Reads state->store's state into *state (path and store set).
Status ReadDatabaseState(DatabaseState* state);

}  // namespace pretokdb

#endif  // PRETOKDB_MERGE_DATABASE_STATE_H_

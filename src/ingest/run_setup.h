// What every indexing run derives from its options before it reads a byte:
// the pattern, the special tokens, the rules they make together, and the
// configuration the database must have been built with.

#ifndef PRETOKDB_INGEST_RUN_SETUP_H_
#define PRETOKDB_INGEST_RUN_SETUP_H_

#include <memory>
#include <string>

#include "ingest/memory_plan.h"
#include "ingest/special_tokens.h"
#include "ingest/text_rules.h"
#include "pretokdb/options.h"
#include "pretokdb/status.h"
#include "store/records.h"
#include "store/rocks_store.h"
#include "text/pattern.h"

namespace pretokdb {

struct RunSetup {
  DbConfig config;
  std::unique_ptr<SpecialTokens> specials;
  std::unique_ptr<Pretokenizer> pretokenizer;
  std::unique_ptr<TextRules> rules;  // points into the two above
};

// InvalidArgument if the pattern is refused (the message names why).
Status MakeRunSetup(const IndexOptions& options, RunSetup* setup);

// Opens (creating if needed) the database at db_path for an indexing run
// whose memory is planned by `memory`, and checks its configuration against
// setup.config (see CheckConfig).
Status OpenForIndexing(const std::string& db_path, const RunSetup& setup,
                       const MemoryPlan& memory,
                       std::unique_ptr<RocksStore>* store, bool* new_db);

// True if nothing is at db_path yet, or an empty directory: a run creates
// the database there.
bool WillCreate(const std::string& db_path);

// Creates the database at db_path (WillCreate() held) for an indexing run
// and commits `plan`, the configuration and source records of its files.
// Busy if another run created the database meanwhile (the plan may then
// be stale); nothing is committed then.
Status CreateForIndexing(const std::string& db_path, const RunSetup& setup,
                         const MemoryPlan& memory, const MetaWrites& plan,
                         std::unique_ptr<RocksStore>* store);

// Checks that the database at db_path, open in store, was built with
// `config`: InvalidArgument naming what differs otherwise. *new_db: it has
// no configuration yet (the caller commits it with its first plan).
Status CheckConfig(const RocksStore& store, const std::string& db_path,
                   const DbConfig& config, bool* new_db);

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_RUN_SETUP_H_

// The refusals of a merge that need no more than each database's state:
// configurations that differ, runs that did not finish, and databases that
// are the same as, or already part of, another.

#ifndef PRETOKDB_MERGE_MERGE_CHECKS_H_
#define PRETOKDB_MERGE_MERGE_CHECKS_H_

#include <string>
#include <vector>

#include "merge/database_state.h"
#include "pretokdb/status.h"

namespace pretokdb {

// InvalidArgument naming what differs (pattern, special tokens, UTF-8
// policy) unless `other` was built as `first` was. REQUIRES: both have a
// configuration.
Status CheckSameConfig(const DatabaseState& first, const DatabaseState& other);

// InvalidArgument naming the files and byte ranges not counted yet, unless
// every part of every file `db` plans is counted to its end. Capped at a
// few files and ranges in the message.
Status CheckFinished(const DatabaseState& db);

// Identities: two sources the same database (or copies), a source holding
// a database another source holds too. InvalidArgument naming both.
Status CheckSourcesDistinct(const std::vector<const DatabaseState*>& sources);

// Sources against the target. *all_merged: every source is in the target
// already (nothing to do; OK). InvalidArgument when some are and others
// are not (naming them), or a source is the target or a copy of it, or
// holds a database that the target holds already.
Status CheckAgainstTarget(const std::vector<const DatabaseState*>& sources,
                          const DatabaseState& target, bool* all_merged);

}  // namespace pretokdb

#endif  // PRETOKDB_MERGE_MERGE_CHECKS_H_

// Moved files: an input whose path no source of the database has, whose
// content is that of a source whose path no longer exists, is that source
// moved (`mv a.txt b.txt`), not a new file. It keeps its record, counts and
// checkpoints under the new path, so nothing is counted twice; an unfinished
// source resumes, and one that also grew by appending grows, as under its
// old path. A source whose path still exists is not moved: an input with
// its content is a copy, counted again (counts are summed over the files
// given).
//
// "Its content": the same size and fingerprint (SourceFile::Fingerprint),
// or a larger file whose first `size` bytes have the source's fingerprint
// (moved, then appended to). Each source is claimed by one input at most,
// the first in the order given; a stream's record ("-") and keys relative
// to a --root are never taken as moved.

#ifndef PRETOKDB_INGEST_MOVED_SOURCE_H_
#define PRETOKDB_INGEST_MOVED_SOURCE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ingest/source_file.h"
#include "pretokdb/status.h"
#include "store/records.h"

namespace pretokdb {

class RocksStore;

struct MovedSource {
  size_t input;          // index into the inputs
  std::string old_path;  // the record's path before
};

// Finds the inputs that are known sources moved, and rewrites those
// sources' paths in *known. fingerprints[i] is files[i]'s Fingerprint().
Status FindMovedSources(const std::vector<std::unique_ptr<SourceFile>>& files,
                        const std::vector<uint64_t>& fingerprints,
                        std::vector<SourceRecord>* known,
                        std::vector<MovedSource>* moved);

// Commits the new paths of the moved sources (records in *known, as
// FindMovedSources left them) in one commit.
Status CommitMovedSources(const std::vector<MovedSource>& moved,
                          const std::vector<std::unique_ptr<SourceFile>>& files,
                          const std::vector<SourceRecord>& known,
                          RocksStore* store);

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_MOVED_SOURCE_H_

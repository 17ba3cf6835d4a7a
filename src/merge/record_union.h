// The source records of a merge's target. For each file (its key: path,
// and whether relative to a --root), one record holding the chunks of every
// database that holds part of it, each counted to its end; the file's
// first document from the one that counted it. Streams ("-") are never
// the same file: each stays a record of its own. A named stream
// (--stream-name) is carried over whole, with its chunks' records, from the
// one database that has it; a name in two databases is refused (the same
// stream would be counted twice, or two streams would share a name).

#ifndef PRETOKDB_MERGE_RECORD_UNION_H_
#define PRETOKDB_MERGE_RECORD_UNION_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "merge/database_state.h"
#include "pretokdb/status.h"
#include "store/records.h"
#include "store/rocks_store.h"

namespace pretokdb {

class RecordUnion {
 public:
  // The target's own records, which keep their ids. First, if at all.
  // REQUIRES: every chunk of the target is counted to its end.
  void AddTarget(const DatabaseState& target);

  // A source's records (REQUIRES: finished, merge_checks.h). InvalidArgument
  // naming the file and both databases if a part of a file it holds is held
  // by a database added before, if both counted the file's first document,
  // or if they hold different versions of the file (size, fingerprint).
  Status Add(const DatabaseState& source);

  // What to commit: every record made or changed by Add(), and the
  // checkpoint at the end of each of its chunks, with the hash its holder
  // recorded (if any).
  void AppendWrites(MetaWrites* meta) const;

  // Records made or changed by Add().
  size_t changed() const;

 private:
  struct File {
    SourceRecord record;
    std::vector<std::string> holders;  // per chunk: the database's path
    // Per chunk: its checkpoint in its holder, for the hash
    // (store/checkpoint.h), which the merge keeps.
    std::vector<Checkpoint> checkpoints;
    std::string version_holder;        // who gave size and fingerprint
    std::string first_document_holder;
    bool changed = false;
    StreamChunks stream_chunks;  // a named stream's
  };

  Status AddRecord(const SourceRecord& r, const std::string& holder,
                   const Checkpoints& checkpoints);
  Status AddStream(const SourceRecord& r, const StreamChunks& chunks,
                   const std::string& holder);

  std::map<std::pair<std::string, bool>, size_t> by_key_;  // -> files_
  std::map<std::string, std::string> stream_holder_;  // name -> database
  std::vector<File> files_;
  uint64_t next_id_ = 1;
};

}  // namespace pretokdb

#endif  // PRETOKDB_MERGE_RECORD_UNION_H_

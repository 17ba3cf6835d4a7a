// Writing a file so that it appears whole or not at all: the contents go to
// a temporary name in the same directory, are flushed to disk, and the file
// is renamed into place (rename(2) within a directory is atomic). A reader,
// or a run killed half-way, never sees a half-written file under the final
// name.

#ifndef PRETOKDB_BPE_ATOMIC_FILE_H_
#define PRETOKDB_BPE_ATOMIC_FILE_H_

#include <string>
#include <string_view>

#include "pretokdb/status.h"

namespace pretokdb {

// Replaces `path` with `contents`. On failure the temporary file is removed
// and `path` is as it was; the IOError names `path`.
Status WriteFileAtomically(const std::string& path, std::string_view contents);

}  // namespace pretokdb

#endif  // PRETOKDB_BPE_ATOMIC_FILE_H_

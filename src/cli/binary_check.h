// Whether an input file looks like binary data rather than text, so that
// `index` can warn (the file is counted anyway, under --invalid-utf8).

#ifndef PRETOKDB_CLI_BINARY_CHECK_H_
#define PRETOKDB_CLI_BINARY_CHECK_H_

#include <string>
#include <string_view>

namespace pretokdb {

// Why `head` (a file's first bytes) looks binary: a NUL byte in its first
// 8 KiB, or more than 1% of its first 64 KiB replaced as invalid UTF-8.
// Empty if it looks like text.
std::string BinaryReason(std::string_view head);

// BinaryReason of the first 64 KiB of the file at `path`; empty if it
// cannot be read (the indexer reports that itself).
std::string FileBinaryReason(const std::string& path);

}  // namespace pretokdb

#endif  // PRETOKDB_CLI_BINARY_CHECK_H_

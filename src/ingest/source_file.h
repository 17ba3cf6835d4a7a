// A regular file read with pread, so that several workers can read chunks
// of one file through one descriptor without sharing a position.
//
// Thread-safe after Open() (pread does not move a shared offset).

#ifndef PRETOKDB_INGEST_SOURCE_FILE_H_
#define PRETOKDB_INGEST_SOURCE_FILE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "pretokdb/status.h"

namespace pretokdb {

class SourceFile {
 public:
  // Opens path for reading. Errors name the path and the reason: missing,
  // a directory or other non-regular file, unreadable.
  static Status Open(const std::string& path,
                     std::unique_ptr<SourceFile>* file);
  ~SourceFile();
  SourceFile(const SourceFile&) = delete;
  SourceFile& operator=(const SourceFile&) = delete;

  // Reads exactly n bytes at offset into dst (retrying short reads).
  // IOError if the file is shorter than offset + n (it shrank) or on error.
  Status ReadAt(uint64_t offset, size_t n, char* dst) const;

  // Content fingerprint: XXH3-64 of the size, the first 64 KiB and the last
  // 64 KiB. Cheap on any size; catches truncation, most edits and
  // replacement by another file.
  Status Fingerprint(uint64_t* fingerprint) const;
  // The fingerprint the file had when it was n bytes long, if it grew by
  // appending since: the same function of its first n bytes.
  Status FingerprintPrefix(uint64_t n, uint64_t* fingerprint) const;

  const std::string& path() const { return path_; }     // absolute
  uint64_t size() const { return size_; }               // at Open()

 private:
  SourceFile(std::string path, int fd, uint64_t size);
  const std::string path_;
  const int fd_;
  const uint64_t size_;
};

// The absolute, normalised form of path (symlinks resolved when possible).
std::string AbsolutePath(const std::string& path);

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_SOURCE_FILE_H_

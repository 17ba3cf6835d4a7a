#include "ingest/source_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace pretokdb {

namespace {
constexpr size_t kFingerprintBlock = 64 << 10;
}  // namespace

std::string AbsolutePath(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(path, ec);
  if (ec) p = std::filesystem::absolute(path, ec);
  return ec ? path : p.string();
}

SourceFile::SourceFile(std::string path, int fd, uint64_t size)
    : path_(std::move(path)), fd_(fd), size_(size) {}

SourceFile::~SourceFile() { ::close(fd_); }

Status SourceFile::Open(const std::string& path,
                        std::unique_ptr<SourceFile>* file) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::IOError(path, std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(path, "is a directory, not a file");
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(
        path, "not a regular file (use 'pretok-db index -' for a stream)");
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path, std::strerror(errno));
  // Tell the kernel we stream: more readahead, and pages it may drop early.
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  file->reset(new SourceFile(AbsolutePath(path), fd,
                             static_cast<uint64_t>(st.st_size)));
  return Status::OK();
}

Status SourceFile::ReadAt(uint64_t offset, size_t n, char* dst) const {
  while (n > 0) {
    ssize_t r = ::pread(fd_, dst, n, static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(path_, std::strerror(errno));
    }
    if (r == 0) {
      return Status::IOError(path_, "file shrank while being indexed");
    }
    dst += r;
    n -= static_cast<size_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return Status::OK();
}

Status SourceFile::Fingerprint(uint64_t* fingerprint) const {
  return FingerprintPrefix(size_, fingerprint);
}

Status SourceFile::FingerprintPrefix(uint64_t n, uint64_t* fingerprint) const {
  if (n > size_) return Status::InvalidArgument(path_, "shorter than asked");
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  XXH3_64bits_update(state, &n, sizeof(n));
  std::vector<char> buf(kFingerprintBlock);
  size_t head = n < kFingerprintBlock ? n : kFingerprintBlock;
  Status s = ReadAt(0, head, buf.data());
  if (s.ok()) {
    XXH3_64bits_update(state, buf.data(), head);
    if (n > kFingerprintBlock) {
      s = ReadAt(n - kFingerprintBlock, kFingerprintBlock, buf.data());
      if (s.ok()) XXH3_64bits_update(state, buf.data(), kFingerprintBlock);
    }
  }
  *fingerprint = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return s;
}

}  // namespace pretokdb

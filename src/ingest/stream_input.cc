#include "ingest/stream_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>

namespace pretokdb {

namespace {
constexpr int kPipeBytes = 1 << 20;
}  // namespace

StreamInput::StreamInput(int fd, std::string name)
    : fd_(fd), name_(std::move(name)), hash_state_(XXH3_createState()) {
  XXH3_64bits_reset(static_cast<XXH3_state_t*>(hash_state_));
  struct stat st;
  if (::fstat(fd_, &st) == 0 && S_ISFIFO(st.st_mode)) {
    // A pipe holds 64 KiB by default: the writer (cat, zstdcat) and the
    // reader then wake each other every 64 KiB, which costs a stream a
    // tenth of its speed with 2 workers on 2 cores. A megabyte is what an
    // unprivileged process may ask (/proc/sys/fs/pipe-max-size); if it is
    // refused, the pipe stays as it was.
    (void)::fcntl(fd_, F_SETPIPE_SZ, kPipeBytes);
  }
}

StreamInput::~StreamInput() {
  XXH3_freeState(static_cast<XXH3_state_t*>(hash_state_));
}

Status StreamInput::Read(char* dst, size_t n, size_t* got) {
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::read(fd_, dst + done, n - done);
    if (r == 0) break;  // end of the stream
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(name_, std::strerror(errno));
    }
    // Hashed while the bytes are still in cache (a read brings at most a
    // pipe's worth).
    XXH3_64bits_update(static_cast<XXH3_state_t*>(hash_state_), dst + done,
                       static_cast<size_t>(r));
    done += static_cast<size_t>(r);
  }
  bytes_read_ += done;
  *got = done;
  return Status::OK();
}

uint64_t StreamInput::Digest() const {
  return XXH3_64bits_digest(static_cast<const XXH3_state_t*>(hash_state_));
}

}  // namespace pretokdb

#include "ingest/stream_input.h"

#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>

namespace pretokdb {

StreamInput::StreamInput(int fd, std::string name)
    : fd_(fd), name_(std::move(name)), hash_state_(XXH3_createState()) {
  XXH3_64bits_reset(static_cast<XXH3_state_t*>(hash_state_));
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
    done += static_cast<size_t>(r);
  }
  XXH3_64bits_update(static_cast<XXH3_state_t*>(hash_state_), dst, done);
  bytes_read_ += done;
  *got = done;
  return Status::OK();
}

uint64_t StreamInput::Digest() const {
  return XXH3_64bits_digest(static_cast<const XXH3_state_t*>(hash_state_));
}

}  // namespace pretokdb

#include "bpe/atomic_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace pretokdb {

namespace {

Status CannotWrite(const std::string& path, int err) {
  return Status::IOError(path, std::string("cannot write: ") + std::strerror(err));
}

}  // namespace

Status WriteFileAtomically(const std::string& path, std::string_view contents) {
  const std::filesystem::path final_path(path);
  // A hidden name beside the final one: same directory, so same file system
  // (rename cannot cross one), and not mistaken for a finished file.
  // (Appended piece by piece: GCC 12 warns, wrongly, of an overlapping
  // copy in "." + name.)
  std::string temp_name(1, '.');
  temp_name += final_path.filename().string();
  temp_name += ".tmp-XXXXXX";
  std::string temp = (final_path.parent_path() / temp_name).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return CannotWrite(path, errno);

  int err = 0;
  for (size_t done = 0; done < contents.size() && err == 0;) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      err = errno;
    }
  }
  // mkstemp makes the file 0600; a tokenizer file is for everyone to read,
  // as any file the user would create (0666 less the umask).
  if (err == 0) {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    if (::fchmod(fd, 0666 & ~mask) != 0) err = errno;
  }
  // Flushed before the rename, so that after a crash the final name holds
  // either the old file or the whole new one.
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(temp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(temp.c_str());
    return CannotWrite(path, err);
  }
  // The rename is durable only once the directory is flushed too: without
  // it a crash could leave the old name (or none) after we said "written".
  std::string dir = final_path.parent_path().string();
  if (dir.empty()) dir = ".";
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return CannotWrite(path, errno);
  if (::fsync(dir_fd) != 0) err = errno;
  ::close(dir_fd);
  if (err != 0) return CannotWrite(path, err);
  return Status::OK();
}

}  // namespace pretokdb

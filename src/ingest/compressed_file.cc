#include "ingest/compressed_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
// ZSTD_getFrameHeader and ZSTD_estimateDStreamSize are in libzstd's
// "experimental" section (stable since 1.4, exported by Debian's shared
// library).
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace pretokdb {

namespace {

constexpr uint32_t kZstdMagic = 0xFD2FB528;
constexpr uint32_t kSkippableMask = 0xFFFFFFF0;
constexpr uint32_t kSkippableMagic = 0x184D2A50;

uint32_t Le32(const unsigned char* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

// The file mapped read-only for the frame index.
class Mapping {
 public:
  ~Mapping() {
    if (data_ != nullptr) ::munmap(data_, size_);
  }
  Status Map(const SourceFile& file) {
    size_ = file.size();
    if (size_ == 0) return Status::OK();
    const int fd = ::open(file.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::IOError(file.path(), std::strerror(errno));
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    const int err = errno;
    ::close(fd);
    if (p == MAP_FAILED) return Status::IOError(file.path(), std::strerror(err));
    ::madvise(p, size_, MADV_SEQUENTIAL);
    data_ = p;
    return Status::OK();
  }
  const unsigned char* data() const { return static_cast<const unsigned char*>(data_); }
  uint64_t size() const { return size_; }

 private:
  void* data_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace

Compression DetectCompression(std::string_view head) {
  const auto* p = reinterpret_cast<const unsigned char*>(head.data());
  if (head.size() >= 2 && p[0] == 0x1f && p[1] == 0x8b) return Compression::kGzip;
  if (head.size() < 4) return Compression::kNone;
  const uint32_t magic = Le32(p);
  if (magic == kZstdMagic || (magic & kSkippableMask) == kSkippableMagic) {
    return Compression::kZstd;
  }
  return Compression::kNone;
}

Status DetectFileCompression(const SourceFile& file, Compression* kind) {
  char head[4];
  const size_t n = file.size() < 4 ? static_cast<size_t>(file.size()) : 4;
  PRETOKDB_RETURN_IF_ERROR(file.ReadAt(0, n, head));
  *kind = DetectCompression(std::string_view(head, n));
  return Status::OK();
}

const char* CompressionName(Compression kind) {
  switch (kind) {
    case Compression::kGzip: return "gzip";
    case Compression::kZstd: return "zstd";
    case Compression::kNone: break;
  }
  return "none";
}

Status IndexZstdFrames(const SourceFile& file, std::vector<ZstdFrame>* frames) {
  frames->clear();
  Mapping map;
  PRETOKDB_RETURN_IF_ERROR(map.Map(file));
  uint64_t at = 0;
  while (at < map.size()) {
    const unsigned char* p = map.data() + at;
    const size_t left = static_cast<size_t>(map.size() - at);
    const bool skippable = left >= 4 && (Le32(p) & kSkippableMask) == kSkippableMagic;
    if (!skippable && (left < 4 || Le32(p) != kZstdMagic)) {
      return Status::Corruption(
          file.path(), "bytes at offset " + std::to_string(at) +
                           " are not a zstd frame (garbage after the last "
                           "frame?); nothing of the file was counted");
    }
    const size_t size = ZSTD_findFrameCompressedSize(p, left);
    if (ZSTD_isError(size)) {
      return Status::Corruption(
          file.path(), "the zstd frame at offset " + std::to_string(at) + " is " +
                           (ZSTD_getErrorCode(size) == ZSTD_error_srcSize_wrong
                                ? std::string("truncated (the file ends inside it)")
                                : std::string("corrupt (") + ZSTD_getErrorName(size) + ")") +
                           "; nothing of the file was counted");
    }
    ZstdFrame f;
    f.offset = at;
    f.size = size;
    f.skippable = skippable;
    if (!skippable) {
      ZSTD_frameHeader header;
      if (ZSTD_getFrameHeader(&header, p, left) == 0) f.window_bytes = header.windowSize;
    }
    frames->push_back(f);
    at += size;
  }
  return Status::OK();
}

std::vector<CompressedRange> GroupFrames(const std::vector<ZstdFrame>& frames,
                                         uint64_t target_bytes) {
  std::vector<CompressedRange> groups;
  uint64_t begin = 0;
  bool has_data = false;  // the current group holds a data frame
  for (size_t i = 0; i < frames.size(); ++i) {
    const ZstdFrame& f = frames[i];
    const bool starts_data = !f.skippable || (i + 1 < frames.size() &&
                                              !frames[i + 1].skippable);
    // A new group starts at a data frame, or at the skippable frame pzstd
    // writes before one, once the current one is big enough.
    if (has_data && starts_data && f.offset - begin >= target_bytes) {
      groups.push_back(CompressedRange{begin, f.offset});
      begin = f.offset;
      has_data = false;
    }
    if (!f.skippable) has_data = true;
  }
  const uint64_t end = frames.empty() ? 0 : frames.back().offset + frames.back().size;
  if (end > begin || groups.empty()) groups.push_back(CompressedRange{begin, end});
  return groups;
}

}  // namespace pretokdb

#include "ingest/compressed_file.h"

// ZSTD_getFrameHeader and ZSTD_FRAMEHEADERSIZE_MAX are in libzstd's
// "experimental" section (stable since 1.4, exported by Debian's shared
// library).
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <string>

namespace pretokdb {

namespace {

constexpr uint32_t kZstdMagic = 0xFD2FB528;
constexpr uint32_t kSkippableMask = 0xFFFFFFF0;
constexpr uint32_t kSkippableMagic = 0x184D2A50;

uint32_t Le32(const unsigned char* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

// Reads the few bytes at an offset that the frame index needs (frame and
// block headers) through a window of the file: the index touches one block
// header per 128 KiB at most, and holds no more of the file than the window
// (a mapping of the file would count all of it in the process's RSS).
class HeaderReader {
 public:
  explicit HeaderReader(const SourceFile& file) : file_(file) {}

  // Up to n (<= kMaxPeek) bytes at offset: fewer only at the file's end.
  Status Peek(uint64_t offset, size_t n, const unsigned char** p, size_t* got) {
    if (offset < begin_ || offset + n > begin_ + window_.size()) {
      const uint64_t left = file_.size() > offset ? file_.size() - offset : 0;
      const size_t len = static_cast<size_t>(std::min<uint64_t>(kWindow, left));
      window_.resize(len);
      if (len > 0) PRETOKDB_RETURN_IF_ERROR(file_.ReadAt(offset, len, window_.data()));
      begin_ = offset;
    }
    const size_t at = static_cast<size_t>(offset - begin_);
    *p = reinterpret_cast<const unsigned char*>(window_.data()) + at;
    *got = std::min(n, window_.size() - at);
    return Status::OK();
  }

  static constexpr size_t kMaxPeek = 64;

 private:
  static constexpr size_t kWindow = 64 << 10;
  const SourceFile& file_;
  uint64_t begin_ = 0;
  std::string window_;
};

Status Truncated(const SourceFile& file, uint64_t frame) {
  return Status::Corruption(file.path(),
                            "the zstd frame at offset " + std::to_string(frame) +
                                " is truncated (the file ends inside it); nothing "
                                "of the file was counted");
}

Status Corrupt(const SourceFile& file, uint64_t frame, const std::string& why) {
  return Status::Corruption(file.path(), "the zstd frame at offset " +
                                             std::to_string(frame) + " is corrupt (" +
                                             why + "); nothing of the file was counted");
}

// The frame at `at` (a zstd or skippable frame by its magic), found as
// libzstd's ZSTD_findFrameCompressedSize finds it (RFC 8878): its header
// (ZSTD_getFrameHeader), then block headers of 3 bytes (last-block flag,
// type, size) to the last block, then the content checksum if the header
// says there is one. Only headers are read.
Status FindFrame(const SourceFile& file, HeaderReader* reader, uint64_t at,
                 ZstdFrame* frame) {
  const unsigned char* p = nullptr;
  size_t got = 0;
  PRETOKDB_RETURN_IF_ERROR(reader->Peek(at, ZSTD_FRAMEHEADERSIZE_MAX, &p, &got));
  ZSTD_frameHeader header;
  const size_t need = ZSTD_getFrameHeader(&header, p, got);
  if (ZSTD_isError(need)) return Corrupt(file, at, ZSTD_getErrorName(need));
  if (need > 0) return Truncated(file, at);
  frame->offset = at;
  frame->skippable = header.frameType == ZSTD_skippableFrame;
  uint64_t end = at;
  if (frame->skippable) {
    // Its magic and content size (ZSTD_getFrameHeader leaves headerSize 0).
    end += ZSTD_SKIPPABLEHEADERSIZE + header.frameContentSize;
  } else {
    end += header.headerSize;
    frame->window_bytes = header.windowSize;
    for (bool last = false; !last;) {
      PRETOKDB_RETURN_IF_ERROR(reader->Peek(end, 3, &p, &got));
      if (got < 3) return Truncated(file, at);
      const uint32_t bits = p[0] | (p[1] << 8) | (static_cast<uint32_t>(p[2]) << 16);
      last = (bits & 1) != 0;
      const uint32_t type = (bits >> 1) & 3;
      if (type == 3) return Corrupt(file, at, "a block of the reserved type");
      end += 3 + (type == 1 ? 1 : bits >> 3);  // an RLE block holds 1 byte
    }
    if (header.checksumFlag) end += 4;
  }
  if (end > file.size()) return Truncated(file, at);
  frame->size = end - at;
  return Status::OK();
}

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
  HeaderReader reader(file);
  uint64_t at = 0;
  while (at < file.size()) {
    const unsigned char* p = nullptr;
    size_t got = 0;
    PRETOKDB_RETURN_IF_ERROR(reader.Peek(at, 4, &p, &got));
    const bool magic = got == 4 && (Le32(p) == kZstdMagic ||
                                    (Le32(p) & kSkippableMask) == kSkippableMagic);
    if (!magic) {
      return Status::Corruption(
          file.path(), "bytes at offset " + std::to_string(at) +
                           " are not a zstd frame (garbage after the last "
                           "frame?); nothing of the file was counted");
    }
    ZstdFrame f;
    PRETOKDB_RETURN_IF_ERROR(FindFrame(file, &reader, at, &f));
    frames->push_back(f);
    at += f.size;
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

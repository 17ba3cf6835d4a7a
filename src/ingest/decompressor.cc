#include "ingest/decompressor.h"

#include <zlib.h>
// ZSTD_getFrameHeader and ZSTD_estimateDStreamSize are in libzstd's
// "experimental" section (stable since 1.4, exported by Debian's shared
// library).
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace pretokdb {

namespace {
// zstd's decoder refuses frames whose window is larger (zstd's own default
// limit for decoding without --long=31).
constexpr int kMaxWindowLog = 27;
}  // namespace

Decompressor::Decompressor(const SourceFile* file, Compression kind,
                           uint64_t from, size_t input_bytes)
    : file_(file),
      kind_(kind),
      in_(new char[std::max<size_t>(input_bytes, 64)]),
      in_capacity_(std::max<size_t>(input_bytes, 64)),
      file_pos_(from),
      unit_start_(from) {
  if (kind_ == Compression::kZstd) {
    ZSTD_DStream* d = ZSTD_createDStream();
    ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, kMaxWindowLog);
    zstd_ = d;
  } else {
    auto* z = new z_stream();
    // 16 + MAX_WBITS: a gzip wrapper, its CRC32 and length checked.
    if (inflateInit2(z, 16 + MAX_WBITS) != Z_OK) {
      delete z;
      z = nullptr;
    }
    zlib_ = z;
  }
}

Decompressor::~Decompressor() {
  if (zstd_ != nullptr) ZSTD_freeDStream(static_cast<ZSTD_DStream*>(zstd_));
  if (zlib_ != nullptr) {
    auto* z = static_cast<z_stream*>(zlib_);
    inflateEnd(z);
    delete z;
  }
}

uint64_t Decompressor::MemoryBytes(Compression kind, uint64_t window_bytes) {
  if (kind == Compression::kGzip) return 64 << 10;  // inflate's state and window
  return ZSTD_estimateDStreamSize(static_cast<size_t>(
      std::min<uint64_t>(window_bytes, uint64_t{1} << kMaxWindowLog)));
}

Status Decompressor::Corrupt(const std::string& what) const {
  const char* unit = kind_ == Compression::kGzip ? "gzip member" : "zstd frame";
  return Status::Corruption(file_->path(), std::string("the ") + unit +
                                               " at offset " +
                                               std::to_string(unit_start_) + " " +
                                               what + "; nothing of it was counted");
}

Status Decompressor::Refill() {
  // Keep what the decoder has not taken (gzip peeks at a member's magic).
  if (in_pos_ > 0) {
    std::memmove(in_.get(), in_.get() + in_pos_, in_len_ - in_pos_);
    in_len_ -= in_pos_;
    in_pos_ = 0;
  }
  uint64_t cap = file_->size();
  if (!boundary_known_ && boundary_ > file_pos_) cap = std::min(cap, boundary_);
  const size_t n = static_cast<size_t>(
      std::min<uint64_t>(in_capacity_ - in_len_, cap - file_pos_));
  if (n == 0) return Status::OK();
  PRETOKDB_RETURN_IF_ERROR(file_->ReadAt(file_pos_, n, in_.get() + in_len_));
  if (file_pos_ < boundary_) {
    raw_hash_.Update(in_.get() + in_len_,
                     static_cast<size_t>(std::min<uint64_t>(n, boundary_ - file_pos_)));
  }
  file_pos_ += n;
  in_len_ += n;
  return Status::OK();
}

Status Decompressor::Read(char* dst, size_t n, size_t* got) {
  *got = 0;
  if (kind_ == Compression::kZstd) return ReadZstd(dst, n, got);
  if (zlib_ == nullptr) return Status::IOError(file_->path(), "out of memory for zlib");
  return ReadGzip(dst, n, got);
}

Status Decompressor::ReadZstd(char* dst, size_t n, size_t* got) {
  auto* d = static_cast<ZSTD_DStream*>(zstd_);
  if (d == nullptr) return Status::IOError(file_->path(), "out of memory for zstd");
  while (*got < n) {
    if (in_pos_ == in_len_) {
      // At the boundary, between frames: its text offset is known.
      if (!in_unit_ && !boundary_known_ && file_pos_ == boundary_) {
        boundary_known_ = true;
        boundary_text_ = text_;
      }
      PRETOKDB_RETURN_IF_ERROR(Refill());
      if (in_pos_ == in_len_ && !in_unit_) break;  // the end, every frame checked
    }
    if (!in_unit_) unit_start_ = InputOffset();
    ZSTD_inBuffer in{in_.get(), in_len_, in_pos_};
    ZSTD_outBuffer out{dst + *got, n - *got, 0};
    const size_t ret = ZSTD_decompressStream(d, &out, &in);
    if (ZSTD_isError(ret)) {
      if (ZSTD_getErrorCode(ret) == ZSTD_error_prefix_unknown) {
        return Status::Corruption(
            file_->path(), "bytes at offset " + std::to_string(unit_start_) +
                               " are not a zstd frame (garbage after the last "
                               "frame?); nothing of the file after it was counted");
      }
      return Corrupt(std::string("is corrupt (") + ZSTD_getErrorName(ret) + ")");
    }
    const bool starved = in_pos_ == in_len_;  // flushing what it holds
    in_pos_ = in.pos;
    *got += out.pos;
    text_ += out.pos;
    if (starved && out.pos == 0 && ret != 0) {
      return Corrupt(file_pos_ == file_->size()
                         ? "is truncated (the file ends inside it)"
                         : "runs past where the frame index put the next frame");
    }
    if (ret == 0) {
      in_unit_ = false;  // ended, and its checksum (if any) matched
      verified_ = text_;
    } else {
      in_unit_ = true;
    }
  }
  return Status::OK();
}

Status Decompressor::ReadGzip(char* dst, size_t n, size_t* got) {
  auto* z = static_cast<z_stream*>(zlib_);
  while (*got < n) {
    if (!in_unit_) {
      // A member starts here, or the file ends.
      if (in_len_ - in_pos_ < 2) PRETOKDB_RETURN_IF_ERROR(Refill());
      if (in_pos_ == in_len_) break;  // the end, every member checked
      unit_start_ = InputOffset();
      const auto* p = reinterpret_cast<const unsigned char*>(in_.get() + in_pos_);
      if (in_len_ - in_pos_ < 2 || p[0] != 0x1f || p[1] != 0x8b) {
        return Status::Corruption(
            file_->path(), "bytes at offset " + std::to_string(unit_start_) +
                               " are not a gzip member (garbage after the last "
                               "member?); nothing of the file was counted");
      }
      in_unit_ = true;
    }
    if (in_pos_ == in_len_) PRETOKDB_RETURN_IF_ERROR(Refill());
    z->next_in = reinterpret_cast<Bytef*>(in_.get() + in_pos_);
    z->avail_in = static_cast<uInt>(std::min<size_t>(in_len_ - in_pos_, 1u << 30));
    z->next_out = reinterpret_cast<Bytef*>(dst + *got);
    z->avail_out = static_cast<uInt>(std::min<size_t>(n - *got, 1u << 30));
    const uInt before_in = z->avail_in, before_out = z->avail_out;
    const int ret = inflate(z, Z_NO_FLUSH);
    in_pos_ += before_in - z->avail_in;
    const size_t made = before_out - z->avail_out;
    *got += made;
    text_ += made;
    if (ret == Z_STREAM_END) {
      in_unit_ = false;  // its CRC32 and length matched
      verified_ = text_;
      inflateReset(z);
      continue;
    }
    if (ret == Z_BUF_ERROR && made == 0 && z->avail_in == 0 &&
        file_pos_ == file_->size()) {
      return Corrupt("is truncated (the file ends inside it)");
    }
    if (ret == Z_OK || (ret == Z_BUF_ERROR && z->avail_in == 0)) continue;
    if (ret == Z_MEM_ERROR) return Status::IOError(file_->path(), "out of memory for zlib");
    return Corrupt(std::string("is corrupt (") +
                   (z->msg != nullptr ? z->msg : "invalid data") + ")");
  }
  return Status::OK();
}

}  // namespace pretokdb

// Compressed inputs: which format a file is in, told by its first bytes
// (not its name), and the frames of a zstd file.
//
// A .zst file is a sequence of frames, each decompressible alone: one for
// plain `zstd` (also with -T2), one per input block for `pzstd`, which writes
// a skippable frame (magic 0x184D2A50..5F) before each, or any number for
// files concatenated with `cat`. Frames are found as libzstd's
// ZSTD_findFrameCompressedSize finds them, hopping from frame to frame
// by their headers and their blocks' 3-byte headers (read through a small
// window of the file, not mapped: the index holds none of it) without
// decompressing; so a truncated last frame or bytes that
// are not a frame are found before anything is counted. A gzip file's
// members cannot be found without inflating them: it is one unit.

#ifndef PRETOKDB_INGEST_COMPRESSED_FILE_H_
#define PRETOKDB_INGEST_COMPRESSED_FILE_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "ingest/source_file.h"
#include "pretokdb/status.h"

namespace pretokdb {

enum class Compression { kNone, kGzip, kZstd };

// The format whose magic bytes head starts with (gzip 1f 8b; a zstd frame
// 28 b5 2f fd or a skippable frame 5X 2a 4d 18), or kNone.
Compression DetectCompression(std::string_view head);

// DetectCompression of the file's first bytes.
Status DetectFileCompression(const SourceFile& file, Compression* kind);

// "gzip", "zstd".
const char* CompressionName(Compression kind);

struct ZstdFrame {
  uint64_t offset = 0;  // compressed
  uint64_t size = 0;    // compressed bytes, header and checksum included
  bool skippable = false;
  // The decoder's window (the memory it needs beyond its buffers); 0 for a
  // skippable frame.
  uint64_t window_bytes = 0;
};

// Every frame of a zstd file, in order, tiling it. Corruption naming the
// file and the offset if a frame is truncated or bytes are not a frame.
Status IndexZstdFrames(const SourceFile& file, std::vector<ZstdFrame>* frames);

// Consecutive frames in runs, each starting at a data frame or at the
// skippable frame just before it and holding at least target_bytes of
// compressed data (the last one may hold less): the units counted and
// committed one at a time. Returns their compressed ranges, tiling the file.
struct CompressedRange {
  uint64_t begin = 0;
  uint64_t end = 0;
};
std::vector<CompressedRange> GroupFrames(const std::vector<ZstdFrame>& frames,
                                         uint64_t target_bytes);

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_COMPRESSED_FILE_H_

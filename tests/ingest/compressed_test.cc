// Copyright (c) pretok-db authors.
//
// Compressed inputs: the format told by magic bytes, the zstd frame index,
// the decompressor (every gzip member and zstd frame checked; corrupt,
// truncated and trailing bytes refused) and the text of runs of frames
// (CompressedText: neighbours agree on their edges, so the runs' texts
// tile the file's text, each cut at a chunk edge).

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/chunk_planner.h"
#include "ingest/compressed_file.h"
#include "ingest/compressed_text.h"
#include "ingest/decompressor.h"
#include "ingest/run_setup.h"
#include "ingest_test_util.h"

namespace pretokdb {
namespace {

using testing_util::RandomTrickyText;
using testing_util::TempDir;
using testing_util::WriteFile;

std::string ZstdBytes(std::string_view text, bool checksum = true, int level = 3) {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, checksum ? 1 : 0);
  std::string out(ZSTD_compressBound(text.size()), '\0');
  const size_t n = ZSTD_compress2(c, out.data(), out.size(), text.data(), text.size());
  ZSTD_freeCCtx(c);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

// A skippable frame as pzstd writes before each frame: magic, size, payload.
std::string SkippableFrame(std::string_view payload) {
  std::string f = {'\x50', '\x2a', '\x4d', '\x18'};
  const uint32_t n = static_cast<uint32_t>(payload.size());
  for (int i = 0; i < 4; ++i) f.push_back(static_cast<char>(n >> (8 * i)));
  return f + std::string(payload);
}

std::string GzipMember(std::string_view text) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, text.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

struct Opened {
  TempDir dir;
  std::unique_ptr<SourceFile> file;
};

std::unique_ptr<Opened> Open(const std::string& bytes) {
  auto o = std::make_unique<Opened>();
  WriteFile(o->dir.File("in"), bytes);
  EXPECT_TRUE(SourceFile::Open(o->dir.File("in"), &o->file).ok());
  return o;
}

// Everything a decompressor gives, read in pieces of `piece` bytes.
Status Decompress(const SourceFile& file, Compression kind, std::string* out,
                  size_t piece = 1000, size_t input = 100) {
  Decompressor d(&file, kind, 0, input);
  out->clear();
  std::string buf(piece, '\0');
  for (;;) {
    size_t got = 0;
    PRETOKDB_RETURN_IF_ERROR(d.Read(buf.data(), piece, &got));
    out->append(buf.data(), got);
    if (got < piece) break;
  }
  EXPECT_EQ(d.verified(), out->size());
  return Status::OK();
}

TEST(CompressedFileTest, TellsTheFormatByItsMagicBytes) {
  EXPECT_EQ(DetectCompression(GzipMember("x")), Compression::kGzip);
  EXPECT_EQ(DetectCompression(ZstdBytes("x")), Compression::kZstd);
  EXPECT_EQ(DetectCompression(SkippableFrame("pz")), Compression::kZstd);
  EXPECT_EQ(DetectCompression(std::string("\x5f\x2a\x4d\x18", 4)), Compression::kZstd);
  EXPECT_EQ(DetectCompression(std::string("\x60\x2a\x4d\x18", 4)), Compression::kNone);
  EXPECT_EQ(DetectCompression("hello world"), Compression::kNone);
  EXPECT_EQ(DetectCompression("\x1f"), Compression::kNone);
  EXPECT_EQ(DetectCompression(""), Compression::kNone);
}

TEST(CompressedFileTest, IndexesFramesAndSkippableFrames) {
  const std::string a = ZstdBytes("first frame "), b = ZstdBytes("second");
  const std::string s = SkippableFrame("12345");
  auto o = Open(s + a + s + b);
  std::vector<ZstdFrame> frames;
  ASSERT_TRUE(IndexZstdFrames(*o->file, &frames).ok());
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_TRUE(frames[0].skippable);
  EXPECT_EQ(frames[0].size, s.size());
  EXPECT_FALSE(frames[1].skippable);
  EXPECT_EQ(frames[1].offset, s.size());
  EXPECT_EQ(frames[1].size, a.size());
  EXPECT_GT(frames[1].window_bytes, 0u);
  EXPECT_EQ(frames[3].offset, 2 * s.size() + a.size());
  // Units start at a data frame or the skippable frame before it.
  const std::vector<CompressedRange> units = GroupFrames(frames, 1);
  ASSERT_EQ(units.size(), 2u);
  EXPECT_EQ(units[0].begin, 0u);
  EXPECT_EQ(units[0].end, s.size() + a.size());
  EXPECT_EQ(units[1].end, o->file->size());
  EXPECT_EQ(GroupFrames(frames, 1 << 20).size(), 1u);
}

TEST(CompressedFileTest, IndexRefusesTruncatedFramesAndGarbage) {
  const std::string a = ZstdBytes(std::string(5000, 'x') + "tail");
  std::vector<ZstdFrame> frames;
  auto cut = Open(a + a.substr(0, a.size() - 3));
  Status s = IndexZstdFrames(*cut->file, &frames);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("at offset " + std::to_string(a.size()) + " is truncated"),
            std::string::npos) << s.message();
  auto junk = Open(a + "junk after it");
  s = IndexZstdFrames(*junk->file, &frames);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("not a zstd frame"), std::string::npos) << s.message();
}

// The index reads only headers; its frames must be those libzstd finds
// (ZSTD_findFrameCompressedSize) in frames of many blocks of every kind:
// compressed, RLE (a run of one byte), raw (random bytes), with and without
// a checksum, and refuse the file cut anywhere.
TEST(CompressedFileTest, IndexFindsTheFramesLibzstdFinds) {
  std::mt19937 rng(7);
  std::string noise(300 << 10, '\0');
  for (char& c : noise) c = static_cast<char>(rng());
  const std::string text = RandomTrickyText(&rng, 20000);
  const std::vector<std::string> parts = {
      ZstdBytes(text), ZstdBytes(std::string(1 << 20, 'a'), false),
      ZstdBytes(noise, true, 1), SkippableFrame(""), ZstdBytes(text + noise, false, 19),
      ZstdBytes("")};
  std::string bytes;
  for (const std::string& part : parts) bytes += part;
  auto o = Open(bytes);
  std::vector<ZstdFrame> frames;
  ASSERT_TRUE(IndexZstdFrames(*o->file, &frames).ok());
  ASSERT_EQ(frames.size(), parts.size());
  uint64_t at = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    EXPECT_EQ(frames[i].offset, at);
    EXPECT_EQ(frames[i].size, ZSTD_findFrameCompressedSize(bytes.data() + at, bytes.size() - at))
        << "frame " << i;
    at += parts[i].size();
  }
  // Cut inside the third frame's blocks, at its checksum, and at its last byte.
  const uint64_t third = parts[0].size() + parts[1].size();
  for (uint64_t cut : {third + 5, third + 7, third + 20000, third + parts[2].size() - 4,
                       third + parts[2].size() - 1}) {
    auto c = Open(bytes.substr(0, cut));
    const Status s = IndexZstdFrames(*c->file, &frames);
    EXPECT_TRUE(s.IsCorruption()) << cut;
    EXPECT_NE(s.message().find("at offset " + std::to_string(third) + " is truncated"),
              std::string::npos) << cut << ": " << s.message();
  }
}

TEST(DecompressorTest, ReadsEveryFrameAndMember) {
  std::mt19937 rnd(7);
  const std::string t1 = RandomTrickyText(&rnd, 300), t2 = RandomTrickyText(&rnd, 200);
  std::string out;
  auto z = Open(SkippableFrame("x") + ZstdBytes(t1) + ZstdBytes(t2, false) + ZstdBytes(""));
  ASSERT_TRUE(Decompress(*z->file, Compression::kZstd, &out).ok());
  EXPECT_EQ(out, t1 + t2);
  auto g = Open(GzipMember(t1) + GzipMember(t2));
  ASSERT_TRUE(Decompress(*g->file, Compression::kGzip, &out, 7, 64).ok());
  EXPECT_EQ(out, t1 + t2);
}

TEST(DecompressorTest, RefusesCorruptTruncatedAndTrailingBytes) {
  const std::string text(20000, 'a');
  std::string out;
  for (Compression kind : {Compression::kZstd, Compression::kGzip}) {
    const std::string good = kind == Compression::kZstd ? ZstdBytes(text + "end") : GzipMember(text + "end");
    std::string bad = good;
    bad[bad.size() - 6] ^= 1;  // in the checksum (zstd: XXH64; gzip: CRC32)
    auto flipped = Open(good + bad);
    Status s = Decompress(*flipped->file, kind, &out);
    EXPECT_TRUE(s.IsCorruption()) << CompressionName(kind);
    EXPECT_NE(s.message().find("at offset " + std::to_string(good.size()) + " is corrupt"),
              std::string::npos) << s.message();
    auto cut = Open(good + good.substr(0, good.size() - 1));
    s = Decompress(*cut->file, kind, &out);
    EXPECT_TRUE(s.IsCorruption());
    EXPECT_NE(s.message().find("truncated"), std::string::npos) << s.message();
    auto junk = Open(good + "trailing junk");
    s = Decompress(*junk->file, kind, &out);
    EXPECT_TRUE(s.IsCorruption());
    EXPECT_NE(s.message().find("garbage"), std::string::npos) << s.message();
  }
}

// The texts of the units of a file of frames, concatenated, and the
// units' text boundaries (offsets in the whole text).
struct UnitTexts {
  std::string text;
  std::vector<uint64_t> starts;
};

UnitTexts ReadUnits(const SourceFile& file, const TextRules& rules,
                    uint64_t unit_bytes) {
  std::vector<ZstdFrame> frames;
  EXPECT_TRUE(IndexZstdFrames(file, &frames).ok());
  const std::vector<CompressedRange> units = GroupFrames(frames, unit_bytes);
  UnitTexts r;
  for (size_t u = 0; u < units.size(); ++u) {
    CompressedText t(&file, Compression::kZstd, rules, units[u], u == 0,
                     u + 1 == units.size());
    r.starts.push_back(r.text.size());
    char buf[333];
    size_t got;
    do {
      EXPECT_TRUE(t.Read(buf, sizeof(buf), &got).ok());
      r.text.append(buf, got);
    } while (got == sizeof(buf));
  }
  return r;
}

TEST(CompressedTextTest, UnitsTileTheTextAtChunkEdges) {
  IndexOptions options;
  RunSetup setup;
  ASSERT_TRUE(MakeRunSetup(options, &setup).ok());
  const TextRules& rules = *setup.rules;
  std::mt19937 rnd(20);
  for (int round = 0; round < 30; ++round) {
    const std::string text = RandomTrickyText(&rnd, 50 + rnd() % 2000);
    // Frames of random lengths, some tiny (shorter than the edge context),
    // a skippable frame before some.
    std::string file;
    for (size_t at = 0; at < text.size();) {
      const size_t n = std::min<size_t>(text.size() - at, 1 + rnd() % (round % 3 == 0 ? 20 : 3000));
      if (rnd() % 3 == 0) file += SkippableFrame("pzstd");
      file += ZstdBytes(std::string_view(text).substr(at, n), rnd() % 2 == 0);
      at += n;
    }
    auto o = Open(file);
    const UnitTexts units = ReadUnits(*o->file, rules, 1 + rnd() % 500);
    ASSERT_EQ(units.text, text) << "round " << round;
    for (uint64_t s : units.starts) {
      if (s == 0 || s == text.size()) continue;
      // Each start is an edge of the whole text.
      EXPECT_EQ(FindFirstChunkEdge(rules, text, s, s + 1), s) << "round " << round;
    }
  }
}

TEST(CompressedTextTest, FramesWithoutAnEdgeGoToTheUnitBefore) {
  IndexOptions options;
  RunSetup setup;
  ASSERT_TRUE(MakeRunSetup(options, &setup).ok());
  // One letter only: no edge at all, so the first unit gives the whole
  // text and the others nothing; then an edge in the last frame only.
  for (const std::string tail : {"", " end. And more words here"}) {
    const std::string text = std::string(9000, 'a') + tail;
    std::string file;
    for (size_t at = 0; at < text.size(); at += 1000) {
      file += ZstdBytes(std::string_view(text).substr(at, 1000));
    }
    auto o = Open(file);
    const UnitTexts units = ReadUnits(*o->file, *setup.rules, 1);
    EXPECT_EQ(units.text, text);
    ASSERT_GE(units.starts.size(), 9u);
    EXPECT_EQ(units.starts[1], tail.empty() ? text.size() : 9000u);
  }
}

TEST(CompressedTextTest, AnErrorInTheFrameAfterTheUnitIsTheUnits) {
  // The unit's end edge lies in the next frame: the unit reads that frame
  // to its end, so its checksum error is the first unit's too.
  IndexOptions options;
  RunSetup setup;
  ASSERT_TRUE(MakeRunSetup(options, &setup).ok());
  const std::string a = ZstdBytes("words and words and"), b = ZstdBytes(" more words to end it");
  std::string bad = b;
  bad[bad.size() - 2] ^= 1;
  auto o = Open(a + bad);
  CompressedText t(o->file.get(), Compression::kZstd, *setup.rules,
                   CompressedRange{0, a.size()}, true, false);
  char buf[4096];
  size_t got;
  Status s = t.Read(buf, sizeof(buf), &got);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

}  // namespace
}  // namespace pretokdb

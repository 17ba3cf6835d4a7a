// What the "meta" column family holds, and how each record is encoded.
//
// Keys of the meta column family (key_format):
//   "config"                      DbConfig: how the counts were made
//   "source/" BE64(id)            SourceRecord: one input file and its chunks
//   "ckpt/" BE64(id) BE64(chunk)  fixed64: offset reached in that chunk;
//                                 written in the same WriteBatch as the
//                                 counts of the bytes before it
//   "stat/<name>"                 fixed64, merged by addition (see StatKey)
//
// Records are a version varint followed by fields (varints and
// length-prefixed strings), so that later versions can add fields.

#ifndef PRETOKDB_STORE_RECORDS_H_
#define PRETOKDB_STORE_RECORDS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pretokdb {

inline constexpr std::string_view kConfigKey = "config";
inline constexpr std::string_view kSourcePrefix = "source/";
inline constexpr std::string_view kCheckpointPrefix = "ckpt/";
inline constexpr std::string_view kStatPrefix = "stat/";

// Counters kept under "stat/": each spill adds to them in its WriteBatch, so
// they are exact after any crash, like the counts.
inline constexpr std::string_view kStatDocuments = "stat/documents";
inline constexpr std::string_view kStatPretokens = "stat/pretokens";
inline constexpr std::string_view kStatInvalidUtf8 = "stat/invalid_utf8";
inline constexpr std::string_view kStatSpills = "stat/spills";
inline constexpr std::string_view kStatElapsedMs = "stat/elapsed_ms";
inline constexpr std::string_view kStatSkippedStretches = "stat/skipped_stretches";
inline constexpr std::string_view kStatSkippedBytes = "stat/skipped_bytes";

// How counts were made. Adding to a database requires an equal config.
struct DbConfig {
  std::string pattern;  // "gpt2"
  std::vector<std::string> special_tokens;
  std::string invalid_utf8;  // "replace"

  bool operator==(const DbConfig&) const = default;
};

// A byte range [begin, end) of a source, counted by one worker at a time.
struct ChunkRange {
  uint64_t begin = 0;
  uint64_t end = 0;

  bool operator==(const ChunkRange&) const = default;
};

struct SourceRecord {
  uint64_t id = 0;
  std::string path;          // absolute
  uint64_t size = 0;         // bytes, when planned
  uint64_t fingerprint = 0;  // see ingest/fingerprint.h
  std::vector<ChunkRange> chunks;

  bool operator==(const SourceRecord&) const = default;
};

std::string EncodeConfig(const DbConfig& config);
bool DecodeConfig(std::string_view in, DbConfig* config);

std::string EncodeSource(const SourceRecord& source);
bool DecodeSource(std::string_view in, SourceRecord* source);

std::string SourceKey(uint64_t id);
std::string CheckpointKey(uint64_t source_id, uint64_t chunk_index);
// Parses a key made by CheckpointKey.
bool ParseCheckpointKey(std::string_view key, uint64_t* source_id,
                        uint64_t* chunk_index);

}  // namespace pretokdb

#endif  // PRETOKDB_STORE_RECORDS_H_

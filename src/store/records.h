// What the "meta" column family holds, and how each record is encoded.
//
// Keys of the meta column family (key_format):
//   "config"                      DbConfig: how the counts were made
//   "source/" BE64(id)            SourceRecord: one input file and its chunks
//   "ckpt/" BE64(id) BE64(chunk)  Checkpoint (store/checkpoint.h): offset
//                                 reached in that chunk and a hash of it;
//                                 written in the same WriteBatch as the
//                                 counts of the bytes before it
//   "schunk/" BE64(id) BE64(begin) StreamChunk (store/stream_chunk.h): a
//                                 chunk of a named stream, keyed by its
//                                 first byte (its chunks are found as the
//                                 stream is read); written as "ckpt/" is
//   "stat/<name>"                 fixed64, merged by addition (see StatKey)
//   "merged/" identity            "<digest>\t<path>": one key per database
//                                 (DB::GetDbIdentity) merged into this one,
//                                 directly or through another merge: a
//                                 digest of its meta records then, and its
//                                 absolute path (merge/database_state.h)
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
inline constexpr std::string_view kStreamChunkPrefix = "schunk/";
inline constexpr std::string_view kStatPrefix = "stat/";
inline constexpr std::string_view kMergedPrefix = "merged/";

// Counters kept under "stat/": each spill adds to them in its WriteBatch, so
// they are exact after any crash, like the counts.
inline constexpr std::string_view kStatDocuments = "stat/documents";
inline constexpr std::string_view kStatPretokens = "stat/pretokens";
inline constexpr std::string_view kStatInvalidUtf8 = "stat/invalid_utf8";
inline constexpr std::string_view kStatSpills = "stat/spills";
inline constexpr std::string_view kStatElapsedMs = "stat/elapsed_ms";
inline constexpr std::string_view kStatSkippedStretches = "stat/skipped_stretches";
inline constexpr std::string_view kStatSkippedBytes = "stat/skipped_bytes";
// JSON Lines lines skipped as bad records, by reason (BadRecord in
// ingest/jsonl_record.h, in this order); their sum is the total.
inline constexpr std::string_view kBadRecordStats[] = {
    "stat/bad_records/invalid_json", "stat/bad_records/invalid_utf8",
    "stat/bad_records/missing_field", "stat/bad_records/not_string",
    "stat/bad_records/too_long"};

// How counts were made. Adding to a database requires an equal config.
struct DbConfig {
  std::string pattern;  // "gpt2"
  std::vector<std::string> special_tokens;
  std::string invalid_utf8;  // "replace"
  // JSON Lines: the field path counted; "" for text (and in every config
  // written before JSON Lines: version 1 has no such field).
  std::string jsonl_field;

  bool operator==(const DbConfig&) const = default;
};

// A byte range [begin, end) of a source, counted by one worker at a time.
struct ChunkRange {
  uint64_t begin = 0;
  uint64_t end = 0;

  bool operator==(const ChunkRange&) const = default;
};

// How the run that planned a source split the inputs among shards
// (ingest/shard_split.h). count == 0: not split (an unsharded run, or a
// record made by merging shards). Informational: planning reads the chunks.
struct ShardPlan {
  uint64_t version = 0;     // of the split rule; 1 when count > 0
  uint64_t count = 0;       // N
  uint64_t index = 0;       // K, 0 <= K < N
  uint64_t unit_bytes = 0;  // the unit length the split cut at

  bool operator==(const ShardPlan&) const = default;
};

// One input file and the parts of it this database holds.
//
// Encoding version 2 (version 1, which had no relative, split_size,
// first_document nor shard, and whose chunks tiled [0, size), still
// decodes: as absolute, split_size = size, first_document = true,
// unsharded). Version 3, version 2 and `ended`, is a named stream's.
struct SourceRecord {
  uint64_t id = 0;
  // The file's key: its absolute path, or, when `relative`, its path
  // relative to the run's --root directory (lexically normal, no "..").
  // Inputs are matched to records by key, so shards made on machines that
  // mount the same files at different places agree on them. "-" for a
  // stream.
  std::string path;
  bool relative = false;
  uint64_t size = 0;         // bytes, when planned (or grown)
  uint64_t fingerprint = 0;  // of the first `size` bytes; ingest/fingerprint.h
  // The size the file's shard units were cut on (ingest/shard_split.h):
  // its size when it was first planned, kept when it grows, so that a
  // rerun deals the same units. split_size <= size.
  uint64_t split_size = 0;
  // This database counted the file's "+1" document (regex.split gives one
  // more document than separators): it planned the byte 0, or, for an empty
  // file, the file's only unit. Exactly one of a file's shards has it.
  bool first_document = false;
  ShardPlan shard;
  // The ranges this database holds (planned; checkpoints say how far each
  // is counted), indexed by position: "ckpt/<id><i>" is the offset reached
  // in chunks[i]. Ascending and disjoint (begin >= the previous end), each
  // edge a cut, within [0, size); they need not tile [0, size) (a shard
  // holds some units only). A chunk may be empty (a grown file's chunks
  // past its re-count point, source_growth.h).
  std::vector<ChunkRange> chunks;
  // A named stream (index - --stream-name): path is its name, never matched
  // with a file's key; chunks is empty (its chunks are "schunk/" records).
  bool stream = false;
  // A named stream read to its end, every chunk counted: `size` bytes.
  bool ended = false;

  bool operator==(const SourceRecord&) const = default;
};

// True if chunks are ascending, disjoint and within [0, size).
bool ChunksInOrder(const std::vector<ChunkRange>& chunks, uint64_t size);

// Special tokens as messages name them: 'a', 'b' (or "none").
std::string DescribeSpecialTokens(const std::vector<std::string>& tokens);

std::string EncodeConfig(const DbConfig& config);
bool DecodeConfig(std::string_view in, DbConfig* config);

std::string EncodeSource(const SourceRecord& source);
bool DecodeSource(std::string_view in, SourceRecord* source);

std::string SourceKey(uint64_t id);
std::string CheckpointKey(uint64_t source_id, uint64_t chunk_index);
std::string StreamChunkKey(uint64_t source_id, uint64_t begin);
bool ParseStreamChunkKey(std::string_view key, uint64_t* source_id,
                         uint64_t* begin);
// Parses a key made by CheckpointKey.
bool ParseCheckpointKey(std::string_view key, uint64_t* source_id,
                        uint64_t* chunk_index);

}  // namespace pretokdb

#endif  // PRETOKDB_STORE_RECORDS_H_

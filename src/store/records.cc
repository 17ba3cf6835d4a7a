#include "store/records.h"

#include "store/coding.h"

namespace pretokdb {

namespace {
// Version 2 adds jsonl_field; version 1 still decodes, as text.
constexpr uint64_t kConfigVersion = 2;
constexpr uint64_t kSourceVersion = 2;
// Version 2 and a named stream's fields; written for named streams only,
// so that the records of files stay readable by earlier versions.
constexpr uint64_t kStreamSourceVersion = 3;
}  // namespace

std::string DescribeSpecialTokens(const std::vector<std::string>& tokens) {
  if (tokens.empty()) return "none";
  std::string out;
  for (const std::string& t : tokens) {
    if (!out.empty()) out += ", ";
    out += "'" + t + "'";
  }
  return out;
}

std::string EncodeConfig(const DbConfig& config) {
  std::string out;
  PutVarint64(&out, kConfigVersion);
  PutLengthPrefixed(&out, config.pattern);
  PutVarint64(&out, config.special_tokens.size());
  for (const std::string& t : config.special_tokens) PutLengthPrefixed(&out, t);
  PutLengthPrefixed(&out, config.invalid_utf8);
  PutLengthPrefixed(&out, config.jsonl_field);
  return out;
}

bool DecodeConfig(std::string_view in, DbConfig* config) {
  uint64_t version, n;
  std::string_view s;
  if (!GetVarint64(&in, &version) || version < 1 || version > kConfigVersion) {
    return false;
  }
  if (!GetLengthPrefixed(&in, &s)) return false;
  config->pattern = s;
  if (!GetVarint64(&in, &n) || n > in.size()) return false;
  config->special_tokens.clear();
  for (uint64_t i = 0; i < n; ++i) {
    if (!GetLengthPrefixed(&in, &s)) return false;
    config->special_tokens.emplace_back(s);
  }
  if (!GetLengthPrefixed(&in, &s)) return false;
  config->invalid_utf8 = s;
  config->jsonl_field.clear();
  if (version >= 2) {
    if (!GetLengthPrefixed(&in, &s)) return false;
    config->jsonl_field = s;
  }
  return in.empty();
}

bool ChunksInOrder(const std::vector<ChunkRange>& chunks, uint64_t size) {
  uint64_t prev_end = 0;
  for (const ChunkRange& c : chunks) {
    if (c.begin < prev_end || c.end < c.begin || c.end > size) return false;
    prev_end = c.end;
  }
  return true;
}

std::string EncodeSource(const SourceRecord& source) {
  std::string out;
  PutVarint64(&out, source.stream ? kStreamSourceVersion : kSourceVersion);
  PutVarint64(&out, source.id);
  PutLengthPrefixed(&out, source.path);
  PutVarint64(&out, source.relative ? 1 : 0);
  PutVarint64(&out, source.size);
  PutFixed64(&out, source.fingerprint);
  PutVarint64(&out, source.split_size);
  PutVarint64(&out, source.first_document ? 1 : 0);
  PutVarint64(&out, source.shard.version);
  PutVarint64(&out, source.shard.count);
  PutVarint64(&out, source.shard.index);
  PutVarint64(&out, source.shard.unit_bytes);
  PutVarint64(&out, source.chunks.size());
  for (const ChunkRange& c : source.chunks) {
    PutVarint64(&out, c.begin);
    PutVarint64(&out, c.end);
  }
  if (source.stream) PutVarint64(&out, source.ended ? 1 : 0);
  return out;
}

namespace {

bool GetBool(std::string_view* in, bool* value) {
  uint64_t v;
  if (!GetVarint64(in, &v) || v > 1) return false;
  *value = v == 1;
  return true;
}

bool GetChunks(std::string_view* in, std::vector<ChunkRange>* chunks) {
  uint64_t n;
  // Each chunk takes at least two bytes: a count beyond that is corrupt.
  if (!GetVarint64(in, &n) || n > in->size()) return false;
  chunks->clear();
  for (uint64_t i = 0; i < n; ++i) {
    ChunkRange c;
    if (!GetVarint64(in, &c.begin) || !GetVarint64(in, &c.end)) return false;
    chunks->push_back(c);
  }
  return true;
}

// Version 1: id, path, size, fingerprint, chunks tiling [0, size).
bool DecodeSourceV1(std::string_view in, SourceRecord* source) {
  std::string_view s;
  if (!GetVarint64(&in, &source->id) || !GetLengthPrefixed(&in, &s)) {
    return false;
  }
  source->path = s;
  if (!GetVarint64(&in, &source->size) ||
      !GetFixed64(&in, &source->fingerprint) ||
      !GetChunks(&in, &source->chunks) || !in.empty()) {
    return false;
  }
  uint64_t prev_end = 0;
  for (const ChunkRange& c : source->chunks) {
    if (c.begin != prev_end || c.end < c.begin) return false;
    prev_end = c.end;
  }
  if (prev_end != source->size) return false;
  source->relative = false;
  source->split_size = source->size;
  source->first_document = true;  // every plan of version 1 counted it
  source->shard = ShardPlan();
  return true;
}

}  // namespace

bool DecodeSource(std::string_view in, SourceRecord* source) {
  uint64_t version;
  std::string_view s;
  if (!GetVarint64(&in, &version)) return false;
  if (version == 1) return DecodeSourceV1(in, source);
  if (version != kSourceVersion && version != kStreamSourceVersion) {
    return false;
  }
  if (!GetVarint64(&in, &source->id) || !GetLengthPrefixed(&in, &s)) {
    return false;
  }
  source->path = s;
  ShardPlan& shard = source->shard;
  if (!GetBool(&in, &source->relative) || !GetVarint64(&in, &source->size) ||
      !GetFixed64(&in, &source->fingerprint) ||
      !GetVarint64(&in, &source->split_size) ||
      !GetBool(&in, &source->first_document) ||
      !GetVarint64(&in, &shard.version) || !GetVarint64(&in, &shard.count) ||
      !GetVarint64(&in, &shard.index) || !GetVarint64(&in, &shard.unit_bytes) ||
      !GetChunks(&in, &source->chunks)) {
    return false;
  }
  source->stream = version == kStreamSourceVersion;
  source->ended = false;
  if (source->stream && !GetBool(&in, &source->ended)) return false;
  if (!in.empty()) return false;
  if (source->split_size > source->size) return false;
  if (shard.count > 0 && shard.index >= shard.count) return false;
  return ChunksInOrder(source->chunks, source->size);
}

std::string SourceKey(uint64_t id) {
  std::string key(kSourcePrefix);
  PutBigEndian64(&key, id);
  return key;
}

std::string StreamChunkKey(uint64_t source_id, uint64_t begin) {
  std::string key(kStreamChunkPrefix);
  PutBigEndian64(&key, source_id);
  PutBigEndian64(&key, begin);
  return key;
}

bool ParseStreamChunkKey(std::string_view key, uint64_t* source_id,
                         uint64_t* begin) {
  if (key.substr(0, kStreamChunkPrefix.size()) != kStreamChunkPrefix) {
    return false;
  }
  key.remove_prefix(kStreamChunkPrefix.size());
  return GetBigEndian64(&key, source_id) && GetBigEndian64(&key, begin) &&
         key.empty();
}

std::string CheckpointKey(uint64_t source_id, uint64_t chunk_index) {
  std::string key(kCheckpointPrefix);
  PutBigEndian64(&key, source_id);
  PutBigEndian64(&key, chunk_index);
  return key;
}

bool ParseCheckpointKey(std::string_view key, uint64_t* source_id,
                        uint64_t* chunk_index) {
  if (key.substr(0, kCheckpointPrefix.size()) != kCheckpointPrefix) {
    return false;
  }
  key.remove_prefix(kCheckpointPrefix.size());
  return GetBigEndian64(&key, source_id) && GetBigEndian64(&key, chunk_index) &&
         key.empty();
}

}  // namespace pretokdb

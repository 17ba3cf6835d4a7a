#include "store/records.h"

#include "store/coding.h"

namespace pretokdb {

namespace {
constexpr uint64_t kConfigVersion = 1;
constexpr uint64_t kSourceVersion = 1;
}  // namespace

std::string EncodeConfig(const DbConfig& config) {
  std::string out;
  PutVarint64(&out, kConfigVersion);
  PutLengthPrefixed(&out, config.pattern);
  PutVarint64(&out, config.special_tokens.size());
  for (const std::string& t : config.special_tokens) PutLengthPrefixed(&out, t);
  PutLengthPrefixed(&out, config.invalid_utf8);
  return out;
}

bool DecodeConfig(std::string_view in, DbConfig* config) {
  uint64_t version, n;
  std::string_view s;
  if (!GetVarint64(&in, &version) || version != kConfigVersion) return false;
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
  return in.empty();
}

std::string EncodeSource(const SourceRecord& source) {
  std::string out;
  PutVarint64(&out, kSourceVersion);
  PutVarint64(&out, source.id);
  PutLengthPrefixed(&out, source.path);
  PutVarint64(&out, source.size);
  PutFixed64(&out, source.fingerprint);
  PutVarint64(&out, source.chunks.size());
  for (const ChunkRange& c : source.chunks) {
    PutVarint64(&out, c.begin);
    PutVarint64(&out, c.end);
  }
  return out;
}

bool DecodeSource(std::string_view in, SourceRecord* source) {
  uint64_t version, n;
  std::string_view s;
  if (!GetVarint64(&in, &version) || version != kSourceVersion) return false;
  if (!GetVarint64(&in, &source->id) || !GetLengthPrefixed(&in, &s)) {
    return false;
  }
  source->path = s;
  if (!GetVarint64(&in, &source->size) ||
      !GetFixed64(&in, &source->fingerprint) || !GetVarint64(&in, &n) ||
      n > in.size()) {
    return false;
  }
  source->chunks.clear();
  uint64_t prev_end = 0;
  for (uint64_t i = 0; i < n; ++i) {
    ChunkRange c;
    if (!GetVarint64(&in, &c.begin) || !GetVarint64(&in, &c.end)) return false;
    // Chunks tile the file in order; anything else is corruption.
    if (c.begin != prev_end || c.end < c.begin) return false;
    prev_end = c.end;
    source->chunks.push_back(c);
  }
  return in.empty() && prev_end == source->size;
}

std::string SourceKey(uint64_t id) {
  std::string key(kSourcePrefix);
  PutBigEndian64(&key, id);
  return key;
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

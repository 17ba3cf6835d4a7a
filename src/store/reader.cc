#include "pretokdb/reader.h"

#include <iterator>
#include <map>

#include "store/byte_ranges.h"
#include "store/coding.h"
#include "store/records.h"
#include "store/rocks_store.h"
#include "store/source_catalog.h"
#include "text/pattern.h"

namespace pretokdb {

// The pattern a database's configuration names, as the Python reference
// writes it: a built-in name stands for its pattern, anything else is a
// user's pattern, stored as given.
static std::string PatternRegex(const std::string& name) {
  if (name == "gpt2") return std::string(kGpt2Pattern);
  if (name == "cl100k") return std::string(kCl100kPattern);
  if (name == "o200k") return std::string(kO200kPattern);
  return name;
}

// ---- CountIterator ---------------------------------------------------------

CountIterator::CountIterator(std::unique_ptr<StoreIterator> it)
    : it_(std::move(it)) {
  it_->SeekToFirst();
  Load();
}

CountIterator::~CountIterator() = default;

void CountIterator::Next() {
  it_->Next();
  Load();
}

void CountIterator::Load() {
  // A count can be 0: re-counting the end of a file that grew takes back
  // what its old end had counted (ingest/source_growth.h). Such pretokens
  // were never seen as far as readers are concerned.
  for (;;) {
    valid_ = it_->Valid();
    if (!valid_) {
      status_ = it_->status();
      return;
    }
    if (!DecodeFixed64Value(it_->value(), &count_)) {
      valid_ = false;
      status_ = Status::Corruption("malformed count value");
      return;
    }
    if (count_ != 0) return;
    it_->Next();
  }
}

std::string_view CountIterator::token() const { return it_->key(); }

Status CountIterator::status() const { return status_; }

// ---- CountReader -----------------------------------------------------------

CountReader::CountReader(std::unique_ptr<RocksStore> store)
    : store_(std::move(store)) {}

CountReader::~CountReader() = default;

Status CountReader::Open(const std::string& db_path,
                         std::unique_ptr<CountReader>* reader) {
  StoreOptions options;
  options.read_only = true;
  std::unique_ptr<RocksStore> store;
  PRETOKDB_RETURN_IF_ERROR(RocksStore::Open(db_path, options, &store));
  std::string raw;
  Status s = store->GetMeta(kConfigKey, &raw);
  if (s.IsNotFound()) {
    // Our column families, but no run has committed its plan yet.
    return Status::InvalidArgument(
        db_path, "empty database: no index run has committed anything yet");
  }
  PRETOKDB_RETURN_IF_ERROR(s);
  reader->reset(new CountReader(std::move(store)));
  return Status::OK();
}

Status CountReader::Get(std::string_view token, uint64_t* count) const {
  return store_->GetCount(token, count);
}

std::unique_ptr<CountIterator> CountReader::NewIterator() const {
  return std::make_unique<CountIterator>(store_->NewCountIterator());
}

Status CountReader::GetStats(DbStats* stats) const {
  *stats = DbStats();
  std::string raw;
  PRETOKDB_RETURN_IF_ERROR(store_->GetMeta(kConfigKey, &raw));
  DbConfig config;
  if (!DecodeConfig(raw, &config)) {
    return Status::Corruption(store_->path(), "unreadable configuration record");
  }
  stats->pattern_regex = PatternRegex(config.pattern);
  stats->pattern =
      stats->pattern_regex == config.pattern ? "custom" : config.pattern;
  stats->special_tokens = config.special_tokens;
  stats->invalid_utf8 = config.invalid_utf8;
  stats->jsonl_field = config.jsonl_field;

  std::vector<SourceRecord> sources;
  PRETOKDB_RETURN_IF_ERROR(ReadSources(*store_, &sources));
  Checkpoints checkpoints;
  PRETOKDB_RETURN_IF_ERROR(ReadCheckpoints(*store_, &checkpoints));
  std::map<uint64_t, StreamChunks> stream_chunks;
  PRETOKDB_RETURN_IF_ERROR(ReadStreamChunks(*store_, &stream_chunks));
  for (const SourceRecord& r : sources) {
    if (r.stream) {
      StreamInfo info;
      info.name = r.path;
      info.bytes_done = StreamBytesDone(stream_chunks[r.id]);
      info.complete = r.ended;
      stats->streams.push_back(std::move(info));
      continue;
    }
    SourceInfo info;
    info.path = r.path;
    info.relative = r.relative;
    info.size = r.size;
    for (const ChunkRange& c : HeldRanges(r)) {
      info.held.push_back(ByteRange{c.begin, c.end});
      info.bytes_held += c.end - c.begin;
    }
    info.bytes_done = BytesDone(r, checkpoints);
    info.first_document = r.first_document;
    stats->files.push_back(std::move(info));
  }

  uint64_t elapsed_ms = 0;
  PRETOKDB_RETURN_IF_ERROR(store_->GetStat(kStatDocuments, &stats->documents));
  PRETOKDB_RETURN_IF_ERROR(store_->GetStat(kStatPretokens, &stats->pretokens));
  PRETOKDB_RETURN_IF_ERROR(
      store_->GetStat(kStatInvalidUtf8, &stats->invalid_utf8_replaced));
  PRETOKDB_RETURN_IF_ERROR(store_->GetStat(kStatSpills, &stats->spills));
  PRETOKDB_RETURN_IF_ERROR(store_->GetStat(kStatElapsedMs, &elapsed_ms));
  stats->elapsed_seconds = elapsed_ms / 1000.0;

  PRETOKDB_RETURN_IF_ERROR(
      store_->GetStat(kStatSkippedStretches, &stats->skipped_stretches));
  PRETOKDB_RETURN_IF_ERROR(
      store_->GetStat(kStatSkippedBytes, &stats->skipped_bytes));
  uint64_t* bad[] = {&stats->bad.invalid_json, &stats->bad.invalid_utf8,
                     &stats->bad.missing_field, &stats->bad.not_string,
                     &stats->bad.too_long};
  static_assert(std::size(bad) == std::size(kBadRecordStats));
  stats->bad_records = 0;
  for (size_t i = 0; i < std::size(bad); ++i) {
    PRETOKDB_RETURN_IF_ERROR(store_->GetStat(kBadRecordStats[i], bad[i]));
    stats->bad_records += *bad[i];
  }

  CountIterator it(store_->NewCountIterator());
  uint64_t distinct = 0;
  for (; it.Valid(); it.Next()) ++distinct;
  PRETOKDB_RETURN_IF_ERROR(it.status());
  stats->distinct_pretokens = distinct;
  return Status::OK();
}

}  // namespace pretokdb

#include "store/source_catalog.h"

#include <string>


namespace pretokdb {

namespace {
bool HasPrefix(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}
}  // namespace

Status ReadSources(const RocksStore& store, std::vector<SourceRecord>* out) {
  out->clear();
  std::unique_ptr<StoreIterator> it = store.NewMetaIterator();
  for (it->Seek(kSourcePrefix); it->Valid() && HasPrefix(it->key(), kSourcePrefix);
       it->Next()) {
    SourceRecord r;
    if (!DecodeSource(it->value(), &r)) {
      return Status::Corruption(store.path(), "unreadable source record");
    }
    out->push_back(std::move(r));
  }
  return it->status();
}

Status ReadCheckpoints(const RocksStore& store, Checkpoints* out) {
  out->clear();
  std::unique_ptr<StoreIterator> it = store.NewMetaIterator();
  for (it->Seek(kCheckpointPrefix);
       it->Valid() && HasPrefix(it->key(), kCheckpointPrefix); it->Next()) {
    uint64_t id, chunk;
    Checkpoint c;
    if (!ParseCheckpointKey(it->key(), &id, &chunk) ||
        !DecodeCheckpoint(it->value(), &c)) {
      return Status::Corruption(store.path(), "unreadable checkpoint record");
    }
    (*out)[{id, chunk}] = c;
  }
  return it->status();
}

Status ReadStreamChunks(const RocksStore& store,
                        std::map<uint64_t, StreamChunks>* out) {
  out->clear();
  std::unique_ptr<StoreIterator> it = store.NewMetaIterator();
  for (it->Seek(kStreamChunkPrefix);
       it->Valid() && HasPrefix(it->key(), kStreamChunkPrefix); it->Next()) {
    uint64_t id, begin;
    StreamChunk c;
    if (!ParseStreamChunkKey(it->key(), &id, &begin) ||
        !DecodeStreamChunk(begin, it->value(), &c)) {
      return Status::Corruption(store.path(), "unreadable stream chunk record");
    }
    (*out)[id][begin] = c;
  }
  return it->status();
}

uint64_t StreamBytesDone(const StreamChunks& chunks) {
  uint64_t done = 0;
  for (const auto& [begin, c] : chunks) done += c.checkpoint.offset - begin;
  return done;
}

uint64_t BytesDone(const SourceRecord& source, const Checkpoints& checkpoints) {
  uint64_t done = 0;
  for (uint64_t c = 0; c < source.chunks.size(); ++c) {
    auto it = checkpoints.find({source.id, c});
    if (it != checkpoints.end()) done += it->second.offset - source.chunks[c].begin;
  }
  return done;
}

}  // namespace pretokdb

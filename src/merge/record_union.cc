#include "merge/record_union.h"

#include <algorithm>
#include <numeric>

#include "store/checkpoint.h"

namespace pretokdb {

namespace {

std::string Range(const ChunkRange& c) {
  return "[" + std::to_string(c.begin) + ", " + std::to_string(c.end) + ")";
}

std::vector<Checkpoint> ChunkCheckpoints(const SourceRecord& r,
                                         const Checkpoints& checkpoints) {
  std::vector<Checkpoint> out;
  for (uint64_t c = 0; c < r.chunks.size(); ++c) {
    auto it = checkpoints.find({r.id, c});
    out.push_back(it != checkpoints.end() ? it->second
                                          : Checkpoint::At(r.chunks[c].begin));
  }
  return out;
}

}  // namespace

void RecordUnion::AddTarget(const DatabaseState& target) {
  for (const SourceRecord& r : target.records) {
    next_id_ = std::max(next_id_, r.id + 1);
    if (r.stream) {
      stream_holder_[r.path] = target.path;  // kept as it is
      continue;
    }
    File f;
    f.record = r;
    f.holders.assign(r.chunks.size(), target.path);
    f.checkpoints = ChunkCheckpoints(r, target.checkpoints);
    f.version_holder = target.path;
    if (r.first_document) f.first_document_holder = target.path;
    files_.push_back(std::move(f));
    if (r.path != "-") by_key_[{r.path, r.relative}] = files_.size() - 1;
  }
}

Status RecordUnion::Add(const DatabaseState& source) {
  for (const SourceRecord& r : source.records) {
    if (r.stream) {
      auto it = source.stream_chunks.find(r.id);
      PRETOKDB_RETURN_IF_ERROR(AddStream(
          r, it == source.stream_chunks.end() ? StreamChunks() : it->second,
          source.path));
      continue;
    }
    PRETOKDB_RETURN_IF_ERROR(AddRecord(r, source.path, source.checkpoints));
  }
  return Status::OK();
}

Status RecordUnion::AddStream(const SourceRecord& r, const StreamChunks& chunks,
                              const std::string& holder) {
  auto [it, added] = stream_holder_.emplace(r.path, holder);
  if (!added) {
    return Status::InvalidArgument(
        holder, "and " + it->second + " both hold a stream named '" + r.path +
                    "' (the same stream would be counted twice, or two streams "
                    "share a name): leave one out");
  }
  File f;
  f.record = r;
  f.record.id = next_id_++;
  f.version_holder = holder;
  f.changed = true;
  f.stream_chunks = chunks;
  files_.push_back(std::move(f));
  return Status::OK();
}

Status RecordUnion::AddRecord(const SourceRecord& r, const std::string& holder,
                              const Checkpoints& checkpoints) {
  const std::vector<Checkpoint> r_checkpoints = ChunkCheckpoints(r, checkpoints);
  auto known = r.path == "-" ? by_key_.end() : by_key_.find({r.path, r.relative});
  if (known == by_key_.end()) {
    File f;
    f.record = r;
    f.record.id = next_id_++;
    f.record.shard = ShardPlan();  // a merged record: not one shard's
    f.holders.assign(r.chunks.size(), holder);
    f.checkpoints = r_checkpoints;
    f.version_holder = holder;
    if (r.first_document) f.first_document_holder = holder;
    f.changed = true;
    files_.push_back(std::move(f));
    if (r.path != "-") by_key_[{r.path, r.relative}] = files_.size() - 1;
    return Status::OK();
  }
  File& f = files_[known->second];
  SourceRecord& have = f.record;
  if (have.size != r.size || have.fingerprint != r.fingerprint ||
      have.split_size != r.split_size) {
    // A file that grew by appending belongs to the shard of its last unit,
    // which counts its old tail again; the other shards keep the old size.
    // Such a record, holding nothing of its old end, counted exactly what
    // the grown file has there: the larger record stands for both. A
    // smaller one that holds its end counted that end as the file's end,
    // which the grown file does not have: refused, as is any other change.
    const bool r_larger = r.size > have.size;
    const SourceRecord& smaller = r_larger ? have : r;
    const bool holds_end = std::any_of(
        smaller.chunks.begin(), smaller.chunks.end(), [&](const ChunkRange& c) {
          return c.begin < c.end && c.end == smaller.size;
        });
    if (have.size == r.size || have.split_size != r.split_size || holds_end) {
      return Status::InvalidArgument(
          r.path, "is held by " + f.version_holder + " at " +
                      std::to_string(have.size) + " bytes and by " + holder +
                      " at " + std::to_string(r.size) +
                      " bytes, or with other content: the file changed between "
                      "their runs (bring both up to date with index, or leave one out)");
    }
    if (r_larger) {
      have.size = r.size;
      have.fingerprint = r.fingerprint;
      f.version_holder = holder;
    }
  }
  if (r.first_document && !f.first_document_holder.empty()) {
    return Status::InvalidArgument(
        r.path, "both " + f.first_document_holder + " and " + holder +
                    " counted its first document (the same part of it in two "
                    "databases would be counted twice)");
  }
  // Both chunk lists are ascending and disjoint: merge them, refusing any
  // overlap. The source's empty chunks (past a grown file's re-count
  // point) hold no counts and are left out: one could fall inside a chunk
  // of the other list. The target's stay, so that none of its checkpoint
  // keys is left beyond the new list.
  std::vector<ChunkRange> incoming;
  std::vector<Checkpoint> incoming_checkpoints;
  for (size_t c = 0; c < r.chunks.size(); ++c) {
    if (r.chunks[c].begin < r.chunks[c].end) {
      incoming.push_back(r.chunks[c]);
      incoming_checkpoints.push_back(r_checkpoints[c]);
    }
  }
  std::vector<ChunkRange> chunks;
  std::vector<std::string> holders;
  std::vector<Checkpoint> chunk_checkpoints;
  size_t i = 0, j = 0;
  auto overlap = [](const ChunkRange& a, const ChunkRange& b) {
    return a.begin < a.end && b.begin < b.end && a.begin < b.end && b.begin < a.end;
  };
  while (i < have.chunks.size() || j < incoming.size()) {
    if (i < have.chunks.size() && j < incoming.size() &&
        overlap(have.chunks[i], incoming[j])) {
      return Status::InvalidArgument(
          r.path, "bytes " + Range(have.chunks[i]) + " of it are in " +
                      f.holders[i] + " and bytes " + Range(incoming[j]) + " in " +
                      holder + ": the same part of a file in two databases "
                      "would be counted twice");
    }
    const bool take_have =
        j == incoming.size() ||
        (i < have.chunks.size() &&
         std::pair(have.chunks[i].begin, have.chunks[i].end) <=
             std::pair(incoming[j].begin, incoming[j].end));
    if (take_have) {
      chunks.push_back(have.chunks[i]);
      chunk_checkpoints.push_back(f.checkpoints[i]);
      holders.push_back(f.holders[i++]);
    } else {
      chunks.push_back(incoming[j]);
      chunk_checkpoints.push_back(incoming_checkpoints[j++]);
      holders.push_back(holder);
    }
  }
  have.chunks = std::move(chunks);
  f.holders = std::move(holders);
  f.checkpoints = std::move(chunk_checkpoints);
  if (r.first_document) {
    have.first_document = true;
    f.first_document_holder = holder;
  }
  have.shard = ShardPlan();
  f.changed = true;
  return Status::OK();
}

void RecordUnion::AppendWrites(MetaWrites* meta) const {
  for (const File& f : files_) {
    if (!f.changed) continue;
    meta->puts.emplace_back(SourceKey(f.record.id), EncodeSource(f.record));
    for (const auto& [begin, c] : f.stream_chunks) {
      meta->puts.emplace_back(StreamChunkKey(f.record.id, begin),
                              EncodeStreamChunk(c));
    }
    // Every chunk is counted to its end: the checkpoint says so. The
    // target's own chunks may have moved to other indexes; all are
    // written, so none keeps a stale one.
    for (uint64_t c = 0; c < f.record.chunks.size(); ++c) {
      const uint64_t end = f.record.chunks[c].end;
      Checkpoint k = f.checkpoints[c];
      // A hash short of the end (none is, of a finished chunk) is dropped:
      // the next index run records one.
      if (!k.hashed || k.hashed_end < end) k = Checkpoint::At(end);
      k.offset = end;
      meta->puts.emplace_back(CheckpointKey(f.record.id, c), EncodeCheckpoint(k));
    }
  }
}

size_t RecordUnion::changed() const {
  return static_cast<size_t>(std::count_if(files_.begin(), files_.end(),
                                           [](const File& f) { return f.changed; }));
}

}  // namespace pretokdb

#include "ingest/worker.h"

#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "ingest/table_count_source.h"
#include "store/checkpoint.h"
#include "store/records.h"

namespace pretokdb {

namespace {
XXH3_state_t* Hash(void* state) { return static_cast<XXH3_state_t*>(state); }

std::string Range(uint64_t begin, uint64_t end) {
  std::string r = "[";
  r += std::to_string(begin);
  r += ", ";
  r += std::to_string(end);
  r += ")";
  return r;
}
}  // namespace

SpillGate::SpillGate(std::vector<uint64_t> recorded_begins)
    : begins_(std::move(recorded_begins)), passed_(begins_.size(), 0) {}

void SpillGate::Pass(uint64_t begin, const Status& s) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!s.ok()) {
    if (failed_.ok()) failed_ = s;
  } else {
    auto it = std::lower_bound(begins_.begin(), begins_.end(), begin);
    if (it != begins_.end() && *it == begin) passed_[it - begins_.begin()] = 1;
    while (first_unpassed_ < begins_.size() && passed_[first_unpassed_]) ++first_unpassed_;
  }
  passed_cv_.notify_all();
}

Status SpillGate::Wait(uint64_t begin) {
  std::unique_lock<std::mutex> lock(mu_);
  passed_cv_.wait(lock, [&] {
    return !failed_.ok() || first_unpassed_ == begins_.size() ||
           begins_[first_unpassed_] >= begin;
  });
  return failed_;
}

Worker::~Worker() {
  if (hash_state_ != nullptr) XXH3_freeState(Hash(hash_state_));
}

Worker::Worker(int id, const WorkerContext& context)
    : id_(id),
      context_(context),
      table_(context.memory.table_bytes, context.memory.piece_bytes),
      counter_(*context.rules, context.memory.read_buffer_bytes,
               context.memory.piece_bytes, &table_, &stats_),
      last_spill_(std::chrono::steady_clock::now()) {
  counter_.set_skip_callback([this](uint64_t offset, uint64_t bytes) {
    if (!context_.on_event || pending_.empty()) return;
    IndexEvent e(IndexEvent::Type::kWarning);
    e.worker = id_;
    e.path = *pending_.back().path;
    e.offset = offset;
    e.bytes = bytes;
    e.message = "skipped " + std::to_string(bytes) +
                " bytes with no possible cut between pretokens (longer than "
                "the maximum pretoken): not counted";
    context_.on_event(e);
  });
  counter_.set_raw_bytes_callback(
      [this](uint64_t offset, const char* data, size_t n) {
        HashRawBytes(offset, data, n);
      });
}

void Worker::HashRawBytes(uint64_t offset, const char* data, size_t n) {
  if (pending_.empty()) return;  // a grown stream's tail counted again
  PendingCheckpoint& c = pending_.back();
  if (!c.hashing) return;
  if (offset > c.hashed_end) {
    c.hashing = false;  // a gap: cannot happen, reads go on from hashed_end
    return;
  }
  // A resumed chunk re-reads from its checkpoint: the bytes before
  // hashed_end are in the hash already.
  const uint64_t skip = c.hashed_end - offset;
  if (skip >= n) return;
  c.hash.Update(data + skip, n - skip);
  c.hashed_end = offset + n;
}

Status Worker::Run(const ChunkTask& task) {
  const bool hashing = task.hash != nullptr || task.from == task.chunk_begin;
  pending_.push_back(PendingCheckpoint{
      task.source_id, task.chunk_index, task.from, &task.file->path(), false,
      hashing, task.hash != nullptr ? task.hashed_end : task.from,
      task.hash != nullptr ? *task.hash : ChunkHash()});
  Status s = counter_.Count(
      *task.file, task.from, task.end,
      [this](uint64_t offset) { return AtResumePoint(offset); },
      [this](uint64_t bytes) {
        context_.bytes_done->fetch_add(bytes, std::memory_order_relaxed);
      });
  if (!s.ok()) return s;
  pending_.back().offset = task.end;
  pending_.back().complete = true;
  return Status::OK();
}

Status Worker::RunStream(const StreamTask& task) {
  if (!task.named) {
    // Not hashed: an unnamed stream's checkpoints are never committed.
    pending_.push_back(PendingCheckpoint{task.source_id, 0, task.begin, task.name,
                                         false, false, task.begin, ChunkHash()});
    uint64_t end = task.begin;
    Status s = counter_.CountStream(
        task.begin,
        [&](char* dst, size_t n, size_t* got) {
          *got = 0;
          Status rs = task.read(dst, n, got);
          end += *got;
          return rs;
        },
        [this](uint64_t offset) { return AtResumePoint(offset); },
        [this](uint64_t bytes) {
          context_.bytes_done->fetch_add(bytes, std::memory_order_relaxed);
        },
        *task.name, task.first_line);
    if (!s.ok()) return s;
    pending_.back().offset = end;
    pending_.back().complete = true;
    return Status::OK();
  }

  // A recorded chunk passes the gate once checked (RunNamedStream says
  // when), or with the error that ended it.
  struct GatePass {
    SpillGate* gate;
    uint64_t begin;
    const Status* status;
    bool passed = false;
    void Pass(const Status& s) {
      if (gate == nullptr || passed) return;
      passed = true;
      gate->Pass(begin, s);
    }
    ~GatePass() { Pass(*status); }
  };
  Status result;
  GatePass pass{task.recorded != nullptr ? context_.gate : nullptr, task.begin, &result};
  chunk_begin_ = task.begin;
  result = RunNamedStream(task, [&] { pass.Pass(Status::OK()); });
  return result;
}

Status Worker::RunNamedStream(const StreamTask& task,
                              const std::function<void()>& checked) {
  // A named stream: every byte read is hashed, from the chunk's begin, as
  // it is read, so a spill's record of the chunk hashes what the counter
  // read ahead of what it counted too: fed again, the stream must be the
  // same that far. Under --bad-records strict, a JSON Lines stream stops
  // at a bad record, to be fixed and fed again: there, once the recorded
  // part is checked, bytes are hashed only once counting has passed them
  // (at resume points), so that the fixed stream goes on. They wait up to
  // a bound (past it a record hashes further than it counted: a stricter
  // check, as correct); the copy costs a named stream ~3% of its speed,
  // which the other modes do not pay.
  if (hash_state_ == nullptr) hash_state_ = XXH3_createState();
  XXH3_64bits_reset(Hash(hash_state_));
  hashed_ = 0;
  unhashed_.clear();
  unhashed_at_ = 0;
  hash_after_count_ = false;
  const ChunkCounter::StreamReadFn pull = [&](char* dst, size_t n,
                                              size_t* got) {
    *got = 0;
    Status rs = task.read(dst, n, got);
    const size_t held = unhashed_.size() - unhashed_at_;
    const size_t bound = 2 * context_.memory.read_buffer_bytes;
    if (hash_after_count_ && held + *got <= bound) {
      if (unhashed_.size() + *got > bound) {  // room made by the hashed ones
        unhashed_.erase(0, unhashed_at_);
        unhashed_at_ = 0;
      }
      unhashed_.append(dst, *got);
    } else {
      HashUnhashed(held);
      XXH3_64bits_update(Hash(hash_state_), dst, *got);
      hashed_ += *got;
    }
    return rs;
  };
  // Bytes read ahead of the counting (checked first), counted before any
  // more is pulled.
  std::string kept;
  size_t kept_at = 0;
  uint64_t from = task.begin;
  const StreamChunk* r = task.recorded;
  if (r != nullptr) {
    const uint64_t keep_from = task.tail ? task.begin : r->checkpoint.offset;
    PRETOKDB_RETURN_IF_ERROR(CheckRecorded(task, keep_from, pull, &kept));
    from = keep_from;
    // Progress: what was counted before (the rest is counted now).
    context_.bytes_done->fetch_add(from - task.begin, std::memory_order_relaxed);
    if (task.tail || r->complete) {
      // Does the chunk go on past its recorded end?
      char more[4096];
      size_t got = 0;
      PRETOKDB_RETURN_IF_ERROR(pull(more, sizeof(more), &got));
      if (got == 0) {
        // Counted before, checked now: nothing to do.
        context_.bytes_done->fetch_add(hashed_ - (from - task.begin),
                                       std::memory_order_relaxed);
        return Status::OK();
      }
      if (!task.tail) {
        return Status::Corruption(*task.name, "a chunk went on past its recorded end");
      }
      // The stream grew and its old end is no edge of it: the old last
      // chunk's counts are taken back and the chunk counted again whole.
      PRETOKDB_RETURN_IF_ERROR(TakeBackTail(task, kept));
      kept.append(more, got);
    }
    checked();
  }
  hash_after_count_ = context_.rules->strict_records();
  pending_.push_back(PendingCheckpoint{task.source_id, task.begin, from,
                                       task.name, false, false, from,
                                       ChunkHash(), /*stream=*/true});
  const ChunkCounter::StreamReadFn serve = [&](char* dst, size_t n,
                                               size_t* got) {
    const size_t take = std::min(n, kept.size() - kept_at);
    std::memcpy(dst, kept.data() + kept_at, take);
    kept_at += take;
    size_t more = 0;
    Status rs = take < n ? pull(dst + take, n - take, &more) : Status::OK();
    *got = take + more;
    return rs;
  };
  Status s = counter_.CountStream(
      from, serve, [this](uint64_t offset) { return AtResumePoint(offset); },
      [this](uint64_t bytes) {
        context_.bytes_done->fetch_add(bytes, std::memory_order_relaxed);
      },
      *task.name);  // strict: the reader checked its records (StreamChunker)
  hash_after_count_ = false;
  if (!s.ok()) return s;
  HashUnhashed(unhashed_.size() - unhashed_at_);  // all of it is counted
  PendingCheckpoint& done = pending_.back();
  done.offset = task.begin + hashed_;
  done.complete = true;
  done.hashed_end = done.offset;
  done.digest = XXH3_64bits_digest(Hash(hash_state_));
  return Status::OK();
}

Status Worker::CheckRecorded(const StreamTask& task, uint64_t keep_from,
                             const ChunkCounter::StreamReadFn& pull,
                             std::string* kept) {
  const Checkpoint& rec = task.recorded->checkpoint;
  const uint64_t check_end = rec.hashed_end;
  char scratch[64 << 10];
  while (task.begin + hashed_ < check_end) {
    const uint64_t at = task.begin + hashed_;
    const size_t n = static_cast<size_t>(
        std::min<uint64_t>(sizeof(scratch), check_end - at));
    size_t got = 0;
    PRETOKDB_RETURN_IF_ERROR(pull(scratch, n, &got));
    // Bytes from keep_from on are counted after the check.
    const size_t skip = at >= keep_from ? 0
                        : static_cast<size_t>(std::min<uint64_t>(keep_from - at, got));
    if (skip < got) kept->append(scratch + skip, got - skip);
    if (got < n) {
      return Status::InvalidArgument(
          *task.name,
          "is not the stream counted under this name: it ends at byte " +
              std::to_string(at + got) + ", but bytes " +
              Range(task.begin, check_end) +
              " of it were counted before (feed the same stream, or give "
              "another --stream-name)");
    }
  }
  if (XXH3_64bits_digest(Hash(hash_state_)) != rec.digest) {
    return Status::InvalidArgument(
        *task.name, "is not the stream counted under this name: its bytes " +
                        Range(task.begin, check_end) +
                        " differ from those counted before (feed the same "
                        "stream, or give another --stream-name)");
  }
  return Status::OK();
}

Status Worker::TakeBackTail(const StreamTask& task, std::string_view bytes) {
  if (!table_.empty() || !pending_.empty()) {
    // Every chunk before an ended stream's last is only checked.
    return Status::Corruption(*task.name, "the last chunk of a grown stream met a table in use");
  }
  // The counts the old run committed for [begin, old end): the chunk
  // counted as ending there (ChunkCounter: a chunk's counts are its bytes').
  size_t at = 0;
  counter_.set_taking_back(true);
  const Status counted = counter_.CountStream(
      task.begin,
      [&](char* dst, size_t n, size_t* got) {
        *got = std::min(n, bytes.size() - at);
        std::memcpy(dst, bytes.data() + at, *got);
        at += *got;
        return Status::OK();
      },
      [](uint64_t) { return Status::OK(); }, [](uint64_t) {}, *task.name);
  counter_.set_taking_back(false);
  PRETOKDB_RETURN_IF_ERROR(counted);
  table_.SortForSpill();
  MetaWrites meta = *task.reopen;
  StreamChunk start;
  start.begin = task.begin;
  start.checkpoint.offset = task.begin;  // counted again from its start
  start.checkpoint.hashed = true;
  start.checkpoint.hashed_end = task.old_size;
  start.checkpoint.digest = task.recorded->checkpoint.digest;
  meta.puts.emplace_back(StreamChunkKey(task.source_id, task.begin),
                         EncodeStreamChunk(start));
  // The stats it added, taken back as its counts are (adding 2^64 - n).
  meta.stats = {{std::string(kStatPretokens), 0 - table_.total()},
                {std::string(kStatDocuments),
                 0 - (stats_.separators + stats_.records)},
                {std::string(kStatInvalidUtf8), 0 - stats_.invalid_utf8}};
  if (stats_.skipped_stretches > 0) {
    meta.stats.emplace_back(kStatSkippedStretches, 0 - stats_.skipped_stretches);
    meta.stats.emplace_back(kStatSkippedBytes, 0 - stats_.skipped_bytes);
  }
  for (int i = 0; i < kBadRecordKinds; ++i) {
    if (stats_.bad_records[i] > 0) {
      meta.stats.emplace_back(kBadRecordStats[i], 0 - stats_.bad_records[i]);
    }
  }
  RocksStore* store = nullptr;
  PRETOKDB_RETURN_IF_ERROR(context_.store->Wait(&store));
  PRETOKDB_RETURN_IF_ERROR(
      store->Commit(TableCountSource(table_, /*negated=*/true), meta));
  table_.Clear();
  stats_.Reset();
  return Status::OK();
}

void Worker::HashUnhashed(size_t n) {
  n = std::min(n, unhashed_.size() - unhashed_at_);
  XXH3_64bits_update(Hash(hash_state_), unhashed_.data() + unhashed_at_, n);
  hashed_ += n;
  unhashed_at_ += n;
  if (unhashed_at_ == unhashed_.size()) {
    unhashed_.clear();
    unhashed_at_ = 0;
  }
}

Status Worker::AtResumePoint(uint64_t offset) {
  // A named stream's record must hash at least what it says is counted.
  if (hash_after_count_ && offset > chunk_begin_ + hashed_) {
    HashUnhashed(static_cast<size_t>(offset - (chunk_begin_ + hashed_)));
  }
  pending_.back().offset = offset;
  const bool stop = context_.stop->load(std::memory_order_relaxed);
  if (!stop && !table_.NeedsSpill()) {
    // Reading the clock per resume point (per document) is ~20 ns; cheap
    // next to counting the document.
    const double since = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - last_spill_)
                             .count();
    if (since < context_.checkpoint_interval_seconds) return Status::OK();
  }
  PRETOKDB_RETURN_IF_ERROR(Spill());
  if (stop) return Status::Aborted("stopped on request");
  return Status::OK();
}

bool Worker::PrepareSpill(MetaWrites* meta) {
  spill_start_ = std::chrono::steady_clock::now();
  last_spill_ = spill_start_;
  *meta = MetaWrites();
  if (pending_.empty()) return false;
  table_.SortForSpill();
  for (const PendingCheckpoint& c : pending_) {
    if (!c.stream) {
      Checkpoint value = Checkpoint::At(c.offset);
      if (c.hashing) {
        value.hashed = true;
        value.hashed_end = c.hashed_end;
        value.digest = c.hash.Digest();
      }
      meta->puts.emplace_back(CheckpointKey(c.source_id, c.chunk_index),
                              EncodeCheckpoint(value));
      continue;
    }
    StreamChunk chunk;
    chunk.begin = c.chunk_index;
    chunk.complete = c.complete;
    chunk.checkpoint.offset = c.offset;
    chunk.checkpoint.hashed = true;
    if (c.complete) {
      chunk.checkpoint.hashed_end = c.hashed_end;
      chunk.checkpoint.digest = c.digest;
    } else {  // the chunk being read: what it has read so far
      chunk.checkpoint.hashed_end = c.chunk_index + hashed_;
      chunk.checkpoint.digest = XXH3_64bits_digest(Hash(hash_state_));
    }
    meta->puts.emplace_back(StreamChunkKey(c.source_id, c.chunk_index),
                            EncodeStreamChunk(chunk));
  }
  if (context_.stream_meta != nullptr) {
    meta->puts.insert(meta->puts.end(), context_.stream_meta->puts.begin(),
                      context_.stream_meta->puts.end());
  }
  meta->stats = {{std::string(kStatPretokens), table_.total()},
                 // A record is a document, as a file's first is.
                 {std::string(kStatDocuments),
                  stats_.separators + stats_.records},
                 {std::string(kStatInvalidUtf8), stats_.invalid_utf8},
                 {std::string(kStatSpills), 1}};
  if (stats_.skipped_stretches > 0) {
    meta->stats.emplace_back(kStatSkippedStretches, stats_.skipped_stretches);
    meta->stats.emplace_back(kStatSkippedBytes, stats_.skipped_bytes);
  }
  for (int i = 0; i < kBadRecordKinds; ++i) {
    if (stats_.bad_records[i] > 0) {
      meta->stats.emplace_back(kBadRecordStats[i], stats_.bad_records[i]);
    }
  }
  return true;
}

Status Worker::Spill() {
  MetaWrites meta;
  if (!PrepareSpill(&meta)) return Status::OK();
  if (context_.gate != nullptr) PRETOKDB_RETURN_IF_ERROR(context_.gate->Wait(chunk_begin_));
  uint64_t batch_bytes = 0;
  const TableCountSource counts(table_);
  if (context_.sink != nullptr) {
    PRETOKDB_RETURN_IF_ERROR(context_.sink->Spill(counts, meta, &batch_bytes));
  } else {
    RocksStore* store = nullptr;
    PRETOKDB_RETURN_IF_ERROR(context_.store->Wait(&store));
    PRETOKDB_RETURN_IF_ERROR(store->Commit(counts, meta, &batch_bytes));
  }
  SpillCommitted(batch_bytes);
  return Status::OK();
}

void Worker::SpillCommitted(uint64_t batch_bytes) {
  context_.spills->fetch_add(1, std::memory_order_relaxed);
  if (context_.on_event) {
    IndexEvent e(IndexEvent::Type::kSpill);
    e.worker = id_;
    e.entries = table_.size();
    e.batch_bytes = batch_bytes;
    e.elapsed_seconds = std::chrono::duration<double>(
                            std::chrono::steady_clock::now() - spill_start_)
                            .count();
    context_.on_event(e);
    // A staged spill (a stream's) is no checkpoint: nothing is committed.
    for (const PendingCheckpoint& c : pending_) {
      if (context_.sink != nullptr) break;
      IndexEvent ce(IndexEvent::Type::kCheckpoint);
      ce.worker = id_;
      ce.path = *c.path;
      ce.offset = c.offset;
      context_.on_event(ce);
    }
  }
  table_.Clear();
  stats_.Reset();
  // The current chunk stays pending (its offset moves on); finished ones
  // are committed for good.
  const bool keep_last = !pending_.back().complete;
  PendingCheckpoint last = pending_.back();
  pending_.clear();
  if (keep_last) pending_.push_back(last);
}

}  // namespace pretokdb

#include "ingest/worker.h"

#include <string>

#include "ingest/table_count_source.h"
#include "store/checkpoint.h"
#include "store/records.h"

namespace pretokdb {

Worker::Worker(int id, const WorkerContext& context)
    : id_(id),
      context_(context),
      table_(context.memory.table_bytes, context.memory.piece_bytes),
      counter_(*context.rules, context.memory.read_buffer_bytes,
               context.memory.piece_bytes, &table_, &stats_),
      last_spill_(std::chrono::steady_clock::now()) {
  counter_.set_skip_callback([this](uint64_t offset, uint64_t bytes) {
    if (!context_.on_event) return;
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

Status Worker::RunStream(uint64_t source_id, const std::string* name,
                         uint64_t from,
                         const ChunkCounter::StreamReadFn& read) {
  pending_.push_back(
      PendingCheckpoint{source_id, 0, from, name, false, true, from, ChunkHash()});
  uint64_t end = from;
  Status s = counter_.CountStream(
      from,
      [&](char* dst, size_t n, size_t* got) {
        *got = 0;
        Status rs = read(dst, n, got);
        end += *got;
        return rs;
      },
      [this](uint64_t offset) { return AtResumePoint(offset); },
      [this](uint64_t bytes) {
        context_.bytes_done->fetch_add(bytes, std::memory_order_relaxed);
      },
      *name);
  if (!s.ok()) return s;
  pending_.back().offset = end;
  pending_.back().complete = true;
  return Status::OK();
}

Status Worker::AtResumePoint(uint64_t offset) {
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
    Checkpoint value = Checkpoint::At(c.offset);
    if (c.hashing) {
      value.hashed = true;
      value.hashed_end = c.hashed_end;
      value.digest = c.hash.Digest();
    }
    meta->puts.emplace_back(CheckpointKey(c.source_id, c.chunk_index),
                            EncodeCheckpoint(value));
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

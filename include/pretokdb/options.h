// Options of an indexing run.

#ifndef PRETOKDB_OPTIONS_H_
#define PRETOKDB_OPTIONS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pretokdb {

// Something that happened during a run, for logs and progress displays.
struct IndexEvent {
  enum class Type { kStart, kSpill, kCheckpoint, kFinish, kError };
  explicit IndexEvent(Type t) : type(t) {}
  Type type;
  // kStart: bytes to do in this run; kFinish/kError: bytes done.
  uint64_t bytes = 0;
  // kSpill: entries written and the batch size in bytes.
  uint64_t entries = 0;
  uint64_t batch_bytes = 0;
  int worker = -1;
  // kCheckpoint: a chunk of `path` is complete up to `offset`.
  std::string path;
  uint64_t offset = 0;
  // kError/kFinish: the status message ("" when OK).
  std::string message;
  double elapsed_seconds = 0;
};

struct IndexOptions {
  // Strings that separate documents; they are never counted and no pretoken
  // spans one. Matched longest first where two start at the same byte.
  // Default: {"<|endoftext|>"}. Empty: the whole file is one document.
  std::vector<std::string> special_tokens = {"<|endoftext|>"};

  // Worker threads. 0: one per core.
  int workers = 0;

  // The most memory the whole process should use: the workers' count
  // tables, read buffers and RocksDB's memtables and block cache are sized
  // from it. Below ~48 MiB the process's fixed footprint (~20 MiB of code,
  // RocksDB and stacks) dominates and peak RSS can exceed it; such small
  // values are still accepted, and spill very often.
  uint64_t memory_limit = uint64_t{1} << 30;

  // A worker whose table has not spilled for this long spills anyway, so a
  // crash loses at most this much work even when the table never fills.
  double checkpoint_interval_seconds = 60;

  // Bytes read from a file at a time. Tests make it tiny to put every edge
  // case on a buffer boundary; 0 derives it from memory_limit.
  size_t read_buffer_size = 0;

  // Called for every event, from the thread where it happened (any worker
  // thread): it must be thread-safe and quick.
  std::function<void(const IndexEvent&)> on_event;
};

}  // namespace pretokdb

#endif  // PRETOKDB_OPTIONS_H_

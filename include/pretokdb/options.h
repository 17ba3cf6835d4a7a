// Options of an indexing run.

#ifndef PRETOKDB_OPTIONS_H_
#define PRETOKDB_OPTIONS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pretokdb {

// Something that happened during a run, for logs and progress displays.
struct IndexEvent {
  enum class Type {
    kStart,
    kSpill,
    kCheckpoint,
    kWarning,
    kFinish,
    kError,
    kHashCheck
  };
  explicit IndexEvent(Type t) : type(t) {}
  Type type;
  // kStart: bytes to do in this run; kFinish/kError: bytes done;
  // kHashCheck: bytes already counted that were read again and found equal
  // to their hashes (IndexOptions::quick_check).
  uint64_t bytes = 0;
  // kHashCheck: bytes counted by a version that kept no hashes, hashed now
  // and recorded (once per database).
  uint64_t recorded_bytes = 0;
  // kSpill: the entries of the worker's table and the bytes written. A
  // run's last spill commits every worker's table at once, merged (a
  // pretoken in several tables is written once): each worker's event then
  // has its table's entries and the share of the bytes they make.
  uint64_t entries = 0;
  uint64_t batch_bytes = 0;
  int worker = -1;
  // kCheckpoint: a chunk of `path` is complete up to `offset`.
  // kWarning: something at `offset` of `path` was not counted (message).
  std::string path;
  uint64_t offset = 0;
  // kError/kFinish/kWarning: the message ("" when OK).
  std::string message;
  // kFinish/kError: the run's wall time; kHashCheck: the check's; kSpill:
  // the spill's (sort, write and commit; for a run's last spill, from the
  // worker's sort to the shared commit).
  double elapsed_seconds = 0;
};

// What to do with bytes that are not valid UTF-8.
enum class InvalidUtf8 {
  kReplace,  // U+FFFD per maximal subpart: Python's errors="replace"
  kSkip,     // drop them: Python's errors="ignore"
  kStrict,   // refuse the file, naming the offset of the first bad byte
};

// What to do with a JSON Lines line that is no record to count (not JSON,
// no string in the field, too long, not UTF-8; README, "JSON Lines").
enum class BadRecords {
  kSkip,    // skip it, counted in the database's stats (stat/bad_records)
  kStrict,  // refuse the input, naming its file and line
};

// Pretokens longer than this are not counted (see README, "Limits"): such a
// stretch of text with no possible cut is skipped whole, reported as a
// kWarning event and counted in the database's stats.
inline constexpr uint64_t kMaxPretokenBytes = uint64_t{1} << 20;

struct IndexOptions {
  // The pattern, given one of two ways, never guessed from one string:
  // `pattern`, a built-in pattern's name: "gpt2" (default), "cl100k",
  // "o200k" (tiktoken's); or `regex`, a regular expression of your own,
  // written as for Python's `regex` module (see README: what it may use).
  // Exactly one is used: a non-empty `regex` is the pattern, and then
  // `pattern` must be "gpt2" (left at its default) or "". A regex given as
  // `pattern`, or a name as `regex`, is refused (InvalidArgument).
  std::string pattern = "gpt2";
  std::string regex;

  InvalidUtf8 invalid_utf8 = InvalidUtf8::kReplace;

  // JSON Lines: each line of every input is a JSON object, and the string
  // at this dotted field path ("text", "meta.text") is one document
  // (special tokens still split it). Empty: the inputs are text. Part of
  // the database's configuration, like the pattern. invalid_utf8 must stay
  // kReplace: a record with invalid UTF-8 is a bad record.
  std::string jsonl_field;
  BadRecords bad_records = BadRecords::kSkip;

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

  // Bytes read from a file at a time, and the size a stream's chunks are
  // cut at. Tests make it tiny to put every edge case on a buffer or chunk
  // boundary; 0 derives both from memory_limit.
  size_t read_buffer_size = 0;

  // The directory inputs are known by: with one, a file's key in the
  // database is its path relative to it (so databases made on machines
  // that mount the same files at different places agree on them, and
  // merge); every input must lie under it. Empty: keys are absolute paths.
  std::string root;

  // Index only shard shard_index of shard_count (0 <= index < count): the
  // part of the inputs the shard split gives it (README, "Shards";
  // src/ingest/shard_split.h). N machines given the same files, the same
  // --root and configuration, and shards 0..N-1, index every byte once
  // between them. 0: not sharded, every byte.
  uint64_t shard_count = 0;
  uint64_t shard_index = 0;
  // The split's unit: 64 MiB. Tests make it small; the databases of one
  // split must all use the same.
  uint64_t shard_unit_bytes = uint64_t{64} << 20;

  // Before counting, what was counted of each input seen again (a rerun,
  // a resume, growth) is read again and checked against the hashes
  // recorded with its checkpoints: a file edited anywhere, even keeping its
  // size, is refused. quick_check skips that (reading only the chunks to
  // resume) and trusts the fingerprint (size, first and last 64 KiB), which
  // misses an edit in the middle that keeps the size.
  bool quick_check = false;

  // A .zst file of many frames is counted and committed in runs of whole
  // frames of at least this many compressed bytes (README, "Compressed
  // files"): what a crash can lose. Tests make it small.
  uint64_t compressed_unit_bytes = uint64_t{64} << 20;
  // For Indexer::RunStream: the name a stream is checkpointed under, so that
  // the same command fed the same stream again after a crash goes on where
  // it stopped (README, "Streams"). Empty: an unnamed stream ("-"), counted
  // all at once at its end.
  std::string stream_name;

  // Called for every event, from the thread where it happened (any worker
  // thread): it must be thread-safe and quick.
  std::function<void(const IndexEvent&)> on_event;
};

// The regular expression a built-in pattern name ("gpt2", "cl100k",
// "o200k") stands for, verbatim as tiktoken defines it; empty for any other
// name. What a database built with that name was counted with.
std::string_view BuiltinPatternRegex(std::string_view name);

// The memory limit a run gets when its caller sets none (the CLI's default
// --memory-limit for index and train-bpe, and the Python module's for
// max_memory_gb=None): 1 GiB, or half the memory available now if that is
// less, but never below 64 MiB.
uint64_t DefaultMemoryLimit();

}  // namespace pretokdb

#endif  // PRETOKDB_OPTIONS_H_

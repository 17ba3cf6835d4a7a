// A stream read once from start to end (standard input): what
// `pretok-db index -` counts. It cannot be read again, so a stream's counts
// are committed all at once at its end (ingest/staged_spills.h).

#ifndef PRETOKDB_INGEST_STREAM_INPUT_H_
#define PRETOKDB_INGEST_STREAM_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "pretokdb/status.h"

namespace pretokdb {

// Bytes read once from start to end: what a StreamChunker cuts into chunks
// (standard input, or the text a decompressor makes of a file).
class ByteInput {
 public:
  virtual ~ByteInput() = default;
  // Reads up to n bytes into dst, fewer only at the end of the input.
  virtual Status Read(char* dst, size_t n, size_t* got) = 0;
  // Its first byte starts the first line of what the user named (so that
  // an error can number lines from it), not a part further in.
  virtual bool starts_at_line_one() const { return false; }
};

class StreamInput : public ByteInput {
 public:
  // fd stays open and owned by the caller; name is used in errors.
  StreamInput(int fd, std::string name);
  ~StreamInput() override;
  StreamInput(const StreamInput&) = delete;
  StreamInput& operator=(const StreamInput&) = delete;

  // Reads up to n bytes into dst, fewer only at the end of the stream.
  Status Read(char* dst, size_t n, size_t* got) override;
  bool starts_at_line_one() const override { return true; }

  uint64_t bytes_read() const { return bytes_read_; }
  // XXH3-64 of every byte read so far.
  uint64_t Digest() const;
  const std::string& name() const { return name_; }

 private:
  const int fd_;
  const std::string name_;
  uint64_t bytes_read_ = 0;
  void* hash_state_;  // XXH3_state_t
};

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_STREAM_INPUT_H_

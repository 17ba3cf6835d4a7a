// Copyright (c) pretok-db authors.
//
// A Status is the result of every fallible operation of the library, after
// leveldb's include/leveldb/status.h. It is either OK or carries a code and a
// one-line message that names what failed (a file, a flag) and why; the CLI
// prints that message as it is.
//
// Status is [[nodiscard]]: an ignored error is a compile-time warning.

#ifndef PRETOKDB_STATUS_H_
#define PRETOKDB_STATUS_H_

#include <string>
#include <string_view>

namespace pretokdb {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kNotFound,
    kCorruption,
    kInvalidArgument,
    kIOError,
    kBusy,       // the database is locked by another run
    kAborted,    // stopped on request (SIGINT/SIGTERM); resumable
  };

  Status() = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kNotFound, msg, msg2);
  }
  static Status Corruption(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kCorruption, msg, msg2);
  }
  static Status InvalidArgument(std::string_view msg,
                                std::string_view msg2 = {}) {
    return Status(Code::kInvalidArgument, msg, msg2);
  }
  static Status IOError(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kIOError, msg, msg2);
  }
  static Status Busy(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kBusy, msg, msg2);
  }
  static Status Aborted(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kAborted, msg, msg2);
  }

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsIOError() const { return code_ == Code::kIOError; }
  bool IsBusy() const { return code_ == Code::kBusy; }
  bool IsAborted() const { return code_ == Code::kAborted; }
  Code code() const { return code_; }

  // The message alone, e.g. "data/x.txt: No such file or directory".
  const std::string& message() const { return message_; }
  // "OK", or the code's name and the message.
  std::string ToString() const;

 private:
  Status(Code code, std::string_view msg, std::string_view msg2);

  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace pretokdb

// Returns from the enclosing function if `expr` is not OK
// (sentencepiece src/common.h RETURN_IF_ERROR).
#define PRETOKDB_RETURN_IF_ERROR(expr)          \
  do {                                          \
    ::pretokdb::Status _pretokdb_s = (expr);    \
    if (!_pretokdb_s.ok()) return _pretokdb_s;  \
  } while (0)

#endif  // PRETOKDB_STATUS_H_

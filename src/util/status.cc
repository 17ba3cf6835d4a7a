#include "pretokdb/status.h"

namespace pretokdb {

Status::Status(Code code, std::string_view msg, std::string_view msg2)
    : code_(code), message_(msg) {
  if (!msg2.empty()) {
    message_.append(": ");
    message_.append(msg2);
  }
}

std::string Status::ToString() const {
  const char* name = "OK";
  switch (code_) {
    case Code::kOk: return "OK";
    case Code::kNotFound: name = "NotFound"; break;
    case Code::kCorruption: name = "Corruption"; break;
    case Code::kInvalidArgument: name = "Invalid argument"; break;
    case Code::kIOError: name = "IO error"; break;
    case Code::kBusy: name = "Busy"; break;
    case Code::kAborted: name = "Aborted"; break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace pretokdb

#include "ingest/jsonl_stream_check.h"

namespace pretokdb {

JsonlStreamCheck::JsonlStreamCheck(std::string name, std::string_view field_path,
                                   uint64_t from)
    : name_(std::move(name)),
      field_path_(field_path),
      from_(from),
      parser_(field_path) {}

Status JsonlStreamCheck::Add(std::string_view bytes, uint64_t* bad_begin) {
  while (!bytes.empty()) {
    const size_t nl = bytes.find('\n');
    const std::string_view piece = bytes.substr(0, nl);
    const bool checked = line_begin_ >= from_;
    std::string_view line;  // the whole line, if it ends in `bytes`
    if (checked && !too_long_) {
      // A "\r" and kMaxRecordBytes may still end as a record (as
      // LineReader reads lines).
      if (held_.size() + piece.size() > kMaxRecordBytes + 1) {
        too_long_ = true;
        held_.clear();
      } else if (nl != std::string_view::npos && held_.empty()) {
        line = piece;  // not copied: the line is whole in `bytes`
      } else {
        held_.append(piece);
        line = held_;
      }
    }
    if (nl == std::string_view::npos) {
      offset_ += bytes.size();
      return Status::OK();
    }
    if (checked) {
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      PRETOKDB_RETURN_IF_ERROR(CheckLine(line, too_long_, bad_begin));
    }
    offset_ += nl + 1;
    bytes.remove_prefix(nl + 1);
    line_begin_ = offset_;
    ++line_number_;
    held_.clear();
    too_long_ = false;
  }
  return Status::OK();
}

Status JsonlStreamCheck::Finish(uint64_t* bad_begin) {
  if (offset_ == line_begin_ || line_begin_ < from_) return Status::OK();
  return CheckLine(held_, too_long_, bad_begin);
}

Status JsonlStreamCheck::CheckLine(std::string_view text, bool too_long,
                                   uint64_t* bad_begin) {
  const BadRecord why = too_long ? BadRecord::kTooLong : parser_.Check(text);
  if (why == BadRecord::kNone) return Status::OK();
  *bad_begin = line_begin_;
  return Status::InvalidArgument(
      name_, StrictRecordError(line_number_, line_begin_, /*decompressed=*/false,
                               why, field_path_));
}

}  // namespace pretokdb

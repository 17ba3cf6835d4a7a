#include "ingest/line_reader.h"

#include <algorithm>
#include <cstring>

namespace pretokdb {

LineReader::LineReader(ReadFn read, uint64_t from, size_t max_line,
                       size_t read_bytes)
    : read_(std::move(read)),
      max_line_(max_line),
      read_bytes_(std::max<size_t>(read_bytes, 1)),
      base_(from) {}

Status LineReader::Fill(bool* more) {
  *more = false;
  if (ended_) return Status::OK();
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    base_ += pos_;
    pos_ = 0;
  }
  const size_t had = buf_.size();
  buf_.resize(had + read_bytes_);
  size_t got = 0;
  Status s = read_(buf_.data() + had, read_bytes_, &got);
  buf_.resize(had + got);
  PRETOKDB_RETURN_IF_ERROR(s);
  if (got < read_bytes_) ended_ = true;
  *more = got > 0;
  return Status::OK();
}

Status LineReader::Next(Line* line, bool* got) {
  *got = false;
  size_t scanned = pos_;  // no "\n" in buf_[pos_, scanned)
  bool too_long = false;
  uint64_t begin = base_ + pos_;
  for (;;) {
    const char* nl = static_cast<const char*>(
        std::memchr(buf_.data() + scanned, '\n', buf_.size() - scanned));
    if (nl != nullptr) {
      const size_t e = nl - buf_.data();
      size_t text_end = e;
      if (text_end > pos_ && buf_[text_end - 1] == '\r') --text_end;
      line->begin = begin;
      line->end = base_ + e + 1;
      line->too_long = too_long || text_end - pos_ > max_line_;
      line->text = line->too_long
                       ? std::string_view()
                       : std::string_view(buf_.data() + pos_, text_end - pos_);
      pos_ = e + 1;
      *got = true;
      return Status::OK();
    }
    scanned = buf_.size();
    // "\r" + max_line bytes may still end as a line of max_line.
    if (scanned - pos_ > max_line_ + 1) {
      // Too long whatever follows: drop what is held, keep looking for
      // its end.
      too_long = true;
      base_ += scanned;
      buf_.clear();
      pos_ = scanned = 0;
    }
    const size_t shift = pos_;  // Fill() moves buf_[pos_] to buf_[0]
    bool more = false;
    PRETOKDB_RETURN_IF_ERROR(Fill(&more));
    scanned -= shift;
    if (!more) break;
  }
  // The input ended: what is left is the last line, without "\n".
  if (pos_ == buf_.size() && !too_long) return Status::OK();
  line->begin = begin;
  line->end = base_ + buf_.size();
  line->too_long = too_long || buf_.size() - pos_ > max_line_;
  line->text = line->too_long
                   ? std::string_view()
                   : std::string_view(buf_.data() + pos_, buf_.size() - pos_);
  pos_ = buf_.size();
  *got = true;
  return Status::OK();
}

}  // namespace pretokdb

#include "merge/count_merge.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#include "store/coding.h"
#include "store/count_run_writer.h"

namespace pretokdb {

namespace {

constexpr uint64_t kProgressEvery = uint64_t{1} << 18;  // entries read

struct Cursor {
  StoreIterator* it;
  std::string_view key;  // it->key(), valid until it->Next()
};

// A min-heap on the key (std::*_heap make a max-heap of "less").
bool After(const Cursor& a, const Cursor& b) { return a.key > b.key; }

}  // namespace

Status MergeCounts(const std::vector<const RocksStore*>& sources,
                   RocksStore* target, uint64_t run_bytes,
                   size_t readahead_bytes,
                   const std::function<void(const MergeProgress&)>& on_progress,
                   std::vector<std::string>* runs, MergeProgress* progress) {
  std::vector<std::unique_ptr<StoreIterator>> iterators;
  std::vector<Cursor> heap;
  for (const RocksStore* s : sources) {
    iterators.push_back(s->NewCountIterator(readahead_bytes));
    StoreIterator* it = iterators.back().get();
    it->SeekToFirst();
    if (it->Valid()) {
      heap.push_back(Cursor{it, it->key()});
    } else {
      PRETOKDB_RETURN_IF_ERROR(it->status());
    }
  }
  std::make_heap(heap.begin(), heap.end(), After);

  std::vector<std::string> written;
  std::unique_ptr<CountRunWriter> writer;
  std::string run;
  uint64_t run_size = 0;  // bytes of entries in the run being written
  auto fail = [&](Status s) {
    writer.reset();
    std::error_code ec;
    if (!run.empty()) std::filesystem::remove(run, ec);
    for (const std::string& r : written) std::filesystem::remove(r, ec);
    return s;
  };
  auto finish_run = [&]() -> Status {
    uint64_t bytes = 0;
    PRETOKDB_RETURN_IF_ERROR(writer->Finish(&bytes));
    writer.reset();
    written.push_back(std::move(run));
    run.clear();
    run_size = 0;
    progress->runs++;
    progress->bytes_written += bytes;
    return Status::OK();
  };

  std::string token;
  uint64_t next_report = progress->entries_read + kProgressEvery;
  while (!heap.empty()) {
    token.assign(heap.front().key);
    uint64_t sum = 0;
    while (!heap.empty() && heap.front().key == token) {
      std::pop_heap(heap.begin(), heap.end(), After);
      Cursor& c = heap.back();
      uint64_t count;
      if (!DecodeFixed64Value(c.it->value(), &count)) {
        return fail(Status::Corruption("malformed count value in a source"));
      }
      sum += count;
      progress->entries_read++;
      c.it->Next();
      if (c.it->Valid()) {
        c.key = c.it->key();
        std::push_heap(heap.begin(), heap.end(), After);
      } else {
        Status s = c.it->status();
        if (!s.ok()) return fail(s);
        heap.pop_back();
      }
    }
    if (sum == 0) continue;
    if (writer == nullptr) {
      Status s = target->NewRunWriter(&writer, &run);
      if (!s.ok()) return fail(s);
    }
    Status s = writer->Add(token, sum);
    if (!s.ok()) return fail(s);
    progress->entries_written++;
    run_size += token.size() + 16;
    if (run_size >= run_bytes) {
      s = finish_run();
      if (!s.ok()) return fail(s);
    }
    if (progress->entries_read >= next_report) {
      next_report = progress->entries_read + kProgressEvery;
      if (on_progress) on_progress(*progress);
    }
  }
  if (writer != nullptr) {
    Status s = finish_run();
    if (!s.ok()) return fail(s);
  }
  runs->insert(runs->end(), written.begin(), written.end());
  return Status::OK();
}

}  // namespace pretokdb

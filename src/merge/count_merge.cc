#include "merge/count_merge.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "merge/key_split.h"
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

// The progress of all threads, and its callback, under one lock.
class SharedProgress {
 public:
  SharedProgress(MergeProgress* p, const std::function<void(const MergeProgress&)>* cb)
      : p_(p), cb_(cb) {}
  // Adds a thread's progress since its last call and reports it.
  void Add(MergeProgress* delta) {
    std::lock_guard<std::mutex> lock(mu_);
    p_->entries_read += delta->entries_read;
    p_->entries_written += delta->entries_written;
    p_->runs += delta->runs;
    p_->bytes_written += delta->bytes_written;
    *delta = MergeProgress();
    if (*cb_) (*cb_)(*p_);
  }

 private:
  std::mutex mu_;
  MergeProgress* p_;
  const std::function<void(const MergeProgress&)>* cb_;
};

// Merges the keys in [begin, limit) (limit empty: to the end) into runs.
Status MergeRange(const std::vector<const RocksStore*>& sources, const std::string& begin,
                  const std::string& limit, RocksStore* target, uint64_t run_bytes,
                  size_t readahead_bytes, SharedProgress* shared,
                  std::vector<std::string>* written) {
  auto in_range = [&](std::string_view key) { return limit.empty() || key < limit; };
  std::vector<std::unique_ptr<StoreIterator>> iterators;
  std::vector<Cursor> heap;
  for (const RocksStore* s : sources) {
    iterators.push_back(s->NewCountIterator(readahead_bytes));
    StoreIterator* it = iterators.back().get();
    it->Seek(begin);
    if (it->Valid()) {
      if (in_range(it->key())) heap.push_back(Cursor{it, it->key()});
    } else {
      PRETOKDB_RETURN_IF_ERROR(it->status());
    }
  }
  std::make_heap(heap.begin(), heap.end(), After);

  MergeProgress delta;
  std::unique_ptr<CountRunWriter> writer;
  std::string run;
  uint64_t run_size = 0;  // bytes of entries in the run being written
  auto finish_run = [&]() -> Status {
    uint64_t bytes = 0;
    Status s = writer->Finish(&bytes);
    writer.reset();
    if (!s.ok()) return s;  // `run` is removed by the caller
    written->push_back(std::move(run));
    run.clear();
    run_size = 0;
    delta.runs++;
    delta.bytes_written += bytes;
    return Status::OK();
  };
  auto fail = [&](Status s) {
    writer.reset();
    std::error_code ec;
    if (!run.empty()) std::filesystem::remove(run, ec);
    return s;
  };

  std::string token;
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
      delta.entries_read++;
      c.it->Next();
      if (c.it->Valid() && in_range(c.it->key())) {
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
    delta.entries_written++;
    run_size += token.size() + 16;
    if (run_size >= run_bytes) {
      s = finish_run();
      if (!s.ok()) return fail(s);
    }
    if (delta.entries_read >= kProgressEvery) shared->Add(&delta);
  }
  if (writer != nullptr) {
    Status s = finish_run();
    if (!s.ok()) return fail(s);
  }
  shared->Add(&delta);
  return Status::OK();
}

}  // namespace

Status MergeCounts(const std::vector<const RocksStore*>& sources,
                   RocksStore* target, uint64_t run_bytes,
                   size_t readahead_bytes, int threads,
                   const std::function<void(const MergeProgress&)>& on_progress,
                   std::vector<std::string>* runs, MergeProgress* progress) {
  std::vector<std::string> cuts =
      SplitKeySpace(sources, static_cast<size_t>(std::max(threads, 1)));
  const size_t parts = cuts.size() + 1;
  cuts.insert(cuts.begin(), "");
  cuts.push_back("");  // the last range has no limit
  SharedProgress shared(progress, &on_progress);
  std::vector<std::vector<std::string>> written(parts);
  std::vector<Status> status(parts);
  auto merge = [&](size_t i) {
    status[i] = MergeRange(sources, cuts[i], cuts[i + 1], target, run_bytes,
                           readahead_bytes, &shared, &written[i]);
  };
  std::vector<std::thread> pool;
  for (size_t i = 1; i < parts; ++i) pool.emplace_back(merge, i);
  merge(0);
  for (std::thread& t : pool) t.join();
  Status first;
  for (const Status& s : status) {
    if (first.ok() && !s.ok()) first = s;
  }
  if (!first.ok()) {
    std::error_code ec;
    for (const auto& w : written) {
      for (const std::string& r : w) std::filesystem::remove(r, ec);
    }
    return first;
  }
  for (const auto& w : written) runs->insert(runs->end(), w.begin(), w.end());
  return Status::OK();
}

}  // namespace pretokdb

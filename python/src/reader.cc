// _core.Reader: a CountReader for Python (point queries, a streaming
// iterator of every count, the most frequent, statistics).

#include <pybind11/pybind11.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "bindings.h"
#include "interruptible.h"
#include "pretokdb/reader.h"
#include "status_error.h"

namespace py = pybind11;

namespace pretokdb::python {

namespace {

using Entry = std::pair<std::string, uint64_t>;

py::str DecodeFs(const std::string& s) {
  PyObject* str = PyUnicode_DecodeFSDefaultAndSize(s.data(), static_cast<Py_ssize_t>(s.size()));
  if (str == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(str);
}

py::tuple ToPython(const Entry& e) {
  return py::make_tuple(py::bytes(e.first), e.second);
}

// The n most frequent pretokens, most frequent first, ties by the token's
// bytes (ascending): the order of the CLI's `top`, computed the same way (a
// heap of n over one pass of the sorted counts). Stops early, returning
// nothing meaningful, when *stop becomes true.
Status Top(const CountReader& reader, size_t n, const std::atomic<bool>& stop,
           std::vector<Entry>* out) {
  // "Better" = higher count, then smaller token; the heap's top is the worst.
  auto better = [](const Entry& a, const Entry& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  };
  std::priority_queue<Entry, std::vector<Entry>, decltype(better)> heap(better);
  std::unique_ptr<CountIterator> it = reader.NewIterator();
  uint64_t seen = 0;
  for (; it->Valid() && n > 0; it->Next()) {
    if ((++seen & 0xFFFF) == 0 && stop.load(std::memory_order_relaxed)) {
      return Status::Aborted("top: stopped");
    }
    if (heap.size() < n) {
      heap.emplace(std::string(it->token()), it->count());
    } else if (it->count() > heap.top().second) {
      // Tokens arrive in ascending order, so an equal count never beats the
      // kept (smaller) token.
      heap.pop();
      heap.emplace(std::string(it->token()), it->count());
    }
  }
  PRETOKDB_RETURN_IF_ERROR(it->status());
  out->clear();
  while (!heap.empty()) {
    out->push_back(heap.top());
    heap.pop();
  }
  std::reverse(out->begin(), out->end());
  return Status::OK();
}

// Python's iterator over (token, count) in the order of the token's bytes.
// Entries are read from the CountIterator in batches, with the GIL released
// (reading may wait for the disk), and handed out one by one: memory is one
// batch, whatever the size of the database.
class ItemIterator {
 public:
  ItemIterator(std::shared_ptr<const CountReader> reader, uint64_t min_count)
      : reader_(std::move(reader)), it_(reader_->NewIterator()), min_count_(min_count) {}

  py::tuple Next() {
    Busy busy(&busy_);
    if (next_ == batch_.size() && !Refill()) throw py::stop_iteration();
    return ToPython(batch_[next_++]);
  }

  // The entries not yet handed out, as a dict (what pretokenize() returns):
  // built here, without a Python call per entry.
  py::dict Rest() {
    Busy busy(&busy_);
    py::dict out;
    while (next_ < batch_.size() || Refill()) {
      for (; next_ < batch_.size(); ++next_) {
        const Entry& e = batch_[next_];
        py::bytes token(e.first);
        py::int_ count(e.second);
        if (PyDict_SetItem(out.ptr(), token.ptr(), count.ptr()) != 0) {
          throw py::error_already_set();
        }
      }
    }
    return out;
  }

 private:
  // A batch holds up to this many bytes of tokens or this many entries, and
  // a fill looks at no more than kMaxScanned entries.
  static constexpr size_t kBatchBytes = 256 << 10;
  static constexpr size_t kBatchEntries = 4096;
  static constexpr size_t kMaxScanned = 1 << 16;

  // Reads the next batch; false at the end. Throws the iterator's error,
  // after the entries before it were handed out.
  bool Refill() {
    while (next_ == batch_.size()) {
      if (!status_.ok()) ThrowStatus(status_);
      if (it_ == nullptr) return false;
      {
        py::gil_scoped_release no_gil;
        Fill();
      }
      // A fill may scan far without keeping anything (a high min_count):
      // between fills, Ctrl-C can end the loop.
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    }
    return true;
  }

  // Marks the iterator as being advanced, for the scope of a Next() or
  // Rest(). Another thread may call in meanwhile (Fill() runs without the
  // GIL): it gets ValueError, as for a generator that is already running.
  // Made and ended with the GIL held, which guards the flag.
  class Busy {
   public:
    explicit Busy(bool* flag) : flag_(flag) {
      if (*flag_) throw py::value_error("items() iterator is already being advanced");
      *flag_ = true;
    }
    ~Busy() { *flag_ = false; }

   private:
    bool* const flag_;
  };

  void Fill() {
    batch_.clear();
    next_ = 0;
    size_t bytes = 0;
    for (size_t scanned = 0; it_->Valid() && scanned < kMaxScanned; ++scanned) {
      if (it_->count() >= min_count_) {
        batch_.emplace_back(std::string(it_->token()), it_->count());
        bytes += it_->token().size();
      }
      it_->Next();
      if (bytes >= kBatchBytes || batch_.size() >= kBatchEntries) break;
    }
    if (!it_->Valid()) {
      status_ = it_->status();
      it_.reset();  // the end: the RocksDB iterator's resources go now
    }
  }

  const std::shared_ptr<const CountReader> reader_;  // outlives it_
  std::unique_ptr<CountIterator> it_;                // null at the end
  const uint64_t min_count_;
  std::vector<Entry> batch_;
  size_t next_ = 0;
  Status status_;
  bool busy_ = false;  // guarded by the GIL
};

// The Python Reader. Its methods release the GIL while they read.
class Reader {
 public:
  explicit Reader(const std::string& db_path) : path_(db_path) {
    std::unique_ptr<CountReader> reader;
    Status s;
    {
      py::gil_scoped_release no_gil;
      s = CountReader::Open(db_path, &reader);
    }
    ThrowIfError(s);
    reader_ = std::move(reader);
  }

  uint64_t Count(const std::string& token) const {
    std::shared_ptr<const CountReader> r = Get();
    uint64_t count = 0;
    Status s;
    {
      py::gil_scoped_release no_gil;
      s = r->Get(token, &count);
    }
    ThrowIfError(s);
    return count;
  }

  ItemIterator Items(uint64_t min_count) const { return ItemIterator(Get(), min_count); }

  py::dict ToDict(uint64_t min_count) const { return ItemIterator(Get(), min_count).Rest(); }

  py::list TopN(size_t n) const {
    std::shared_ptr<const CountReader> r = Get();
    std::atomic<bool> stop{false};
    std::vector<Entry> entries;
    ThrowIfError(RunInterruptibly([&] { return Top(*r, n, stop, &entries); },
                                  [&] { stop = true; }));
    py::list out;
    for (const Entry& e : entries) out.append(ToPython(e));
    return out;
  }

  py::dict Stats() const {
    DbStats st = ReadStats();
    py::dict d;
    std::error_code ec;
    std::filesystem::path db = std::filesystem::weakly_canonical(path_, ec);
    d["db"] = DecodeFs(ec ? path_ : db.string());
    py::list files;
    for (const SourceInfo& f : st.files) {
      py::dict file;
      // The fields and order of `stats --json`.
      py::list held;
      for (const ByteRange& r : f.held) {
        py::list range;
        range.append(r.begin);
        range.append(r.end);
        held.append(range);
      }
      file["path"] = DecodeFs(f.path);
      file["relative"] = f.relative;
      file["size"] = f.size;
      file["bytes_held"] = f.bytes_held;
      file["held"] = held;
      file["bytes_done"] = f.bytes_done;
      file["first_document"] = f.first_document;
      files.append(file);
    }
    d["files"] = files;
    py::list streams;
    for (const StreamInfo& t : st.streams) {
      py::dict stream;
      stream["name"] = DecodeFs(t.name);
      stream["bytes_done"] = t.bytes_done;
      stream["complete"] = t.complete;
      streams.append(stream);
    }
    d["streams"] = streams;
    d["documents"] = st.documents;
    d["pretokens"] = st.pretokens;
    d["distinct_pretokens"] = st.distinct_pretokens;
    d["invalid_utf8_replaced"] = st.invalid_utf8_replaced;
    d["skipped_stretches"] = st.skipped_stretches;
    d["skipped_bytes"] = st.skipped_bytes;
    d["bad_records"] = st.bad_records;
    py::dict bad;
    bad["invalid_json"] = st.bad.invalid_json;
    bad["invalid_utf8"] = st.bad.invalid_utf8;
    bad["missing_field"] = st.bad.missing_field;
    bad["not_string"] = st.bad.not_string;
    bad["too_long"] = st.bad.too_long;
    d["bad_records_by_reason"] = bad;
    d["spills"] = st.spills;
    d["elapsed_seconds"] = st.elapsed_seconds;
    py::list tokens;
    for (const std::string& t : st.special_tokens) tokens.append(DecodeReplace(t));
    py::dict config;
    config["pattern"] = DecodeReplace(st.pattern);
    config["pattern_regex"] = DecodeReplace(st.pattern_regex);
    config["special_tokens"] = tokens;
    config["invalid_utf8"] = DecodeReplace(st.invalid_utf8);
    config["jsonl"] = DecodeReplace(st.jsonl_field);
    d["config"] = config;
    return d;
  }

  uint64_t Len() const { return ReadStats().distinct_pretokens; }

  void Close() { reader_.reset(); }

  py::str Path() const { return DecodeFs(path_); }

  bool Closed() const { return reader_ == nullptr; }

 private:
  // The open reader, shared with the caller for the duration of its read,
  // so that Close() from another thread cannot pull it away mid-read.
  std::shared_ptr<const CountReader> Get() const {
    if (reader_ == nullptr) throw py::value_error("I/O operation on a closed pretokdb reader");
    return reader_;
  }

  DbStats ReadStats() const {
    std::shared_ptr<const CountReader> r = Get();
    DbStats st;
    Status s;
    {
      py::gil_scoped_release no_gil;
      s = r->GetStats(&st);
    }
    ThrowIfError(s);
    return st;
  }

  const std::string path_;
  std::shared_ptr<const CountReader> reader_;
};

}  // namespace

void DefineReader(py::module_& m) {
  py::class_<ItemIterator>(m, "ItemIterator",
                           "Iterator of (token: bytes, count: int) in ascending "
                           "order of the token's bytes, read from disk in "
                           "batches: memory stays flat whatever the database's "
                           "size. Made by Reader.items().")
      .def("__iter__", [](ItemIterator& self) -> ItemIterator& { return self; },
           "Returns the iterator itself.")
      .def("__next__", &ItemIterator::Next,
           "The next (token, count); StopIteration at the end. Raises "
           "ValueError if another thread is advancing the iterator.");

  py::class_<Reader>(m, "Reader", R"doc(A read-only view of a pretok-db database.

Made by pretokdb.open(db_path). It sees the counts committed when it was
opened (every completed spill of a run, never part of one) and works while
an index run writes the database, from this process or another. Use it as a
context manager, or call close(); iterators already made keep working after
close(). Methods release the GIL while they read.)doc")
      .def(py::init<const std::string&>(), py::arg("db_path"),
           "Opens the database at db_path (bytes). Raises NotFoundError if "
           "there is none, InvalidArgumentError if the directory is not a "
           "pretok-db database.")
      .def("count", &Reader::Count, py::arg("token"),
           "count(token: bytes) -> int\n\nHow many times the pretoken was "
           "counted (0 if never). A str is taken as its UTF-8 bytes.")
      .def("items", &Reader::Items, py::arg("min_count") = 1,
           "items(min_count: int = 1) -> Iterator[tuple[bytes, int]]\n\n"
           "Every pretoken counted at least min_count times with its count, in "
           "ascending order of the pretoken's bytes (unsigned, lexicographic), "
           "streamed from disk: memory stays flat on a database of any size.")
      .def("to_dict", &Reader::ToDict, py::arg("min_count") = 1,
           "to_dict(min_count: int = 1) -> dict[bytes, int]\n\n"
           "What dict(items(min_count)) gives, built faster (in C++). Holds "
           "every pretoken in memory: on a big database, prefer items().")
      .def("top", &Reader::TopN, py::arg("n") = 20,
           "top(n: int = 20) -> list[tuple[bytes, int]]\n\n"
           "The n most frequent pretokens with their counts, most frequent "
           "first, ties by the pretoken's bytes (ascending), as `pretok-db "
           "top` prints them. One pass over the counts; Ctrl-C stops it.")
      .def("stats", &Reader::Stats,
           "stats() -> dict\n\n"
           "What `pretok-db stats --json` prints, as a dict: db, files "
           "(list of {path, relative, size, bytes_held, held, bytes_done, "
           "first_document}), documents, pretokens, "
           "distinct_pretokens, invalid_utf8_replaced, skipped_stretches, "
           "skipped_bytes, bad_records, bad_records_by_reason, spills, elapsed_seconds, config {pattern, "
           "pattern_regex, special_tokens, invalid_utf8}. Paths are decoded "
           "as os.fsdecode does. distinct_pretokens costs a pass over the "
           "counts.")
      .def("__len__", &Reader::Len,
           "The number of distinct pretokens (a pass over the counts).")
      .def("close", &Reader::Close,
           "Closes the database (iterators already made keep it open until "
           "they end). Calling it again does nothing.")
      .def_property_readonly("path", &Reader::Path, "The database's path, as given.")
      .def_property_readonly("closed", &Reader::Closed, "True after close().")
      .def("__enter__", [](Reader& self) -> Reader& { return self; },
           "Returns the reader itself (`with pretokdb.open(path) as db:`).")
      .def("__exit__", [](Reader& self, py::args) { self.Close(); },
           "Closes the reader.")
      .def("__repr__", [](const Reader& self) {
        return py::str("<pretokdb.Reader {!r}{}>")
            .format(self.Path(), self.Closed() ? " (closed)" : "");
      });
}

}  // namespace pretokdb::python

// _core.index(): one Indexer::Run, stoppable by Ctrl-C.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "bindings.h"
#include "interruptible.h"
#include "pretokdb/indexer.h"
#include "pretokdb/options.h"
#include "status_error.h"

namespace py = pybind11;

namespace pretokdb::python {

namespace {

// Indexes `paths` into `db_path`; returns the run's warnings (text that was
// not counted), each as the CLI prints it after "pretok-db: warning: ".
// memory_limit 0: the CLI's default (DefaultMemoryLimit).
std::vector<std::string> Index(const std::string& db_path,
                               const std::vector<std::string>& paths,
                               const std::vector<std::string>& special_tokens,
                               const std::string& pattern,
                               const std::string& regex, int workers,
                               uint64_t memory_limit,
                               const std::string& jsonl_field,
                               bool bad_records_strict, bool quick_check) {
  IndexOptions options;
  options.quick_check = quick_check;
  options.jsonl_field = jsonl_field;
  options.bad_records =
      bad_records_strict ? BadRecords::kStrict : BadRecords::kSkip;
  options.pattern = pattern;
  options.regex = regex;
  options.special_tokens = special_tokens;
  options.workers = workers;
  options.memory_limit = memory_limit != 0 ? memory_limit : DefaultMemoryLimit();

  // Events come from worker threads, without the GIL: only collected here.
  std::mutex mu;
  std::vector<std::string> warnings;
  options.on_event = [&](const IndexEvent& e) {
    if (e.type != IndexEvent::Type::kWarning) return;
    std::lock_guard<std::mutex> lock(mu);
    warnings.push_back(e.path + ": at byte " + std::to_string(e.offset) + ": " + e.message);
  };

  Indexer indexer(db_path, options);
  Status s = RunInterruptibly([&] { return indexer.Run(paths); },
                              [&] { indexer.RequestStop(); });
  ThrowIfError(s);
  return warnings;
}

}  // namespace

void DefineIndex(py::module_& m) {
  m.def("index", &Index, py::arg("db_path"), py::arg("paths"),
        py::arg("special_tokens"), py::arg("pattern"), py::arg("regex"), py::arg("workers"),
        py::arg("memory_limit"), py::arg("jsonl_field") = "",
        py::arg("bad_records_strict") = false, py::arg("quick_check") = false,
        "index(db_path: bytes, paths: list[bytes], special_tokens: "
        "list[bytes], pattern: str, regex: str, workers: int, memory_limit: int, "
        "jsonl_field: str = \"\", bad_records_strict: bool = False, "
        "quick_check: bool = False) -> list[str]\n\n"
        "quick_check: a file seen again is checked by its size and first "
        "and last 64 KiB only, not by re-reading what was counted. "
        "jsonl_field: JSON Lines, the dotted field path counted (\"\": text). "
        "pattern: a built-in name; regex: a pattern of your own (\"\": none), "
        "which then requires pattern \"gpt2\". "
        "Indexes the files into the database (created if needed; a run that "
        "was stopped resumes) and returns the warnings of text left "
        "uncounted. workers 0: one per core; memory_limit 0: the CLI's "
        "default (DefaultMemoryLimit). Ctrl-C stops the run after it commits what it has counted, "
        "then raises KeyboardInterrupt. Raises pretokdb.Error subclasses.");
}

}  // namespace pretokdb::python

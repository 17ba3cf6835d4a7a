// _core.train(): TrainBpe on a database's counts, stoppable by Ctrl-C.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bindings.h"
#include "interruptible.h"
#include "pretokdb/bpe.h"
#include "pretokdb/options.h"
#include "pretokdb/reader.h"
#include "status_error.h"

namespace py = pybind11;

namespace pretokdb::python {

namespace {

// Returns (vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]],
// stats: dict of BpeStats' fields).
py::tuple Train(const std::string& db_path, uint64_t vocab_size,
                const std::vector<std::string>& special_tokens, uint64_t min_count,
                int threads, uint64_t memory_limit) {
  std::unique_ptr<CountReader> reader;
  BpeOptions options;
  options.vocab_size = vocab_size;
  options.special_tokens = special_tokens;
  options.min_count = min_count;
  options.threads = threads;
  options.memory_limit = memory_limit != 0 ? memory_limit : DefaultMemoryLimit();
  std::atomic<bool> stop{false};
  options.stop = &stop;

  BpeModel model;
  BpeStats stats;
  ThrowIfError(RunInterruptibly(
      [&] {
        PRETOKDB_RETURN_IF_ERROR(CountReader::Open(db_path, &reader));
        return TrainBpe(*reader, options, &model, &stats);
      },
      [&] { stop = true; }));

  py::dict vocab;
  for (size_t id = 0; id < model.vocab.size(); ++id) {
    vocab[py::int_(id)] = py::bytes(model.vocab[id]);
  }
  py::list merges;
  for (const auto& [first, second] : model.merges) {
    merges.append(py::make_tuple(py::bytes(first), py::bytes(second)));
  }
  py::dict info;
  info["words"] = stats.words;
  info["words_dropped"] = stats.words_dropped;
  info["merges"] = stats.merges;
  info["merges_requested"] = stats.merges_requested;
  info["ran_out_of_pairs"] = stats.ran_out_of_pairs;
  info["memory_bytes"] = stats.memory_bytes;
  info["read_seconds"] = stats.read_seconds;
  info["count_seconds"] = stats.count_seconds;
  info["merge_seconds"] = stats.merge_seconds;
  return py::make_tuple(vocab, merges, info);
}

}  // namespace

void DefineBpe(py::module_& m) {
  m.def("train", &Train, py::arg("db_path"), py::arg("vocab_size"),
        py::arg("special_tokens"), py::arg("min_count"), py::arg("threads"),
        py::arg("memory_limit"),
        "train(db_path: bytes, vocab_size: int, special_tokens: list[bytes], "
        "min_count: int, threads: int, memory_limit: int) -> tuple[dict[int, "
        "bytes], list[tuple[bytes, bytes]], dict]\n\n"
        "Trains a byte-level BPE tokenizer on the database's counts "
        "(include/pretokdb/bpe.h: TrainBpe): the vocabulary, the merges and "
        "the trainer's statistics. threads 0: one per core; memory_limit 0: "
        "the CLI's default (DefaultMemoryLimit). Ctrl-C stops training at the next merge and raises "
        "KeyboardInterrupt. Raises pretokdb.Error subclasses.");
}

}  // namespace pretokdb::python

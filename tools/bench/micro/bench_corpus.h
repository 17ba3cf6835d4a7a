// The corpus slice the micro-benchmarks run on: the first 64 MiB of a
// make-corpus file, cut back to a whole line, padded for CountTable.

#ifndef PRETOKDB_TOOLS_BENCH_MICRO_BENCH_CORPUS_H_
#define PRETOKDB_TOOLS_BENCH_MICRO_BENCH_CORPUS_H_

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "count/count_table.h"

namespace pretokdb {

inline constexpr size_t kSliceBytes = size_t{64} << 20;

// "web" or "stories": $PRETOKDB_BENCH_WEB / $PRETOKDB_BENCH_STORIES, or
// where tools/bench caches them.
inline std::string CorpusPath(const std::string& name) {
  const char* env = std::getenv(name == "web" ? "PRETOKDB_BENCH_WEB"
                                              : "PRETOKDB_BENCH_STORIES");
  if (env != nullptr) return env;
  return name == "web" ? "/tmp/pretokdb-bench-corpora/web-1G-seed7.txt"
                       : "/tmp/corp/stories-1G.txt";
}

// Reads the slice of corpus `name` into *text; exits naming `tool` if
// there is none. CountTable::AddBatch() reads a few bytes past a token, so
// the text is padded (reserve() keeps views into it valid: the string
// never reallocates).
inline void ReadCorpusSlice(const std::string& name, const char* tool,
                            std::string* text) {
  const std::string path = CorpusPath(name);
  std::ifstream in(path, std::ios::binary);
  text->resize(kSliceBytes);
  in.read(text->data(), kSliceBytes);
  text->resize(static_cast<size_t>(in.gcount()));
  const size_t nl = text->rfind('\n');
  if (nl != std::string::npos) text->resize(nl + 1);
  if (text->empty()) {
    std::fprintf(stderr, "%s: cannot read %s\n", tool, path.c_str());
    std::exit(1);
  }
  text->reserve(text->size() + CountTable::kTokenReadBytes);
  text->append(CountTable::kTokenReadBytes, '\0');
  text->resize(text->size() - CountTable::kTokenReadBytes);
}

}  // namespace pretokdb

#endif  // PRETOKDB_TOOLS_BENCH_MICRO_BENCH_CORPUS_H_

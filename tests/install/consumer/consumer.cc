// Indexes FILE into DB through the installed library, then prints the
// version and the count of each TOKEN, one a line.
#include <cstdio>
#include <memory>

#include "pretokdb/indexer.h"
#include "pretokdb/reader.h"
#include "pretokdb/version.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: consumer DB FILE [TOKEN...]\n");
    return 2;
  }
  pretokdb::IndexOptions options;
  options.memory_limit = 64 << 20;
  pretokdb::Indexer indexer(argv[1], options);
  pretokdb::Status s = indexer.Run({argv[2]});
  std::unique_ptr<pretokdb::CountReader> reader;
  if (s.ok()) s = pretokdb::CountReader::Open(argv[1], &reader);
  if (!s.ok()) {
    std::fprintf(stderr, "consumer: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("pretok-db %s\n", pretokdb::Version().c_str());
  for (int i = 3; i < argc; ++i) {
    uint64_t count = 0;
    if (!reader->Get(argv[i], &count).ok()) return 1;
    std::printf("%llu\n", static_cast<unsigned long long>(count));
  }
  return 0;
}

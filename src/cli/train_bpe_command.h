// `pretok-db train-bpe`: trains a byte-level BPE tokenizer from a
// database's counts (pretokdb/bpe.h) and writes its files
// (pretokdb/tokenizer_files.h) into --out.

#ifndef PRETOKDB_CLI_TRAIN_BPE_COMMAND_H_
#define PRETOKDB_CLI_TRAIN_BPE_COMMAND_H_

#include <cstdint>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace pretokdb {

struct TrainBpeArgs {
  std::string db = "pretok.db";
  uint64_t vocab_size = 0;
  std::string out;
  std::vector<std::string> special_tokens;  // empty: the database's own
  bool no_special_tokens = false;
  uint64_t min_count = 1;
  int threads = 0;
  std::string memory_limit;  // empty: DefaultMemoryLimit()
  bool quiet = false;
  bool json = false;
};

// Adds the subcommand and its options, filling *args when parsed.
CLI::App* AddTrainBpeCommand(CLI::App* app, TrainBpeArgs* args);

// Runs it: the process's exit status (0; 1 an error, one line on stderr;
// 130 stopped by SIGINT/SIGTERM, nothing written).
int RunTrainBpe(const TrainBpeArgs& args);

}  // namespace pretokdb

#endif  // PRETOKDB_CLI_TRAIN_BPE_COMMAND_H_

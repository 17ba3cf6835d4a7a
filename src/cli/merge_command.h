// `pretok-db merge --into DIR SRC...`: merges databases into one
// (pretokdb/merge.h).

#ifndef PRETOKDB_CLI_MERGE_COMMAND_H_
#define PRETOKDB_CLI_MERGE_COMMAND_H_

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace pretokdb {

struct MergeArgs {
  std::string into;
  std::string memory_limit;  // empty: DefaultMemoryLimit()
  bool quiet = false;
  std::vector<std::string> sources;
};

// Adds the subcommand and its options, filling *args when parsed.
CLI::App* AddMergeCommand(CLI::App* app, MergeArgs* args);

// Runs it: the process's exit status (0, also when every source was merged
// before; 1 an error, one line on stderr).
int RunMerge(const MergeArgs& args);

}  // namespace pretokdb

#endif  // PRETOKDB_CLI_MERGE_COMMAND_H_

// The pretok-db command line: argv in, library calls, text out. Kept apart
// from main() so that tests can drive it.

#ifndef PRETOKDB_CLI_COMMANDS_H_
#define PRETOKDB_CLI_COMMANDS_H_

namespace pretokdb {

// Runs one pretok-db command. Returns the process exit status:
// 0 success, 1 an error (one line on stderr), 2 a usage error,
// 130 an index run stopped by SIGINT/SIGTERM (resumable).
int RunCommandLine(int argc, char** argv);

}  // namespace pretokdb

#endif  // PRETOKDB_CLI_COMMANDS_H_

// pretok-db: count the BPE pretokens of huge corpora into RocksDB.
#include "cli/commands.h"

int main(int argc, char** argv) { return pretokdb::RunCommandLine(argc, argv); }
